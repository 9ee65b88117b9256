"""Good-till-triggered orders (reference §5.23): the GTT book and its triggers.

A GTT rests here, not at the exchange. After every advance of the exchange (at least
once a simulated second) each active leg is checked against the market's trade price
at every second since its last check — the price REST quotes and stream ticks show at
that second. The first second whose price reaches a leg's trigger fires it: the child
LIMIT order goes to the exchange at the leg's limit price (so it fills by the exchange's
rules and its notifications go out on the order stream), and for an OCO the other leg
is cancelled.

Which side of the trigger fires a leg:
- stoploss: a sell fires at a price at or below its trigger, a buy at or above;
- target: the opposite (a sell at or above, a buy at or below);
- single (no leg type on the wire): the side the trigger stood from the last traded
  price when placed or modified — a trigger above it fires at a price at or above it,
  a trigger at or below it fires at a price at or below it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np

from .clock import IST, Clock
from .exchange import Exchange, Order
from .market import Instrument, Market
from .wire import BadRequest

SINGLE, OCO, COVER_OCO = "single", "oco", "cover_oco"
GTT_TYPES = (SINGLE, OCO, COVER_OCO)
TARGET, STOPLOSS = "target", "stoploss"

# Leg statuses. ICICI's sample shows only "Cancelled"; the others are the simulator's.
PENDING = "Pending"  # a cover OCO leg whose fresh order has not filled yet
ACTIVE = "Active"  # watching the price
TRIGGERED = "Triggered"  # its child order was placed
CANCELLED = "Cancelled"  # by the trader, as an OCO's other leg, or a fresh order unfilled
REJECTED = "Rejected"  # triggered, but the exchange refused the child order
EXPIRED = "Expired"  # the contract expired first
WAITING = frozenset({PENDING, ACTIVE})


@dataclass
class Leg:
    leg_type: str | None  # target or stoploss; None for a single GTT
    action: str  # buy or sell
    trigger: Decimal
    limit: Decimal
    fires_above: bool = False  # fires at a price at or above the trigger (else at or below)
    status: str = ACTIVE
    child_order_id: str = ""
    triggered_at: float = 0.0
    reason: str = ""  # why the exchange refused the child order

    def crossed(self, prices: Any) -> Any:
        trigger = float(self.trigger)
        return prices >= trigger if self.fires_above else prices <= trigger


@dataclass
class Gtt:
    gtt_order_id: str
    gtt_type: str
    inst: Instrument
    product: str  # futures or options
    quantity: int
    legs: list[Leg]
    placed_at: float
    fresh_order_id: str = ""
    armed_quantity: int = 0  # the child orders' quantity (a cover OCO: what its fresh order filled)
    checked_until: int = 0  # the last second whose price was checked

    @property
    def waiting(self) -> bool:
        return any(leg.status in WAITING for leg in self.legs)

    @property
    def status(self) -> str:
        """One word for the whole GTT: waiting while a leg waits, else how it ended."""
        for state in (ACTIVE, PENDING, TRIGGERED, REJECTED, EXPIRED):
            if any(leg.status == state for leg in self.legs):
                return state
        return CANCELLED


def fires_above(leg: Leg, ltp: Decimal) -> bool:
    if leg.leg_type is None:
        return leg.trigger > ltp
    return (leg.leg_type == STOPLOSS) == (leg.action == "buy")


def check_triggers(legs: list[Leg]) -> None:
    """An OCO's stoploss and target must stand apart, so one price can never cross both."""
    by_type = {leg.leg_type: leg for leg in legs}
    stoploss, target = by_type.get(STOPLOSS), by_type.get(TARGET)
    if stoploss is None or target is None:
        return
    if stoploss.action == "sell" and stoploss.trigger >= target.trigger:
        raise BadRequest("Stoploss trigger price should be less than the target trigger "
                         "price for a Sell GTT")
    if stoploss.action == "buy" and stoploss.trigger <= target.trigger:
        raise BadRequest("Stoploss trigger price should be more than the target trigger "
                         "price for a Buy GTT")


class GttBook:
    """Every GTT of the simulated account, and the check that fires them."""

    def __init__(self, market: Market, exchange: Exchange, clock: Clock) -> None:
        self.market = market
        self.exchange = exchange
        self.clock = clock
        exchange.listeners.append(self._on_exchange_event)
        exchange.watchers.append(self.advance)
        # Not restarted by a reset: an id never names two GTTs in one simulator's life.
        self._sequence = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        self.gtts: dict[str, Gtt] = {}
        self._by_fresh_order: dict[str, Gtt] = {}

    def _new_id(self, now: float) -> str:
        return f"{datetime.fromtimestamp(now, IST):%Y%m%d}{next(self._sequence):08d}"

    # -- actions --------------------------------------------------------------------

    def place(self, *, gtt_type: str, inst: Instrument, product: str, quantity: int,
              legs: list[Leg], fresh_action: str = "", fresh_price: Decimal | None = None
              ) -> Gtt:
        self.exchange.advance()
        self.exchange.check_quantity(inst, quantity)
        self._check_prices(inst, legs)
        check_triggers(legs)
        now = self.clock.now()
        ltp = self.market.ltp(inst, now)
        for leg in legs:
            leg.fires_above = fires_above(leg, ltp)
        gtt = Gtt(self._new_id(now), gtt_type, inst, product, quantity, legs, placed_at=now,
                  armed_quantity=quantity, checked_until=int(now))
        if gtt_type != COVER_OCO:
            self.gtts[gtt.gtt_order_id] = gtt
            return gtt
        assert fresh_price is not None
        # The fresh order goes first; its legs are armed once it fills.
        fresh = self.exchange.place(inst, product=product, action=fresh_action,
                                    order_type="limit", quantity=quantity, price=fresh_price,
                                    trigger=Decimal(0), validity="day", prefix="25")
        gtt.fresh_order_id = fresh.order_id
        for leg in legs:
            leg.status = PENDING
        self.gtts[gtt.gtt_order_id] = gtt
        self._by_fresh_order[fresh.order_id] = gtt
        self._follow_fresh_order(gtt, fresh)  # it may have filled at once
        return gtt

    def _check_prices(self, inst: Instrument, legs: list[Leg]) -> None:
        for leg in legs:
            self.exchange.check_tick(inst, leg.trigger, "Trigger-Price")
            self.exchange.check_tick(inst, leg.limit, "Limit-Price")

    def find(self, exchange_code: str, gtt_order_id: str) -> Gtt | None:
        self.exchange.advance()
        gtt = self.gtts.get(gtt_order_id)
        if gtt is None or gtt.inst.exchange_code != exchange_code.upper():
            return None
        return gtt

    def modify(self, gtt: Gtt, changes: dict[str | None, tuple[Decimal, Decimal]]) -> Gtt:
        """New (trigger, limit) for the legs named by leg type (None: the single leg)."""
        self.exchange.advance()
        if not gtt.waiting:
            raise BadRequest(f"GTT order cannot be modified as it is {gtt.status}")
        by_type = {leg.leg_type: leg for leg in gtt.legs}
        for leg_type in changes:
            if leg_type not in by_type:
                raise BadRequest(f"GTT order {gtt.gtt_order_id} has no {leg_type} leg")
        proposed = [Leg(leg.leg_type, leg.action, *changes.get(leg.leg_type,
                                                              (leg.trigger, leg.limit)))
                    for leg in gtt.legs]
        self._check_prices(gtt.inst, proposed)
        check_triggers(proposed)
        ltp = self.market.ltp(gtt.inst, self.clock.now())
        for leg in gtt.legs:
            if leg.leg_type in changes:
                leg.trigger, leg.limit = changes[leg.leg_type]
                leg.fires_above = fires_above(leg, ltp)
        return gtt

    def cancel(self, gtt: Gtt) -> Gtt:
        """Cancels the legs still waiting, and a cover OCO's fresh order still open."""
        self.exchange.advance()
        if not gtt.waiting:
            raise BadRequest(f"GTT order cannot be cancelled as it is {gtt.status}")
        for leg in gtt.legs:
            if leg.status in WAITING:
                leg.status = CANCELLED
        fresh = self.exchange.orders.get(gtt.fresh_order_id)
        if fresh is not None and fresh.is_open:
            self.exchange.cancel(fresh)
        return gtt

    def on(self, exchange_code: str, first: date, last: date) -> list[Gtt]:
        """GTTs of one exchange placed on IST days first..last, newest first."""
        self.exchange.advance()
        found = [g for g in self.gtts.values() if g.inst.exchange_code == exchange_code
                 and first <= datetime.fromtimestamp(g.placed_at, IST).date() <= last]
        return list(reversed(found))

    # -- the price check ------------------------------------------------------------

    def advance(self, now: float) -> None:
        """Check every active leg at each second up to `now` (the exchange's watcher)."""
        second = int(now)
        if not self.market.is_open(now):
            return  # a child order cannot be placed now; the seconds are checked later
        today = datetime.fromtimestamp(now, IST).date()
        for gtt in list(self.gtts.values()):
            if not gtt.waiting:
                continue
            if gtt.inst.expiry is not None and today > gtt.inst.expiry:
                for leg in gtt.legs:
                    if leg.status in WAITING:
                        leg.status = EXPIRED
                continue
            armed = [leg for leg in gtt.legs if leg.status == ACTIVE]
            if not armed:
                continue
            if second < gtt.checked_until:
                gtt.checked_until = second  # the clock was moved back: check from here
                continue
            start = gtt.checked_until + 1
            if start > second:
                continue
            gtt.checked_until = second
            self._check(gtt, armed, start, second)

    def _check(self, gtt: Gtt, armed: list[Leg], start: int, end: int) -> None:
        prices = self.market.path(gtt.inst, start, end)
        first: tuple[int, Leg] | None = None
        for leg in armed:
            for index in np.nonzero(leg.crossed(prices))[0]:
                moment = start + int(index)
                if self.market.is_open(moment):
                    if first is None or moment < first[0]:
                        first = (moment, leg)
                    break
        if first is not None:
            self._fire(gtt, first[1], first[0])

    def _fire(self, gtt: Gtt, leg: Leg, moment: int) -> None:
        leg.triggered_at = float(moment)
        for other in gtt.legs:
            if other is not leg and other.status in WAITING:
                other.status = CANCELLED  # one cancels the other
        try:
            child = self.exchange.place(
                gtt.inst, product=gtt.product, action=leg.action, order_type="limit",
                quantity=gtt.armed_quantity, price=leg.limit, trigger=Decimal(0),
                validity="day", parent_order_id=gtt.gtt_order_id)
        except BadRequest as exc:
            leg.status, leg.reason = REJECTED, str(exc)
            return
        leg.status, leg.child_order_id = TRIGGERED, child.order_id

    # -- cover OCO: legs armed when the fresh order fills ---------------------------

    def _on_exchange_event(self, kind: str, payload: Any) -> None:
        if kind != "order":
            return
        gtt = self._by_fresh_order.get(payload.order_id)
        if gtt is not None:
            self._follow_fresh_order(gtt, payload)

    def _follow_fresh_order(self, gtt: Gtt, fresh: Order) -> None:
        pending = [leg for leg in gtt.legs if leg.status == PENDING]
        if not pending or fresh.is_open:
            return
        if not fresh.filled:
            for leg in pending:
                leg.status, leg.reason = CANCELLED, f"fresh order {fresh.status}"
            return
        # Filled, or closed after a part filled: protect what was bought or sold.
        gtt.armed_quantity = fresh.filled
        gtt.checked_until = int(fresh.fills[-1].time)
        for leg in pending:
            leg.status = ACTIVE

    # -- admin ----------------------------------------------------------------------

    def state(self) -> list[dict[str, Any]]:
        return [{
            "gtt_order_id": gtt.gtt_order_id,
            "gtt_type": gtt.gtt_type,
            "exchange_code": gtt.inst.exchange_code,
            "stock_code": gtt.inst.stock_code,
            "token": gtt.inst.token,
            "quantity": gtt.quantity,
            "status": gtt.status,
            "fresh_order_id": gtt.fresh_order_id or None,
            "checked_until": gtt.checked_until,
            "legs": [{
                "leg_type": leg.leg_type, "action": leg.action,
                "trigger_price": str(leg.trigger), "limit_price": str(leg.limit),
                "fires": "at or above" if leg.fires_above else "at or below",
                "status": leg.status, "child_order_id": leg.child_order_id or None,
                "triggered_at": leg.triggered_at or None,
                "reason": leg.reason or None,
            } for leg in gtt.legs],
        } for gtt in self.gtts.values()]

