"""Value types the simulated market hands to the rest of the simulator.

Prices are Decimal rounded to the instrument's tick; times are epoch seconds (UTC) or,
where a trader would read them, naive datetimes in IST wall-clock time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

ProductKind = Literal["cash", "futures", "options"]
Right = Literal["call", "put", "others"]
Interval = Literal["1second", "1minute", "5minute", "30minute", "1day"]


@dataclass(frozen=True, slots=True)
class Instrument:
    """One tradable (or, for indices, quotable) line of the SecurityMaster."""

    token: str  # SecurityMaster Token: "2885", "NIFTY 50" (NSE index), "35000" (NFO)
    exchange_code: str  # NSE, BSE, NFO, BFO, NDX, MCX
    stock_code: str  # ICICI short name: RELIND, STABAN, NIFTY, CNXBAN
    product: ProductKind  # "cash" for equities and indices
    expiry: date | None  # derivatives only
    strike: Decimal  # options only; Decimal(0) otherwise
    right: Right | None  # options: call/put; futures: others; cash: None
    lot_size: int
    tick: Decimal  # tick size in rupees
    name: str  # CompanyName
    exchange_symbol: str  # ExchangeCode column: RELIANCE, NIFTY 50 (underlying for F&O)
    is_index: bool  # an index (quotable, not tradable) or an index derivative
    isin: str = ""
    instrument_name: str = ""  # F&O files: FUTIDX, FUTSTK, OPTIDX, OPTSTK, FUTCUR, ...
    underlying: str = ""  # stock_code of the cash instrument a derivative is priced from

    @property
    def is_derivative(self) -> bool:
        return self.product != "cash"


@dataclass(frozen=True, slots=True)
class DepthLevel:
    bid_price: Decimal
    bid_qty: int
    bid_orders: int
    ask_price: Decimal
    ask_qty: int
    ask_orders: int


@dataclass(frozen=True, slots=True)
class Quote:
    """A snapshot of one instrument at one moment."""

    ltp: Decimal
    ltt: int  # epoch seconds of the last trade
    ltq: int
    open: Decimal  # of the current session
    high: Decimal
    low: Decimal
    previous_close: Decimal  # close of the previous session
    best_bid: Decimal
    best_bid_qty: int
    best_ask: Decimal
    best_ask_qty: int
    depth: tuple[DepthLevel, ...]  # five levels, best first
    volume: int  # quantity traded in the session so far
    avg_price: Decimal
    total_buy_qty: int
    total_sell_qty: int
    upper_circuit: Decimal
    lower_circuit: Decimal
    open_interest: int  # derivatives; 0 otherwise
    oi_change: int
    spot: Decimal | None  # underlying's price for derivatives; None for cash


@dataclass(frozen=True, slots=True)
class Candle:
    start: datetime  # naive IST wall-clock time of the candle's first second
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    open_interest: int  # derivatives; 0 otherwise
    count: int  # seconds with trades in the candle
