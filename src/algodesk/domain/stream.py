"""What the live feed carries, broker-neutral: ticks, depth updates, order events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .market import DepthLevel
from .orders import BrokerOrder, OrderStatus, PriceType, Product, Side
from .values import UTC, money, utc

_HUNDRED = Decimal(100)


def _exact(obj: object, *names: str) -> None:
    # A feed builds thousands of these a second, nearly always from Decimals already:
    # only the others are converted (or refused, for floats).
    for name in names:
        value = getattr(obj, name)
        if value is not None and type(value) is not Decimal:
            object.__setattr__(obj, name, money(value))


@dataclass(frozen=True, slots=True)
class Tick:
    """One exchange quote of an instrument: the last trade and the day so far.

    `at` is the exchange's time of the last trade; the optional fields are what the
    broker's quote stream adds (indices carry no book, volume or circuits)."""

    symbol: str
    exchange: str
    last_price: Decimal
    last_quantity: int
    volume: int
    at: dt.datetime
    average_price: Decimal | None = None
    open_interest: int = 0
    open: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    previous_close: Decimal | None = None
    bid: Decimal | None = None
    bid_quantity: int = 0
    ask: Decimal | None = None
    ask_quantity: int = 0
    total_buy_quantity: int = 0
    total_sell_quantity: int = 0
    upper_circuit: Decimal | None = None
    lower_circuit: Decimal | None = None
    #: Read by a REST quote while the broker's stream was down, not streamed.
    polled: bool = False

    def __post_init__(self) -> None:
        _exact(self, "last_price", "average_price", "open", "high", "low", "previous_close",
               "bid", "ask", "upper_circuit", "lower_circuit")
        if self.at.tzinfo is not UTC:
            object.__setattr__(self, "at", utc(self.at))

    @property
    def change(self) -> Decimal | None:
        """Last price minus the previous close; None without a close."""
        if self.previous_close is None:
            return None
        return self.last_price - self.previous_close

    @property
    def change_percent(self) -> Decimal | None:
        """The change as a percentage of the previous close (unrounded)."""
        if not self.previous_close:
            return None
        return (self.last_price - self.previous_close) * _HUNDRED / self.previous_close


@dataclass(frozen=True, slots=True)
class DepthUpdate:
    symbol: str
    exchange: str
    bids: tuple[DepthLevel, ...]
    asks: tuple[DepthLevel, ...]
    at: dt.datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", utc(self.at))


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """A change of one order's state, as the broker pushes it: the order as it stands
    after the change. `symbol`/`exchange` are OpenAlgo's where the master contract knows
    the instrument, else the broker's own names (as the order book shows them); `side`,
    `price_type` and `product` are the broker's in OpenAlgo's words (the journal knows
    what a client asked for: a MARKET order the broker holds as a LIMIT)."""

    order_id: str
    status: OrderStatus
    filled_quantity: int
    average_price: Decimal
    at: dt.datetime
    side: Side
    price_type: PriceType
    product: Product
    tag: str = ""
    message: str = ""
    symbol: str = ""
    exchange: str = ""
    quantity: int = 0
    price: Decimal = Decimal(0)
    trigger_price: Decimal = Decimal(0)
    note: str = ""  # what the order book notes beside the broker's words (a paper fill's rule)

    def __post_init__(self) -> None:
        _exact(self, "average_price", "price", "trigger_price")
        object.__setattr__(self, "at", utc(self.at))

    def as_order(self) -> BrokerOrder:
        """The order as a broker's order book would list it after this change."""
        return BrokerOrder(self.order_id, self.symbol, self.exchange, self.side,
                           self.quantity, self.filled_quantity, self.price_type, self.product,
                           self.price, self.trigger_price, self.average_price, self.status,
                           tag=self.tag, message=self.message, note=self.note)


__all__ = ["DepthUpdate", "OrderEvent", "Tick"]
