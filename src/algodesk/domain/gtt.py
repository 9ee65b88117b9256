"""GTT (good-till-triggered) orders as every broker adapter speaks them (OpenAlgo's
vocabulary, openalgo-api.md §3.10).

A GTT rests at the broker, not here: when the last price reaches a leg's trigger the
broker places that leg's child order (a limit order at the leg's price). SINGLE has one
leg; OCO ("one cancels the other") a stop-loss leg below the market and a target leg
above it, and whichever triggers first cancels the other.

A `GttIntent` is what a service asks for; the adapter checks it and writes its broker's
request (`PreparedGtt`) before anything is sent, so the journal records it first. What
the broker holds comes back as `Gtt`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from .orders import PriceType, Product, Side
from .values import money, utc


class TriggerType(StrEnum):
    SINGLE = "SINGLE"
    OCO = "OCO"


class LegRole(StrEnum):
    """What a leg is for: OCO's stop-loss (the lower trigger) and target (the upper). A
    SINGLE's one leg is named by the field its trigger came in (below the market: the
    stop-loss's; above: the target's), or SINGLE where a broker's book does not say."""

    STOPLOSS = "stoploss"
    TARGET = "target"
    SINGLE = "single"


class GttStatus(StrEnum):
    ACTIVE = "active"  # waiting for a trigger
    TRIGGERED = "triggered"  # a leg's child order was placed
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class GttLeg:
    """One trigger and the limit order it places."""

    role: LegRole
    trigger_price: Decimal
    limit_price: Decimal
    #: The leg's state at the broker ("" in an intent).
    status: str = ""

    def __post_init__(self) -> None:
        for name in ("trigger_price", "limit_price"):
            object.__setattr__(self, name, money(getattr(self, name)))


@dataclass(frozen=True, slots=True)
class GttIntent:
    """A GTT as a service asks for it; both legs of an OCO share side, quantity and
    product. `legs`: one for SINGLE, stop-loss then target for OCO."""

    symbol: str
    exchange: str
    trigger_type: TriggerType
    side: Side
    quantity: int
    product: Product
    legs: tuple[GttLeg, ...]
    price_type: PriceType = PriceType.LIMIT

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValueError("quantity must be greater than 0")
        wanted = 1 if self.trigger_type is TriggerType.SINGLE else 2
        if len(self.legs) != wanted:
            raise ValueError(f"a {self.trigger_type} GTT has {wanted} leg(s)")


@dataclass(frozen=True, slots=True)
class PreparedGtt:
    """An intent checked by the adapter, not yet sent; `wire` is the broker's own request
    (opaque to services: the journal keeps it, the adapter sends it)."""

    intent: GttIntent
    note: str = ""
    wire: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GttAck:
    """The broker took the GTT (or the change): its id."""

    gtt_id: str


@dataclass(frozen=True, slots=True)
class Gtt:
    """A GTT in the broker's book."""

    gtt_id: str
    symbol: str
    exchange: str
    trigger_type: TriggerType
    status: GttStatus
    side: Side
    quantity: int
    product: Product
    legs: tuple[GttLeg, ...]
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    #: The order a triggered leg placed, when the broker says.
    child_order_id: str = ""

    def __post_init__(self) -> None:
        for name in ("created_at", "updated_at", "expires_at"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, utc(value))


__all__ = ["Gtt", "GttAck", "GttIntent", "GttLeg", "GttStatus", "LegRole", "PreparedGtt",
           "TriggerType"]
