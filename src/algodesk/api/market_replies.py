"""Reply models of the market-data, calendar and options endpoints (reference §3.5, §3.7,
§3.8, §3.1.9-10), for the OpenAPI document.

The routers write these replies as plain JSON (`JSONResponse`, and /history straight
from its candle columns): the models only describe those bytes, they never serialise
them, so declaring them changes nothing on the wire. The schemathesis test checks every
reply against them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from .schemas import Reply, SplitResult, VenueReply

# --------------------------------------------------------------------------- market data


class QuoteData(BaseModel):
    open: float
    high: float
    low: float
    ltp: float
    ask: float = Field(description="Best offer price (0 when there is none)")
    bid: float = Field(description="Best bid price (0 when there is none)")
    prev_close: float
    volume: int
    oi: int = Field(description="Open interest (0 for instruments without one)")


class QuoteReply(Reply):
    data: QuoteData


class MultiQuoteItem(BaseModel):
    """One requested symbol: `data` when it was read, `error` when it was not."""

    symbol: str
    exchange: str
    data: QuoteData | None = None
    error: str | None = None


class MultiQuotesReply(Reply):
    results: list[MultiQuoteItem] = Field(description="In request order")


class DepthLevel(BaseModel):
    price: float
    quantity: int


class DepthData(BaseModel):
    open: float
    high: float
    low: float
    ltp: float
    ltq: int
    prev_close: float
    volume: int
    oi: int
    totalbuyqty: int
    totalsellqty: int
    asks: list[DepthLevel] = Field(min_length=5, max_length=5)
    bids: list[DepthLevel] = Field(min_length=5, max_length=5)
    depth_levels: int = Field(description="Levels that carry the broker's data (1: Breeze's "
                                          "REST quote has only the best bid and offer)")


class DepthReply(Reply):
    data: DepthData
    note: str


class Candle(BaseModel):
    timestamp: int = Field(description="Epoch seconds: the bar open for intraday bars, "
                                       "00:00 UTC of the IST trading date for D/W/M")
    open: float
    high: float
    low: float
    close: float
    volume: int
    oi: int


class HistoryReply(Reply):
    data: list[Candle] = Field(description="Oldest first, no duplicates (empty with "
                                           "`summary_only`)")
    candles: int | None = Field(default=None, description="`summary_only`: bars built")
    broker_calls: int | None = Field(default=None, description="`summary_only`: Breeze "
                                                               "calls made")
    fetched_candles: int | None = Field(default=None, description="`summary_only`: candles "
                                                                  "fetched from Breeze")


class IntervalsData(BaseModel):
    seconds: list[str]
    minutes: list[str]
    hours: list[str]
    days: list[str]
    weeks: list[str]
    months: list[str]


class IntervalsReply(Reply):
    data: IntervalsData


# --------------------------------------------------------------------------- calendar


class SessionTimes(BaseModel):
    exchange: str
    start_time: int = Field(description="Epoch milliseconds")
    end_time: int = Field(description="Epoch milliseconds")


class HolidayRow(BaseModel):
    date: str = Field(description="YYYY-MM-DD")
    description: str
    holiday_type: Literal["TRADING_HOLIDAY", "SETTLEMENT_HOLIDAY", "SPECIAL_SESSION"]
    closed_exchanges: list[str]
    open_exchanges: list[SessionTimes] = Field(description="Special and partial sessions")


class HolidaysReply(Reply):
    year: int
    timezone: Literal["Asia/Kolkata"]
    data: list[HolidayRow]
    note: str | None = Field(default=None, description="When the year's list is missing "
                                                       "or provisional")


class TimingsReply(Reply):
    data: list[SessionTimes] = Field(description="Empty at weekends and on full holidays")


# --------------------------------------------------------------------------- options


class OptionSymbolReply(Reply):
    symbol: str
    exchange: str
    lotsize: int
    tick_size: float
    freeze_qty: int
    underlying_ltp: float


class ChainLeg(BaseModel):
    """One option of a chain row; the Greek fields only with `with_greeks` (null when
    the option has no traded price to solve from)."""

    symbol: str
    label: str = Field(description="ATM, ITMn or OTMn")
    ltp: float
    bid: float
    ask: float
    bid_qty: int
    ask_qty: int
    open: float
    high: float
    low: float
    prev_close: float
    volume: int
    oi: int
    lotsize: int
    tick_size: float
    implied_volatility: float | None = None
    delta: float | None = None
    gamma: float | None = None
    theta: float | None = None
    vega: float | None = None


class ChainRow(BaseModel):
    strike: float
    ce: ChainLeg | None = Field(description="null when the contract is not listed")
    pe: ChainLeg | None = Field(description="null when the contract is not listed")


class OptionChainReply(Reply):
    underlying: str
    underlying_ltp: float
    underlying_prev_close: float
    expiry_date: str = Field(description="DDMMMYY")
    expiry_ts: int
    server_ts: int
    atm_strike: float
    quotes_included: bool
    greeks_included: bool
    forward_price: float | None
    interest_rate: float = Field(description="Annual percent used for the Greeks")
    chain: list[ChainRow]


class SyntheticFutureReply(Reply):
    underlying: str
    underlying_ltp: float
    expiry: str = Field(description="DDMMMYY")
    atm_strike: float
    synthetic_future_price: float


class GreeksValues(BaseModel):
    delta: float
    gamma: float
    theta: float = Field(description="Per calendar day")
    vega: float = Field(description="Per percentage point of volatility")
    rho: float = Field(description="Per percentage point of the rate")


class OptionGreeksData(BaseModel):
    symbol: str
    exchange: str
    underlying: str
    strike: float
    option_type: Literal["CE", "PE"]
    expiry_date: str = Field(description="DD-Mon-YYYY")
    days_to_expiry: float
    spot_price: float
    forward_price: float
    option_price: float
    interest_rate: float
    model: Literal["Black-76"]
    implied_volatility: float = Field(description="Percent")
    greeks: GreeksValues


class OptionGreeksReply(Reply, OptionGreeksData):
    pass


class GreeksResult(BaseModel):
    """One option of the batch: the optiongreeks fields when `status` is success,
    `message` when it is error."""

    status: Literal["success", "error"]
    symbol: str
    exchange: str
    message: str | None = None
    underlying: str | None = None
    strike: float | None = None
    option_type: Literal["CE", "PE"] | None = None
    expiry_date: str | None = None
    days_to_expiry: float | None = None
    spot_price: float | None = None
    forward_price: float | None = None
    option_price: float | None = None
    interest_rate: float | None = None
    model: Literal["Black-76"] | None = None
    implied_volatility: float | None = None
    greeks: GreeksValues | None = None


class GreeksSummary(BaseModel):
    total: int
    success: int
    failed: int


class MultiOptionGreeksReply(Reply):
    data: list[GreeksResult]
    summary: GreeksSummary


class OptionsOrderReply(VenueReply):
    """`orderid` for one order; `total_quantity`, `split_size` and `results` instead when
    `splitsize` split it."""

    symbol: str
    exchange: str
    underlying: str
    underlying_ltp: float
    offset: str
    option_type: Literal["CE", "PE"]
    orderid: str | None = None
    total_quantity: int | None = None
    split_size: int | None = None
    results: list[SplitResult] | None = None


class OptionLegResult(BaseModel):
    leg: int = Field(description="1-based position in the request")
    action: Literal["BUY", "SELL"]
    offset: str
    option_type: Literal["CE", "PE"]
    mode: Literal["live", "analyze"] = Field(description="analyze: placed on the paper "
                                                         "broker (analyzer mode)")
    status: Literal["success", "error"]
    symbol: str | None = Field(default=None, description="Absent when the leg could not "
                                                         "be resolved")
    orderid: str | None = None
    message: str | None = None


class OptionsMultiOrderReply(VenueReply):
    underlying: str
    underlying_ltp: float
    results: list[OptionLegResult] = Field(description="Sorted by leg")


__all__ = [
    "DepthReply",
    "HistoryReply",
    "HolidaysReply",
    "IntervalsReply",
    "MultiOptionGreeksReply",
    "MultiQuotesReply",
    "OptionChainReply",
    "OptionGreeksReply",
    "OptionSymbolReply",
    "OptionsMultiOrderReply",
    "OptionsOrderReply",
    "QuoteReply",
    "SyntheticFutureReply",
    "TimingsReply",
]
