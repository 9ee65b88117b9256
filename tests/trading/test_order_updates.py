"""The order-update hub on the paper broker: each event becomes the order book's row
(the journal's strategy, product and price type); an event that overtakes the answer to
its own placement waits for it, without reordering anything; a source is asked for
events only while someone listens."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from algodesk.brokers.base import FeedListener
from algodesk.domain.market import Quote
from algodesk.domain.orders import BrokerOrder, OrderAck, PreparedOrder
from algodesk.domain.stream import OrderEvent
from algodesk.sandbox.broker import PaperBroker
from algodesk.sandbox.store import PaperStore
from algodesk.storage import Database
from algodesk.trading.books import Books
from algodesk.trading.journal import OrderJournal
from algodesk.trading.order_updates import ANALYZE, LIVE, OrderUpdate, OrderUpdates
from algodesk.trading.orders import OrderRequest, OrderService
from tests.sandbox.test_paper_orders import NOW, Index

D = Decimal


def event_of(order: BrokerOrder) -> OrderEvent:
    return OrderEvent(order.order_id, order.status, order.filled_quantity,
                      order.average_price, NOW, order.side, order.price_type, order.product,
                      symbol=order.symbol, exchange=order.exchange, quantity=order.quantity,
                      price=order.price, trigger_price=order.trigger_price, note=order.note)


def foreign_like(order: BrokerOrder) -> BrokerOrder:
    """An order of the account placed elsewhere (ICICI's own app): unknown to the journal."""
    return replace(order, order_id="X1", tag="")


class Notifying(PaperBroker):
    """A paper broker that is also an order-event source, and (like ICICI, whose fill
    notification often overtakes its REST answer) tells of an order before it answers
    the placement. `answer`: when set, the placement waits for it."""

    def __init__(self, database: Database) -> None:
        super().__init__(PaperStore(database), capital=D("100000"), clock=lambda: NOW)
        self.listeners: list[FeedListener] = []
        self.watchers = 0
        self.answer: asyncio.Event | None = None

    def add_listener(self, listener: FeedListener) -> None:
        self.listeners.append(listener)

    def watch_orders(self) -> None:
        self.watchers += 1

    def unwatch_orders(self) -> None:
        self.watchers -= 1

    def tell(self, order: BrokerOrder) -> None:
        for listener in self.listeners:
            listener.on_order(event_of(order))

    async def place_order(self, order: PreparedOrder) -> OrderAck:
        ack = await super().place_order(order)
        placed = await self.order(ack.order_id, order.intent.exchange)
        assert placed is not None
        self.tell(placed)
        if self.answer is not None:
            await self.answer.wait()
        await asyncio.sleep(0.02)  # the answer travels back after the notification
        return ack


class Received:
    def __init__(self) -> None:
        self.updates: list[OrderUpdate] = []
        self.arrived = asyncio.Event()

    def on_order_update(self, update: OrderUpdate) -> None:
        self.updates.append(update)
        self.arrived.set()

    def rows(self) -> list[dict[str, Any]]:
        return [dict(u.order) for u in self.updates]


@dataclass
class Desk:
    paper: Notifying
    books: Books
    orders: OrderService
    hub: OrderUpdates


@pytest.fixture
async def desk(tmp_path: Path) -> Desk:
    database = Database(f"sqlite:///{tmp_path / 'updates.db'}")
    database.migrate()
    journal = OrderJournal(database, clock=lambda: NOW)
    paper = Notifying(database)
    paper.set_quote(Quote("SBIN", "NSE", D("800.00"), bid=D("799.95"), ask=D("800.05"),
                          at=NOW))
    books = Books(paper, journal, clock=lambda: NOW)
    orders = OrderService(Index, paper, journal, books)
    hub = OrderUpdates(books, acting=lambda: bool(orders.reconciler.in_flight))
    hub.follow(paper)
    return Desk(paper, books, orders, hub)


def market_buy(**fields: Any) -> OrderRequest:
    return OrderRequest(**{"symbol": "SBIN", "exchange": "NSE", "action": "BUY",
                           "quantity": 10, "product": "MIS", "strategy": "momentum",
                           **fields})


async def test_an_update_is_the_order_book_row_labelled_from_the_journal(desk: Desk) -> None:
    received = Received()
    desk.hub.add_listener(received)
    placed = await desk.orders.place(market_buy())
    await asyncio.wait_for(received.arrived.wait(), 5)
    [update] = received.updates
    assert update.mode == LIVE and update.reason == ""
    [row] = (await desk.books.order_book())["orders"]
    # The notification overtook the answer, yet it carries what the journal knows: the
    # strategy, and the client's MIS and MARKET (the paper broker holds the same here).
    assert dict(update.order) == {**row, "timestamp": ""}
    assert (row["orderid"], row["strategy"], row["pricetype"], row["order_status"]) == (
        placed.orderid, "momentum", "MARKET", "complete")


async def test_an_order_placed_elsewhere_goes_at_once_without_a_strategy(desk: Desk) -> None:
    received = Received()
    desk.hub.add_listener(received)
    placed = await desk.orders.place(market_buy())
    await asyncio.wait_for(received.arrived.wait(), 5)
    desk.paper.tell(foreign_like((await desk.paper.orders())[0]))  # nothing in flight
    assert [r["orderid"] for r in received.rows()] == [placed.orderid, "X1"]
    assert received.rows()[1]["strategy"] == ""


async def test_events_wait_in_order_for_the_placement_they_may_belong_to(desk: Desk) -> None:
    received = Received()
    desk.hub.add_listener(received)
    desk.paper.answer = asyncio.Event()
    placing = asyncio.create_task(desk.orders.place(market_buy()))
    for _ in range(1000):  # until the placement's own notification is held
        if desk.hub.waiting:
            break
        await asyncio.sleep(0.005)
    assert desk.hub.waiting == 1, "the placement's notification was not held"
    [mine] = await desk.paper.orders()
    desk.paper.tell(foreign_like(mine))
    await asyncio.sleep(0.1)
    assert received.updates == []  # both wait while the placement is unanswered
    desk.paper.answer.set()
    placed = await placing
    for _ in range(1000):  # the foreign one goes once no action is in flight
        if len(received.updates) == 2:
            break
        await asyncio.sleep(0.005)
    assert [(r["orderid"], r["strategy"]) for r in received.rows()] == [
        (placed.orderid, "momentum"), ("X1", "")]


async def test_a_placement_that_never_answers_holds_events_only_so_long(desk: Desk) -> None:
    desk.hub.hold_seconds = 0.2
    received = Received()
    desk.hub.add_listener(received)
    desk.paper.answer = asyncio.Event()
    placing = asyncio.create_task(desk.orders.place(market_buy()))
    await asyncio.wait_for(received.arrived.wait(), 5)
    [update] = received.updates
    assert update.order["strategy"] == "" and update.order["pricetype"] == "MARKET"
    desk.paper.answer.set()
    await placing


async def test_the_source_is_watched_only_while_someone_listens(desk: Desk) -> None:
    assert desk.paper.watchers == 0
    first, second = Received(), Received()
    desk.hub.add_listener(first)
    desk.hub.add_listener(second)
    assert desk.paper.watchers == 1
    desk.hub.remove_listener(first)
    assert desk.paper.watchers == 1
    desk.hub.remove_listener(second)
    desk.hub.remove_listener(second)  # twice: no harm
    assert desk.paper.watchers == 0
    await desk.orders.place(market_buy())  # nobody listens: nothing is labelled or kept
    assert desk.hub.delivered == 0 and desk.hub.waiting == 0


# -- the paper venue's hub, as the wiring builds it ------------------------------------


@dataclass
class PaperDesk:
    paper: PaperBroker
    journal: OrderJournal
    orders: OrderService
    hub: OrderUpdates
    reads: list[int]


@pytest.fixture
async def paper_desk(tmp_path: Path) -> PaperDesk:
    database = Database(f"sqlite:///{tmp_path / 'paper-updates.db'}")
    database.migrate()
    journal = OrderJournal(database, clock=lambda: NOW).for_venue(
        "analyze", durable_intents=False)
    reads: list[int] = []
    actions_since = journal.actions_since

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return actions_since(*args, **kwargs)

    journal.actions_since = counted  # type: ignore[method-assign]
    paper = PaperBroker(PaperStore(database), capital=D("10000000"), clock=lambda: NOW)
    paper.set_quote(Quote("SBIN", "NSE", D("800.00"), bid=D("799.95"), ask=D("800.05"),
                          at=NOW))
    books = Books(paper, journal, clock=lambda: NOW)
    orders = OrderService(Index, paper, journal, books)
    hub = OrderUpdates(books, acting=lambda: bool(orders.reconciler.in_flight))
    hub.follow(paper, ANALYZE)
    return PaperDesk(paper, journal, orders, hub, reads)


async def updates_until(received: Received, count: int) -> list[dict[str, Any]]:
    for _ in range(1000):
        if len(received.updates) >= count:
            break
        await asyncio.sleep(0.005)
    return received.rows()


async def test_paper_orders_are_labelled_without_a_journal_read_each(
        paper_desk: PaperDesk) -> None:
    """Each paper order is notified placed and filled, labelled from the journal, and
    memory answers for the orders placed here: the journal is not read per event (a
    read per event cost each paper order milliseconds with a subscriber)."""
    received = Received()
    paper_desk.hub.add_listener(received)
    placed = [(await paper_desk.orders.place(market_buy(quantity=1))).orderid
              for _ in range(50)]
    rows = await updates_until(received, 100)
    assert [(r["orderid"], r["order_status"], r["strategy"]) for r in rows] == [
        (orderid, status, "momentum") for orderid in placed for status in ("open", "complete")]
    assert {u.mode for u in received.updates} == {ANALYZE}
    assert len(paper_desk.reads) <= 2, paper_desk.reads


async def test_a_modified_order_is_labelled_as_modified(paper_desk: PaperDesk) -> None:
    """A modification changes an order's label (its price type): the next update of the
    order reads it again rather than trust memory."""
    received = Received()
    paper_desk.hub.add_listener(received)
    resting = await paper_desk.orders.place(market_buy(
        quantity=1, pricetype="LIMIT", price="700.00", product="CNC"))
    await updates_until(received, 1)
    await paper_desk.orders.modify(resting.orderid, market_buy(
        quantity=1, pricetype="SL", price="810.00", trigger_price="805.00", product="CNC"))
    paper_desk.paper.set_quote(Quote("SBIN", "NSE", D("806.00"), bid=D("805.95"),
                                     ask=D("806.05"), at=NOW))
    rows = await updates_until(received, 4)
    assert [(r["order_status"], r["pricetype"]) for r in rows] == [
        ("open", "LIMIT"), ("trigger pending", "SL"), ("open", "SL"), ("complete", "SL")]
