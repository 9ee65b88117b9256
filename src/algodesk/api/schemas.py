"""Request and reply models of the OpenAlgo API (reference: openalgo-api.md §1, §3).

Requests ignore unknown fields (clients add `target`, `stoploss` and the like) and
validate the rest strictly. Every reply names the broker behind it (`"broker":
"simulator"` in demo mode, `"icici"` otherwise) so a tool can never mistake practice for
the real account.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from ..trading.orders import MAX_ORDER_QUANTITY

API_DESCRIPTION = """The OpenAlgo REST API on ICICI Direct's Breeze: every call is a POST with a JSON \
body carrying `apikey` (GET /instruments takes it in the query string). Numbers may be \
JSON numbers or numeric strings; `action` is case-insensitive; other enumerations are \
upper case; unknown fields are ignored. A validation error is HTTP 400 whose `message` \
maps each field to what is wrong with it, naming the accepted values.

Every reply names the broker behind it (`broker`: `simulator` in demo mode, `icici` \
otherwise). 403: invalid API key, or no usable broker session (the message says where to \
log in). 429: Breeze's call budget is spent (`retry_after`). 502: ICICI failed, could not \
be reached or answered garbage. 503: no master contract yet, so symbols cannot be looked \
up (loading, or why the download failed and when the next try is; `retry_after`). 504: \
ICICI did not answer in time; for an order action that answer was lost: it is reconciled \
against ICICI's order book, never resent. 413: a body over 1 MiB.

Breeze takes no market orders: MARKET (and SL-M) orders go as aggressive limit orders \
priced from the last traded price, and the order book's `note` says so. Orders on \
NSE_INDEX/BSE_INDEX are refused; equity MIS is refused unless EQUITY_MIS_AS_CASH is set.

Analyzer mode (`/analyzer/toggle`): order and account calls go to a paper account filled \
against ICICI's live prices, and their replies (errors included) carry \
`"mode": "analyze"`; market data and `/margin` stay ICICI's."""

INVALID_APIKEY = "Invalid openalgo apikey"
RATE_LIMITED = "Rate limit exceeded. Please slow down your requests."


class OpenAlgoRequest(BaseModel):
    """Every POST body: the API key plus the endpoint's own fields."""

    model_config = ConfigDict(extra="ignore")

    apikey: str = Field(min_length=1, max_length=256)


ANALYZE_MODE = Field(default=None, description='"analyze" on the order and account replies '
                                               "of analyzer mode (paper trading); absent live")


class Reply(BaseModel):
    status: Literal["success"] = "success"
    broker: str


class VenueReply(Reply):
    """The reply of an order or account endpoint: `mode` says analyzer mode served it."""

    mode: Literal["analyze"] | None = ANALYZE_MODE


class InvalidSymbol(BaseModel):
    symbol: str
    exchange: str
    error: str


class ErrorReply(BaseModel):
    """Every error reply (its HTTP status says which kind)."""

    status: Literal["error"] = "error"
    message: str | dict[str, list[str]] = Field(
        description="What went wrong; for a validation error a map of each field to what "
                    "is wrong with it and what is accepted")
    broker: str | None = Field(default=None, description="Absent from the invalid-key "
                                                         "replies")
    retry_after: int | None = Field(default=None, description="429: seconds to wait")
    mode: Literal["analyze"] | None = Field(
        default=None, description='"analyze" on the order and account endpoints in analyzer '
                                  "mode")
    invalid_symbols: list[InvalidSymbol] | None = Field(
        default=None, description="multiquotes, when no symbol was found")


# --------------------------------------------------------------------------- ping


class PingRequest(OpenAlgoRequest):
    pass


class BudgetData(BaseModel):
    """Breeze calls of the broker session: this minute and today, against the limits."""

    minute_used: int
    minute_limit: int
    minute_left: int
    day_used: int
    day_limit: int
    day_left: int


class FeedData(BaseModel):
    """The broker's live feed (the WebSocket feed's source): what it is doing and how
    lively it is."""

    status: str = Field(description="idle, waiting (no broker session), connecting, "
                                    "connected or reconnecting")
    detail: str
    connected: bool
    subscriptions: int = Field(description="Instruments and levels joined at the broker")
    ticks_per_second: float
    last_tick_age_seconds: float | None = Field(description="None before the first tick")
    reconnects_today: int
    stalls_today: int = Field(description="Silent connections the watchdog dropped")
    fallback: bool = Field(False, description="Subscribed instruments are being served "
                                              "by REST quotes (the stream is down)")
    polled_today: int = Field(0, description="REST quotes read for that today")


class PingData(BaseModel):
    message: Literal["pong"] = "pong"
    broker: str
    budget: BudgetData | None = None
    feed: FeedData | None = None


class PingReply(Reply):
    data: PingData


# --------------------------------------------------------------------------- funds


class FundsRequest(OpenAlgoRequest):
    pass


def money(value: Decimal | None) -> str:
    """OpenAlgo's live funds values: strings with two decimals."""
    amount = Decimal(0) if value is None else value
    return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class FundsData(BaseModel):
    availablecash: str
    collateral: str
    m2mrealized: str
    m2munrealized: str
    utiliseddebits: str


class FundsReply(VenueReply):
    data: FundsData


# --------------------------------------------------------------------------- values
#
# Clients send numbers as strings ("1", "16.5"), TradingView sends `buy`/`sell`; every
# other enumeration is upper case and matched exactly. A message names the accepted
# values; the field's name is the key of the 400 reply's message map.

EXCHANGES = ("NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX", "NSE_INDEX", "BSE_INDEX")
DERIVATIVE_EXCHANGES = ("NFO", "BFO", "MCX", "CDS", "NCO", "BCD", "NCDEX", "CRYPTO")
PRICE_TYPES = ("MARKET", "LIMIT", "SL", "SL-M")
PRODUCTS = ("MIS", "NRML", "CNC")
ACTIONS = ("BUY", "SELL")

# Bounds that protect money and the event loop (README, "Limits"). A quantity above one
# crore units (the order service's own ceiling) or a price above one crore rupees is a
# typo on any Indian exchange (the dearest share trades near ₹1.5 lakh); F&O orders are
# further held to the exchange's freeze quantity by the order service. A numeric string
# is length-checked before it is converted, and its magnitude compared before any int()
# (building a 400,000-digit integer is what blocks the loop, not reading the text).
MAX_QUANTITY = MAX_ORDER_QUANTITY
MAX_PRICE = Decimal(10_000_000)
MAX_NUMBER_TEXT = 32
MAX_ORDER_ID = 64
MAX_STRATEGY = 100
MAX_SYMBOL = 100
MAX_ORDERS_PER_REQUEST = 100  # basket legs (splitorder has the same cap)
# The string forms the documentation promises, each within its field's bounds: digits
# with optional spaces, sign and trailing ".0" (validation also takes `1e2` and the like).
# MAX_QUANTITY and MAX_PRICE (10,000,000) are spelled out in them.
_UP_TO_MAX = r"0*(?:[1-9]\d{0,6}|10000000)"  # 1 to 10,000,000
_POSITIVE_TEXT = rf"^\s*\+?{_UP_TO_MAX}(?:\.0*)?\s*$"
_COUNT_TEXT = rf"^\s*\+?(?:0+|{_UP_TO_MAX})(?:\.0*)?\s*$"
_OPTIONAL_COUNT_TEXT = rf"^\s*(?:\+?(?:0+|{_UP_TO_MAX})(?:\.0*)?)?\s*$"
_SIGNED_TEXT = r"^\s*[+-]?(?:0*\d{1,7}(?:\.\d*)?|0*10000000(?:\.0*)?)\s*$"
_PRICE_TEXT = r"^\s*\+?(?:0*\d{1,7}(?:\.\d*)?|\.\d+|0*10000000(?:\.0*)?)?\s*$"


def _number_schema(kind: str, pattern: str, *, nullable: bool = False,
                   **bounds: Any) -> WithJsonSchema:
    """A number sent as JSON number or numeric string: the bounds apply to either."""
    forms: list[dict[str, Any]] = [
        {"type": kind, **bounds},
        {"type": "string", "maxLength": MAX_NUMBER_TEXT, "pattern": pattern}]
    return WithJsonSchema({"anyOf": [*forms, {"type": "null"}] if nullable else forms})


def _too_large(number: Decimal | int, limit: Decimal, signed: bool) -> ValueError:
    if signed:
        return ValueError(f"Must be between -{limit} and {limit}.")
    return ValueError(f"Must be at most {limit}." if number > 0 else "Must not be negative.")


def _decimal(value: Any, limit: Decimal, *, signed: bool = False) -> Decimal:
    """A finite number no larger than `limit` in magnitude, from a JSON number or string."""
    if isinstance(value, bool):
        raise ValueError("Must be a number.")
    if isinstance(value, str):
        text = value.strip()
        if len(value) > MAX_NUMBER_TEXT:
            raise ValueError(f"Must be a number of at most {MAX_NUMBER_TEXT} characters.")
    elif isinstance(value, int):
        if abs(value) > int(limit):  # before str(): a huge int is slow to write out
            raise _too_large(value, limit, signed)
        text = str(value)
    elif isinstance(value, float | Decimal):  # Decimal: models built in Python
        text = str(value)
    else:
        raise ValueError("Must be a number.")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValueError(f"Must be a number, not {value!r}.") from None
    if not number.is_finite():
        raise ValueError(f"Must be a number, not {value!r}.")
    if abs(number) > limit:  # Decimal compares 1e400000 without expanding it
        raise _too_large(number, limit, signed)
    return number


def _choice(values: tuple[str, ...], *, upper: bool = False) -> Any:
    accepted = ", ".join(values)

    def check(value: Any) -> str:
        text = value.upper() if upper and isinstance(value, str) else value
        if text not in values:
            raise ValueError(f"Must be one of: {accepted}.")
        return str(text)

    return check


def _whole(value: Any) -> int:
    number = _decimal(value, Decimal(MAX_QUANTITY))
    if number != number.to_integral_value():
        raise ValueError(f"Fractional quantity ({value}) is not allowed for non-crypto "
                         "exchanges.")
    return int(number)


def _optional_whole(value: Any) -> int:
    return 0 if value is None or value == "" else _whole(value)


def _price(value: Any) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    number = _decimal(value, MAX_PRICE)
    if number < 0:
        raise ValueError("Must be greater than or equal to 0.")
    return number


def _truncated(value: Any) -> int:
    """A signed target position; fractions are cut off (non-crypto exchanges)."""
    return int(_decimal(value, Decimal(MAX_QUANTITY), signed=True))


def _text_id(value: Any) -> str:
    if isinstance(value, int | str) and not isinstance(value, bool):
        text = value.strip() if isinstance(value, str) else str(value)
        if 0 < len(text) <= MAX_ORDER_ID:
            return text
    raise ValueError(f"Must be a non-empty order id string of at most {MAX_ORDER_ID} "
                     "characters.")


def _enum(values: tuple[str, ...], *, upper: bool = False) -> Any:
    return (BeforeValidator(_choice(values, upper=upper)),
            WithJsonSchema({"type": "string", "enum": list(values)}))


ExchangeCode = Annotated[str, *_enum(EXCHANGES)]
Action = Annotated[str, *_enum(ACTIONS, upper=True)]
PriceType = Annotated[str, *_enum(PRICE_TYPES)]
Product = Annotated[str, *_enum(PRODUCTS)]
Quantity = Annotated[int, BeforeValidator(_whole), Field(gt=0, le=MAX_QUANTITY),
                     _number_schema("integer", _POSITIVE_TEXT, minimum=1,
                                    maximum=MAX_QUANTITY)]
QuantityOrZero = Annotated[int, BeforeValidator(_whole), Field(ge=0, le=MAX_QUANTITY),
                           _number_schema("integer", _COUNT_TEXT, minimum=0,
                                          maximum=MAX_QUANTITY)]
OptionalCount = Annotated[int, BeforeValidator(_optional_whole),
                          Field(ge=0, le=MAX_QUANTITY),
                          _number_schema("integer", _OPTIONAL_COUNT_TEXT, nullable=True,
                                         minimum=0, maximum=MAX_QUANTITY)]
Price = Annotated[Decimal, BeforeValidator(_price), Field(ge=0, le=MAX_PRICE),
                  _number_schema("number", _PRICE_TEXT, nullable=True, minimum=0,
                                 maximum=int(MAX_PRICE))]
Target = Annotated[int, BeforeValidator(_truncated), Field(ge=-MAX_QUANTITY, le=MAX_QUANTITY),
                   _number_schema("integer", _SIGNED_TEXT, minimum=-MAX_QUANTITY,
                                  maximum=MAX_QUANTITY)]
OrderId = Annotated[str, BeforeValidator(_text_id),
                    WithJsonSchema({"type": "string", "minLength": 1,
                                    "maxLength": MAX_ORDER_ID})]
SymbolText = Annotated[str, Field(min_length=1, max_length=MAX_SYMBOL)]
Strategy = Annotated[str, Field(max_length=MAX_STRATEGY)]


# --------------------------------------------------------------------------- orders


class OrderFields(BaseModel):
    """The fields of one order (placeorder's body without apikey and strategy)."""

    model_config = ConfigDict(extra="ignore")

    symbol: SymbolText
    exchange: ExchangeCode
    action: Action
    quantity: Quantity
    pricetype: PriceType = "MARKET"
    product: Product = "MIS"
    price: Price = Decimal(0)
    trigger_price: Price = Decimal(0)
    disclosed_quantity: OptionalCount = 0


class PlaceOrderRequest(OpenAlgoRequest, OrderFields):
    strategy: Strategy


class SmartOrderRequest(PlaceOrderRequest):
    quantity: QuantityOrZero  # type: ignore[assignment]
    position_size: Target


class BasketOrderRequest(OpenAlgoRequest):
    strategy: Strategy
    orders: list[OrderFields] = Field(min_length=1, max_length=MAX_ORDERS_PER_REQUEST)


class SplitOrderRequest(PlaceOrderRequest):
    splitsize: Quantity


class ModifyOrderRequest(PlaceOrderRequest):
    orderid: OrderId
    pricetype: PriceType  # type: ignore[assignment]
    product: Product  # type: ignore[assignment]
    price: Price


class CancelOrderRequest(OpenAlgoRequest):
    orderid: OrderId
    strategy: Strategy = ""


class StrategyRequest(OpenAlgoRequest):
    """cancelallorder, closeposition: the strategy is only a label (optional)."""

    strategy: Strategy = ""


class OrderStatusRequest(CancelOrderRequest):
    pass


class OpenPositionRequest(OpenAlgoRequest):
    strategy: Strategy = ""
    symbol: SymbolText
    exchange: ExchangeCode
    product: Product


class OrderReply(VenueReply):
    orderid: str


class SmartOrderReply(VenueReply):
    orderid: str | None = None
    message: str | None = None


class BasketResult(BaseModel):
    symbol: str
    exchange: str
    product: str
    action: str
    status: Literal["success", "error"]
    orderid: str | None = None
    message: str | None = None


class BasketOrderReply(VenueReply):
    results: list[BasketResult]


class SplitResult(BaseModel):
    order_num: int
    quantity: int
    status: Literal["success", "error"]
    orderid: str | None = None
    message: str | None = None


class SplitOrderReply(VenueReply):
    split_size: int
    total_quantity: int
    results: list[SplitResult]


class FailedCancellation(BaseModel):
    orderid: str
    reason: str
    message: str


class CancelAllReply(VenueReply):
    message: str
    canceled_orders: list[str]
    failed_cancellations: list[FailedCancellation]


class ClosedPosition(BaseModel):
    symbol: str
    exchange: str
    product: str
    quantity: int
    action: str
    orderid: str | None = None
    message: str | None = None


class ClosePositionReply(BaseModel):
    status: Literal["success", "error"]
    broker: str
    mode: Literal["analyze"] | None = ANALYZE_MODE
    message: str
    closed_positions: list[ClosedPosition] = []
    failed_closures: list[ClosedPosition] = []


class OrderRow(BaseModel):
    """One order of the order book (also `orderstatus`'s `data`)."""

    action: str
    symbol: str
    exchange: str
    orderid: str
    product: str
    quantity: int
    price: float
    pricetype: str
    order_status: str
    trigger_price: float
    timestamp: str
    average_price: float
    filled_quantity: int
    pending_quantity: int
    broker_price: float = Field(description="The limit price Breeze has (MARKET and SL-M "
                                            "orders go as aggressive limits)")
    strategy: str
    note: str = Field(description="How the platform priced the order, when it did")


class OrderStatusReply(VenueReply):
    data: OrderRow


class OpenPositionReply(VenueReply):
    quantity: int


# --------------------------------------------------------------------------- GTT
#
# openalgo-api.md §3.10. The rules between fields (SINGLE: one trigger; OCO: all four,
# the stop-loss trigger below the target's) are the GTT service's, as 400s naming them.

GTT_TRIGGER_TYPES = ("SINGLE", "OCO")
GTT_PRICE_TYPES = ("LIMIT", "MARKET")
GTT_PRODUCTS = ("CNC", "NRML")
GTT_BOOK_STATUSES = ("active", "all")

TriggerType = Annotated[str, *_enum(GTT_TRIGGER_TYPES, upper=True)]
GttPriceType = Annotated[str, *_enum(GTT_PRICE_TYPES)]
GttProduct = Annotated[str, *_enum(GTT_PRODUCTS)]


class GttFields(BaseModel):
    """A GTT as placegttorder and modifygttorder take it."""

    model_config = ConfigDict(extra="ignore")

    strategy: Strategy
    trigger_type: TriggerType = Field(description="SINGLE: one trigger and one order; OCO: "
                                                  "a stop-loss and a target leg, the first "
                                                  "to trigger cancels the other")
    exchange: ExchangeCode
    symbol: SymbolText
    action: Action
    product: GttProduct
    quantity: Quantity
    price: Price = Field(description="SINGLE: the child order's limit price; ignored for OCO")
    pricetype: GttPriceType = "LIMIT"
    triggerprice_sl: Price = Field(default=Decimal(0), description=(
        "SINGLE: a trigger below the last price (or use triggerprice_tg); OCO: the "
        "stop-loss leg's trigger"))
    triggerprice_tg: Price = Field(default=Decimal(0), description=(
        "SINGLE: a trigger above the last price; OCO: the target leg's trigger"))
    stoploss: Price = Field(default=Decimal(0), description="OCO: the stop-loss leg's limit")
    target: Price = Field(default=Decimal(0), description="OCO: the target leg's limit")
    expires_at: str | None = Field(default=None, max_length=64, description=(
        "Accepted and not used: Breeze keeps a GTT until it triggers or is cancelled"))


class PlaceGttOrderRequest(OpenAlgoRequest, GttFields):
    pass


class ModifyGttOrderRequest(PlaceGttOrderRequest):
    trigger_id: OrderId


class CancelGttOrderRequest(OpenAlgoRequest):
    strategy: Strategy = ""
    trigger_id: OrderId


class GttOrderBookRequest(OpenAlgoRequest):
    status: Annotated[str, *_enum(GTT_BOOK_STATUSES)] = Field(
        default="active", description="active (the GTTs that can still trigger) or all")


class GttReply(VenueReply):
    trigger_id: str


class GttLegRow(BaseModel):
    action: str
    quantity: int
    price: float
    pricetype: str
    product: str


class GttRow(BaseModel):
    """One GTT of the GTT book: `trigger_prices` ascending, `legs` in the same order
    (an OCO's stop-loss first)."""

    trigger_id: str
    trigger_type: Literal["single", "two-leg"]
    status: str = Field(description="active, triggered, cancelled, expired or rejected")
    symbol: str
    exchange: str
    trigger_prices: list[float]
    last_price: float = Field(description="0 when it could not be read")
    legs: list[GttLegRow]
    created_at: str = Field(description="IST, YYYY-MM-DD HH:MM:SS")
    updated_at: str
    expires_at: str = Field(description="Empty: Breeze gives no expiry")


class GttOrderBookReply(VenueReply):
    data: list[GttRow]


# --------------------------------------------------------------------------- books


class BookRequest(OpenAlgoRequest):
    pass


class OrderStatistics(BaseModel):
    total_buy_orders: int
    total_sell_orders: int
    total_completed_orders: int
    total_open_orders: int
    total_rejected_orders: int
    total_trigger_pending_orders: int


class OrderBookData(BaseModel):
    orders: list[OrderRow]
    statistics: OrderStatistics


class OrderBookReply(VenueReply):
    data: OrderBookData


class TradeRow(BaseModel):
    action: str
    symbol: str
    exchange: str
    orderid: str
    product: str
    quantity: int
    average_price: float
    timestamp: str
    trade_value: float
    strategy: str


class TradeBookReply(VenueReply):
    data: list[TradeRow]


class PositionRow(BaseModel):
    symbol: str
    exchange: str
    product: str
    quantity: str
    average_price: str
    ltp: str
    pnl: str
    unrealized_pnl: str


class PositionBookReply(VenueReply):
    data: list[PositionRow]


class HoldingRow(BaseModel):
    symbol: str
    exchange: str
    product: str
    quantity: int
    average_price: float
    ltp: float
    pnl: float
    pnlpercent: float


class HoldingStatistics(BaseModel):
    totalholdingvalue: float
    totalinvvalue: float
    totalprofitandloss: float
    totalpnlpercentage: float


class HoldingsData(BaseModel):
    holdings: list[HoldingRow]
    statistics: HoldingStatistics


class HoldingsReply(VenueReply):
    data: HoldingsData


class MarginPosition(BaseModel):
    model_config = ConfigDict(extra="ignore")

    symbol: SymbolText
    exchange: ExchangeCode
    action: Action
    quantity: Quantity
    product: Product
    pricetype: PriceType
    price: Price = Decimal(0)
    trigger_price: Price = Decimal(0)


class MarginRequest(OpenAlgoRequest):
    # Bounds checked by the endpoint (its own message); documented here.
    positions: list[MarginPosition] = Field(json_schema_extra={"minItems": 1, "maxItems": 50})


class MarginData(BaseModel):
    total_margin_required: float
    span_margin: float
    exposure_margin: float


class MarginReply(Reply):
    data: MarginData


# --------------------------------------------------------------------------- analyzer


class AnalyzerRequest(OpenAlgoRequest):
    pass


class AnalyzerToggleRequest(OpenAlgoRequest):
    mode: bool = Field(description="true: analyzer mode (paper trading); false: live")


class AnalyzerData(BaseModel):
    analyze_mode: bool
    mode: Literal["live", "analyze"]
    total_logs: int = Field(description="Order actions journaled in analyzer mode")
    message: str | None = None


class AnalyzerReply(Reply):
    data: AnalyzerData


class AnalyzerResetData(BaseModel):
    message: str
    capital: float


class AnalyzerResetReply(Reply):
    data: AnalyzerResetData


class PnlSymbolRow(BaseModel):
    symbol: str
    exchange: str
    product: str
    quantity: int
    pnl: float
    unrealized_pnl: float
    today_realized_pnl: float
    total_pnl_today: float


class PnlSymbolsReply(VenueReply):
    data: list[PnlSymbolRow]
    total_pnl: float
    total_unrealized_pnl: float
    total_today_realized_pnl: float
    total_pnl_today: float


# --------------------------------------------------------------------------- symbols


class SymbolRequest(OpenAlgoRequest):
    symbol: SymbolText
    exchange: ExchangeCode


class InstrumentRow(BaseModel):
    symbol: str
    brsymbol: str
    name: str
    exchange: str
    brexchange: str
    token: str
    expiry: str
    strike: float
    lotsize: int
    instrumenttype: str
    tick_size: float


class SymbolData(InstrumentRow):
    freeze_qty: int


class SymbolReply(Reply):
    data: SymbolData


class SearchRequest(OpenAlgoRequest):
    query: str = Field(default="", max_length=MAX_SYMBOL)
    exchange: Annotated[str | None, BeforeValidator(
        lambda v: None if v in (None, "") else _choice(EXCHANGES)(v)),
        WithJsonSchema({"type": "string", "enum": list(EXCHANGES)})] = None


class SearchReply(Reply):
    message: str
    data: list[SymbolData]


class ExpiryRequest(OpenAlgoRequest):
    symbol: SymbolText
    exchange: Annotated[str, *_enum(DERIVATIVE_EXCHANGES)]
    instrumenttype: Annotated[str, *_enum(("futures", "options"))]


class ExpiryReply(Reply):
    message: str
    data: list[str]


class InstrumentsReply(Reply):
    message: str
    data: list[InstrumentRow]


__all__ = [
    "ACTIONS",
    "API_DESCRIPTION",
    "DERIVATIVE_EXCHANGES",
    "EXCHANGES",
    "INVALID_APIKEY",
    "PRICE_TYPES",
    "PRODUCTS",
    "RATE_LIMITED",
    "AnalyzerData",
    "AnalyzerReply",
    "AnalyzerRequest",
    "AnalyzerResetData",
    "AnalyzerResetReply",
    "AnalyzerToggleRequest",
    "BasketOrderReply",
    "BasketOrderRequest",
    "BookRequest",
    "BudgetData",
    "CancelAllReply",
    "CancelGttOrderRequest",
    "CancelOrderRequest",
    "ClosePositionReply",
    "ErrorReply",
    "ExpiryReply",
    "ExpiryRequest",
    "FundsData",
    "FundsReply",
    "FundsRequest",
    "GttOrderBookReply",
    "GttOrderBookRequest",
    "GttReply",
    "GttRow",
    "HoldingsReply",
    "InstrumentRow",
    "InstrumentsReply",
    "MarginReply",
    "MarginRequest",
    "ModifyGttOrderRequest",
    "ModifyOrderRequest",
    "OpenAlgoRequest",
    "OpenPositionReply",
    "OpenPositionRequest",
    "OrderBookReply",
    "OrderFields",
    "OrderReply",
    "OrderRow",
    "OrderStatusReply",
    "OrderStatusRequest",
    "PingData",
    "PingReply",
    "PingRequest",
    "PlaceGttOrderRequest",
    "PlaceOrderRequest",
    "PnlSymbolRow",
    "PnlSymbolsReply",
    "PositionBookReply",
    "Reply",
    "SearchReply",
    "SearchRequest",
    "SmartOrderReply",
    "SmartOrderRequest",
    "SplitOrderReply",
    "SplitOrderRequest",
    "StrategyRequest",
    "SymbolData",
    "SymbolReply",
    "SymbolRequest",
    "TradeBookReply",
    "VenueReply",
    "money",
]
