"""OpenAlgo GTTs in Breeze's terms (`gttorder`, reference §5.23), and back. Pure.

- What Breeze's GTT takes: NFO futures and options (the SDK requires an `expiry_date`;
  every GTT ICICI documents is an NFO contract: BFO, currency, commodity and equity GTTs
  are undocumented), product NRML; every leg is a limit order (`limit_price`; Breeze's
  GTT has no market legs). Anything else is refused here, naming what is accepted.
- SINGLE → `gtt_type` `single`, one leg `{action, limit_price, trigger_price}`.
- OCO → `gtt_type` `oco`, two legs with `gtt_leg_type`. OpenAlgo names its legs by
  level (`triggerprice_sl` is the lower trigger, `triggerprice_tg` the upper); Breeze by
  what they do for the side: a SELL's stop-loss is below the market and its target above,
  a BUY's (closing a short) the other way round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ...domain.gtt import Gtt, GttIntent, GttLeg, GttStatus, LegRole, TriggerType
from ...domain.orders import PriceType, Product, Side
from .formats import parse_response_datetime
from .mapping import MappingError, TradableInstrument, on_tick, openalgo_product
from .schemas import BreezeGttLeg, BreezeGttOrder

#: Breeze exchanges (and OpenAlgo's: the same codes) whose contracts Breeze's GTT takes.
GTT_EXCHANGES = ("NFO",)
ACCEPTED = ("Breeze's GTT takes NFO futures and options with product NRML, and "
            "limit-priced legs (pricetype LIMIT)")

_LEG_STATES: dict[str, GttStatus] = {
    "active": GttStatus.ACTIVE, "pending": GttStatus.ACTIVE, "open": GttStatus.ACTIVE,
    "placed": GttStatus.ACTIVE, "requested": GttStatus.ACTIVE, "queued": GttStatus.ACTIVE,
    "triggered": GttStatus.TRIGGERED, "executed": GttStatus.TRIGGERED,
    "complete": GttStatus.TRIGGERED, "completed": GttStatus.TRIGGERED,
    "ordered": GttStatus.TRIGGERED,
    "cancelled": GttStatus.CANCELLED, "canceled": GttStatus.CANCELLED,
    "expired": GttStatus.EXPIRED, "rejected": GttStatus.REJECTED, "failed": GttStatus.REJECTED,
}


def check_gtt(inst: TradableInstrument, intent: GttIntent) -> None:
    """Refuse what Breeze's GTT cannot take (MappingError: the reason, and what it takes)."""
    if inst.breeze_exchange not in GTT_EXCHANGES or inst.product not in ("futures", "options"):
        raise MappingError(f"GTT orders on {intent.exchange} ({intent.symbol}) cannot go "
                           f"through Breeze: {ACCEPTED}")
    if intent.product is not Product.NRML:
        raise MappingError(f"product {intent.product} cannot be used for a GTT on "
                           f"{intent.symbol}: {ACCEPTED}")
    if intent.price_type is not PriceType.LIMIT:
        raise MappingError(f"pricetype {intent.price_type} cannot be used for a GTT: "
                           f"{ACCEPTED}; send pricetype LIMIT with the child order's price")
    for leg in intent.legs:
        names = _field_names(intent, leg)
        if leg.limit_price <= 0:
            raise MappingError(f"{names[1]} must be greater than 0: the child order is a "
                               "limit order at that price")
        on_tick(leg.trigger_price, inst.tick_size, names[0], inst.symbol)
        on_tick(leg.limit_price, inst.tick_size, names[1], inst.symbol)


def _field_names(intent: GttIntent, leg: GttLeg) -> tuple[str, str]:
    """The OpenAlgo fields a leg came from (trigger, limit), for messages."""
    if leg.role is LegRole.STOPLOSS:
        return "triggerprice_sl", ("stoploss" if intent.trigger_type is TriggerType.OCO
                                   else "price")
    if leg.role is LegRole.TARGET:
        return "triggerprice_tg", ("target" if intent.trigger_type is TriggerType.OCO
                                   else "price")
    return "trigger price", "price"


def breeze_leg_type(side: Side, role: LegRole) -> str:
    """Breeze's `gtt_leg_type` of an OCO leg: OpenAlgo's lower leg is a SELL's stop-loss
    but a BUY's target."""
    lower = role is LegRole.STOPLOSS
    if side is Side.SELL:
        return "stoploss" if lower else "target"
    return "target" if lower else "stoploss"


def order_details(intent: GttIntent) -> list[dict[str, str]]:
    """The legs as Breeze's `order_details` (target before stop-loss, as the SDK's
    samples write them)."""
    action = str(intent.side).lower()
    if intent.trigger_type is TriggerType.SINGLE:
        leg = intent.legs[0]
        return [{"action": action, "limit_price": str(leg.limit_price),
                 "trigger_price": str(leg.trigger_price)}]
    legs = [{"gtt_leg_type": breeze_leg_type(intent.side, leg.role), "action": action,
             "limit_price": str(leg.limit_price), "trigger_price": str(leg.trigger_price)}
            for leg in intent.legs]
    return sorted(legs, key=lambda leg: leg["gtt_leg_type"] != "target")


def gtt_type(intent: GttIntent) -> str:
    return "single" if intent.trigger_type is TriggerType.SINGLE else "oco"


def place_gtt_fields(inst: TradableInstrument, intent: GttIntent, *, index: bool,
                     trade_date: dt.date) -> dict[str, Any]:
    """Keyword arguments for `BreezeClient.place_gtt`; `index`: the contract's underlying
    is an index (`index_or_stock`)."""
    return {
        "exchange_code": inst.breeze_exchange,
        "stock_code": inst.stock_code,
        "product": inst.product,
        "quantity": str(intent.quantity),
        "expiry_date": inst.expiry,
        "right": inst.right,
        "strike_price": inst.breeze_strike or "0",
        "gtt_type": gtt_type(intent),
        "index_or_stock": "index" if index else "stock",
        "trade_date": trade_date,
        "order_details": order_details(intent),
    }


def _leg_status(leg: BreezeGttLeg) -> GttStatus | None:
    return _LEG_STATES.get((leg.status or "").strip().lower())


def gtt_status(legs: tuple[BreezeGttLeg, ...]) -> GttStatus:
    """The GTT's state from its legs': triggered once any leg triggered (an OCO's other
    leg is then cancelled), active while any leg waits, else the first leg's."""
    states = [_leg_status(leg) for leg in legs]
    for wanted in (GttStatus.TRIGGERED, GttStatus.ACTIVE):
        if wanted in states:
            return wanted
    known = [s for s in states if s is not None]
    return known[0] if known else GttStatus.ACTIVE


def gtt_of(row: BreezeGttOrder, named: Callable[[BreezeGttOrder], tuple[str, str]]) -> Gtt:
    """A row of the GTT book as a domain `Gtt` (`named`: OpenAlgo's symbol and exchange
    of the row's contract, Breeze's names where the master does not know it)."""
    single = (row.gtt_type or "").strip().lower() == "single" or len(row.legs) == 1
    legs = sorted(row.legs, key=lambda leg: leg.trigger_price)
    roles = [LegRole.SINGLE] if single else [LegRole.STOPLOSS, LegRole.TARGET]
    symbol, exchange = named(row)
    side = Side.SELL if legs and legs[0].action.strip().lower() == "sell" else Side.BUY
    gtt_id = row.gtt_order_id or next((leg.gtt_order_id for leg in legs if leg.gtt_order_id),
                                      "")
    created = None
    if row.order_datetime:
        try:
            created = parse_response_datetime(row.order_datetime)
        except ValueError:
            created = None
    child = next((leg.order_id for leg in legs if leg.order_id), None) or \
        (row.fresh_order_id or "")
    product = openalgo_product(row.product_type)
    return Gtt(
        gtt_id=gtt_id, symbol=symbol, exchange=exchange,
        trigger_type=TriggerType.SINGLE if single else TriggerType.OCO,
        status=gtt_status(row.legs), side=side, quantity=row.quantity,
        product=Product(product),
        legs=tuple(GttLeg(role, leg.trigger_price, leg.limit_price, (leg.status or "").lower())
                   for role, leg in zip(roles, legs, strict=False)),
        created_at=created, updated_at=created, child_order_id=child)


def same_legs(gtt: Gtt, intent: GttIntent) -> bool:
    """The book's GTT carries exactly the intent's legs (a lost answer's look-up)."""
    mine = sorted((leg.trigger_price, leg.limit_price) for leg in intent.legs)
    theirs = sorted((leg.trigger_price, leg.limit_price) for leg in gtt.legs)
    return mine == theirs

__all__ = ["ACCEPTED", "GTT_EXCHANGES", "breeze_leg_type", "check_gtt", "gtt_of",
           "gtt_status", "gtt_type", "order_details", "place_gtt_fields", "same_legs"]
