"""What the live feed will carry, broker-neutral: ticks, depth updates, order events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .market import DepthLevel
from .orders import OrderStatus
from .values import money, utc


@dataclass(frozen=True, slots=True)
class Tick:
    symbol: str
    exchange: str
    last_price: Decimal
    last_quantity: int
    volume: int
    at: dt.datetime
    average_price: Decimal | None = None
    open_interest: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "last_price", money(self.last_price))
        if self.average_price is not None:
            object.__setattr__(self, "average_price", money(self.average_price))
        object.__setattr__(self, "at", utc(self.at))


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
    """A change of one order's state, as the broker pushes it."""

    order_id: str
    status: OrderStatus
    filled_quantity: int
    average_price: Decimal
    at: dt.datetime
    tag: str = ""
    message: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "average_price", money(self.average_price))
        object.__setattr__(self, "at", utc(self.at))


__all__ = ["DepthUpdate", "OrderEvent", "Tick"]
