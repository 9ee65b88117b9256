"""While the stream is down, the feed serves its instruments from REST quotes (ticks
marked `polled`) and stops as soon as ticks flow again; polled and streamed ticks of an
instrument together arrive once each and in order. Outside market hours silence is
normal: neither the watchdog nor the fallback acts on it."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Iterator
from decimal import Decimal

import pytest

from algodesk.brokers.icici import BreezeClient
from algodesk.brokers.icici.feed import FeedTimings, IciciFeed
from algodesk.brokers.icici.feed_fallback import tick_of
from algodesk.brokers.icici.market_reads import quote_of
from algodesk.brokers.icici.stream_parsing import Layout, TickOrder, is_newer, tick_order
from algodesk.domain.market import Quote
from algodesk.instruments import SymbolIndex
from tests.conftest import SimulatorProcess
from tests.feed.conftest import FeedLevel, Received, credentials_of, until
from tests.feed.test_feed_resilience import check_sequences, subscribed

StartFeed = Callable[..., Awaitable[IciciFeed]]
FALLBACK = FeedTimings(backoff_seconds=0.2, backoff_max_seconds=1.0, watchdog_seconds=2.0,
                       fallback_after_seconds=1.0, fallback_seconds=0.2)


@pytest.fixture(autouse=True)
def _no_stream_faults_left(stream_sim: SimulatorProcess) -> Iterator[None]:
    yield
    stream_sim.admin("streams", {"stall": False, "refuse_seconds": 0, "slow_ms": 0})


def rest_quotes(breeze: BreezeClient, index: SymbolIndex
                ) -> Callable[[str, str], Awaitable[Quote]]:
    """An instrument's REST quote from the simulator, as the adapter reads it."""
    async def read(symbol: str, exchange: str) -> Quote:
        inst = index.get(symbol, exchange)
        assert inst is not None
        rows = await breeze.get_quotes(inst.stock_code, inst.breeze_exchange,
                                       product_type=inst.product, expiry_date=inst.expiry,
                                       right=inst.right, strike_price=inst.breeze_strike)
        row = next(r for r in rows if r.exchange_code.upper() == inst.breeze_exchange)
        return quote_of(inst, row)

    return read


async def test_rest_quotes_stand_in_while_reconnects_are_refused(
        stream_sim: SimulatorProcess, index: SymbolIndex, breeze: BreezeClient,
        feed_of: StartFeed) -> None:
    feed = await feed_of(lambda: credentials_of(breeze), FALLBACK,
                         quotes=rest_quotes(breeze, index))
    received, symbols = await subscribed(feed, index)
    assert not any(tick.polled for tick in received.ticks)  # the stream serves them
    stream_sim.admin("streams", {"refuse_seconds": 6, "drop": True})
    await until(lambda: all(any(t.polled for t in received.ticks_of(s)) for s in symbols),
                8, "REST quotes of every instrument while reconnects are refused")
    state = feed.state()
    assert state.fallback and not state.connected and state.polled_today >= 2
    # The refusal ends: streamed ticks come back and the REST quotes stop.
    await until(lambda: all(not received.ticks_of(s)[-1].polled for s in symbols), 20,
                "streamed ticks again")
    await until(lambda: not feed.state().fallback, 2, "the fallback stopping")
    mark, polled = len(received.ticks), feed.state().polled_today
    await until(lambda: len(received.ticks) > mark + 4, 5, "more streamed ticks")
    assert not any(tick.polled for tick in received.ticks[mark:])
    assert feed.state().polled_today == polled
    check_sequences(received, symbols)


async def test_a_shut_market_is_silent_without_a_stall_or_rest_quotes(
        stream_sim: SimulatorProcess, index: SymbolIndex, breeze: BreezeClient,
        feed_of: StartFeed) -> None:
    """The calendar pinned: shut, then open. A silent stream while shut is no stall and
    costs no REST quote; once the market opens the same silence is noticed."""
    market = {"open": True}
    asked: list[set[str]] = []

    def market_open(exchanges: Iterable[str]) -> bool:
        asked.append(set(exchanges))
        return market["open"]

    feed = await feed_of(lambda: credentials_of(breeze), FALLBACK,
                         quotes=rest_quotes(breeze, index), market_open=market_open)
    received, symbols = await subscribed(feed, index)
    assert {"NSE", "NFO"} in asked  # the subscribed instruments' exchanges
    market["open"] = False
    stream_sim.admin("streams", {"stall": True})  # connected, pings answered, no data
    await asyncio.sleep(FALLBACK.watchdog_seconds * 2.5)
    state = feed.state()
    assert (state.stalls, state.fallback, state.polled_today) == (0, False, 0)
    assert state.connected
    market["open"] = True
    await until(lambda: feed.state().stalls == 1, FALLBACK.watchdog_seconds + 3,
                "the watchdog noticing the silence once the market is open")
    await until(lambda: feed.state().polled_today > 0, 5, "REST quotes once open")
    mark = len(received.ticks)
    stream_sim.admin("streams", {"stall": False})
    await until(lambda: any(not t.polled for t in received.ticks[mark:]), 15,
                "streamed ticks again")
    check_sequences(received, symbols)


async def test_a_new_login_gives_the_stream_its_chance_before_rest_quotes(
        stream_sim: SimulatorProcess, index: SymbolIndex, breeze: BreezeClient,
        feed_of: StartFeed) -> None:
    """Subscribed long before there is a session: once the trader logs in, the stream
    connects first; no REST quote is read for the silence of the wait."""
    logged_in = {"yes": False}
    feed = await feed_of(lambda: credentials_of(breeze) if logged_in["yes"] else None,
                         FALLBACK, quotes=rest_quotes(breeze, index))
    received = Received()
    feed.add_listener(received)
    feed.subscribe("RELIANCE", "NSE", FeedLevel.QUOTE)
    await asyncio.sleep(FALLBACK.fallback_after_seconds * 2.5)
    assert feed.state().status == "waiting" and feed.state().polled_today == 0
    logged_in["yes"] = True
    await until(lambda: received.ticks_of("RELIANCE"), 10, "streamed ticks")
    assert not any(tick.polled for tick in received.ticks)
    assert feed.state().polled_today == 0


def test_after_a_polled_quote_the_same_trade_streamed_is_no_news() -> None:
    frame = ["4.1!2885", 100.0, 101.5, 102.0, 99.5, 1.2, 101.4, 10, 101.6, 12, 5, 100.9,
             5000, 300, 200, "1.2L", "+", 90.0, 110.0, 1_765_000_000, 100.3]
    order = tick_order(frame, Layout.CASH)
    assert order == TickOrder(1_765_000_000, 5000)
    moved = [*frame[:6], 101.45, *frame[7:]]  # the best bid moved, no trade
    polled = (order, None)  # the last tick delivered was a REST quote of that trade
    assert not is_newer(order, frame, polled)
    assert not is_newer(order, moved, polled)
    assert is_newer(TickOrder(1_765_000_001, 5000), frame, polled)
    assert not is_newer(TickOrder(1_764_999_999, 5000), frame, polled)
    # Streamed after streamed: the same trade with the book moved is still news.
    assert is_newer(order, moved, (order, frame))


def test_a_polled_tick_carries_the_quote() -> None:
    at = dt.datetime(2026, 12, 7, 4, 0, 5, tzinfo=dt.UTC)
    tick = tick_of(Quote("SBIN", "NSE", Decimal("812.35"), volume=5000, at=at,
                         previous_close=Decimal("806.2")))
    assert tick is not None and tick.polled
    assert (tick.last_price, tick.volume, tick.at, tick.previous_close) == (
        Decimal("812.35"), 5000, at, Decimal("806.2"))
    assert tick_of(Quote("SBIN", "NSE", Decimal("1"))) is None  # no time: cannot be placed
