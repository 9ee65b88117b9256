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

API_DESCRIPTION = """The OpenAlgo REST API on ICICI Direct's Breeze: every call is a POST with a JSON \
body carrying `apikey` (GET /instruments takes it in the query string). Numbers may be \
JSON numbers or numeric strings; `action` is case-insensitive; other enumerations are \
upper case; unknown fields are ignored. A validation error is HTTP 400 whose `message` \
maps each field to what is wrong with it, naming the accepted values.

Every reply names the broker behind it (`broker`: `simulator` in demo mode, `icici` \
otherwise). 403: invalid API key, or no usable broker session (the message says where to \
log in). 429: Breeze's call budget is spent (`retry_after`). 502: ICICI failed. 503: no \
master contract yet, so symbols cannot be looked up (loading, or why the download failed \
and when the next try is; `retry_after`). 504: an order whose answer was lost; it is \
reconciled against ICICI's order book, never resent.

Breeze takes no market orders: MARKET (and SL-M) orders go as aggressive limit orders \
priced from the last traded price, and the order book's `note` says so. Orders on \
NSE_INDEX/BSE_INDEX are refused; equity MIS is refused unless EQUITY_MIS_AS_CASH is set."""

INVALID_APIKEY = "Invalid openalgo apikey"
RATE_LIMITED = "Rate limit exceeded. Please slow down your requests."


class OpenAlgoRequest(BaseModel):
    """Every POST body: the API key plus the endpoint's own fields."""

    model_config = ConfigDict(extra="ignore")

    apikey: str = Field(min_length=1, max_length=256)


class Reply(BaseModel):
    status: Literal["success"] = "success"
    broker: str


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


class PingData(BaseModel):
    message: Literal["pong"] = "pong"
    broker: str
    budget: BudgetData | None = None


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


class FundsReply(Reply):
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
_NUMBER_SCHEMA = WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string"}]})
# The documented forms of the bounded numbers (validation also takes `1e2` and the like).
_POSITIVE_SCHEMA = WithJsonSchema({"anyOf": [
    {"type": "integer", "minimum": 1},
    {"type": "string", "pattern": r"^\s*\+?[0-9]*[1-9][0-9]*(\.0*)?\s*$"}]})
_COUNT_SCHEMA = WithJsonSchema({"anyOf": [
    {"type": "integer", "minimum": 0},
    {"type": "string", "pattern": r"^\s*\+?[0-9]+(\.0*)?\s*$"}]})
_OPTIONAL_COUNT_SCHEMA = WithJsonSchema({"anyOf": [
    {"type": "integer", "minimum": 0},
    {"type": "string", "pattern": r"^\s*(\+?[0-9]+(\.0*)?)?\s*$"}, {"type": "null"}]})
_PRICE_SCHEMA = WithJsonSchema({"anyOf": [
    {"type": "number", "minimum": 0},
    {"type": "string", "pattern": r"^\s*\+?([0-9]+\.?[0-9]*|\.[0-9]+)?\s*$"}, {"type": "null"}]})


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("Must be a number.")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"Must be a number, not {value!r}.") from None
    if not number.is_finite():
        raise ValueError(f"Must be a number, not {value!r}.")
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
    number = _decimal(value)
    if number != number.to_integral_value():
        raise ValueError(f"Fractional quantity ({value}) is not allowed for non-crypto "
                         "exchanges.")
    return int(number)


def _optional_whole(value: Any) -> int:
    return 0 if value is None or value == "" else _whole(value)


def _price(value: Any) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    number = _decimal(value)
    if number < 0:
        raise ValueError("Must be greater than or equal to 0.")
    return number


def _truncated(value: Any) -> int:
    """A signed target position; fractions are cut off (non-crypto exchanges)."""
    return int(_decimal(value))


def _text_id(value: Any) -> str:
    if isinstance(value, int | str) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    raise ValueError("Must be a non-empty order id string.")


def _enum(values: tuple[str, ...], *, upper: bool = False) -> Any:
    return (BeforeValidator(_choice(values, upper=upper)),
            WithJsonSchema({"type": "string", "enum": list(values)}))


ExchangeCode = Annotated[str, *_enum(EXCHANGES)]
Action = Annotated[str, *_enum(ACTIONS, upper=True)]
PriceType = Annotated[str, *_enum(PRICE_TYPES)]
Product = Annotated[str, *_enum(PRODUCTS)]
Quantity = Annotated[int, BeforeValidator(_whole), Field(gt=0), _POSITIVE_SCHEMA]
QuantityOrZero = Annotated[int, BeforeValidator(_whole), Field(ge=0), _COUNT_SCHEMA]
OptionalCount = Annotated[int, BeforeValidator(_optional_whole), Field(ge=0),
                          _OPTIONAL_COUNT_SCHEMA]
Price = Annotated[Decimal, BeforeValidator(_price), _PRICE_SCHEMA]
Target = Annotated[int, BeforeValidator(_truncated), _NUMBER_SCHEMA]
OrderId = Annotated[str, BeforeValidator(_text_id),
                    WithJsonSchema({"type": "string", "minLength": 1, "pattern": r"\S"})]
SymbolText = Annotated[str, Field(min_length=1, max_length=100)]


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
    strategy: str = Field(max_length=100)


class SmartOrderRequest(PlaceOrderRequest):
    quantity: QuantityOrZero  # type: ignore[assignment]
    position_size: Target


class BasketOrderRequest(OpenAlgoRequest):
    strategy: str = Field(max_length=100)
    orders: list[OrderFields] = Field(min_length=1)


class SplitOrderRequest(PlaceOrderRequest):
    splitsize: Quantity


class ModifyOrderRequest(PlaceOrderRequest):
    orderid: OrderId
    pricetype: PriceType  # type: ignore[assignment]
    product: Product  # type: ignore[assignment]
    price: Price


class CancelOrderRequest(OpenAlgoRequest):
    orderid: OrderId
    strategy: str = ""


class StrategyRequest(OpenAlgoRequest):
    """cancelallorder, closeposition: the strategy is only a label (optional)."""

    strategy: str = ""


class OrderStatusRequest(CancelOrderRequest):
    pass


class OpenPositionRequest(OpenAlgoRequest):
    strategy: str = ""
    symbol: SymbolText
    exchange: ExchangeCode
    product: Product


class OrderReply(Reply):
    orderid: str


class SmartOrderReply(Reply):
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


class BasketOrderReply(Reply):
    results: list[BasketResult]


class SplitResult(BaseModel):
    order_num: int
    quantity: int
    status: Literal["success", "error"]
    orderid: str | None = None
    message: str | None = None


class SplitOrderReply(Reply):
    split_size: int
    total_quantity: int
    results: list[SplitResult]


class FailedCancellation(BaseModel):
    orderid: str
    reason: str
    message: str


class CancelAllReply(Reply):
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


class OrderStatusReply(Reply):
    data: OrderRow


class OpenPositionReply(Reply):
    quantity: int


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


class OrderBookReply(Reply):
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


class TradeBookReply(Reply):
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


class PositionBookReply(Reply):
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


class HoldingsReply(Reply):
    data: HoldingsData


class MarginPosition(BaseModel):
    model_config = ConfigDict(extra="ignore")

    symbol: str = Field(min_length=1, max_length=50)
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
    query: str = ""
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
    "BasketOrderReply",
    "BasketOrderRequest",
    "BookRequest",
    "BudgetData",
    "CancelAllReply",
    "CancelOrderRequest",
    "ClosePositionReply",
    "ErrorReply",
    "ExpiryReply",
    "ExpiryRequest",
    "FundsData",
    "FundsReply",
    "FundsRequest",
    "HoldingsReply",
    "InstrumentRow",
    "InstrumentsReply",
    "MarginReply",
    "MarginRequest",
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
    "PlaceOrderRequest",
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
    "money",
]
