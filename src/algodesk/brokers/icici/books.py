"""ICICI's order and trade lists, positions, holdings and funds as domain types, read
inside the call budget.

Breeze lists orders and trades one exchange a call (six calls for the whole account);
positions, holdings and funds are one call each. So that a client polling the books
stays inside the day's budget, every list is kept in the adapter's `SharedReads`: an
exchange with orders today for `ACTIVE_TTL`, one without for `IDLE_TTL` (orders placed
outside algodesk show within that), holdings for `HOLDINGS_TTL`, and every list for at
least `CallBudget.polling_interval(lists polled)` — half of the day's remaining budget
spread until the close. An order action marks what it changes as stale (`stale_after`),
so the next read shows it.

While the broker's order notifications arrive (`follow`), the order and trade lists
are kept by them instead of by polling (`book_events.py`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable, Hashable
from decimal import Decimal
from typing import Any, Protocol

from ...domain.orders import (
    BrokerOrder,
    Funds,
    Holding,
    OrderStatus,
    Position,
    PriceType,
    Product,
    Side,
    Trade,
)
from .book_events import EVENT_TTL, BookEvents, OrderNotifications
from .budget import CallBudget, SharedReads
from .client import BreezeClient
from .formats import IST, parse_response_datetime
from .funds import equity_cash
from .mapping import filled_quantity, openalgo_price_type, openalgo_product, openalgo_status
from .schemas import BreezeOrder

BREEZE_EXCHANGES = ("NSE", "BSE", "NFO", "BFO", "NDX", "MCX")
BREEZE_EXCHANGE_OF = {"CDS": "NDX"}  # every other tradable OpenAlgo exchange keeps its code
ACTIVE_TTL = 2.0  # seconds between reads of an exchange with orders today
IDLE_TTL = 60.0  # the others, for orders placed outside algodesk
HOLDINGS_TTL = 10.0
ACTIVE_FOR = 3600.0  # an exchange that had orders this recently counts as active
BOOK_KINDS = ("orders", "trades", "positions", "funds", "holdings")
ZERO = Decimal(0)


class Read(Protocol):
    """`IciciBroker._read`: one budgeted read, shared under `key` (None: not cached),
    its failures as `brokers.base` failures."""

    def __call__(self, key: Hashable | None, ttl: float | Callable[[Any], float],
                 operation: Callable[[BreezeClient], Awaitable[Any]], what: str, *,
                 max_age: float | None = None) -> Awaitable[Any]: ...


def breeze_exchange(exchange: str) -> str:
    """Breeze's code for an OpenAlgo exchange (Breeze's own codes pass unchanged)."""
    return BREEZE_EXCHANGE_OF.get(exchange, exchange)


def is_book(key: object) -> bool:
    return isinstance(key, tuple) and bool(key) and key[0] in BOOK_KINDS


def stale_after(exchange: str) -> Callable[[Hashable], bool]:
    """Cached reads an order action on (Breeze) `exchange` changes: that exchange's
    orders and trades, positions, funds, holdings (not the other exchanges' lists)."""

    def stale(key: Hashable) -> bool:
        if not isinstance(key, tuple) or not key:
            return False
        if key[0] in ("orders", "trades"):
            return len(key) > 1 and key[1] == exchange
        return key[0] in ("positions", "funds", "holdings")

    return stale


def _side(text: str | None) -> Side:
    return Side.SELL if (text or "").strip().lower() == "sell" else Side.BUY


def _product(text: str | None) -> Product:
    return Product(openalgo_product(text))


def instant(text: str | None) -> dt.datetime | None:
    """Breeze's IST wall-clock text as a UTC instant (None when absent or unreadable)."""
    if not text:
        return None
    try:
        stamp = parse_response_datetime(text)
    except ValueError:
        return None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=IST)).astimezone(dt.UTC)


def _status(state: str) -> OrderStatus:
    try:
        return OrderStatus(state)
    except ValueError:
        # A Breeze state no mapping knows: still at the exchange as far as we can tell,
        # so shown (and cancellable) as open rather than failing the whole book.
        return OrderStatus.OPEN


class IciciBooks:
    """The account's lists, for `IciciBroker`: `named` gives a Breeze row's OpenAlgo
    (symbol, exchange), `today` the IST trading day."""

    def __init__(self, read: Read, named: Callable[[Any], tuple[str, str]],
                 contracts: Callable[[], Any], reads: SharedReads,
                 budget: CallBudget | None, today: Callable[[], dt.date]) -> None:
        self._read = read
        self._named = named
        self._contracts = contracts
        self.reads = reads
        self.budget = budget
        self.today = today
        self._seen: dict[str, float] = {}  # Breeze exchange -> last time it had orders
        self.events = BookEvents(self._order_changed, breeze_exchange)

    # -- order notifications ----------------------------------------------------------

    def follow(self, notifications: OrderNotifications) -> None:
        """Keep the order and trade lists by the broker's order notifications."""
        self.events.follow(notifications)

    def _order_changed(self, exchange: str) -> None:
        """An order changed on (Breeze) `exchange` ("": anywhere): what it touches is
        stale, and the exchange counts as active."""
        if exchange in BREEZE_EXCHANGES:
            self.reads.invalidate(stale_after(exchange))
            self.acted_on(exchange)
        else:
            self.reads.invalidate(is_book)

    # -- how often to read -------------------------------------------------------------

    def _ttl(self, base: float) -> float:
        if self.budget is None:
            return base
        polled = self.reads.busy_keys(predicate=is_book)
        return max(base, self.budget.polling_interval(polled))

    def acted_on(self, exchange: str) -> None:
        """An order action went to (Breeze) `exchange`: its lists are read as active."""
        self._seen[exchange] = time.monotonic()

    def _active(self, exchange: str) -> bool:
        return self._seen.get(exchange, float("-inf")) > time.monotonic() - ACTIVE_FOR

    async def _today_list(self, kind: str, exchange: str,
                          fetch: Callable[[BreezeClient, str, dt.date], Awaitable[Any]], *,
                          max_age: float | None = None) -> list[Any]:
        """Today's `kind` list (orders, trades) of one Breeze exchange, cached."""
        day = self.today()
        asked = time.monotonic()
        self.events.cover(asked)  # a break of the order stream shows here first

        def ttl(rows: Any) -> float:
            if self.events.cover(asked) and self.events.shown(kind, exchange, rows or [],
                                                              self._state):
                return self._ttl(EVENT_TTL)
            return self._ttl(ACTIVE_TTL if rows or self._active(exchange) else IDLE_TTL)

        rows: list[Any] = await self._read(
            (kind, exchange), ttl, lambda c: fetch(c, exchange, day),
            f"the {exchange} {kind[:-1]} list", max_age=max_age) or []
        if rows:
            self._seen[exchange] = time.monotonic()
        return rows

    async def _every_exchange(self, kind: str,
                              fetch: Callable[[BreezeClient, str, dt.date], Awaitable[Any]], *,
                              max_age: float | None = None) -> list[Any]:
        """Today's `kind` lists of every exchange, read at once; `max_age` applies to the
        exchanges with orders today (an idle one is served from its cached look)."""

        async def one(exchange: str) -> list[Any]:
            fresh = max_age if self._active(exchange) else None
            return await self._today_list(kind, exchange, fetch, max_age=fresh)

        batches = await asyncio.gather(*(one(e) for e in BREEZE_EXCHANGES))
        return [row for batch in batches for row in batch]

    # -- orders and trades -------------------------------------------------------------

    async def order_rows(self, since: dt.date | None = None, *, exchange: str | None = None,
                         max_age: float | None = None) -> list[BreezeOrder]:
        """Breeze's order rows: today's (cached) or from `since` on (read now)."""
        today = self.today()
        exchanges = (breeze_exchange(exchange),) if exchange else BREEZE_EXCHANGES
        if since is not None and since < today:
            # Days gone by: asked for by reconciliation only, never cached.
            batches = await asyncio.gather(*(
                self._read(None, 0.0, lambda c, e=e: c.get_order_list(e, since, today),
                           f"the {e} order list since {since}")
                for e in exchanges))
            return [row for batch in batches for row in batch or []]

        def fetch(c: BreezeClient, e: str, day: dt.date) -> Awaitable[Any]:
            return c.get_order_list(e, day, day)

        if exchange:
            return await self._today_list("orders", exchanges[0], fetch, max_age=max_age)
        return await self._every_exchange("orders", fetch, max_age=max_age)

    def order(self, row: BreezeOrder) -> BrokerOrder:
        symbol, exchange = self._named(row)
        state = openalgo_status(row.status, row.order_type)
        quantity = int(row.quantity or 0)
        filled = filled_quantity(state, quantity, int(row.pending_quantity or 0),
                                 int(row.cancelled_quantity or 0))
        price_type = PriceType(openalgo_price_type(row.order_type))
        return BrokerOrder(
            row.order_id, symbol, exchange, _side(row.action), quantity, filled, price_type,
            _product(row.product_type), row.price or ZERO, row.stoploss or ZERO,
            row.average_price or ZERO, _status(state), instant(row.order_datetime),
            row.user_remark or "", time_text=row.order_datetime or "")

    def _state(self, row: BreezeOrder) -> tuple[OrderStatus, int]:
        order = self.order(row)
        return order.status, order.filled_quantity

    async def orders(self, since: dt.date | None = None, *, exchange: str | None = None,
                     max_age: float | None = None) -> list[BrokerOrder]:
        rows = await self.order_rows(since, exchange=exchange, max_age=max_age)
        return [self.order(row) for row in rows]

    async def trades(self) -> list[Trade]:
        rows = await self._every_exchange(
            "trades", lambda c, exchange, day: c.get_trade_list(exchange, day, day))
        trades = []
        for row in rows:
            symbol, exchange = self._named(row)
            trades.append(Trade(row.order_id, symbol, exchange, _side(row.action),
                                int(row.quantity or 0), row.average_cost or ZERO,
                                _product(row.product_type), instant(row.trade_date),
                                time_text=row.trade_date or ""))
        return trades

    # -- the account -------------------------------------------------------------------

    async def positions(self, *, max_age: float | None = None) -> list[Position]:
        rows = await self._read(("positions",), self._ttl(ACTIVE_TTL),
                                lambda c: c.get_portfolio_positions(), "the positions",
                                max_age=max_age)
        positions = []
        for row in rows or []:
            symbol, exchange = self._named(row)
            size = int(row.quantity or 0)
            action = (row.action or "").lower()
            net = size if action == "buy" else -size if action == "sell" else 0
            average = (row.average_price or ZERO) if net else ZERO
            ltp = row.ltp or ZERO
            unrealised = (ltp - average) * net if net and ltp else ZERO
            # Breeze often leaves `pnl` empty; the open part is then all we know.
            positions.append(Position(symbol, exchange, _product(row.product_type), net,
                                      average, ltp,
                                      row.pnl if row.pnl is not None else unrealised))
        return positions

    async def holdings(self) -> list[Holding]:
        """The demat holdings ICICI reports under NSE (cash equity, delivered)."""
        rows = await self._read(("holdings",), self._ttl(HOLDINGS_TTL),
                                lambda c: c.get_portfolio_holdings("NSE"), "the holdings")
        holdings = []
        for row in rows or []:
            inst = self._contracts().by_breeze(row.stock_code, "NSE", "cash")
            quantity = int(row.quantity or 0)
            average = row.average_price or ZERO
            ltp = row.current_market_price or ZERO
            holdings.append(Holding(inst.symbol if inst else row.stock_code, "NSE", quantity,
                                    average, ltp, (ltp - average) * quantity))
        return holdings

    async def funds(self) -> Funds:
        """The equity allocation's free cash and what trades block there (`funds.py`)."""
        answer = await self._read(("funds",), self._ttl(ACTIVE_TTL), lambda c: c.get_funds(),
                                  "the funds")
        available, blocked = equity_cash(answer)
        return Funds(available, blocked)


__all__ = ["BREEZE_EXCHANGES", "IciciBooks", "breeze_exchange", "instant", "stale_after"]
