"""`PaperBroker`: analyzer mode's broker, a second adapter of the `Broker` protocol.

Written against `brokers.base` and `domain` only (a contract forbids Breeze here). The
account lives in memory (`account.Account`) and every change is written to its own
tables (`store.PaperStore`) before the call returns. Market data is the live broker's:
`market` answers quotes, depth, history and option chains unchanged, and `feed` brings
the ticks and books the orders fill against (`prices.Prices`, rules in `fills`).

- An order arriving is priced against the current book and either fills at once or
  works. Working orders are checked on every tick and book update of their instrument
  (the feed's `on_tick`/`on_depth`), never on a timer.
- Everything that changes an order happens synchronously on the event loop, between
  two awaits: a check and the change it decides are one step, so an order fills at
  most once, and a cancel either finds it working (and cancels it) or finds it done.
- Margin per the contract's table (`margin.Leverages`), checked as the order arrives:
  "Insufficient funds. Required: ₹X, Available: ₹Y, Shortage: ₹Z".
- Order ids are `YYMMDD` (IST) and eight digits, as OpenAlgo's sandbox gives them.
- Each order's state changes go to `add_order_listener` callbacks as `OrderEvent`s
  (the shape the live feed gives), for the WebSocket's order updates: placed (open, or
  trigger pending), triggered, modified, filled, cancelled, expired. A refused order has
  no order id and no event (its refusal is the placement's answer).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Hashable, Sequence
from decimal import ROUND_FLOOR, Decimal, localcontext
from typing import Any, Protocol

from ..brokers.base import Broker, Feed, FeedListener, OrderRefused, SubscriptionRefused
from ..domain.instruments import InstrumentType
from ..domain.market import Candle, Depth, OptionChainRow, Quote
from ..domain.orders import (
    BrokerOrder,
    Funds,
    Holding,
    MarginLeg,
    MarginResult,
    OrderAck,
    OrderIntent,
    OrderStatus,
    Position,
    PreparedOrder,
    PriceType,
    Product,
    Side,
    Trade,
)
from ..domain.stream import DepthUpdate, OrderEvent, Tick
from ..domain.values import IST
from .account import SESSION_START, Account, session_day
from .fills import Book, Fill, rests_filled, take, triggered
from .margin import Leverages, insufficient_funds, margin
from .prices import Key, Prices
from .store import Change, PaperOrder, PaperStore, PaperTrade

log = logging.getLogger(__name__)

ZERO = Decimal(0)
CAPITAL = Decimal(10_000_000)  # ₹1,00,00,000, OpenAlgo's sandbox default
WORKING = (OrderStatus.OPEN, OrderStatus.TRIGGER_PENDING)
STOPS = (PriceType.SL, PriceType.SL_M)
LIMITED = (PriceType.LIMIT, PriceType.SL)


class Contracts(Protocol):
    """The live symbol index, as far as the paper broker looks an instrument up."""

    def get(self, symbol: str, exchange: str) -> Any: ...


class _Listed:
    """An instrument the broker was given no index for (unit tests): cash equity."""

    instrument_type = InstrumentType.EQ
    expiry = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PaperBroker:
    """One paper account."""

    def __init__(self, store: PaperStore, *, contracts: Callable[[], Contracts] | None = None,
                 market: Broker | None = None, feed: Feed | None = None,
                 capital: Decimal = CAPITAL, leverages: Leverages | None = None,
                 clock: Callable[[], dt.datetime] = _now, name: str = "sandbox",
                 prices: Prices | None = None,
                 squareoff_times: dict[str, dt.time] | None = None) -> None:
        self.name = name
        self.store = store
        self.contracts = contracts
        self.market = market
        self.feed = feed
        self.capital = capital
        self.leverages = leverages or Leverages()
        self.clock = clock
        self.prices = prices or Prices(feed, market)
        #: MIS square-off per exchange (IST): new MIS entries are refused after it.
        self.squareoff_times = squareoff_times or {}
        self._session = object()
        self._order_listeners: list[Callable[[OrderEvent], None]] = []
        self._orders: dict[str, PaperOrder] = {}  # this session day's, and working ones
        self._working: dict[Key, dict[str, PaperOrder]] = {}
        self._trades: list[PaperTrade] = []
        self._last_id: dict[str, int] = {}  # YYMMDD -> the last sequence used
        self._id_day: dt.date | None = None
        self._id_prefix = ""
        self._pending: list[Change] = []  # changes not yet stored (this turn of the loop)
        self._flushed: asyncio.Future[None] | None = None
        loaded = store.load(capital, session_day(clock()))
        self.account = loaded.account
        self._day = loaded.day or session_day(clock())
        for order in loaded.orders:
            self._keep(order)
        self._trades = loaded.trades
        for prefix, highest in loaded.last_order_id.items():
            self._last_id[prefix] = int(highest[6:])
        if loaded.day is None:
            self._write(Change(funds=True))
        self._today()

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Listen to the feed and watch what the account holds (after a restart too)."""
        if self.feed is not None:
            self.feed.add_listener(self)
        for key in self._needed_keys():
            self._watch(key)

    async def stop(self) -> None:
        if self.feed is not None:
            self.feed.remove_listener(self)
        self.prices.close()
        self._flush(now=True)
        self.store.close()

    def add_order_listener(self, listener: Callable[[OrderEvent], None]) -> None:
        """`listener(event)` on every change of a paper order's state (on the loop; it
        must not block)."""
        self._order_listeners.append(listener)

    def remove_order_listener(self, listener: Callable[[OrderEvent], None]) -> None:
        if listener in self._order_listeners:
            self._order_listeners.remove(listener)

    # The order-event side of `brokers.base.Feed`, so whatever follows a feed's order
    # events (the WebSocket's order updates) follows the paper broker's the same way.

    def add_listener(self, listener: FeedListener) -> None:
        """`listener.on_order(event)` on every change of a paper order."""
        self.add_order_listener(listener.on_order)

    def remove_listener(self, listener: FeedListener) -> None:
        self.remove_order_listener(listener.on_order)

    def watch_orders(self) -> None:
        """Paper order events are made in this process: nothing to join."""

    def unwatch_orders(self) -> None:
        pass

    # -- session ------------------------------------------------------------------------

    def connected(self) -> bool:
        return True

    def session(self) -> Hashable | None:
        return self._session

    # -- the day ------------------------------------------------------------------------

    def _today(self) -> dt.date:
        """The session day now; a new one rolls the account first (once)."""
        day = session_day(self.clock())
        if day != self._day:
            self._roll(day)
        return day

    def _roll(self, day: dt.date) -> None:
        """Yesterday's working orders expire, expired contracts settle at their last
        price, CNC longs settle into holdings, the day's P&L starts again."""
        change = Change(funds=True)
        now = self.clock()
        for order in [o for o in self._orders.values() if o.status in WORKING]:
            self._end(order, OrderStatus.CANCELLED, now, change,
                      message="expired at the end of its session day")
        for position in list(self.account.positions.values()):
            if position.quantity and self._expired(position.symbol, position.exchange, day):
                last = self.prices.book((position.symbol, position.exchange))
                price = last.last_price if last else position.average_price
                side = Side.SELL if position.quantity > 0 else Side.BUY
                applied = self.account.apply(position.symbol, position.exchange,
                                             position.product, side, abs(position.quantity),
                                             price, Decimal(1), self._day)
                change.positions.append(applied.position)
                log.info("paper: %s %s expired, settled at %s", position.symbol,
                         position.exchange, price)
        changed, removed, settled = self.account.roll(day)
        change.positions += changed
        change.removed_positions += removed
        change.holdings += settled
        self._orders = {k: o for k, o in self._orders.items() if o.day >= day}
        self._trades = [t for t in self._trades if t.day >= day]
        self._day = day
        self._write(change)

    def _expired(self, symbol: str, exchange: str, day: dt.date) -> bool:
        inst = self._instrument_or_none(symbol, exchange)
        expiry = getattr(inst, "expiry", None) if inst is not None else None
        return expiry is not None and expiry < day

    # -- instruments and prices ------------------------------------------------------------

    def _instrument_or_none(self, symbol: str, exchange: str) -> Any:
        if self.contracts is None:
            return _Listed()
        try:
            return self.contracts().get(symbol, exchange)
        except Exception:  # no master contract yet: the order path said so already
            return None

    def _kind(self, symbol: str, exchange: str) -> InstrumentType:
        inst = self._instrument_or_none(symbol, exchange)
        if inst is None:
            raise OrderRefused(f"Symbol '{symbol}' not found for exchange '{exchange}'. "
                               "Check the symbol and that the master contract is loaded.")
        return InstrumentType(inst.instrument_type)

    def _book(self, key: Key) -> Book:
        book = self.prices.book(key)
        if book is None or (book.last_price <= 0 and not book.asks and not book.bids):
            raise OrderRefused(f"No price for {key[0]} on {key[1]} yet", status=404)
        return book

    def set_quote(self, quote: Quote) -> None:
        """A price given by hand (tests, tools): the market until the next tick; working
        orders it reaches fill."""
        self.prices.set_quote(quote)
        self._match((quote.symbol, quote.exchange))

    # -- the feed's deliveries (FeedListener) ---------------------------------------------

    def on_tick(self, tick: Tick) -> None:
        if self.prices.on_tick(tick):
            self._match((tick.symbol, tick.exchange))

    def on_depth(self, update: DepthUpdate) -> None:
        if self.prices.on_depth(update):
            self._match((update.symbol, update.exchange))

    def on_order(self, event: OrderEvent) -> None:
        """The live broker's order events are not the paper account's."""

    # -- orders -------------------------------------------------------------------------

    async def prepare_order(self, intent: OrderIntent) -> PreparedOrder:
        """Check the prices the order type needs, and make sure the instrument's market
        is known (one quote read when the feed does not carry it yet)."""
        if intent.price_type in LIMITED and intent.price <= 0:
            raise OrderRefused(f"price must be greater than 0 for a {intent.price_type} order")
        if intent.price_type in STOPS and intent.trigger_price <= 0:
            raise OrderRefused(f"{intent.price_type} orders need trigger_price > 0")
        self._kind(intent.symbol, intent.exchange)
        self._check_ticks(intent)
        self._check_mis_window(intent)
        await self.prices.ensure(intent.symbol, intent.exchange)
        self._book((intent.symbol, intent.exchange))
        limit = intent.price if intent.price_type in LIMITED else ZERO
        return PreparedOrder(intent, limit, intent.trigger_price)

    async def place_order(self, order: PreparedOrder) -> OrderAck:
        # No await before the store write: the checks and the first fill are one step.
        intent = order.intent
        key = (intent.symbol, intent.exchange)
        day = self._today()
        now = self.clock()
        book = self._book(key)
        kind = self._kind(*key)
        self._check_delivery_sell(intent)
        paper = PaperOrder(
            "", day, intent.symbol, intent.exchange, intent.side,
            intent.quantity, intent.price_type, intent.product, order.limit_price,
            order.trigger_price,
            OrderStatus.TRIGGER_PENDING if intent.price_type in STOPS else OrderStatus.OPEN,
            now, now, intent.tag)
        if intent.price_type is PriceType.MARKET and take(intent.side, intent.quantity,
                                                          book) is None:
            raise OrderRefused(f"No price to fill a MARKET order of {intent.symbol} at")
        paper.margin = self._block(paper, kind, book)
        self._watch_for(paper)
        paper.order_id = self._next_id(now)  # accepted: no gaps for refused orders
        self.account.order_margin += paper.margin
        self._keep(paper)
        self._event(paper)  # placed (open or trigger pending), even when it fills at once
        change = Change(orders=[paper], funds=True)
        self._try(paper, book, change, arriving=True)
        self._release_if_idle(key)
        await self._written(change)  # the decision is made; the answer waits for the store
        return OrderAck(paper.order_id, order.note)

    def _check_ticks(self, intent: OrderIntent) -> None:
        """The trader's own price and trigger must be multiples of the instrument's tick,
        as the live broker requires: a paper order that live trading would refuse is no
        practice for it (never rounded: that would be a price nobody asked for)."""
        tick = getattr(self._instrument_or_none(intent.symbol, intent.exchange),
                       "tick_size", None)
        if not tick or tick <= 0:
            return
        asked = []
        if intent.price_type in LIMITED:
            asked.append(("price", intent.price))
        if intent.price_type in STOPS:
            asked.append(("trigger_price", intent.trigger_price))
        for name, price in asked:
            with localcontext() as exact:  # exact: a price has at most 32 characters
                exact.prec = 80
                if price % tick == 0:
                    continue
                below = ((price / tick).to_integral_value(ROUND_FLOOR) * tick).quantize(tick)
            raise OrderRefused(f"{name} {price} is not a multiple of the tick size {tick} "
                               f"of {intent.symbol}: send {below} or "
                               f"{(below + tick).quantize(tick)}")

    def _check_mis_window(self, intent: OrderIntent) -> None:
        """After an exchange's MIS square-off time (until the next session day) a new
        MIS entry is refused; orders that close MIS positions still go."""
        at = self.squareoff_times.get(intent.exchange)
        if intent.product is not Product.MIS or at is None:
            return
        if not self.account.opening_quantity(intent.symbol, intent.exchange, Product.MIS,
                                             intent.side, intent.quantity):
            return
        now = self.clock().astimezone(IST)
        day_start = dt.datetime.combine(session_day(now), dt.time(), IST) + SESSION_START
        cutoff = dt.datetime.combine(day_start.date(), at, IST)
        if cutoff < day_start:  # a time before 03:00 belongs to the next calendar day
            cutoff += dt.timedelta(days=1)
        if now >= cutoff:
            raise OrderRefused(
                f"MIS orders on {intent.exchange} are closed for the day: MIS positions are "
                f"squared off at {at.strftime('%H:%M')} IST. Use NRML or CNC, or MIS again "
                "from the next session day")

    def _check_delivery_sell(self, intent: OrderIntent) -> None:
        """A CNC sell needs the shares: the day's CNC long plus holdings, less what
        working CNC sells already promise."""
        if intent.product is not Product.CNC or intent.side is not Side.SELL:
            return
        owned = (max(self.account.net(intent.symbol, intent.exchange, Product.CNC), 0)
                 + self.account.holding(intent.symbol, intent.exchange))
        promised = sum(o.quantity for o in self._working.get(
            (intent.symbol, intent.exchange), {}).values()
            if o.product is Product.CNC and o.side is Side.SELL)
        if intent.quantity > owned - promised:
            raise OrderRefused(
                f"Cannot sell {intent.quantity} {intent.symbol} for delivery (CNC): "
                f"{max(owned - promised, 0)} held (the day's CNC buys and holdings, less "
                "working CNC sells). Use MIS to sell short intraday")

    def _margin_price(self, order: PaperOrder, book: Book) -> Decimal:
        if order.price_type in LIMITED:
            return order.price
        if order.price_type is PriceType.SL_M:
            return order.trigger_price
        fill = take(order.side, order.quantity, book)
        return fill.price if fill else book.last_price

    def _block(self, order: PaperOrder, kind: InstrumentType, book: Book,
               released: Decimal = ZERO) -> Decimal:
        """The margin `order` blocks (what opens a position), refused when short;
        `released`: what the order blocked before (a modification)."""
        opening = self.account.opening_quantity(order.symbol, order.exchange, order.product,
                                                order.side, order.quantity)
        need = margin(opening, self._margin_price(order, book),
                      self.leverages.of(kind, order.product, order.side))
        available = self.account.available + released
        if need > available:
            raise OrderRefused(insufficient_funds(need, available))
        return need

    def _next_id(self, now: dt.datetime) -> str:
        day = now.astimezone(IST).date()
        if day != self._id_day:
            self._id_day, self._id_prefix = day, day.strftime("%y%m%d")
        prefix = self._id_prefix
        sequence = self._last_id.get(prefix, 0) + 1
        self._last_id[prefix] = sequence
        return f"{prefix}{sequence:08d}"

    def _keep(self, order: PaperOrder) -> None:
        self._orders[order.order_id] = order
        if order.status in WORKING:
            self._working.setdefault((order.symbol, order.exchange), {})[order.order_id] = order

    def _try(self, order: PaperOrder, book: Book, change: Change, *, arriving: bool) -> None:
        """Fill `order` against `book` if its rule says so (at most once: a filled order
        is no longer working)."""
        if order.status not in WORKING:
            return
        prefix = ""
        if order.status is OrderStatus.TRIGGER_PENDING:
            if not triggered(order.side, order.trigger_price, book):
                return
            order.status = OrderStatus.OPEN
            order.updated_at = self.clock()
            if order not in change.orders:
                change.orders.append(order)
            self._event(order)
            prefix = f"stop triggered at the last price {book.last_price}; "
            arriving = True  # a triggered stop enters the book now
        fill: Fill | None
        if order.price_type in (PriceType.MARKET, PriceType.SL_M):
            fill = take(order.side, order.quantity, book)
        elif arriving:
            fill = take(order.side, order.quantity, book, limit=order.price)
        else:
            fill = rests_filled(order.side, order.price, book)
        if fill is not None:
            self._fill(order, Fill(fill.price, prefix + fill.rule), change)

    def _fill(self, order: PaperOrder, fill: Fill, change: Change) -> None:
        now = self.clock()
        day = self._day
        kind = self._kind(order.symbol, order.exchange)
        leverage = self.leverages.of(kind, order.product, order.side)
        applied = self.account.apply(order.symbol, order.exchange, order.product, order.side,
                                     order.quantity, fill.price, leverage, day)
        self._end(order, OrderStatus.COMPLETE, now, change, note=fill.rule)
        order.filled_quantity, order.average_price = order.quantity, fill.price
        trade = PaperTrade(order.order_id, day, order.symbol, order.exchange, order.side,
                           order.quantity, fill.price, order.product, now, fill.rule)
        self._trades.append(trade)
        change.trades.append(trade)
        change.positions.append(applied.position)
        if applied.holding is not None:
            change.holdings.append(applied.holding)
        change.funds = True
        self._event(order)

    def _end(self, order: PaperOrder, status: OrderStatus, now: dt.datetime, change: Change,
             *, message: str = "", note: str = "") -> None:
        """The order stops working: its margin is released."""
        self.account.order_margin -= order.margin
        order.margin = ZERO
        order.status, order.updated_at = status, now
        if message:
            order.message = message
        if note:
            order.note = note
        working = self._working.get((order.symbol, order.exchange))
        if working is not None:
            working.pop(order.order_id, None)
            if not working:
                del self._working[(order.symbol, order.exchange)]
        if order not in change.orders:
            change.orders.append(order)
        change.funds = True
        if status is not OrderStatus.COMPLETE:
            self._event(order)

    def _match(self, key: Key) -> None:
        """A new book for `key`: every working order of it, in the order they came."""
        working = self._working.get(key)
        if not working:
            return
        self._today()
        book = self.prices.book(key)
        if book is None:
            return
        change = Change()
        for order in sorted(working.values(), key=lambda o: o.order_id):
            try:
                self._try(order, book, change, arriving=False)
            except Exception:
                log.exception("paper order %s could not be matched", order.order_id)
        if change:
            self._write(change)
            self._release_if_idle(key)

    def _working_order(self, order_id: str, action: str) -> PaperOrder:
        order = self._orders.get(order_id)
        if order is None:
            raise OrderRefused(f"Order {order_id} not found", status=404)
        if order.status not in WORKING:
            raise OrderRefused(f"Cannot {action} order in {order.status} status")
        return order

    async def modify_order(self, order_id: str, change: PreparedOrder) -> OrderAck:
        order = self._working_order(order_id, "modify")
        intent = change.intent
        key = (order.symbol, order.exchange)
        book = self._book(key)
        kind = self._kind(*key)
        before = (order.quantity, order.price, order.trigger_price, order.price_type,
                  order.status)
        order.quantity, order.price = intent.quantity, change.limit_price
        order.trigger_price, order.price_type = change.trigger_price, intent.price_type
        try:
            need = self._block(order, kind, book, released=order.margin)
        except OrderRefused:
            (order.quantity, order.price, order.trigger_price, order.price_type,
             order.status) = before
            raise
        self.account.order_margin += need - order.margin
        order.margin = need
        # A stop waits for its trigger unless it had already triggered.
        triggered_stop = before[3] in STOPS and before[4] is OrderStatus.OPEN
        order.status = (OrderStatus.TRIGGER_PENDING
                        if intent.price_type in STOPS and not triggered_stop
                        else OrderStatus.OPEN)
        order.updated_at = self.clock()
        self._event(order)
        changed = Change(orders=[order], funds=True)
        self._try(order, book, changed, arriving=True)
        self._release_if_idle(key)
        await self._written(changed)
        return OrderAck(order_id, change.note)

    async def cancel_order(self, order_id: str, exchange: str) -> OrderAck:
        order = self._working_order(order_id, "cancel")
        change = Change()
        self._end(order, OrderStatus.CANCELLED, self.clock(), change)
        self._release_if_idle((order.symbol, order.exchange))
        await self._written(change)
        return OrderAck(order_id)

    # -- watching the market ----------------------------------------------------------------

    def _needed(self, key: Key) -> bool:
        """Whether the account needs the instrument's prices: a working order, an open
        position or a holding in it."""
        if self._working.get(key):
            return True
        symbol, exchange = key
        if any(p.quantity for (s, e, _), p in self.account.positions.items()
               if (s, e) == key):
            return True
        return (symbol, exchange) in self.account.holdings

    def _needed_keys(self) -> set[Key]:
        keys = set(self._working)
        keys.update((p.symbol, p.exchange) for p in self.account.positions.values()
                    if p.quantity)
        keys.update(self.account.holdings)
        return keys

    def _watch(self, key: Key) -> bool:
        try:
            self.prices.watch(key)
            return True
        except SubscriptionRefused as exc:
            log.warning("paper broker: the feed refused %s %s: %s", *key, exc)
            return False

    def _watch_for(self, order: PaperOrder) -> None:
        """Watch the order's instrument; an order that may rest is refused when the feed
        cannot carry it (nothing would ever check it)."""
        key = (order.symbol, order.exchange)
        if self._watch(key) or order.price_type is PriceType.MARKET:
            return
        raise OrderRefused(f"{order.symbol} cannot be followed on the live feed now (it "
                           "carries at most 2,000 instruments and levels), so a working "
                           "paper order on it would never be checked; use a MARKET order or "
                           "unsubscribe some instruments")

    def _release_if_idle(self, key: Key) -> None:
        if not self._needed(key):
            self.prices.release(key, lambda: self._needed(key))

    # -- events and the store ---------------------------------------------------------------

    def _event(self, order: PaperOrder) -> None:
        if not self._order_listeners:
            return
        event = OrderEvent(order.order_id, order.status, order.filled_quantity,
                           order.average_price, order.updated_at, side=order.side,
                           price_type=order.price_type, product=order.product, tag=order.tag,
                           message=order.message, symbol=order.symbol,
                           exchange=order.exchange, quantity=order.quantity,
                           price=order.price, trigger_price=order.trigger_price,
                           note=order.note)
        for listener in list(self._order_listeners):
            try:
                listener(event)
            except Exception:
                log.exception("a paper order listener failed on %s", order.order_id)

    def _write(self, change: Change) -> asyncio.Future[None] | None:
        """Queue a change for the store: the changes of one turn of the event loop are
        written together, in one transaction (group commit). Returns the future of that
        write, which an action awaits before it answers (None: written at once, outside
        a running loop)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.store.write(change, self.account, self._day)
            return None
        self._pending.append(change)
        if self._flushed is None:
            self._flushed = loop.create_future()
            # A failure nobody awaits (a fill on a tick) is logged, not left unretrieved.
            self._flushed.add_done_callback(lambda f: f.cancelled() or f.exception())
            loop.call_soon(self._flush)  # after the journal intents queued before it
        return self._flushed

    async def _written(self, change: Change) -> None:
        written = self._write(change)
        if written is not None:
            await asyncio.shield(written)

    def _flush(self, *, now: bool = False) -> None:
        """Hand every change queued since the last flush to the store, merged (each
        order, position and funds row once); `done` resolves when the store has
        committed them (`now`: committed before this returns)."""
        batch, self._pending = self._pending, []
        done, self._flushed = self._flushed, None
        try:
            committed = (self.store.write(Change.merged(batch), self.account, self._day)
                         if batch else None)
            if now and self.store.database.writer is not None:
                self.store.database.writer.flush()
                committed = None
        except Exception as exc:
            log.exception("paper account: %d changes could not be stored", len(batch))
            if done is not None:
                done.set_exception(exc)
            return
        if done is None:
            return
        if committed is None:
            done.set_result(None)
            return

        def settle(result: asyncio.Future[None]) -> None:
            if result.cancelled() or result.exception() is not None:
                log.error("paper account: %d changes could not be stored", len(batch))
                done.set_exception(result.exception() or RuntimeError("not stored"))
            else:
                done.set_result(None)

        committed.add_done_callback(settle)

    # -- the books ------------------------------------------------------------------------

    @staticmethod
    def _domain(order: PaperOrder) -> BrokerOrder:
        return BrokerOrder(order.order_id, order.symbol, order.exchange, order.side,
                           order.quantity, order.filled_quantity, order.price_type,
                           order.product, order.price, order.trigger_price,
                           order.average_price, order.status, order.placed_at, order.tag,
                           order.message, note=order.note)

    async def orders(self, since: dt.date | None = None, *, exchange: str | None = None,
                     max_age: float | None = None) -> list[BrokerOrder]:
        """This session day's orders (everything is in memory: always fresh); `since`
        an earlier day reads the older ones from the store."""
        day = self._today()
        found = list(self._orders.values())
        if since is not None and since < day:
            self._flush(now=True)  # the store first has what is queued
            kept = set(self._orders)
            found = [o for o in self.store.orders_since(since) if o.order_id not in kept] \
                + found
        return [self._domain(o) for o in found if exchange is None or o.exchange == exchange]

    async def order(self, order_id: str, exchange: str) -> BrokerOrder | None:
        found = self._orders.get(order_id)
        return self._domain(found) if found else None

    async def trades(self) -> list[Trade]:
        self._today()
        return [Trade(t.order_id, t.symbol, t.exchange, t.side, t.quantity, t.price,
                      t.product, t.traded_at) for t in self._trades]

    def _last(self, key: Key, fallback: Decimal) -> Decimal:
        book = self.prices.book(key)
        return book.last_price if book is not None and book.last_price > 0 else fallback

    async def positions(self, *, max_age: float | None = None) -> list[Position]:
        self._today()
        result = []
        for position in self.account.positions.values():
            last = self._last((position.symbol, position.exchange), position.average_price)
            open_pnl = (last - position.average_price) * position.quantity
            result.append(Position(position.symbol, position.exchange, position.product,
                                   position.quantity, position.average_price, last,
                                   position.realised + open_pnl))
        return result

    async def holdings(self) -> list[Holding]:
        self._today()
        return [Holding(h.symbol, h.exchange, h.quantity, h.average_price,
                        last := self._last((h.symbol, h.exchange), h.average_price),
                        (last - h.average_price) * h.quantity)
                for h in self.account.holdings.values()]

    async def funds(self) -> Funds:
        self._today()
        positions = await self.positions()
        realised = sum((p.realised for p in self.account.positions.values()), ZERO)
        total = sum((p.pnl for p in positions), ZERO)
        return Funds(self.account.available, self.account.used_margin,
                     realised_pnl=realised, unrealised_pnl=total - realised)

    async def margin(self, orders: Sequence[OrderIntent]) -> MarginResult:
        legs = []
        for intent in orders:
            kind = self._kind(intent.symbol, intent.exchange)
            book = await self.prices.ensure(intent.symbol, intent.exchange)
            price = intent.price if intent.price_type in LIMITED else (
                intent.trigger_price if intent.price_type is PriceType.SL_M
                else (book.last_price if book else ZERO))
            legs.append(MarginLeg(intent, margin(
                intent.quantity, price, self.leverages.of(kind, intent.product, intent.side))))
        return MarginResult(sum((leg.required for leg in legs), ZERO), legs=tuple(legs))

    # -- the account ------------------------------------------------------------------------

    def reset(self) -> None:
        """A fresh account of the configured capital: every order, trade, position and
        holding of the paper account is gone (the journal keeps its record)."""
        self.prices.close()
        self._flush(now=True)  # what was queued goes first, then all of it is gone
        self._orders.clear()
        self._working.clear()
        self._trades.clear()
        self.account = Account(self.capital)
        self._day = session_day(self.clock())
        self.store.reset(self.account, self._day, self.clock().isoformat())
        log.info("paper account reset to %s", self.capital)

    # -- market data: the live broker's ------------------------------------------------------

    @property
    def history_page_size(self) -> int:
        return self.market.history_page_size if self.market is not None else 1_000_000

    async def quote(self, symbol: str, exchange: str) -> Quote:
        if self.market is not None:
            return await self.market.quote(symbol, exchange)
        book = self._book((symbol, exchange))
        return Quote(symbol, exchange, book.last_price,
                     bid=book.bids[0].price if book.bids else None,
                     ask=book.asks[0].price if book.asks else None, at=book.at)

    async def quotes(self, instruments: Sequence[tuple[str, str]]) -> list[Quote]:
        if self.market is not None:
            return await self.market.quotes(instruments)
        return [await self.quote(s, e) for s, e in instruments]

    async def depth(self, symbol: str, exchange: str) -> Depth:
        if self.market is not None:
            return await self.market.depth(symbol, exchange)
        book = self._book((symbol, exchange))
        return Depth(symbol, exchange, book.bids, book.asks, book.last_price, book.at)

    async def history(self, symbol: str, exchange: str, interval: str,
                      start: dt.datetime, end: dt.datetime) -> list[Candle]:
        if self.market is not None:
            return await self.market.history(symbol, exchange, interval, start, end)
        return []

    async def option_chain(self, underlying: str, exchange: str, expiry: dt.date, *,
                           strike: Decimal | None = None) -> list[OptionChainRow]:
        if self.market is not None:
            return await self.market.option_chain(underlying, exchange, expiry,
                                                  strike=strike)
        return []

    def option_chain_exchanges(self) -> tuple[str, ...]:
        return self.market.option_chain_exchanges() if self.market is not None else ()

    def reads_left(self) -> int | None:
        return self.market.reads_left() if self.market is not None else None


__all__ = ["CAPITAL", "PaperBroker"]
