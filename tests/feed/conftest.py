"""Fixtures for the feed client's tests: a simulator streaming several ticks a second,
the symbol index built from its own SecurityMaster, and a Breeze session on it."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import httpx
import pytest

from algodesk.brokers.base import FeedLevel
from algodesk.brokers.icici import BreezeClient
from algodesk.brokers.icici.feed import FeedTimings, IciciFeed, StreamCredentials
from algodesk.domain.market import Quote
from algodesk.domain.stream import DepthUpdate, OrderEvent, Tick
from algodesk.instruments import SymbolIndex
from algodesk.instruments.model import Instrument
from algodesk.instruments.refresh import import_archive
from tests.conftest import IST, SimulatorProcess

# Four ticks a token a second: the market moves once a second, so three of every four
# repeat the second's values and must not reach a listener.
STREAM_RATE = "4"


@pytest.fixture(scope="session")
def stream_sim(simulator_factory: Callable[..., SimulatorProcess]) -> SimulatorProcess:
    return simulator_factory(extra_args=["--stream-rate", STREAM_RATE])


@pytest.fixture(scope="session")
def index(stream_sim: SimulatorProcess) -> SymbolIndex:
    archive = httpx.get(stream_sim.security_master_url, timeout=60).content
    instruments, _summary = import_archive(archive, 0.001)
    return SymbolIndex(instruments)


def nifty_future(index: SymbolIndex) -> Instrument:
    return index.futures("NIFTY", "NFO")[0]


def nifty_option(index: SymbolIndex) -> Instrument:
    """A NIFTY call of an expiry after today (today's stops trading at 15:30 IST)."""
    today = dt.datetime.now(IST).date()
    expiry = next(day for day in index.expiries("NIFTY", "NFO", "options") if day > today)
    calls = [inst for inst in index.options("NIFTY", "NFO", expiry) if inst.symbol.endswith("CE")]
    return calls[len(calls) // 2]


@pytest.fixture
async def breeze(stream_sim: SimulatorProcess) -> AsyncIterator[BreezeClient]:
    client = BreezeClient(stream_sim.app_key, stream_sim.app_secret,
                          api_url=stream_sim.api_url, history_url=stream_sim.history_url,
                          timeout=10.0)
    async with client:
        await client.customer_details(stream_sim.new_api_session())
        yield client


def credentials_of(client: BreezeClient) -> StreamCredentials | None:
    if client.user_id is None or client.session_key is None:
        return None
    return StreamCredentials(client.user_id, client.session_key)


class Received:
    """A feed listener keeping everything it is given."""

    def __init__(self) -> None:
        self.ticks: list[Tick] = []
        self.depth: list[DepthUpdate] = []
        self.orders: list[OrderEvent] = []

    def on_tick(self, tick: Tick) -> None:
        self.ticks.append(tick)

    def on_depth(self, update: DepthUpdate) -> None:
        self.depth.append(update)

    def on_order(self, event: OrderEvent) -> None:
        self.orders.append(event)

    def ticks_of(self, symbol: str) -> list[Tick]:
        return [tick for tick in self.ticks if tick.symbol == symbol]


async def until(condition: Callable[[], Any], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        await asyncio.sleep(0.02)


@pytest.fixture
async def feed_of(stream_sim: SimulatorProcess,
                  index: SymbolIndex) -> AsyncIterator[Callable[..., Awaitable[IciciFeed]]]:
    """Start feeds on the simulator with the given credentials; all stopped at the end."""
    started: list[IciciFeed] = []

    async def start(credentials: Callable[[], StreamCredentials | None],
                    timings: FeedTimings | None = None,
                    quotes: Callable[[str, str], Awaitable[Quote]] | None = None,
                    market_open: Callable[[Iterable[str]], bool] | None = None) -> IciciFeed:
        feed = IciciFeed(livestream_url=stream_sim.base_url, livefeeds_url=stream_sim.base_url,
                         credentials=credentials, contracts=lambda: index, name="simulator",
                         timings=timings or FeedTimings(), quotes=quotes,
                         market_open=market_open)
        await feed.start()
        started.append(feed)
        return feed

    yield start
    for feed in started:
        await feed.stop()


__all__ = ["FeedLevel", "Received", "credentials_of", "nifty_future", "nifty_option", "until"]
