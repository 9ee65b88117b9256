"""The simulated exchange and trading account: orders, matching, fills, positions,
holdings and funds.

Matching is against the market's deterministic price path: a resting buy limit fills
in the seconds where the traded price is at or below its limit, at most the quantity
the market offers in that second, so large orders fill partially over time. A
stop-loss order waits until the price crosses its trigger and then rests as a limit.
Money moves with fills: cash and option premiums are paid and received, futures and
short options block margin, closing trades realise profit or loss.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import numpy as np

from .clock import IST, Clock
from .market import Instrument, Market
from .wire import BadRequest

OPEN_STATUSES = frozenset({"Requested", "Ordered", "Partially Executed"})
MARGIN_RATE = Decimal("0.12")  # futures and short options block 12% of notional
SEGMENT_OF_EXCHANGE = {
    "NSE": "equity",
    "BSE": "equity",
    "NFO": "fno",
    "BFO": "fno",
    "NDX": "currency",
    "MCX": "commodity",
}


@dataclass
class Fill:
    trade_id: str
    exchange_trade_id: str
    quantity: int
    price: Decimal
    time: float
    settlement_id: str


@dataclass
class Order:
    order_id: str
    inst: Instrument
    product: str  # cash, futures, options, btst, mtf
    action: str  # buy, sell
    order_type: str  # limit, stoploss
    quantity: int
    price: Decimal
    trigger: Decimal  # stop-loss trigger; 0 for limit orders
    validity: str  # day, ioc, vtc
    disclosed_quantity: int
    user_remark: str
    placed_at: float
    session_day: date
    status: str = "Ordered"
    triggered: bool = False
    cancelled_quantity: int = 0
    modification_number: int = 0
    checked_until: int = 0
    exchange_order_id: str = ""
    fills: list[Fill] = field(default_factory=list)
    validity_date: str = ""
    parent_order_id: str = ""

    @property
    def filled(self) -> int:
        return sum(f.quantity for f in self.fills)

    @property
    def remaining(self) -> int:
        return self.quantity - self.filled

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def average_price(self) -> Decimal:
        filled = self.filled
        if not filled:
            return Decimal(0)
        total = sum((f.price * f.quantity for f in self.fills), Decimal(0))
        return (total / filled).quantize(Decimal("0.01"))

    @property
    def segment(self) -> str:
        return SEGMENT_OF_EXCHANGE[self.inst.exchange_code]


@dataclass
class Position:
    inst: Instrument
    product: str
    net: int = 0  # signed quantity
    average: Decimal = Decimal(0)  # average price of the open quantity
    realized: Decimal = Decimal(0)
    bought: int = 0
    sold: int = 0
    last_order_id: str = ""

    def apply(self, side: int, quantity: int, price: Decimal) -> Decimal:
        """Book a fill; return the profit or loss it realises."""
        realized = Decimal(0)
        signed = side * quantity
        if self.net == 0 or (self.net > 0) == (signed > 0):
            total = self.average * abs(self.net) + price * quantity
            self.net += signed
            self.average = total / abs(self.net)
        else:
            closing = min(quantity, abs(self.net))
            direction = 1 if self.net > 0 else -1
            realized = (price - self.average) * closing * direction
            self.net += signed
            if self.net == 0:
                self.average = Decimal(0)
            elif (self.net > 0) != (direction > 0):
                self.average = price  # flipped: the rest opened at this price
        self.realized += realized
        if side > 0:
            self.bought += quantity
        else:
            self.sold += quantity
        return realized


@dataclass
class Holding:
    stock_code: str
    isin: str
    quantity: int
    average: Decimal


@dataclass
class Funds:
    bank_balance: Decimal
    allocated: dict[str, Decimal]

    @property
    def unallocated(self) -> Decimal:
        return self.bank_balance - sum(self.allocated.values(), Decimal(0))


Listener = Callable[[str, Any], None]


class Exchange:
    """One trading account on the simulated exchange."""

    def __init__(self, market: Market, clock: Clock, starting_cash: int) -> None:
        self.market = market
        self.clock = clock
        self.starting_cash = starting_cash
        self.listeners: list[Listener] = []  # the seam for order notifications
        # Called with the instant after each advance (the GTT book's price checks). A
        # watcher may place orders, which advance again: watchers never run nested.
        self.watchers: list[Callable[[float], None]] = []
        self._watching = False
        self.reset()

    def reset(self) -> None:
        cash = Decimal(self.starting_cash)
        quarter = (cash / 4).quantize(Decimal(1))
        self.funds = Funds(
            cash,
            {"equity": quarter, "fno": quarter, "commodity": Decimal(0), "currency": Decimal(0)},
        )
        self.orders: dict[str, Order] = {}
        self.open_orders: dict[str, Order] = {}  # the ones matching and margin care about
        self.positions: dict[tuple[str, str, str], Position] = {}
        self.holdings: dict[str, Holding] = {}
        self._sequence = itertools.count(1)
        self._trade_sequence = itertools.count(1)
        self._seed_holdings()

    def _seed_holdings(self) -> None:
        """A demat account that already owns a few shares, so sells and holdings show."""
        for code, quantity in (("ITC", 100), ("RELIND", 20), ("STABAN", 50), ("INFTEC", 10)):
            inst = self.market.find("NSE", code, "cash")
            if inst is None:
                continue
            bought_at = (self.market.ltp(inst, self.clock.now() - 86400 * 90) * Decimal("0.9"))
            average = bought_at.quantize(Decimal("0.01"))
            self.holdings[code] = Holding(code, inst.isin, quantity, average)

    # -- events ---------------------------------------------------------------------

    def _emit(self, kind: str, payload: Any) -> None:
        for listener in list(self.listeners):
            listener(kind, payload)

    # -- time -----------------------------------------------------------------------

    def session_day(self, t: float) -> date:
        return datetime.fromtimestamp(t, IST).date()

    def _new_order_id(self, inst: Instrument, prefix: str | None = None) -> str:
        today = self.session_day(self.clock.now()).strftime("%Y%m%d")
        sequence = next(self._sequence)
        if inst.product == "cash":
            letter = "N" if inst.exchange_code == "NSE" else "B"
            return f"{today}{letter}3{sequence:08d}"
        return f"{today}{prefix or '14'}{sequence:08d}"

    # -- validation helpers ---------------------------------------------------------

    @staticmethod
    def check_tick(inst: Instrument, price: Decimal, field_name: str) -> None:
        if price <= 0:
            raise BadRequest(f"{field_name} should be more than 0")
        if price % inst.tick != 0:
            raise BadRequest(f"{field_name} {price:f} is not a multiple of the tick size "
                             f"{inst.tick}")

    def _check_price(self, inst: Instrument, price: Decimal, field_name: str) -> None:
        self.check_tick(inst, price, field_name)
        quote = self.market.quote(inst, self.clock.now())
        if quote.upper_circuit and not quote.lower_circuit <= price <= quote.upper_circuit:
            raise BadRequest(
                f"{field_name} {price:f} is outside the day's price band "
                f"{quote.lower_circuit}-{quote.upper_circuit}"
            )

    def check_quantity(self, inst: Instrument, quantity: int) -> None:
        if quantity <= 0:
            raise BadRequest("Quantity should be more than 0")
        if inst.lot_size > 1 and quantity % inst.lot_size:
            raise BadRequest(f"Quantity should be a multiple of the lot size {inst.lot_size}")

    def _requirement(self, inst: Instrument, product: str, action: str,
                     quantity: int, price: Decimal) -> Decimal:
        """Money an order (or an open position of that size) blocks."""
        notional = price * quantity
        if inst.product == "cash":
            return notional if action == "buy" else Decimal(0)
        if inst.product == "options" and action == "buy":
            return notional
        if inst.product == "options":
            spot = self.market.ltp(self.market.underlying_of(inst), self.clock.now())
            return spot * quantity * MARGIN_RATE
        return notional * MARGIN_RATE

    def blocked(self, segment: str) -> Decimal:
        total = Decimal(0)
        for order in self.open_orders.values():
            if order.segment == segment:
                limit = order.price if order.price > 0 else order.trigger
                total += self._requirement(order.inst, order.product, order.action,
                                           order.remaining, limit)
        for position in self.positions.values():
            inst = position.inst
            if position.net == 0 or SEGMENT_OF_EXCHANGE[inst.exchange_code] != segment:
                continue
            if inst.product == "futures" or (inst.product == "options" and position.net < 0):
                total += self._requirement(inst, position.product, "sell", abs(position.net),
                                           position.average)
        return total.quantize(Decimal("0.01"))

    def free(self, segment: str) -> Decimal:
        return self.funds.allocated.get(segment, Decimal(0)) - self.blocked(segment)

    def _pending_sells(self, stock_code: str) -> int:
        return sum(
            o.remaining for o in self.open_orders.values()
            if o.action == "sell" and o.inst.product == "cash"
            and o.inst.stock_code == stock_code
        )

    # -- order actions --------------------------------------------------------------

    def place(self, inst: Instrument, *, product: str, action: str, order_type: str,
              quantity: int, price: Decimal, trigger: Decimal, validity: str,
              disclosed_quantity: int = 0, user_remark: str = "",
              validity_date: str = "", prefix: str | None = None,
              parent_order_id: str = "") -> Order:
        self.advance()
        now = self.clock.now()
        if inst.is_index and inst.product == "cash":
            raise BadRequest(f"{inst.stock_code} is an index and cannot be traded")
        if not self.market.is_open(now):
            raise BadRequest("Market is closed. Orders are accepted during market hours.")
        self.check_quantity(inst, quantity)
        if disclosed_quantity < 0 or disclosed_quantity > quantity:
            raise BadRequest("Disclosed quantity should be between 0 and the order quantity")
        self._check_price(inst, price, "Price")
        ltp = self.market.ltp(inst, now)
        if order_type == "stoploss":
            self._check_stoploss(inst, action, price, trigger, ltp)
        requirement = self._requirement(inst, product, action, quantity, price)
        segment = SEGMENT_OF_EXCHANGE[inst.exchange_code]
        if requirement > self.free(segment):
            raise BadRequest(
                f"Insufficient funds: the order needs {requirement:.2f} and "
                f"{max(self.free(segment), Decimal(0)):.2f} is free in the {segment} allocation"
            )
        if inst.product == "cash" and action == "sell":
            self._check_holdings(inst, quantity)
        order = Order(
            order_id=self._new_order_id(inst, prefix),
            inst=inst, product=product, action=action, order_type=order_type,
            quantity=quantity, price=price, trigger=trigger, validity=validity,
            disclosed_quantity=disclosed_quantity, user_remark=user_remark[:20],
            placed_at=now, session_day=self.session_day(now),
            checked_until=int(now), validity_date=validity_date,
            parent_order_id=parent_order_id,
        )
        order.exchange_order_id = f"{next(self._sequence):016d}"
        self.orders[order.order_id] = order
        self.open_orders[order.order_id] = order
        self._emit("order", order)  # acknowledged before it meets the book, as at ICICI
        self._match_now(order)
        if order.validity == "ioc" and order.is_open:
            self._close(order, "Cancelled")
        self._emit("order", order)
        return order

    def _check_stoploss(self, inst: Instrument, action: str, price: Decimal,
                        trigger: Decimal, ltp: Decimal) -> None:
        if trigger <= 0:
            raise BadRequest("Stoploss trigger price cannot be empty for a stoploss order")
        if trigger % inst.tick != 0:
            raise BadRequest(f"Stoploss {trigger} is not a multiple of the tick size {inst.tick}")
        if action == "buy":
            if trigger < ltp:
                raise BadRequest(
                    "Stop loss trigger price cannot be less than last traded price for Buy order"
                )
            if price < trigger:
                raise BadRequest("Limit price cannot be less than the trigger price for Buy order")
        else:
            if trigger > ltp:
                raise BadRequest(
                    "Stop loss trigger price cannot be more than last traded price for Sell order"
                )
            if price > trigger:
                raise BadRequest("Limit price cannot be more than the trigger price for Sell order")

    def _check_holdings(self, inst: Instrument, quantity: int) -> None:
        """Cash sells need shares in the demat account (today's buys are there already)."""
        owned = self.holdings.get(inst.stock_code)
        available = (owned.quantity if owned else 0) - self._pending_sells(inst.stock_code)
        if quantity > available:
            raise BadRequest(
                f"Insufficient holdings: {max(available, 0)} shares of {inst.stock_code} "
                "available to sell"
            )

    def modify(self, order: Order, changes: dict[str, Any]) -> Order:
        self.advance()
        if not order.is_open:
            raise BadRequest(f"Order cannot be modified as it is {order.status}")
        quantity = changes.get("quantity", order.quantity)
        price = changes.get("price", order.price)
        trigger = changes.get("stoploss", order.trigger)
        order_type = changes.get("order_type", order.order_type)
        if quantity <= order.filled:
            raise BadRequest(
                f"Quantity should be more than the executed quantity {order.filled}"
            )
        self.check_quantity(order.inst, quantity)
        self._check_price(order.inst, price, "Price")
        if order_type == "stoploss" and not order.triggered:
            ltp = self.market.ltp(order.inst, self.clock.now())
            self._check_stoploss(order.inst, order.action, price, trigger, ltp)
        order.quantity, order.price, order.trigger, order.order_type = (
            quantity, price, trigger, order_type)
        order.validity = changes.get("validity", order.validity)
        order.disclosed_quantity = changes.get("disclosed_quantity", order.disclosed_quantity)
        order.modification_number += 1
        self._match_now(order)
        if order.validity == "ioc" and order.is_open:
            self._close(order, "Cancelled")
        self._emit("order", order)
        return order

    def cancel(self, order: Order) -> Order:
        self.advance()
        if not order.is_open:
            raise BadRequest(f"Order cannot be cancelled as it is {order.status}")
        self._close(order, "Cancelled")
        self._emit("order", order)
        return order

    def _close(self, order: Order, outcome: str) -> None:
        order.cancelled_quantity = order.remaining
        order.status = f"Partially Executed And {outcome}" if order.filled else outcome
        self.open_orders.pop(order.order_id, None)

    # -- matching -------------------------------------------------------------------

    def _match_now(self, order: Order) -> None:
        """Fill what the book offers right now at or better than the limit."""
        if order.order_type == "stoploss" and not order.triggered:
            return
        quote = self.market.quote(order.inst, self.clock.now())
        now = self.clock.now()
        for level in quote.depth:
            if not order.remaining:
                break
            if order.action == "buy":
                level_price, level_qty = level.ask_price, level.ask_qty
                if level_price <= 0 or level_price > order.price:
                    break
            else:
                level_price, level_qty = level.bid_price, level.bid_qty
                if level_price <= 0 or level_price < order.price:
                    break
            self._fill(order, min(order.remaining, level_qty), level_price, now)

    def advance(self, now: float | None = None) -> None:
        """Bring every open order up to `now` against the price path."""
        now = self.clock.now() if now is None else now
        second = int(now)
        today = self.session_day(now)
        for order in list(self.open_orders.values()):
            if order.validity == "day" and order.session_day < today:
                self._close(order, "Expired")
                self._emit("order", order)
                continue
            start = order.checked_until + 1
            if start > second:
                continue
            self._walk(order, start, second)
            order.checked_until = second
        if self.watchers and not self._watching:
            self._watching = True
            try:
                for watch in self.watchers:
                    watch(now)
            finally:
                self._watching = False

    def _walk(self, order: Order, start: int, end: int) -> None:
        prices = self.market.path(order.inst, start, end)
        offset = 0
        if order.order_type == "stoploss" and not order.triggered:
            trigger = float(order.trigger)
            hits = np.nonzero(prices >= trigger if order.action == "buy" else prices <= trigger)[0]
            if not len(hits):
                return
            offset = int(hits[0])
            order.triggered = True
            self._emit("order", order)
        limit = float(order.price)
        window = prices[offset:]
        crossing = window <= limit if order.action == "buy" else window >= limit
        for index in np.nonzero(crossing)[0]:
            moment = start + offset + int(index)
            if not self.market.is_open(moment):
                continue
            available = self.market.liquidity(order.inst, moment)
            price = Decimal(str(window[index])).quantize(order.inst.tick, ROUND_HALF_EVEN)
            self._fill(order, min(order.remaining, available), price, float(moment))
            if not order.remaining:
                break

    def _fill(self, order: Order, quantity: int, price: Decimal, when: float) -> None:
        if quantity <= 0:
            return
        sequence = next(self._trade_sequence)
        day = datetime.fromtimestamp(when, IST)
        fill = Fill(
            trade_id=f"{day:%Y}/{sequence:04d}/{int(order.order_id[-8:]):08d}",
            exchange_trade_id=f"{sequence + 100_000_000}",
            quantity=quantity, price=price, time=when,
            settlement_id=f"{day:%Y}{day.timetuple().tm_yday:03d}",
        )
        order.fills.append(fill)
        order.status = "Executed" if not order.remaining else "Partially Executed"
        if not order.remaining:
            self.open_orders.pop(order.order_id, None)
        self._book(order, fill)
        self._emit("trade", (order, fill))
        self._emit("order", order)

    def _book(self, order: Order, fill: Fill) -> None:
        inst = order.inst
        side = 1 if order.action == "buy" else -1
        key = (inst.exchange_code, inst.token, order.product)
        position = self.positions.setdefault(key, Position(inst, order.product))
        realized = position.apply(side, fill.quantity, fill.price)
        position.last_order_id = order.order_id
        segment = order.segment
        if inst.product in ("cash", "options"):
            # Cash and premiums change hands on the fill.
            flow = -side * fill.price * fill.quantity
            self.funds.bank_balance += flow
            self.funds.allocated[segment] += flow
        else:
            self.funds.bank_balance += realized
            self.funds.allocated[segment] += realized
        if inst.product == "cash":
            self._settle_delivery(inst, side, fill)

    def _settle_delivery(self, inst: Instrument, side: int, fill: Fill) -> None:
        """Cash trades reach the demat account at once here (no T+1 in the simulator)."""
        holding = self.holdings.get(inst.stock_code)
        if side > 0:
            if holding is None:
                holding = Holding(inst.stock_code, inst.isin, 0, Decimal(0))
                self.holdings[inst.stock_code] = holding
            total = holding.average * holding.quantity + fill.price * fill.quantity
            holding.quantity += fill.quantity
            holding.average = (total / holding.quantity).quantize(Decimal("0.01"))
        elif holding is not None:
            holding.quantity -= fill.quantity
            if holding.quantity <= 0:
                del self.holdings[inst.stock_code]

    # -- funds ----------------------------------------------------------------------

    def allocate(self, transaction_type: str, amount: Decimal, segment: str) -> None:
        if transaction_type == "credit":
            if amount > self.funds.unallocated:
                raise BadRequest("Wallet Amount is not sufficient to allocate ")
            self.funds.allocated[segment] += amount
        else:
            if amount > self.free(segment):
                raise BadRequest("Amount is more than the free balance of the segment")
            self.funds.allocated[segment] -= amount

    # -- queries --------------------------------------------------------------------

    def orders_on(self, exchange_code: str, first: date, last: date) -> list[Order]:
        self.advance()
        return [
            o for o in self.orders.values()
            if o.inst.exchange_code == exchange_code and first <= o.session_day <= last
        ]

    def find_order(self, exchange_code: str, order_id: str) -> Order | None:
        self.advance()
        order = self.orders.get(order_id)
        if order is None or order.inst.exchange_code != exchange_code.upper():
            return None
        return order

    def open_positions(self) -> list[Position]:
        self.advance()
        return [p for p in self.positions.values() if p.bought or p.sold]
