"""The feed keeps itself alive against the simulator's stream faults: every socket
dropped, a silent stall, reconnects refused for 20 s, the session expired and a new
login. In each case ticks resume with no action by the feed's users, no tick of an
instrument arrives twice or out of order, and the broker page's feed section (rendered
from the feed's state, as the page does) shows what happened."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator

import pytest

from algodesk.brokers.base import FeedLevel
from algodesk.brokers.icici import BreezeClient
from algodesk.brokers.icici.feed import FeedTimings, IciciFeed
from algodesk.instruments import SymbolIndex
from tests.conftest import SimulatorProcess
from tests.feed.conftest import Received, credentials_of, nifty_future, until
from tests.feed.test_icici_feed import assert_once_and_in_order, joined_tokens
from tests.web.feed_page import rendered

StartFeed = Callable[..., Awaitable[IciciFeed]]
# Quick enough for a test; the defaults (0.5 s doubling to 10 s, a 30 s watchdog) are
# what the 20 s refusal test runs with.
QUICK = FeedTimings(backoff_seconds=0.2, backoff_max_seconds=1.0, watchdog_seconds=2.0)


@pytest.fixture(autouse=True)
def _no_stream_faults_left(stream_sim: SimulatorProcess) -> Iterator[None]:
    yield
    stream_sim.admin("streams", {"stall": False, "refuse_seconds": 0, "slow_ms": 0})


async def subscribed(feed: IciciFeed, index: SymbolIndex) -> tuple[Received, list[str]]:
    received = Received()
    feed.add_listener(received)
    symbols = ["RELIANCE", nifty_future(index).symbol]
    feed.subscribe("RELIANCE", "NSE", FeedLevel.QUOTE)
    feed.subscribe(symbols[1], "NFO", FeedLevel.QUOTE)
    await until(lambda: all(received.ticks_of(s) for s in symbols), 10, "first ticks")
    return received, symbols


async def resumed(received: Received, symbols: list[str], since: int, seconds: float) -> None:
    """Every instrument has ticks newer than the first `since` ticks received."""
    def fresh() -> bool:
        return all(any(t in received.ticks[since:] for t in received.ticks_of(s))
                   for s in symbols)
    await until(fresh, seconds, "ticks of every instrument again")


def check_sequences(received: Received, symbols: list[str]) -> None:
    for symbol in symbols:
        assert_once_and_in_order(received.ticks_of(symbol))


async def test_every_socket_dropped(stream_sim: SimulatorProcess, index: SymbolIndex,
                                    breeze: BreezeClient, feed_of: StartFeed) -> None:
    feed = await feed_of(lambda: credentials_of(breeze), QUICK)
    received, symbols = await subscribed(feed, index)
    stream_sim.admin("streams", {"drop": True})
    mark = len(received.ticks)
    await until(lambda: feed.state().reconnects == 1, 10, "a reconnect")
    await resumed(received, symbols, mark, 10)
    assert joined_tokens(stream_sim) == 2  # joined again after the reconnect
    check_sequences(received, symbols)
    assert feed.state().status == "connected" and feed.state().stalls == 0
    page = rendered(feed.state())
    assert (page["connected"], page["reconnects"], page["stalls"]) == ("yes", "1", "0")
    assert page["status"].startswith("connected") and page["subscriptions"] == "2"


async def test_a_silent_stall_is_noticed_by_the_watchdog(
        stream_sim: SimulatorProcess, index: SymbolIndex, breeze: BreezeClient,
        feed_of: StartFeed) -> None:
    feed = await feed_of(lambda: credentials_of(breeze), QUICK)
    received, symbols = await subscribed(feed, index)
    stream_sim.admin("streams", {"stall": True})  # connected, pings answered, no data
    began = time.monotonic()
    await until(lambda: feed.state().stalls == 1, 10, "the watchdog dropping the silence")
    # Noticed after the watchdog's 2 s of silence, not before.
    assert time.monotonic() - began >= QUICK.watchdog_seconds - 0.5
    await until(lambda: feed.state().reconnects >= 1, 5, "a new connection")
    page = rendered(feed.state())
    assert page["stalls"] == "1" and int(page["reconnects"]) >= 1
    mark = len(received.ticks)
    stream_sim.admin("streams", {"stall": False})
    await resumed(received, symbols, mark, 15)
    check_sequences(received, symbols)


async def test_reconnects_refused_for_twenty_seconds(
        stream_sim: SimulatorProcess, index: SymbolIndex, breeze: BreezeClient,
        feed_of: StartFeed) -> None:
    feed = await feed_of(lambda: credentials_of(breeze))  # the default backoff
    received, symbols = await subscribed(feed, index)
    stream_sim.admin("streams", {"refuse_seconds": 20, "drop": True})
    began = time.monotonic()
    await until(lambda: feed.state().status == "reconnecting", 5, "the feed reconnecting")
    await until(lambda: "refused" in feed.state().detail, 10, "a refused reconnect")
    page = rendered(feed.state())
    assert page["connected"] == "no" and page["status"].startswith("reconnecting")
    assert "refused" in page["status"]
    mark = len(received.ticks)
    # Back within the backoff's ceiling (10 s, +20% jitter) after the refusal ends.
    await resumed(received, symbols, mark, 20 + 12 + 3)
    assert time.monotonic() - began >= 19
    assert feed.state().reconnects == 1  # one reconnection, however many attempts
    assert rendered(feed.state())["reconnects"] == "1"
    check_sequences(received, symbols)


async def test_the_session_expires_and_the_trader_logs_in_again(
        stream_sim: SimulatorProcess, index: SymbolIndex, breeze: BreezeClient,
        feed_of: StartFeed) -> None:
    feed = await feed_of(lambda: credentials_of(breeze), QUICK)
    received, symbols = await subscribed(feed, index)
    before = credentials_of(breeze)
    stream_sim.admin("faults", {"expire_sessions": True})  # the daily rollover
    # The simulator closes the sockets of dead sessions; the dead session is refused.
    await until(lambda: feed.state().status == "reconnecting", 10, "the feed losing the socket")
    await until(lambda: "authenticate" in feed.state().detail, 10, "the dead session refused")
    page = rendered(feed.state())
    assert page["connected"] == "no" and "authenticate" in page["status"]
    mark = len(received.ticks)
    await breeze.customer_details(stream_sim.new_api_session())  # the trader logs in again
    assert credentials_of(breeze) != before
    await resumed(received, symbols, mark, 10)
    assert feed.state().status == "connected"
    check_sequences(received, symbols)
    page = rendered(feed.state())
    assert page["connected"] == "yes" and int(page["reconnects"]) >= 1
