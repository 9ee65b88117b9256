"""Request models of the market-data, calendar and options endpoints (reference §3.5,
§3.7, §3.8, §3.1.9-10).

Kept beside `schemas.py` (whose value types they reuse) so the two groups of endpoints
can change independently. Replies are built as plain JSON objects by the routers: their
shapes are the contract's, and a /history reply of 200,000 candles is serialised
directly rather than through models.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from .schemas import (
    DERIVATIVE_EXCHANGES,
    Action,
    ExchangeCode,
    OpenAlgoRequest,
    OptionalCount,
    Price,
    PriceType,
    Quantity,
    SymbolText,
)


def _upper_choice(values: tuple[str, ...]) -> Any:
    def check(value: Any) -> str:
        text = value.upper() if isinstance(value, str) else value
        if text not in values:
            raise ValueError(f"Must be one of: {', '.join(values)}.")
        return str(text)

    return BeforeValidator(check)


def _exact_choice(values: tuple[str, ...]) -> Any:
    def check(value: Any) -> str:
        if value not in values:
            raise ValueError(f"Must be one of: {', '.join(values)}.")
        return str(value)

    return BeforeValidator(check)


OptionType = Annotated[str, _upper_choice(("CE", "PE"))]
OptionProduct = Annotated[str, _exact_choice(("MIS", "NRML"))]
DerivativeExchange = Annotated[str, _exact_choice(DERIVATIVE_EXCHANGES)]
UnderlyingExchange = Annotated[str, _exact_choice(
    ("NSE_INDEX", "NSE", "BSE_INDEX", "BSE", "NFO", "BFO", "MCX", "CDS", "BCD"))]
Rate = Annotated[float, Field(ge=0, le=100)]
# ATM, ITM1-ITM50 or OTM1-OTM50 (any case; the options service checks it): the pattern
# documents the form, validation keeps the service's message.
Offset = Annotated[str, Field(min_length=3, max_length=6, json_schema_extra={
    "pattern": r"^\s*(ATM|[IO]TM([1-9]|[1-4][0-9]|50))\s*$"})]


# --------------------------------------------------------------------------- market data


class SymbolRequest(OpenAlgoRequest):
    symbol: SymbolText
    exchange: ExchangeCode


class SymbolItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    symbol: SymbolText
    exchange: ExchangeCode


class MultiQuotesRequest(OpenAlgoRequest):
    symbols: list[SymbolItem] = Field(min_length=1)


class HistoryRequest(OpenAlgoRequest):
    symbol: SymbolText
    exchange: ExchangeCode
    interval: str = Field(min_length=1, max_length=8)
    start_date: str = Field(min_length=1, max_length=20)
    end_date: str = Field(min_length=1, max_length=20)
    source: Literal["api", "db"] = "api"
    # algodesk's own: answer with counts only (the backfill command fills the store
    # without carrying every candle back).
    summary_only: bool = False


class HolidaysRequest(OpenAlgoRequest):
    year: int | None = Field(default=None, ge=2020, le=2050)


class TimingsRequest(OpenAlgoRequest):
    date: str | None = None


# --------------------------------------------------------------------------- options


class OptionSymbolRequest(OpenAlgoRequest):
    underlying: SymbolText
    exchange: UnderlyingExchange
    expiry_date: str | None = None
    offset: Offset
    option_type: OptionType
    strategy: str | None = None  # deprecated, ignored
    strike_int: Any = None  # deprecated: the real strike ladder is used


class OptionChainRequest(OpenAlgoRequest):
    underlying: SymbolText
    exchange: UnderlyingExchange
    expiry_date: str | None = None
    strike_count: int | None = Field(default=None, ge=1, le=100)
    with_greeks: bool = False
    interest_rate: Rate | None = None


class SyntheticFutureRequest(OpenAlgoRequest):
    underlying: SymbolText
    exchange: UnderlyingExchange
    expiry_date: str = Field(min_length=7, max_length=9)


class OptionGreeksRequest(OpenAlgoRequest):
    symbol: SymbolText
    exchange: DerivativeExchange
    interest_rate: Rate | None = None
    forward_price: float | None = Field(default=None, ge=0)
    underlying_symbol: str | None = None
    underlying_exchange: ExchangeCode | None = None
    expiry_time: str | None = None


class GreeksItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    symbol: SymbolText
    exchange: DerivativeExchange
    underlying_symbol: str | None = None
    underlying_exchange: ExchangeCode | None = None


class MultiOptionGreeksRequest(OpenAlgoRequest):
    symbols: list[GreeksItem] = Field(min_length=1, max_length=50)
    interest_rate: Rate | None = None
    expiry_time: str | None = None


class OptionOrderFields(BaseModel):
    """What an option order (or one leg of several) says about the order itself."""

    model_config = ConfigDict(extra="ignore")

    offset: Offset
    option_type: OptionType
    action: Action
    quantity: Quantity
    pricetype: PriceType = "MARKET"
    product: OptionProduct = "MIS"
    price: Price = Field(default=0)
    trigger_price: Price = Field(default=0)
    disclosed_quantity: OptionalCount = 0
    splitsize: OptionalCount = 0
    expiry_date: str | None = None


class OptionsOrderRequest(OpenAlgoRequest, OptionOrderFields):
    strategy: str = Field(default="Python", max_length=100)
    underlying: SymbolText
    exchange: UnderlyingExchange
    strike_int: Any = None  # deprecated


class OptionsMultiOrderRequest(OpenAlgoRequest):
    strategy: str = Field(default="Python", max_length=100)
    underlying: SymbolText
    exchange: UnderlyingExchange
    expiry_date: str | None = None
    strike_int: Any = None  # deprecated
    legs: list[OptionOrderFields] = Field(min_length=1, max_length=20)


__all__ = [
    "HistoryRequest",
    "HolidaysRequest",
    "MultiOptionGreeksRequest",
    "MultiQuotesRequest",
    "OptionChainRequest",
    "OptionGreeksRequest",
    "OptionSymbolRequest",
    "OptionsMultiOrderRequest",
    "OptionsOrderRequest",
    "SymbolRequest",
    "SyntheticFutureRequest",
    "TimingsRequest",
]
