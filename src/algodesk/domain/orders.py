"""Orders and the account as every broker adapter speaks them (OpenAlgo's vocabulary).

An `OrderIntent` is what a service asks for; the adapter prices it (`PreparedOrder`,
e.g. a MARKET order becomes an aggressive limit and says so in `note`) before anything
is sent, so the journal records the intent and the price first. What the broker holds
comes back as `BrokerOrder`, `Trade`, `Position`, `Holding` and `Funds`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from .values import money, utc


class Side(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class PriceType(StrEnum):
    MARKET = "MARKET"
    LIMIT = "LIMIT"
    SL = "SL"
    SL_M = "SL-M"


class Product(StrEnum):
    CNC = "CNC"  # equity delivery
    NRML = "NRML"  # futures and options carried overnight
    MIS = "MIS"  # intraday, squared off by the platform


class OrderStatus(StrEnum):
    """OpenAlgo's `order_status`."""

    OPEN = "open"
    TRIGGER_PENDING = "trigger pending"
    COMPLETE = "complete"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


def _exact(obj: object, *names: str) -> None:
    for name in names:
        object.__setattr__(obj, name, money(getattr(obj, name)))


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """One order as a service asks for it. `tag` is the journal's id for it: the broker
    carries it with the order so a lost answer can be found again, never resent."""

    symbol: str
    exchange: str
    side: Side
    quantity: int
    price_type: PriceType = PriceType.MARKET
    product: Product = Product.MIS
    price: Decimal = Decimal(0)
    trigger_price: Decimal = Decimal(0)
    disclosed_quantity: int = 0
    tag: str = ""
    #: Closes (part of) an open position: a square-off, close-all or smart order that
    #: reduces. A broker may route such an order differently (ICICI: equity MIS as cash).
    closes_position: bool = False

    def __post_init__(self) -> None:
        _exact(self, "price", "trigger_price")
        if self.quantity <= 0:
            raise ValueError("quantity must be greater than 0")


@dataclass(frozen=True, slots=True)
class PreparedOrder:
    """An intent priced and checked by the adapter, not yet sent. `note` says what the
    platform decided for the trader ("MARKET sent as aggressive limit 812.35 (LTP
    788.70)"); `wire` is the broker's own request, opaque to services: the journal keeps
    it for the record, the adapter sends it."""

    intent: OrderIntent
    limit_price: Decimal
    trigger_price: Decimal
    note: str = ""
    wire: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _exact(self, "limit_price", "trigger_price")


@dataclass(frozen=True, slots=True)
class OrderAck:
    """The broker took the order (or the change): its id, and the note of the pricing."""

    order_id: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class BrokerOrder:
    """An order in the broker's book."""

    order_id: str
    symbol: str
    exchange: str
    side: Side
    quantity: int
    filled_quantity: int
    price_type: PriceType
    product: Product
    price: Decimal
    trigger_price: Decimal
    average_price: Decimal
    status: OrderStatus
    placed_at: dt.datetime | None = None
    tag: str = ""  # the journal's tag when the order was placed through the platform
    message: str = ""  # the broker's words on a rejection
    #: The time as the broker wrote it: OpenAlgo's books show each broker's own format
    #: ("" when the broker gives none; the books then write `placed_at`).
    time_text: str = ""
    #: How the broker priced it, when the platform did not say (the paper broker's fill
    #: rule); the order book's `note`.
    note: str = ""

    def __post_init__(self) -> None:
        _exact(self, "price", "trigger_price", "average_price")
        if self.placed_at is not None:
            object.__setattr__(self, "placed_at", utc(self.placed_at))


@dataclass(frozen=True, slots=True)
class Trade:
    order_id: str
    symbol: str
    exchange: str
    side: Side
    quantity: int
    average_price: Decimal
    product: Product
    traded_at: dt.datetime | None = None
    time_text: str = ""  # as the broker wrote it (see BrokerOrder.time_text)

    def __post_init__(self) -> None:
        _exact(self, "average_price")
        if self.traded_at is not None:
            object.__setattr__(self, "traded_at", utc(self.traded_at))


@dataclass(frozen=True, slots=True)
class Position:
    """A net position: `quantity` is signed (negative when short)."""

    symbol: str
    exchange: str
    product: Product
    quantity: int
    average_price: Decimal
    last_price: Decimal
    pnl: Decimal

    def __post_init__(self) -> None:
        _exact(self, "average_price", "last_price", "pnl")


@dataclass(frozen=True, slots=True)
class Holding:
    symbol: str
    exchange: str
    quantity: int
    average_price: Decimal
    last_price: Decimal
    pnl: Decimal
    isin: str = ""

    def __post_init__(self) -> None:
        _exact(self, "average_price", "last_price", "pnl")


@dataclass(frozen=True, slots=True)
class Funds:
    available_cash: Decimal
    used_margin: Decimal
    collateral: Decimal = Decimal(0)
    realised_pnl: Decimal = Decimal(0)
    unrealised_pnl: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        _exact(self, "available_cash", "used_margin", "collateral", "realised_pnl",
               "unrealised_pnl")


@dataclass(frozen=True, slots=True)
class MarginLeg:
    intent: OrderIntent
    required: Decimal

    def __post_init__(self) -> None:
        _exact(self, "required")


@dataclass(frozen=True, slots=True)
class MarginResult:
    """What a basket of orders would block: in total and, where the broker says, per leg."""

    total: Decimal
    span: Decimal = Decimal(0)
    exposure: Decimal = Decimal(0)
    legs: tuple[MarginLeg, ...] = ()

    def __post_init__(self) -> None:
        _exact(self, "total", "span", "exposure")


__all__ = [
    "BrokerOrder",
    "Funds",
    "Holding",
    "MarginLeg",
    "MarginResult",
    "OrderAck",
    "OrderIntent",
    "OrderStatus",
    "Position",
    "PreparedOrder",
    "PriceType",
    "Product",
    "Side",
    "Trade",
]
