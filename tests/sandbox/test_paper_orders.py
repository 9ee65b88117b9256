"""The order service's own path on the paper broker, through the `Broker` protocol
alone: journal first, never twice, the books, smart, basket and cancel-all orders — the
proof that `trading/` needs nothing of Breeze."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from algodesk.brokers.base import OutcomeUnknown
from algodesk.domain.instruments import InstrumentType
from algodesk.domain.market import Quote
from algodesk.domain.orders import OrderAck, PreparedOrder
from algodesk.sandbox.broker import PaperBroker
from algodesk.sandbox.store import PaperStore
from algodesk.storage import Database
from algodesk.trading.books import Books
from algodesk.trading.composite import CompositeOrders
from algodesk.trading.journal import JournalState, OrderJournal
from algodesk.trading.orders import OrderRequest, OrderService

D = Decimal
NOW = dt.datetime(2026, 11, 24, 4, 30, tzinfo=dt.UTC)  # 10:00 IST, a Tuesday


@dataclass(frozen=True)
class Inst:
    symbol: str
    exchange: str
    instrument_type: InstrumentType = InstrumentType.EQ
    lot_size: int = 1
    freeze_qty: int = 0
    is_index: bool = False


LISTED = frozenset({("SBIN", "NSE"), ("ITC", "NSE")})


class Index:
    def get(self, symbol: str, exchange: str) -> Inst | None:
        return Inst(symbol, exchange) if (symbol, exchange) in LISTED else None


class Watched(PaperBroker):
    """A paper broker that checks, as each order arrives, that its intent is already in
    the journal; `lose_next` makes it do the work and lose the answer once."""

    journal: OrderJournal
    lose_next = False
    arrived: list[str]

    async def place_order(self, order: PreparedOrder) -> OrderAck:
        pending = {e.tag: e.state for e in self.journal.unsettled()}
        assert pending.get(order.intent.tag) is JournalState.PENDING, pending
        self.arrived.append(order.intent.tag)
        ack = await super().place_order(order)
        if self.lose_next:
            self.lose_next = False
            raise OutcomeUnknown("the answer was lost")
        return ack


@dataclass
class Desk:
    paper: Watched
    journal: OrderJournal
    books: Books
    orders: OrderService
    composite: CompositeOrders


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    database = Database(f"sqlite:///{tmp_path / 'paper.db'}")
    database.migrate()
    # The paper venue's journal, as the wiring builds it: intents not synced, committed
    # with the writer's group commit of their turn of the event loop.
    journal = OrderJournal(database, clock=lambda: NOW).for_venue(
        "analyze", durable_intents=False)
    paper = Watched(PaperStore(database), capital=D("100000"), clock=lambda: NOW)
    paper.journal, paper.arrived = journal, []
    for symbol, last in (("SBIN", "800.00"), ("ITC", "400.00")):
        price = D(last)
        paper.set_quote(Quote(symbol, "NSE", price, bid=price - D("0.05"),
                              ask=price + D("0.05"), at=NOW))
    books = Books(paper, journal, clock=lambda: NOW)
    orders = OrderService(Index, paper, journal, books)
    return Desk(paper, journal, books, orders, CompositeOrders(orders, books))


def order(**fields: Any) -> OrderRequest:
    return OrderRequest(**{"symbol": "SBIN", "exchange": "NSE", "action": "BUY",
                           "quantity": 10, "product": "CNC", "strategy": "paper", **fields})


async def test_an_order_is_journaled_then_sent_once_and_shows_in_the_books(desk: Desk) -> None:
    placed = await desk.orders.place(order())
    await desk.orders.drain()
    entry = desk.journal.get(placed.journal_id)
    assert entry is not None and (entry.state, entry.broker_order_id) == (
        JournalState.ACCEPTED, placed.orderid)
    assert desk.paper.arrived == [entry.tag]
    [row] = (await desk.books.order_book())["orders"]
    assert row == {
        "action": "BUY", "symbol": "SBIN", "exchange": "NSE", "orderid": placed.orderid,
        "product": "CNC", "quantity": 10, "price": 0.0, "pricetype": "MARKET",
        "order_status": "complete", "trigger_price": 0.0,
        "timestamp": "24-Nov-2026 10:00:00", "average_price": 800.05,
        "filled_quantity": 10, "pending_quantity": 0, "broker_price": 0.0,
        "strategy": "paper",
        "note": "market buy at the best ask 800.05 (quote: no depth known)"}
    [trade] = await desk.books.trade_book()
    assert (trade["orderid"], trade["trade_value"], trade["strategy"]) == (
        placed.orderid, 8000.5, "paper")
    assert await desk.books.positions() == [{
        "symbol": "SBIN", "exchange": "NSE", "product": "CNC", "quantity": "10",
        "average_price": "800.05", "ltp": "800.00", "pnl": "-0.50",
        "unrealized_pnl": "-0.50"}]
    assert (await desk.books.funds())["availablecash"] == "91999.50"


async def test_a_lost_answer_is_found_by_its_tag_never_sent_again(desk: Desk) -> None:
    desk.paper.lose_next = True
    placed = await desk.orders.place(order())
    assert len(desk.paper.arrived) == 1
    entry = desk.journal.get(placed.journal_id)
    assert entry is not None and entry.message == "found by reconciliation"
    assert [o.order_id for o in await desk.paper.orders()] == [placed.orderid]


async def test_smart_basket_and_cancel_all(desk: Desk) -> None:
    await desk.orders.place(order())
    await desk.orders.drain()
    smart = await desk.composite.smart(order(action="SELL", quantity=1), position_size=4)
    assert (smart.action, smart.quantity, smart.current) == ("SELL", 6, 10)
    assert await desk.books.net_quantity("SBIN", "NSE", "CNC") == 4
    legs = [order(symbol="ITC", pricetype="LIMIT", price=D("390.00"), quantity=1),
            order(action="SELL", pricetype="LIMIT", price=D("900.00"), quantity=1),
            order(symbol="NOSUCH")]
    results = await desk.composite.basket(legs)
    assert [r["status"] for r in results] == ["success", "success", "error"]
    assert "Symbol 'NOSUCH' not found" in results[2]["message"]
    await desk.orders.drain()
    working = {r["orderid"] for r in (await desk.books.order_book())["orders"]
               if r["order_status"] == "open"}
    assert working == {r["orderid"] for r in results[:2]}
    outcome = await desk.composite.cancel_all(strategy="paper")
    assert set(outcome.cancelled) == working and not outcome.failed
    assert {r["order_status"] for r in await desk.books.orders()} == {"complete", "cancelled"}


async def test_labels_follow_the_paper_day_which_starts_at_three(tmp_path: Path) -> None:
    """A paper order of 23:00 IST is still the day's at 01:00 (the paper session turns at
    03:00): its row keeps its strategy from the journal."""
    database = Database(f"sqlite:///{tmp_path / 'night.db'}")
    database.migrate()
    at = [dt.datetime(2026, 11, 24, 17, 30, tzinfo=dt.UTC)]  # 23:00 IST

    def clock() -> dt.datetime:
        return at[0]

    journal = OrderJournal(database, clock=clock).for_venue("analyze", durable_intents=False)
    paper = PaperBroker(PaperStore(database), capital=D("100000"), clock=clock)
    paper.set_quote(Quote("SBIN", "NSE", D("800.00"), bid=D("799.95"), ask=D("800.05"),
                          at=clock()))
    books = Books(paper, journal, clock=clock, day_starts=dt.timedelta(hours=3))
    orders = OrderService(Index, paper, journal, books)
    placed = await orders.place(order(strategy="night"))
    await orders.drain()
    at[0] += dt.timedelta(hours=2)  # 01:00 IST: the same paper day
    [row] = (await books.order_book())["orders"]
    assert (row["orderid"], row["strategy"]) == (placed.orderid, "night")
    at[0] += dt.timedelta(hours=2, minutes=1)  # 03:01 IST: a new paper day
    assert (await books.order_book())["orders"] == []
