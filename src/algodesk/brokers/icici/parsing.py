"""Breeze responses → typed results: the envelope, the error mapping and the rows.

Pure functions, no I/O: feed them the raw body bytes and HTTP status as received.
`parse_envelope` turns every documented error answer into its typed `BreezeError`; the
`parse_*` functions turn a successful envelope into wire schemas.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, TypeVar

from . import constants as c
from .errors import (
    AuthenticationFailed,
    BrokerOutage,
    BrokerRejected,
    InvalidAppKey,
    MalformedResponse,
    RateLimited,
    SessionExpired,
)
from .formats import parse_response_datetime
from .schemas import (
    BreezeCandle,
    BreezeCandleV2,
    BreezeCustomerDetails,
    BreezeDematHolding,
    BreezeFunds,
    BreezeFundsAllocation,
    BreezeGttCancellation,
    BreezeGttLeg,
    BreezeGttModification,
    BreezeGttOrder,
    BreezeGttPlacement,
    BreezeMargin,
    BreezeMarginCalculation,
    BreezeMarginLeg,
    BreezeOptionChainQuote,
    BreezeOrder,
    BreezeOrderCancellation,
    BreezeOrderModification,
    BreezeOrderPlacement,
    BreezeOrderPreview,
    BreezePortfolioHolding,
    BreezePosition,
    BreezeQuote,
    BreezeSquareOff,
    BreezeTrade,
    BreezeTradeFill,
)
from .signing import decode_session_token

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Envelope:
    """A Breeze answer that passed the error mapping: `Status` 200 or an empty result."""

    success: Any
    status: int
    error: str | None
    endpoint: str
    http_status: int


# --------------------------------------------------------------------------- envelope

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _describe_non_json(body: bytes) -> str:
    head = body.lstrip()[:200]
    if head[:1] == b"<":
        title = _TITLE.search(body[:4096])
        text = title.group(1).decode("utf-8", "replace").strip()[:80] if title else ""
        return f"an HTML page{f' titled {text!r}' if text else ''} ({len(body)} bytes)"
    if not body.strip():
        return "an empty body"
    return f"a non-JSON body of {len(body)} bytes"


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def _matches(error: str, expected: str) -> bool:
    return _normalise(error).rstrip(".").startswith(_normalise(expected).rstrip("."))


def parse_envelope(body: bytes | str, *, http_status: int, endpoint: str) -> Envelope:
    """Check the `{Success, Status, Error}` envelope and map every error to its type.

    Returns the envelope for `Status` 200 and for the documented empty-result answers
    (`Success: null` with "No Positions available." / "No Data Found"); raises a
    `BreezeError` subclass otherwise.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else body
    where = {"http_status": http_status, "endpoint": endpoint}
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise MalformedResponse(
            f"expected a JSON envelope, got {_describe_non_json(raw)}", **where
        ) from None
    if not isinstance(document, dict):
        raise MalformedResponse(
            f"expected a JSON object envelope, got {type(document).__name__}", **where
        )
    missing = [key for key in ("Status", "Error") if key not in document]
    if missing:
        raise MalformedResponse(f"envelope is missing {', '.join(missing)}", **where)
    status = document["Status"]
    if isinstance(status, str) and status.strip().isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool):
        raise MalformedResponse(f"envelope Status is not a number: {status!r}", **where)
    error = document["Error"]
    if error is not None and not isinstance(error, str):
        raise MalformedResponse("envelope Error is neither null nor text", **where)

    if error is not None:
        _raise_for_known_error(error, status=status, http_status=http_status, endpoint=endpoint)

    if "Success" not in document:
        if status == 200:
            raise MalformedResponse("envelope is missing Success", breeze_status=status,
                                    **where)
        raise _refusal(error, status, where)
    success = document["Success"]
    if success is None and error is not None and _is_empty_result(error):
        return Envelope(None, status, error, endpoint, http_status)
    if status != 200:
        raise _refusal(error, status, where)
    return Envelope(success, status, error, endpoint, http_status)


def _refusal(error: str | None, status: int, where: dict[str, Any]) -> BrokerRejected:
    """A refusal, told apart from an outage of the broker's back end."""
    text = error or f"broker answered Status {status} without a message"
    outage = where["http_status"] >= 500 or any(_matches(text, words)
                                                 for words in c.OUTAGE_ERRORS)
    kind = BrokerOutage if outage else BrokerRejected
    return kind(text, broker_error=error, breeze_status=status, **where)


def _is_empty_result(error: str) -> bool:
    return any(_matches(error, text) for text in c.EMPTY_RESULT_ERRORS)


def _raise_for_known_error(error: str, *, status: int, http_status: int, endpoint: str) -> None:
    where = {"broker_error": error, "breeze_status": status, "http_status": http_status,
             "endpoint": endpoint}
    if _matches(error, c.ERROR_RATE_MINUTE):
        raise RateLimited(
            f"broker call budget per minute is spent: {error}", scope="minute", **where
        )
    if _matches(error, c.ERROR_RATE_DAY):
        raise RateLimited(f"broker call budget per day is spent: {error}", scope="day", **where)
    if _matches(error, "Authentication Fail") or "invalid checksum" in _normalise(error):
        raise AuthenticationFailed(
            f"broker refused the signature ({error!r}). ICICI gives this same answer for a "
            "wrong secret key, a bad checksum and an expired or unknown session token: "
            "log in again, and if it persists check the secret key and the clock",
            **where,
        )
    if _matches(error, c.ERROR_PUBLIC_KEY):
        raise InvalidAppKey(
            f"broker does not know this AppKey ({error!r}): check BROKER_API_KEY", **where
        )
    if _matches(error, c.ERROR_INVALID_SESSION):
        raise SessionExpired(
            f"broker says the session is invalid ({error!r}): log in again", **where
        )
    # "Resource not available." means an expired/used API_Session only on customerdetails;
    # elsewhere (square-off without a position) it is an ordinary rejection.
    if endpoint == "customer_details" and _matches(error, c.ERROR_RESOURCE_NOT_AVAILABLE):
        raise SessionExpired(
            f"API_Session is expired or already used ({error!r}): log in again", **where
        )


# --------------------------------------------------------------------------- values


def _fail(endpoint: str, message: str) -> MalformedResponse:
    return MalformedResponse(message, endpoint=endpoint)


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    raise TypeError("not text")


def _to_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        raise TypeError("boolean")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise TypeError("not a number") from None
        if not number.is_finite():
            raise TypeError("not finite")
        return number
    raise TypeError("not a number")


def _to_int(value: Any) -> int | None:
    number = _to_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise TypeError("not a whole number")
    return int(number)


def _to_datetime(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError("not text")
    return parse_response_datetime(value)


def _to_mapping(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError("not an object")
    return MappingProxyType(dict(value))


_CONVERTERS: dict[str, tuple[Callable[[Any], Any], bool]] = {
    # annotation: (converter, null allowed)
    "str": (_to_str, False),
    "str | None": (_to_str, True),
    "Decimal": (_to_decimal, False),
    "Decimal | None": (_to_decimal, True),
    "int": (_to_int, False),
    "int | None": (_to_int, True),
    "dt.datetime": (_to_datetime, False),
    "Mapping[str, Any] | None": (_to_mapping, True),
}


def build_row(cls: type[T], raw: Any, *, endpoint: str) -> T:
    """Build a wire schema from one JSON object, naming the key when it cannot."""
    name = cls.__name__
    if not isinstance(raw, Mapping):
        raise _fail(endpoint, f"{name}: expected a JSON object, got {type(raw).__name__}")
    values: dict[str, Any] = {}
    for spec in fields(cls):  # type: ignore[arg-type]
        if spec.metadata.get("nested") or spec.metadata.get("derived"):
            continue
        key = spec.metadata.get("wire", spec.name)
        required = spec.default is MISSING and spec.default_factory is MISSING
        if key not in raw:
            if required:
                raise _fail(endpoint, f"{name}: required key {key!r} is missing")
            continue
        converter, nullable = _CONVERTERS[str(spec.type)]
        value = raw[key]
        if value is None:
            if not nullable:
                raise _fail(endpoint, f"{name}: required key {key!r} is null")
            values[spec.name] = None
            continue
        try:
            converted = converter(value)
        except (TypeError, ValueError) as exc:
            raise _fail(endpoint, f"{name}: key {key!r} has an unusable value ({exc})") from None
        if converted is None and not nullable:
            raise _fail(endpoint, f"{name}: required key {key!r} is empty")
        values[spec.name] = converted
    return cls(**values)


# --------------------------------------------------------------------------- Success


def success_object(envelope: Envelope) -> Mapping[str, Any]:
    """`Success` of a single-result endpoint, which must be a JSON object."""
    success = envelope.success
    if success is None and envelope.error:
        raise BrokerRejected(
            envelope.error,
            broker_error=envelope.error,
            breeze_status=envelope.status,
            http_status=envelope.http_status,
            endpoint=envelope.endpoint,
        )
    if not isinstance(success, Mapping):
        kind = "null" if success is None else type(success).__name__
        raise MalformedResponse(
            f"expected Success to be an object, got {kind}",
            breeze_status=envelope.status,
            http_status=envelope.http_status,
            endpoint=envelope.endpoint,
        )
    return success


def success_rows(envelope: Envelope) -> list[Any]:
    """`Success` of a list endpoint: an array, or nothing for an empty result."""
    success = envelope.success
    if success is None:
        return []
    if not isinstance(success, list):
        raise MalformedResponse(
            f"expected Success to be an array, got {type(success).__name__}",
            breeze_status=envelope.status,
            http_status=envelope.http_status,
            endpoint=envelope.endpoint,
        )
    return success


def _rows(cls: type[T], envelope: Envelope) -> list[T]:
    return [build_row(cls, row, endpoint=envelope.endpoint) for row in success_rows(envelope)]


def _one(cls: type[T], envelope: Envelope) -> T:
    return build_row(cls, success_object(envelope), endpoint=envelope.endpoint)


def parse_customer_details(envelope: Envelope) -> BreezeCustomerDetails:
    success = success_object(envelope)
    details = build_row(BreezeCustomerDetails, success, endpoint=envelope.endpoint)
    try:
        user_id, session_key = decode_session_token(details.session_token)
    except ValueError as exc:
        raise MalformedResponse(
            f"customerdetails session_token is unusable: {exc}", endpoint=envelope.endpoint
        ) from None
    return replace(details, user_id=user_id, session_key=session_key)


def parse_funds(envelope: Envelope) -> BreezeFunds:
    return _one(BreezeFunds, envelope)


def parse_funds_allocation(envelope: Envelope) -> BreezeFundsAllocation:
    return _one(BreezeFundsAllocation, envelope)


def parse_demat_holdings(envelope: Envelope) -> list[BreezeDematHolding]:
    return _rows(BreezeDematHolding, envelope)


def parse_portfolio_holdings(envelope: Envelope) -> list[BreezePortfolioHolding]:
    return _rows(BreezePortfolioHolding, envelope)


def parse_positions(envelope: Envelope) -> list[BreezePosition]:
    return _rows(BreezePosition, envelope)


def parse_order_placement(envelope: Envelope) -> BreezeOrderPlacement:
    return _one(BreezeOrderPlacement, envelope)


def parse_orders(envelope: Envelope) -> list[BreezeOrder]:
    return _rows(BreezeOrder, envelope)


def parse_order_modification(envelope: Envelope) -> BreezeOrderModification:
    return _one(BreezeOrderModification, envelope)


def parse_order_cancellation(envelope: Envelope) -> BreezeOrderCancellation:
    return _one(BreezeOrderCancellation, envelope)


def parse_trades(envelope: Envelope) -> list[BreezeTrade]:
    return _rows(BreezeTrade, envelope)


def parse_trade_fills(envelope: Envelope) -> list[BreezeTradeFill]:
    return _rows(BreezeTradeFill, envelope)


def parse_quotes(envelope: Envelope) -> list[BreezeQuote]:
    return _rows(BreezeQuote, envelope)


def parse_option_chain(envelope: Envelope) -> list[BreezeOptionChainQuote]:
    return _rows(BreezeOptionChainQuote, envelope)


def parse_candles_v1(envelope: Envelope) -> list[BreezeCandle]:
    return _rows(BreezeCandle, envelope)


def parse_candles_v2(envelope: Envelope) -> list[BreezeCandleV2]:
    return _rows(BreezeCandleV2, envelope)


def parse_margin(envelope: Envelope) -> BreezeMargin:
    success = success_object(envelope)
    margin = build_row(BreezeMargin, success, endpoint=envelope.endpoint)
    limits = success.get("limit_list") or []
    if not isinstance(limits, list) or not all(isinstance(x, Mapping) for x in limits):
        raise MalformedResponse(
            "BreezeMargin: key 'limit_list' is not an array of objects",
            endpoint=envelope.endpoint,
        )
    return replace(margin, limit_list=tuple(MappingProxyType(dict(x)) for x in limits))


def parse_square_off(envelope: Envelope) -> BreezeSquareOff:
    return _one(BreezeSquareOff, envelope)


def parse_order_preview(envelope: Envelope) -> BreezeOrderPreview:
    return _one(BreezeOrderPreview, envelope)


def parse_margin_calculation(envelope: Envelope) -> BreezeMarginCalculation:
    success = success_object(envelope)
    result = build_row(BreezeMarginCalculation, success, endpoint=envelope.endpoint)
    legs = success.get("margin_calulation") or []
    if not isinstance(legs, list):
        raise MalformedResponse(
            "BreezeMarginCalculation: key 'margin_calulation' is not an array",
            endpoint=envelope.endpoint,
        )
    parsed = tuple(build_row(BreezeMarginLeg, leg, endpoint=envelope.endpoint) for leg in legs)
    return replace(result, legs=parsed)


def parse_gtt_placement(envelope: Envelope) -> BreezeGttPlacement:
    return _one(BreezeGttPlacement, envelope)


def parse_gtt_modification(envelope: Envelope) -> BreezeGttModification:
    return _one(BreezeGttModification, envelope)


def parse_gtt_cancellation(envelope: Envelope) -> BreezeGttCancellation:
    return _one(BreezeGttCancellation, envelope)


def parse_gtt_orders(envelope: Envelope) -> list[BreezeGttOrder]:
    """The GTT book: each row with its legs (`order_details`, an array of objects)."""
    parsed = []
    for raw in success_rows(envelope):
        row = build_row(BreezeGttOrder, raw, endpoint=envelope.endpoint)
        legs = raw.get("order_details") or []
        if not isinstance(legs, list):
            raise MalformedResponse("BreezeGttOrder: key 'order_details' is not an array",
                                    endpoint=envelope.endpoint)
        parsed.append(replace(row, legs=tuple(
            build_row(BreezeGttLeg, leg, endpoint=envelope.endpoint) for leg in legs)))
    return parsed


__all__ = [
    "Envelope",
    "build_row",
    "parse_candles_v1",
    "parse_candles_v2",
    "parse_customer_details",
    "parse_demat_holdings",
    "parse_envelope",
    "parse_funds",
    "parse_funds_allocation",
    "parse_gtt_cancellation",
    "parse_gtt_modification",
    "parse_gtt_orders",
    "parse_gtt_placement",
    "parse_margin",
    "parse_margin_calculation",
    "parse_option_chain",
    "parse_order_cancellation",
    "parse_order_modification",
    "parse_order_placement",
    "parse_order_preview",
    "parse_orders",
    "parse_portfolio_holdings",
    "parse_positions",
    "parse_quotes",
    "parse_square_off",
    "parse_trade_fills",
    "parse_trades",
    "success_object",
    "success_rows",
]
