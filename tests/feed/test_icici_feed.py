"""`IciciFeed` against the real simulator's socket.io streams: ticks, depth and order
notifications arrive as domain types under OpenAlgo symbols, once each and in order;
joins are reference-counted; without a session the feed waits instead of connecting."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from decimal import ROUND_DOWN, Decimal

import pytest

from algodesk.brokers.base import FeedLevel, SubscriptionRefused
from algodesk.brokers.icici import BreezeClient
from algodesk.brokers.icici.feed import IciciFeed
from algodesk.brokers.icici.formats import parse_response_datetime
from algodesk.domain.orders import OrderStatus, PriceType, Product, Side
from algodesk.domain.stream import Tick
from algodesk.instruments import SymbolIndex
from tests.conftest import SimulatorProcess
from tests.feed.conftest import Received, credentials_of, nifty_future, nifty_option, until

StartFeed = Callable[..., Awaitable[IciciFeed]]


def joined_tokens(sim: SimulatorProcess) -> int:
    return int(sim.admin("state")["streams"]["joined_tokens"])


def assert_once_and_in_order(ticks: list[Tick]) -> None:
    for before, after in itertools.pairwise(ticks):
        assert (after.at, after.volume) >= (before.at, before.volume), (before, after)
        assert after != before, f"a tick delivered twice: {after}"


def values(tick: Tick) -> tuple[object, ...]:
    return (tick.last_price, tick.open, tick.high, tick.low, tick.previous_close,
            tick.bid, tick.ask, tick.volume)


async def test_an_equity_a_future_and_an_option_tick_once_each_in_order(
        stream_sim: SimulatorProcess, index: SymbolIndex, breeze: BreezeClient,
        feed_of: StartFeed) -> None:
    future, option = nifty_future(index), nifty_option(index)
    feed = await feed_of(lambda: credentials_of(breeze))
    received = Received()
    feed.add_listener(received)
    wanted = [("RELIANCE", "NSE"), (future.symbol, "NFO"), (option.symbol, "NFO")]
    for symbol, exchange in wanted:
        feed.subscribe(symbol, exchange, FeedLevel.QUOTE)
    feed.subscribe("RELIANCE", "NSE", FeedLevel.DEPTH)
    began = time.monotonic()
    await until(lambda: all(len(received.ticks_of(s)) >= 4 for s, _ in wanted)
                and len(received.depth) >= 3, 20, "four ticks of each and depth")
    elapsed = time.monotonic() - began

    for symbol, exchange in wanted:
        ticks = received.ticks_of(symbol)
        assert {tick.exchange for tick in ticks} == {exchange}
        assert_once_and_in_order(ticks)
        # The simulator sends four a second and the market moves once a second: the
        # repeats were dropped (at most one tick a second, one more at either end).
        assert len(ticks) <= elapsed + 2, (len(ticks), elapsed)
    assert feed.dropped_repeats > 0
    state = feed.state()
    assert state.connected and state.status == "connected" and state.subscriptions == 4
    assert state.last_tick_age is not None and state.last_tick_age < 5

    # The values are the simulator's REST quote of the same second.
    [rest] = [q for q in await breeze.get_quotes("RELIND", "NSE") if q.exchange_code == "NSE"]
    at = parse_response_datetime(rest.ltt or "")
    await until(lambda: any(t.at >= at for t in received.ticks_of("RELIANCE")), 10,
                "a tick of the REST quote's second")
    # `at` is the last trade's second: the ticks of the seconds after it without a trade
    # carry it too (their book moved), so the REST quote equals one of them.
    expected = (rest.ltp, rest.open, rest.high, rest.low, rest.previous_close,
                rest.best_bid_price, rest.best_offer_price, rest.total_quantity_traded)
    await until(lambda: any(values(t) == expected for t in received.ticks_of("RELIANCE")
                            if t.at == at), 10, "the tick equal to the REST quote")
    same = next(t for t in received.ticks_of("RELIANCE") if values(t) == expected)
    assert same.at == at
    assert same.change == same.last_price - same.previous_close

    # Depth: five levels a side, best first, under the OpenAlgo symbol.
    book = received.depth[-1]
    assert (book.symbol, book.exchange, len(book.bids), len(book.asks)) == (
        "RELIANCE", "NSE", 5, 5)
    assert book.bids[0].price < book.asks[0].price
    assert [lv.price for lv in book.bids] == sorted((lv.price for lv in book.bids), reverse=True)


async def test_joins_are_reference_counted(stream_sim: SimulatorProcess, breeze: BreezeClient,
                                           feed_of: StartFeed) -> None:
    feed = await feed_of(lambda: credentials_of(breeze))
    received = Received()
    feed.add_listener(received)
    feed.subscribe("TCS", "NSE", FeedLevel.QUOTE)
    feed.subscribe("TCS", "NSE", FeedLevel.QUOTE)
    await until(lambda: received.ticks_of("TCS"), 10, "a TCS tick")
    assert joined_tokens(stream_sim) == 1

    feed.unsubscribe("TCS", "NSE", FeedLevel.QUOTE)  # one user left, one still wants it
    count = len(received.ticks_of("TCS"))
    await until(lambda: len(received.ticks_of("TCS")) > count, 10, "ticks after one leave")
    assert joined_tokens(stream_sim) == 1 and feed.state().subscriptions == 1

    feed.unsubscribe("TCS", "NSE", FeedLevel.QUOTE)  # the last one: the broker leaves
    await until(lambda: joined_tokens(stream_sim) == 0, 10, "the simulator seeing the leave")
    count = len(received.ticks_of("TCS"))
    await asyncio.sleep(1.5)  # the simulator ticks four times a second: none may come
    assert len(received.ticks_of("TCS")) == count
    assert feed.state().subscriptions == 0


async def test_unknown_instruments_are_refused(breeze: BreezeClient,
                                               feed_of: StartFeed) -> None:
    feed = await feed_of(lambda: credentials_of(breeze))
    with pytest.raises(SubscriptionRefused, match="NOSUCH is not an instrument of NSE"):
        feed.subscribe("NOSUCH", "NSE", FeedLevel.QUOTE)
    assert feed.state().subscriptions == 0


async def test_without_a_session_the_feed_waits_then_connects_with_the_new_one(
        stream_sim: SimulatorProcess, breeze: BreezeClient, feed_of: StartFeed) -> None:
    session: list[BreezeClient] = []
    feed = await feed_of(lambda: credentials_of(session[0]) if session else None)
    received = Received()
    feed.add_listener(received)
    feed.subscribe("INFY", "NSE", FeedLevel.QUOTE)
    await until(lambda: feed.state().status == "waiting", 5, "the feed waiting for a session")
    assert not feed.state().connected and "log in" in feed.state().detail
    session.append(breeze)  # the trader logs in
    await until(lambda: received.ticks_of("INFY"), 10, "ticks once a session exists")
    assert feed.state().reconnects == 0


async def test_order_notifications_become_order_events(
        stream_sim: SimulatorProcess, breeze: BreezeClient, feed_of: StartFeed) -> None:
    feed = await feed_of(lambda: credentials_of(breeze))
    received = Received()
    feed.add_listener(received)
    feed.watch_orders()
    await until(lambda: feed.orders.connected, 10, "the order stream connecting")
    [quote] = [q for q in await breeze.get_quotes("STABAN", "NSE") if q.exchange_code == "NSE"]
    # Marketable: 2% over the last price, on the 0.05 tick, inside the band.
    limit = min(quote.ltp * Decimal("1.02"), quote.upper_circuit or quote.ltp * 2)
    limit = (limit / Decimal("0.05")).quantize(Decimal(1), rounding=ROUND_DOWN) * Decimal("0.05")
    placed = await breeze.place_order(stock_code="STABAN", exchange_code="NSE", product="cash",
                                      action="buy", order_type="limit", quantity=3, price=limit)
    await until(lambda: any(e.order_id == placed.order_id and e.status is OrderStatus.COMPLETE
                            for e in received.orders), 10, "the fill's notification")
    events = [e for e in received.orders if e.order_id == placed.order_id]
    # Placed (open, before it meets the book), then filled.
    assert [e.status for e in events] == [OrderStatus.OPEN, OrderStatus.COMPLETE]
    filled = events[-1]
    assert (filled.symbol, filled.exchange, filled.quantity, filled.filled_quantity) == (
        "SBIN", "NSE", 3, 3)
    assert 0 < filled.average_price <= limit
    # The order as the order book maps it: Breeze's cash is CNC, its limit order LIMIT.
    assert (filled.side, filled.price_type, filled.product, filled.price) == (
        Side.BUY, PriceType.LIMIT, Product.CNC, limit)
    since = feed.order_events_since()
    assert since is not None and since <= time.monotonic()
    feed.unwatch_orders()
    await until(lambda: not feed.orders.connected, 10, "the order stream closing")
    assert feed.order_events_since() is None
