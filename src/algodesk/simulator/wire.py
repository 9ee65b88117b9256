"""Breeze wire conventions: the envelope, error bodies, value formats, date parsing."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from starlette.responses import Response

# Gateway-level answers carry no `Success` key and come with HTTP 401.
INVALID_CHECKSUM = "Authentication Fail :: Invalid Checksum."
LIMIT_PER_MINUTE = "Limit exceed: API call per minute:Try after some time"
LIMIT_PER_DAY = "Limit exceed: API call per day:"


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_response(payload: dict[str, Any], status_code: int = 200, *, sort_keys: bool = False) -> Response:
    # Compact like ICICI's gateway: the per-minute limit body is exactly 76 bytes.
    body = json.dumps(payload, default=_default, sort_keys=sort_keys, separators=(",", ":"))
    return Response(body, status_code=status_code, media_type="application/json")


def success(result: Any) -> Response:
    return json_response({"Success": result, "Status": 200, "Error": None})


def failure(message: str, status: int = 500) -> Response:
    """A business error: HTTP 200 with `Status: 500` inside the envelope."""
    return json_response({"Success": None, "Status": status, "Error": message})


def gateway_failure(message: str) -> Response:
    """Signature, session and rate-limit refusals: HTTP 401, `Status: 5`, no `Success`."""
    return json_response({"Status": 5, "Error": message}, status_code=401)


def money(value: Decimal | float | int, places: int = 2) -> str:
    """A price or amount as Breeze writes it in strings: fixed decimals."""
    return f"{Decimal(value):.{places}f}"


def plain(value: Decimal | float | int) -> str:
    """A number as text without trailing zeros ("24000", "27.5", "452.2")."""
    d = Decimal(value)
    text = format(d.normalize(), "f") if d != d.to_integral() else str(int(d))
    return text


def number(value: Decimal | float | int) -> float:
    return float(value)


def dmy(day: date | None) -> str | None:
    """`27-Feb-2025`, the format of expiries and dates in most rows."""
    return day.strftime("%d-%b-%Y") if day else None


def dmy_time(moment: datetime) -> str:
    return moment.strftime("%d-%b-%Y %H:%M:%S")


class BadRequest(ValueError):
    """A request value the simulated server refuses; its text is the Breeze error."""


_DATE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%d-%b-%Y",
    "%d-%b-%y",
)


def parse_datetime(text: str, field: str) -> datetime:
    """Read a request date-time. The digits are IST wall-clock time; a `Z` is ignored,
    as ICICI's server ignores it (reference §3.3)."""
    raw = text.strip()
    # The README's GTT sample has a two-digit fraction ("…00.00Z"): normalise it.
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw.title() if "%b" in fmt else raw, fmt)
        except ValueError:
            continue
    raise BadRequest(f"{field} is not a valid date: {text!r}")


def parse_date(text: str, field: str) -> date:
    return parse_datetime(text, field).date()


def parse_decimal(value: Any, field: str) -> Decimal:
    try:
        result = Decimal(str(value).strip())
    except Exception as exc:
        raise BadRequest(f"{field} should be a number") from exc
    if not result.is_finite():
        raise BadRequest(f"{field} should be a number")
    return result


def parse_int(value: Any, field: str) -> int:
    number_ = parse_decimal(value, field)
    if number_ != number_.to_integral():
        raise BadRequest(f"{field} should be a whole number")
    return int(number_)
