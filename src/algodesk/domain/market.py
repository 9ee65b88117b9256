"""Market data as every broker adapter speaks it: quotes, depth, candles, option chains."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .values import money, utc


def _exact(obj: object, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        if value is not None:
            object.__setattr__(obj, name, money(value))


@dataclass(frozen=True, slots=True)
class Quote:
    symbol: str
    exchange: str
    last_price: Decimal
    open: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    previous_close: Decimal | None = None
    bid: Decimal | None = None
    ask: Decimal | None = None
    volume: int = 0
    open_interest: int = 0
    upper_circuit: Decimal | None = None  # the day's band, where the broker gives it
    lower_circuit: Decimal | None = None
    at: dt.datetime | None = None
    bid_quantity: int = 0
    ask_quantity: int = 0
    last_quantity: int = 0  # of the last trade
    #: The underlying's price the quote came with (an option chain's rows carry the spot).
    underlying_price: Decimal | None = None

    def __post_init__(self) -> None:
        _exact(self, "last_price", "open", "high", "low", "previous_close", "bid", "ask",
               "upper_circuit", "lower_circuit", "underlying_price")
        if self.at is not None:
            object.__setattr__(self, "at", utc(self.at))


@dataclass(frozen=True, slots=True)
class DepthLevel:
    price: Decimal
    quantity: int
    orders: int = 0

    def __post_init__(self) -> None:
        _exact(self, "price")


@dataclass(frozen=True, slots=True)
class Depth:
    """The order book's best levels, best first on each side."""

    symbol: str
    exchange: str
    bids: tuple[DepthLevel, ...]
    asks: tuple[DepthLevel, ...]
    last_price: Decimal | None = None
    at: dt.datetime | None = None
    #: The quote the book came with (day's range, volume, open interest), where the
    #: broker answers both at once.
    quote: Quote | None = None
    total_buy_quantity: int = 0  # the whole book's, not only the levels given
    total_sell_quantity: int = 0

    def __post_init__(self) -> None:
        _exact(self, "last_price")
        if self.at is not None:
            object.__setattr__(self, "at", utc(self.at))


@dataclass(frozen=True, slots=True)
class Candle:
    """One bar; `start` is the UTC instant it opens."""

    start: dt.datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int = 0
    open_interest: int = 0

    def __post_init__(self) -> None:
        _exact(self, "open", "high", "low", "close")
        object.__setattr__(self, "start", utc(self.start))


@dataclass(frozen=True, slots=True)
class OptionChainRow:
    """One strike of a chain: the call and the put side by side (either may be absent)."""

    strike: Decimal
    call: Quote | None
    put: Quote | None
    call_open_interest: int = 0
    put_open_interest: int = 0

    def __post_init__(self) -> None:
        _exact(self, "strike")


__all__ = ["Candle", "Depth", "DepthLevel", "OptionChainRow", "Quote"]
