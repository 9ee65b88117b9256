"""`IciciBroker`'s order lists kept by order notifications, against the real simulator:
a list read while the order stream is connected is not polled; an event makes it stale;
a list that does not show an event yet (ICICI's lists may trail its notifications) is
read again at the polling pace until it does; a break of the stream makes every list
read before it stale. The stream is the test's (`Notifications`): what is under test is
what the books do with its events. Time is the cache's clock, moved by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from algodesk.brokers.base import FeedListener
from algodesk.brokers.icici import book_events
from algodesk.brokers.icici.adapter import IciciBroker
from algodesk.brokers.icici.books import ACTIVE_TTL, IDLE_TTL
from algodesk.brokers.icici.budget import CallBudget, SharedReads
from algodesk.brokers.icici.gateway import BrokerGateway
from algodesk.domain.orders import OrderIntent, OrderStatus, PriceType, Product, Side
from algodesk.domain.stream import OrderEvent
from algodesk.instruments.index import SymbolIndex
from tests.brokers.test_adapter import LoggedIn
from tests.brokers.test_client_simulator import client_for

NOW = dt.datetime(2026, 11, 24, 4, 30, tzinfo=dt.UTC)


class Notifications:
    """The order stream as the books see it: connected since `since` (None: broken)."""

    def __init__(self) -> None:
        self.listeners: list[FeedListener] = []
        self.watching = 0
        self.since: float | None = 0.0

    def add_listener(self, listener: FeedListener) -> None:
        self.listeners.append(listener)

    def watch_orders(self) -> None:
        self.watching += 1

    def order_events_since(self) -> float | None:
        return self.since

    def tell(self, order_id: str, status: OrderStatus, filled: int = 0) -> None:
        event = OrderEvent(order_id, status, filled, Decimal(0), NOW, Side.BUY,
                           PriceType.LIMIT, Product.CNC, symbol="ITC", exchange="NSE",
                           quantity=max(filled, 1))
        for listener in self.listeners:
            listener.on_order(event)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Desk:
    broker: IciciBroker
    stream: Notifications
    clock: Clock
    sent: list[str]

    def list_reads(self) -> int:
        return self.sent.count("order.list")

    def tell(self, order_id: str, status: OrderStatus, filled: int = 0) -> None:
        """An event a moment after whatever came before (the cache's clock is frozen)."""
        self.clock.now += 0.001
        self.stream.tell(order_id, status, filled)

    async def read_nse(self) -> list[Any]:
        return await self.broker.orders(exchange="NSE")


@pytest.fixture
async def desk(account: Any, index: SymbolIndex) -> AsyncIterator[Desk]:
    sent: list[str] = []
    async with client_for(account, on_request=sent.append) as client:
        await client.customer_details(account.new_api_session())
        clock = Clock()
        broker = IciciBroker(BrokerGateway(LoggedIn(client), CallBudget()), lambda: index,
                             name="simulator", reads=SharedReads(clock=clock))
        stream = Notifications()
        broker.follow_orders(stream)
        assert stream.watching == 1 and len(stream.listeners) == 1
        yield Desk(broker, stream, clock, sent)


async def test_a_list_read_while_events_arrive_is_not_polled(desk: Desk) -> None:
    await desk.read_nse()
    reads = desk.list_reads()
    desk.clock.now += 50  # far beyond ACTIVE_TTL: it would have been read 25 times
    await desk.read_nse()
    assert desk.list_reads() == reads
    desk.tell("ANY", OrderStatus.OPEN)  # any order of the exchange changed
    await desk.read_nse()
    assert desk.list_reads() == reads + 1


async def test_a_list_that_trails_an_event_is_read_again_until_it_shows_it(
        desk: Desk) -> None:
    await desk.read_nse()
    desk.tell("NOT-LISTED-YET", OrderStatus.COMPLETE, filled=1)
    await desk.read_nse()
    reads = desk.list_reads()
    desk.clock.now += ACTIVE_TTL / 2
    await desk.read_nse()
    assert desk.list_reads() == reads  # kept for the polling TTL, not for EVENT_TTL
    desk.clock.now += ACTIVE_TTL
    await desk.read_nse()
    assert desk.list_reads() == reads + 1  # read again: it still does not show it


async def test_an_event_the_list_shows_is_expected_no_longer(desk: Desk) -> None:
    quote = await desk.broker.quote("ITC", "NSE")
    resting = (quote.last_price * Decimal("0.85")).quantize(Decimal("0.1"))
    placed = await desk.broker.place_order(await desk.broker.prepare_order(OrderIntent(
        "ITC", "NSE", Side.BUY, 1, PriceType.LIMIT, Product.CNC, resting)))
    desk.tell(placed.order_id, OrderStatus.OPEN)  # what the list shows
    [order] = [o for o in await desk.read_nse() if o.order_id == placed.order_id]
    assert order.status is OrderStatus.OPEN
    reads = desk.list_reads()
    desk.clock.now += 50
    await desk.read_nse()
    assert desk.list_reads() == reads
    await desk.broker.cancel_order(placed.order_id, "NSE")


async def test_an_event_never_listed_is_believed_after_a_while(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(book_events, "EXPECT_SECONDS", 0.0)
    desk.tell("NEVER-LISTED", OrderStatus.COMPLETE, filled=1)
    await desk.read_nse()  # does not show it, but has waited long enough: logged, dropped
    reads = desk.list_reads()
    desk.clock.now += 50
    await desk.read_nse()
    assert desk.list_reads() == reads


async def test_a_break_of_the_stream_makes_earlier_reads_stale(desk: Desk) -> None:
    await desk.read_nse()
    reads = desk.list_reads()
    desk.clock.now += 0.001
    desk.stream.since = None  # notifications sent from now on are lost
    await desk.read_nse()
    assert desk.list_reads() == reads + 1
    desk.clock.now += IDLE_TTL + 1  # and the books poll again
    await desk.read_nse()
    assert desk.list_reads() == reads + 2


