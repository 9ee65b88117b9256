"""End to end: while the broker refuses the feed's reconnects, a client of the
platform's WebSocket feed keeps getting prices — REST quotes, marked `"source": "rest"`,
at a modest pace — and streamed ticks take over again when the broker lets the feed
back in. No frame of an instrument arrives twice or out of order."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.market.conftest import MarketDesk
from tests.stream.conftest import FALLBACK_AFTER_SECONDS, Socket
from tests.stream.test_resilience import assert_once_and_in_order, subscribe
from tests.web.feed_page import feed_cells

OpenSocket = Callable[..., Socket]
REFUSE_SECONDS = 20


@pytest.fixture(autouse=True)
def _no_stream_faults_left(feed_desk: MarketDesk) -> Iterator[None]:
    yield
    feed_desk.sim.admin("streams", {"stall": False, "refuse_seconds": 0, "slow_ms": 0})


def read_until(sock: Socket, got: list[dict[str, Any]], done: Callable[[], bool],
               seconds: float, what: str) -> None:
    """Market-data frames into `got` until `done()` says so."""
    deadline = time.monotonic() + seconds
    while not done():
        left = deadline - time.monotonic()
        assert left > 0, f"{what}: not within {seconds} s"
        try:
            frame = sock.recv(timeout=min(left, 1.0))
        except TimeoutError:
            continue
        if frame.get("type") == "market_data":
            frame["received_at"] = time.monotonic()
            got.append(frame)


def polled(frame: dict[str, Any]) -> bool:
    return frame["data"].get("source") == "rest"


def test_rest_quotes_keep_prices_coming_while_the_broker_refuses_the_feed(
        feed_desk: MarketDesk, socket_of: OpenSocket) -> None:
    sock = socket_of()
    symbols = subscribe(feed_desk, sock)
    got: list[dict[str, Any]] = []
    read_until(sock, got, lambda: {f["symbol"] for f in got} >= symbols, 10, "first ticks")
    assert not any(polled(frame) for frame in got)
    calls_before = feed_desk.broker_calls_today()
    feed_desk.sim.admin("streams", {"refuse_seconds": REFUSE_SECONDS, "drop": True})
    dropped_at = time.monotonic()
    # Prices keep coming, from REST quotes, for every instrument.
    read_until(sock, got, lambda: {f["symbol"] for f in got if polled(f)} >= symbols,
               FALLBACK_AFTER_SECONDS + 12, "REST quotes of every instrument")
    feed = feed_desk.post("ping", {}).json()["data"]["feed"]
    assert feed["fallback"] is True and feed["connected"] is False
    assert feed["polled_today"] >= 2
    page = feed_cells(feed_desk.admin.get("/broker").text)  # the broker page says so too
    assert page["fallback"].startswith("reading REST quotes") and page["connected"] == "no"
    # Streamed ticks take over once the broker lets the feed back in (the backoff's
    # ceiling is 10 s, +20%), with no action of the client's.
    def resumed() -> bool:
        return all(any(not polled(f) and f["received_at"] > dropped_at + REFUSE_SECONDS
                       for f in got if f["symbol"] == s) for s in symbols)
    read_until(sock, got, resumed, REFUSE_SECONDS + 20, "streamed ticks again")
    back_at = time.monotonic()
    read_until(sock, got, lambda: time.monotonic() > back_at + 3, 5, "more ticks")
    # The REST quotes stopped when the ticks resumed (a quote already in flight may land).
    assert not any(polled(f) for f in got if f["received_at"] > back_at + 1)
    assert_once_and_in_order([{k: v for k, v in f.items() if k != "received_at"}
                              for f in got])
    feed = feed_desk.post("ping", {}).json()["data"]["feed"]
    assert feed["fallback"] is False and feed["status"] == "connected"
    # A modest pace: at most one quote a second (FEED_FALLBACK_SECONDS here) while the
    # stream was down (the refusal plus the backoff's ceiling), never a burst.
    calls = feed_desk.broker_calls_today() - calls_before
    assert 2 <= calls <= REFUSE_SECONDS + 12, calls
