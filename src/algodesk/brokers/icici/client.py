"""`BreezeClient`: the async HTTP client of ICICI Direct's Breeze API.

One request function (`_request`) serialises the body once, signs those exact bytes,
sends, and maps every failure to a typed `BreezeError`; every public method is a thin
wrapper that builds the body in the SDK's key order and parses the answer.

Nothing that changes state is ever retried. Reads are retried once, and only when the
connection could not be made (the request certainly never left this machine).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from . import parsing
from .constants import INTERVAL_V1_ALIASES, VALIDITY_DAY
from .errors import (
    BreezeError,
    MalformedResponse,
    ResponseTimeout,
    SessionExpired,
    TransportError,
)
from .formats import IST, DateAnchor, format_request_datetime, wire_value
from .parsing import Envelope
from .routes import ROUTES, Route
from .schemas import (
    BreezeCandle,
    BreezeCandleV2,
    BreezeCustomerDetails,
    BreezeDematHolding,
    BreezeFunds,
    BreezeFundsAllocation,
    BreezeGttCancellation,
    BreezeGttModification,
    BreezeGttOrder,
    BreezeGttPlacement,
    BreezeMargin,
    BreezeMarginCalculation,
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
from .signing import (
    decode_session_token,
    format_timestamp,
    history_headers,
    serialize_body,
    signed_headers,
)

if TYPE_CHECKING:
    from algodesk.config import Settings

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
RequestHook = Callable[[str], None]
#: A request value: sent as a string, `""` when empty.
Value = str | int | Decimal | None
DateValue = dt.datetime | dt.date | str | None

# The connection was never made: the server cannot have seen the request.
_NOT_SENT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
    httpx.InvalidURL,
)

DEFAULT_LIMITS = httpx.Limits(
    max_connections=10,
    max_keepalive_connections=5,
    # Below common server idle timeouts (uvicorn: 5 s) so a pooled connection is not
    # reused just as the server closes it, which would turn into an unknown outcome.
    keepalive_expiry=4.0,
)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _date(value: DateValue, anchor: DateAnchor = "start") -> str:
    return "" if value is None else format_request_datetime(value, anchor=anchor)


def _with_optional(body: dict[str, str], **optional: str) -> dict[str, str]:
    """Append the optional keys, in the given order, only when non-empty."""
    for key, value in optional.items():
        if value != "":
            body[key] = value
    return body


def _instrument_body(stock_code: str, exchange_code: str, product_type: str,
                     expiry_date: DateValue, right: str, strike_price: Value) -> dict[str, str]:
    """The instrument part shared by `quotes` and `optionchain` (SDK key order)."""
    return _with_optional(
        {"stock_code": stock_code, "exchange_code": exchange_code},
        expiry_date=_date(expiry_date, "expiry"),
        product_type=product_type,
        right=right,
        strike_price=wire_value(strike_price),
    )


def _history_fields(interval: str, from_date: DateValue, to_date: DateValue, stock_code: str,
                    exchange: tuple[str, str], product_type: str, expiry_date: DateValue,
                    strike_price: Value, right: str) -> dict[str, str]:
    """The fields of a history request, in the SDK's order, for either host."""
    return _with_optional(
        {
            "interval": interval,
            "from_date": _date(from_date),
            "to_date": _date(to_date, "end"),
            "stock_code": stock_code,
            exchange[0]: exchange[1],
        },
        product_type=product_type,
        expiry_date=_date(expiry_date, "expiry"),
        strike_price=wire_value(strike_price),
        right=right,
    )


class BreezeClient:
    """Async client of the Breeze REST API (v1) and historical data (v2).

    `on_request` is called with the route name every time a request may have reached
    the server (sent and answered, or sent and timed out) — not when the connection
    could not be made. The platform's call budget hangs off it.
    """

    def __init__(
        self,
        app_key: str,
        secret_key: str,
        *,
        api_url: str,
        history_url: str,
        timeout: float = 10.0,
        http: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
        on_request: RequestHook | None = None,
        session_expiry_ist: dt.time = dt.time(0, 0),
    ) -> None:
        if not app_key or not secret_key:
            raise ValueError("app_key and secret_key are required")
        self._app_key = app_key
        self._secret_key = secret_key
        self._api_url = api_url if api_url.endswith("/") else api_url + "/"
        self._history_url = history_url if history_url.endswith("/") else history_url + "/"
        self._timeout = httpx.Timeout(connect=timeout, read=timeout, write=timeout, pool=timeout)
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(
            timeout=self._timeout,
            limits=DEFAULT_LIMITS,
            follow_redirects=False,
            headers={"User-Agent": "algodesk-breeze/0.1"},
        )
        self._clock: Clock = clock or _utc_now
        self.on_request = on_request
        self._session_expiry_ist = session_expiry_ist
        self._session_token: str | None = None
        self._user_id: str | None = None
        self._session_key: str | None = None
        self._session_expires_at: dt.datetime | None = None
        self._session_dead_reason: str | None = None
        self._api_session: str | None = None
        self.requests_sent = 0

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> BreezeClient:
        """A client for the Breeze endpoints and credentials named in the settings."""
        return cls(
            settings.broker_api_key.get_secret_value(),
            settings.broker_api_secret.get_secret_value(),
            api_url=settings.breeze_api_url,
            history_url=settings.breeze_history_url,
            timeout=settings.breeze_timeout_seconds,
            **kwargs,
        )

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (only if this client created it)."""
        if self._owns_http:
            await self._http.aclose()

    def __repr__(self) -> str:
        key = self._app_key[:4] + "…" if len(self._app_key) > 4 else "…"
        return (
            f"BreezeClient(app_key={key!r}, api_url={self._api_url!r}, "
            f"user_id={self._user_id!r}, session={self.session_state})"
        )

    # ------------------------------------------------------------------ session

    def set_session(self, session_token: str) -> None:
        """Use this base64 `user_id:session_key` token for every signed call.

        The session is treated as dead from the next daily expiry (midnight IST by
        default) or from the first answer that refuses it, whichever comes first.
        """
        user_id, session_key = decode_session_token(session_token)
        self._session_token = session_token
        self._user_id = user_id
        self._session_key = session_key
        self._session_dead_reason = None
        self._session_expires_at = self._next_expiry(self._clock())

    def clear_session(self) -> None:
        self._session_token = self._user_id = self._session_key = None
        self._session_expires_at = None
        self._session_dead_reason = None

    def _next_expiry(self, now: dt.datetime) -> dt.datetime:
        local = now.astimezone(IST)
        expiry = dt.datetime.combine(local.date(), self._session_expiry_ist, tzinfo=IST)
        if expiry <= local:
            expiry += dt.timedelta(days=1)
        return min(expiry, local + dt.timedelta(hours=24))

    @property
    def user_id(self) -> str | None:
        return self._user_id

    @property
    def session_key(self) -> str | None:
        return self._session_key

    @property
    def session_token(self) -> str | None:
        return self._session_token

    @property
    def session_expires_at(self) -> dt.datetime | None:
        return self._session_expires_at

    @property
    def session_state(self) -> str:
        """`none`, `active` or `expired`."""
        if self._session_token is None:
            return "none"
        return "expired" if self._session_problem() else "active"

    def _session_problem(self) -> str | None:
        if self._session_token is None:
            return "no broker session: log in first"
        if self._session_dead_reason is not None:
            return self._session_dead_reason
        if self._session_expires_at is not None and self._clock() >= self._session_expires_at:
            return "broker session reached its daily expiry: log in again"
        return None

    def _secrets(self) -> tuple[str, ...]:
        values = (self._secret_key, self._session_token, self._session_key, self._api_session)
        return tuple(v for v in values if v)

    # ------------------------------------------------------------------ the request

    async def _request(
        self,
        route_name: str,
        payload: Mapping[str, Any] | None = None,
        *,
        params: Mapping[str, str] | None = None,
    ) -> Envelope:
        route = ROUTES[route_name]
        try:
            return await self._send(route, payload, params)
        except BreezeError as exc:
            if isinstance(exc, SessionExpired) and route.auth != "none":
                self._session_dead_reason = exc.message
            exc.redact(self._secrets())
            raise

    async def _send(
        self, route: Route, payload: Mapping[str, Any] | None, params: Mapping[str, str] | None
    ) -> Envelope:
        if route.auth != "none":
            problem = self._session_problem()
            if problem is not None:
                raise SessionExpired(problem, endpoint=route.name)
        base = self._history_url if route.host == "history" else self._api_url
        url = base + route.path
        body = None if route.auth == "history" else serialize_body(payload)
        content = None if body is None else body.encode("utf-8")
        attempts = 2 if route.idempotent else 1
        for attempt in range(1, attempts + 1):
            headers = self._headers(route, body)
            started = time.perf_counter()
            try:
                response = await self._http.request(
                    route.method,
                    url,
                    content=content,
                    params=params,
                    headers=headers,
                    timeout=self._timeout,
                )
            except _NOT_SENT as exc:
                if attempt < attempts:
                    log.warning("breeze %s not sent (%s); retrying once", route.name,
                                type(exc).__name__)
                    continue
                raise TransportError(
                    f"request not sent: could not connect ({type(exc).__name__}: {exc})",
                    endpoint=route.name,
                ) from None
            except httpx.DecodingError as exc:
                self._count(route)
                raise MalformedResponse(
                    f"answer could not be decoded ({exc})",
                    endpoint=route.name,
                    outcome_unknown=not route.idempotent,
                ) from None
            except httpx.TransportError as exc:
                self._count(route)
                raise ResponseTimeout(
                    "request sent but no complete answer arrived "
                    f"({type(exc).__name__}); outcome unknown"
                    + ("" if route.idempotent else ": reconcile, do not resend"),
                    endpoint=route.name,
                ) from None
            self._count(route)
            log.debug(
                "breeze %s %s -> HTTP %s in %.0f ms",
                route.method, route.name, response.status_code,
                (time.perf_counter() - started) * 1000,
            )
            try:
                return parsing.parse_envelope(
                    response.content, http_status=response.status_code, endpoint=route.name
                )
            except MalformedResponse as exc:
                exc.outcome_unknown = not route.idempotent
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _headers(self, route: Route, body: str | None) -> dict[str, str]:
        if route.auth == "none":
            return {"Content-Type": "application/json"}
        assert self._session_token is not None
        if route.auth == "history":
            return history_headers(app_key=self._app_key, session_token=self._session_token)
        assert body is not None
        return signed_headers(
            timestamp=format_timestamp(self._clock()),
            body=body,
            app_key=self._app_key,
            secret_key=self._secret_key,
            session_token=self._session_token,
        )

    def _count(self, route: Route) -> None:
        self.requests_sent += 1
        if self.on_request is None:
            return
        try:
            self.on_request(route.name)
        except Exception:
            # A broken counter must not lose the broker's answer to an order.
            log.exception("on_request hook failed for %s", route.name)

    # ------------------------------------------------------------------ login

    async def customer_details(self, api_session: str) -> BreezeCustomerDetails:
        """Exchange the browser's API_Session for a session token and keep it."""
        if not api_session:
            raise ValueError("API Session cannot be empty")
        self._api_session = api_session
        envelope = await self._request(
            "customer_details", {"SessionToken": api_session, "AppKey": self._app_key}
        )
        try:
            details = parsing.parse_customer_details(envelope)
        except BreezeError as exc:
            exc.redact(self._secrets())
            raise
        self.set_session(details.session_token)
        return details

    # ------------------------------------------------------------------ funds

    async def get_funds(self) -> BreezeFunds:
        return parsing.parse_funds(await self._request("funds.get"))

    async def set_funds(
        self, transaction_type: str, amount: Value, segment: str
    ) -> BreezeFundsAllocation:
        body = {
            "transaction_type": transaction_type,
            "amount": wire_value(amount),
            "segment": segment,
        }
        return parsing.parse_funds_allocation(await self._request("funds.set", body))

    async def get_margin(self, exchange_code: str) -> BreezeMargin:
        return parsing.parse_margin(
            await self._request("margin.get", {"exchange_code": exchange_code})
        )

    # ------------------------------------------------------------------ portfolio

    async def get_demat_holdings(self) -> list[BreezeDematHolding]:
        return parsing.parse_demat_holdings(await self._request("demat_holdings"))

    async def get_portfolio_holdings(
        self,
        exchange_code: str,
        from_date: DateValue = None,
        to_date: DateValue = None,
        stock_code: str | None = None,
        portfolio_type: str | None = None,
    ) -> list[BreezePortfolioHolding]:
        body = _with_optional(
            {"exchange_code": exchange_code},
            from_date=_date(from_date),
            to_date=_date(to_date, "end"),
            stock_code=wire_value(stock_code),
            portfolio_type=wire_value(portfolio_type),
        )
        return parsing.parse_portfolio_holdings(await self._request("portfolio_holdings", body))

    async def get_portfolio_positions(self) -> list[BreezePosition]:
        return parsing.parse_positions(await self._request("portfolio_positions"))

    # ------------------------------------------------------------------ orders

    async def place_order(
        self,
        *,
        stock_code: str,
        exchange_code: str,
        product: str,
        action: str,
        order_type: str,
        quantity: Value,
        price: Value = "",
        validity: str = VALIDITY_DAY,
        settlement_id: str = "",
        order_segment_code: str = "",
        lots: Value = "",
        user_remark: str = "",
        stoploss: Value = "",
        validity_date: DateValue = None,
        disclosed_quantity: Value = "",
        expiry_date: DateValue = None,
        right: str = "",
        strike_price: Value = "",
        order_type_fresh: str = "",
        order_rate_fresh: Value = "",
    ) -> BreezeOrderPlacement:
        """`POST order`. Never retried: on `ResponseTimeout`, reconcile by `user_remark`."""
        body = _with_optional(
            {
                "stock_code": stock_code,
                "exchange_code": exchange_code.upper(),
                "product": product,
                "action": action,
                "order_type": order_type,
                "quantity": wire_value(quantity),
                "price": wire_value(price),
                "validity": validity,
                "settlement_id": settlement_id,
                "order_segment_code": order_segment_code,
                "lots": wire_value(lots),
                "user_remark": user_remark,
            },
            stoploss=wire_value(stoploss),
            validity_date=_date(validity_date, "expiry"),
            disclosed_quantity=wire_value(disclosed_quantity),
            expiry_date=_date(expiry_date, "expiry"),
            right=right,
            strike_price=wire_value(strike_price),
            order_type_fresh=order_type_fresh,
            order_rate_fresh=wire_value(order_rate_fresh),
        )
        return parsing.parse_order_placement(await self._request("order.place", body))

    async def get_order_detail(self, exchange_code: str, order_id: str) -> list[BreezeOrder]:
        body = {"exchange_code": exchange_code, "order_id": order_id}
        return parsing.parse_orders(await self._request("order.detail", body))

    async def get_order_list(
        self, exchange_code: str, from_date: DateValue, to_date: DateValue
    ) -> list[BreezeOrder]:
        body = {
            "exchange_code": exchange_code,
            "from_date": _date(from_date),
            "to_date": _date(to_date, "end"),
        }
        return parsing.parse_orders(await self._request("order.list", body))

    async def modify_order(
        self,
        exchange_code: str,
        order_id: str,
        *,
        order_type: str = "",
        stoploss: Value = "",
        quantity: Value = "",
        price: Value = "",
        validity: str = "",
        disclosed_quantity: Value = "",
        validity_date: DateValue = None,
    ) -> BreezeOrderModification:
        """`PUT order` with only the fields that change. Never retried."""
        body = _with_optional(
            {"order_id": order_id, "exchange_code": exchange_code},
            order_type=order_type,
            stoploss=wire_value(stoploss),
            quantity=wire_value(quantity),
            price=wire_value(price),
            validity=validity,
            disclosed_quantity=wire_value(disclosed_quantity),
            validity_date=_date(validity_date, "expiry"),
        )
        return parsing.parse_order_modification(await self._request("order.modify", body))

    async def cancel_order(self, exchange_code: str, order_id: str) -> BreezeOrderCancellation:
        """`DELETE order`. Never retried."""
        body = {"exchange_code": exchange_code, "order_id": order_id}
        return parsing.parse_order_cancellation(await self._request("order.cancel", body))

    async def square_off(
        self,
        *,
        stock_code: str,
        exchange_code: str,
        product_type: str,
        action: str,
        quantity: Value,
        price: Value = "",
        order_type: str = "limit",
        validity: str = VALIDITY_DAY,
        stoploss_price: Value = "",
        disclosed_quantity: Value = "",
        protection_percentage: Value = "",
        settlement_id: str = "",
        margin_amount: Value = "",
        open_quantity: Value = "",
        cover_quantity: Value = "",
        expiry_date: DateValue = None,
        right: str = "",
        strike_price: Value = "",
        validity_date: DateValue = None,
        alias_name: str = "",
        trade_password: str = "",
        order_reference: str = "",
        position_exchange_code: str = "",
        lots: Value = "",
        source_flag: str = "",
    ) -> BreezeSquareOff:
        """`POST squareoff`: `action` is the closing side. Every key is always sent."""
        body = {
            "source_flag": source_flag,
            "stock_code": stock_code,
            "exchange_code": exchange_code,
            "quantity": wire_value(quantity),
            "price": wire_value(price),
            "action": action,
            "order_type": order_type,
            "validity": validity,
            "stoploss_price": wire_value(stoploss_price),
            "disclosed_quantity": wire_value(disclosed_quantity),
            "protection_percentage": wire_value(protection_percentage),
            "settlement_id": settlement_id,
            "margin_amount": wire_value(margin_amount),
            "open_quantity": wire_value(open_quantity),
            "cover_quantity": wire_value(cover_quantity),
            "product_type": product_type,
            "expiry_date": _date(expiry_date, "expiry"),
            "right": right,
            "strike_price": wire_value(strike_price),
            "validity_date": _date(validity_date, "expiry"),
            "alias_name": alias_name,
            "trade_password": trade_password,
            "order_reference": order_reference,
            "position_exchange_code": position_exchange_code,
            "lots": wire_value(lots),
        }
        return parsing.parse_square_off(await self._request("squareoff", body))

    # ------------------------------------------------------------------ GTT

    async def place_gtt(
        self,
        *,
        exchange_code: str,
        stock_code: str,
        product: str,
        quantity: Value,
        expiry_date: DateValue,
        right: str,
        strike_price: Value,
        gtt_type: str,
        index_or_stock: str,
        trade_date: DateValue,
        order_details: Sequence[Mapping[str, Any]],
    ) -> BreezeGttPlacement:
        """`POST gttorder` (single or OCO: the SDK's key order, no `fresh_order_*`).
        Never retried: on `ResponseTimeout` look for it in the GTT book."""
        body = {
            "exchange_code": exchange_code,
            "stock_code": stock_code,
            "product": product,
            "quantity": wire_value(quantity),
            "expiry_date": _date(expiry_date, "expiry"),
            "right": right,
            "strike_price": wire_value(strike_price),
            "gtt_type": gtt_type,
            "index_or_stock": index_or_stock,
            "trade_date": _date(trade_date),
            "order_details": [{key: wire_value(value) for key, value in leg.items()}
                              for leg in order_details],
        }
        return parsing.parse_gtt_placement(await self._request("gtt.place", body))

    async def modify_gtt(
        self, exchange_code: str, gtt_order_id: str, gtt_type: str,
        order_details: Sequence[Mapping[str, Any]],
    ) -> BreezeGttModification:
        """`PUT gttorder`: the legs' prices. Never retried."""
        body = {
            "exchange_code": exchange_code,
            "gtt_order_id": gtt_order_id,
            "gtt_type": gtt_type,
            "order_details": [{key: wire_value(value) for key, value in leg.items()}
                              for leg in order_details],
        }
        return parsing.parse_gtt_modification(await self._request("gtt.modify", body))

    async def cancel_gtt(self, exchange_code: str, gtt_order_id: str) -> BreezeGttCancellation:
        """`DELETE gttorder`. Never retried."""
        body = {"exchange_code": exchange_code, "gtt_order_id": gtt_order_id}
        return parsing.parse_gtt_cancellation(await self._request("gtt.cancel", body))

    async def get_gtt_book(self, exchange_code: str, from_date: DateValue,
                           to_date: DateValue) -> list[BreezeGttOrder]:
        """`GET gttorder`: the GTTs of one exchange placed in the date range."""
        body = {
            "exchange_code": exchange_code,
            "from_date": _date(from_date),
            "to_date": _date(to_date, "end"),
        }
        return parsing.parse_gtt_orders(await self._request("gtt.book", body))

    # ------------------------------------------------------------------ trades

    async def get_trade_list(
        self,
        exchange_code: str,
        from_date: DateValue = None,
        to_date: DateValue = None,
        product_type: str = "",
        action: str = "",
        stock_code: str = "",
    ) -> list[BreezeTrade]:
        body = _with_optional(
            {"exchange_code": exchange_code},
            from_date=_date(from_date),
            to_date=_date(to_date, "end"),
            product_type=product_type,
            action=action,
            stock_code=stock_code,
        )
        return parsing.parse_trades(await self._request("trades.list", body))

    async def get_trade_detail(self, exchange_code: str, order_id: str) -> list[BreezeTradeFill]:
        body = {"exchange_code": exchange_code, "order_id": order_id}
        return parsing.parse_trade_fills(await self._request("trades.detail", body))

    # ------------------------------------------------------------------ market data

    async def get_quotes(
        self,
        stock_code: str,
        exchange_code: str,
        *,
        product_type: str = "",
        expiry_date: DateValue = None,
        right: str = "",
        strike_price: Value = "",
    ) -> list[BreezeQuote]:
        body = _instrument_body(stock_code, exchange_code, product_type, expiry_date, right,
                                strike_price)
        return parsing.parse_quotes(await self._request("quotes", body))

    async def get_option_chain(
        self,
        stock_code: str,
        exchange_code: str,
        product_type: str,
        *,
        expiry_date: DateValue = None,
        right: str = "",
        strike_price: Value = "",
    ) -> list[BreezeOptionChainQuote]:
        body = _instrument_body(stock_code, exchange_code, product_type, expiry_date, right,
                                strike_price)
        return parsing.parse_option_chain(await self._request("option_chain", body))

    async def get_historical_v1(
        self,
        interval: str,
        from_date: DateValue,
        to_date: DateValue,
        stock_code: str,
        exchange_code: str,
        *,
        product_type: str = "",
        expiry_date: DateValue = None,
        strike_price: Value = "",
        right: str = "",
    ) -> list[BreezeCandle]:
        """Historical candles from the v1 host (`minute`, `5minute`, `30minute`, `day`).

        A bare `date` as `to_date` means the end of that day.
        """
        body = _history_fields(
            INTERVAL_V1_ALIASES.get(interval, interval), from_date, to_date, stock_code,
            ("exchange_code", exchange_code), product_type, expiry_date, strike_price, right)
        return parsing.parse_candles_v1(await self._request("historical.v1", body))

    async def get_historical_v2(
        self,
        interval: str,
        from_date: DateValue,
        to_date: DateValue,
        stock_code: str,
        exchange_code: str,
        *,
        product_type: str = "",
        expiry_date: DateValue = None,
        strike_price: Value = "",
        right: str = "",
    ) -> list[BreezeCandleV2]:
        """Historical candles from the v2 host (query parameters, `exch_code`, ≤1000 rows).

        A bare `date` as `to_date` means the end of that day.
        """
        # v2 names the exchange `exch_code`, and takes query parameters, not a body.
        params = _history_fields(
            interval, from_date, to_date, stock_code, ("exch_code", exchange_code),
            product_type, expiry_date, strike_price, right)
        return parsing.parse_candles_v2(await self._request("historical.v2", params=params))

    # ------------------------------------------------------------------ calculators

    async def preview_order(
        self,
        *,
        stock_code: str,
        exchange_code: str,
        product: str,
        order_type: str,
        action: str,
        quantity: Value,
        price: Value = "",
        expiry_date: DateValue = None,
        right: str = "",
        strike_price: Value = "",
        specialflag: str = "N",
        stoploss: Value = "",
        order_rate_fresh: Value = "",
    ) -> BreezeOrderPreview:
        """`GET preview_order`: brokerage and charges. Every key is always sent."""
        body = {
            "stock_code": stock_code,
            "exchange_code": exchange_code,
            "product": product,
            "order_type": order_type,
            "price": wire_value(price),
            "action": action,
            "quantity": wire_value(quantity),
            "expiry_date": _date(expiry_date, "expiry"),
            "right": right,
            "strike_price": wire_value(strike_price),
            "specialflag": specialflag,
            "stoploss": wire_value(stoploss),
            "order_rate_fresh": wire_value(order_rate_fresh),
        }
        return parsing.parse_order_preview(await self._request("preview_order", body))

    async def margin_calculator(
        self, positions: Sequence[Mapping[str, Any]], exchange_code: str
    ) -> BreezeMarginCalculation:
        """`POST margincalculator` for a basket; each position's values are sent as text."""
        legs = [{key: wire_value(value) for key, value in leg.items()} for leg in positions]
        body = {"list_of_positions": legs, "exchange_code": exchange_code}
        return parsing.parse_margin_calculation(await self._request("margin_calculator", body))


__all__ = ["DEFAULT_LIMITS", "BreezeClient", "Clock", "RequestHook"]
