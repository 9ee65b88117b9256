"""End to end: a client of the platform's WebSocket feed keeps getting ticks, with no
action of its own, when the simulator drops every broker socket, when it stalls
silently, and when the broker session dies at the daily rollover and the trader logs in
again. No frame of an instrument arrives twice or out of order, and the broker page
shows what happened."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from tests.market.conftest import MarketDesk
from tests.stream.conftest import WATCHDOG_SECONDS, Socket, nearest_future
from tests.web.feed_page import feed_cells
from tests.web.platform import sim_login

OpenSocket = Callable[..., Socket]


def frames_for(sock: Socket, seconds: float) -> list[dict[str, Any]]:
    """The market-data frames received in the next `seconds`."""
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            frame = sock.recv(timeout=left)
        except TimeoutError:
            break
        if frame.get("type") == "market_data":
            got.append(frame)
    return got


def until_frames(sock: Socket, symbols: set[str], seconds: float,
                 got: list[dict[str, Any]], *, streamed: bool = False) -> None:
    """Read into `got` until every symbol has a frame there (`streamed`: a frame of the
    broker's stream, not a REST quote standing in for it)."""
    deadline = time.monotonic() + seconds
    seen: set[str] = set()
    while not symbols <= seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no frames of {symbols - seen} within {seconds} s"
        try:
            frame = sock.recv(timeout=left)
        except TimeoutError:
            continue
        if frame.get("type") == "market_data":
            got.append(frame)
            if not (streamed and frame["data"].get("source") == "rest"):
                seen.add(frame["symbol"])


def assert_once_and_in_order(frames: list[dict[str, Any]]) -> None:
    by_symbol: dict[str, list[dict[str, Any]]] = {}
    for frame in frames:
        by_symbol.setdefault(frame["symbol"], []).append(frame["data"])
    for symbol, datas in by_symbol.items():
        for before, after in itertools.pairwise(datas):
            assert (after["ltt"], after["volume"]) >= (before["ltt"], before["volume"]), symbol
            drop = ("timestamp",)  # when the platform sent it: differs even for a repeat
            assert {k: v for k, v in after.items() if k not in drop} != \
                {k: v for k, v in before.items() if k not in drop}, f"{symbol} twice"


def subscribe(desk: MarketDesk, sock: Socket) -> set[str]:
    assert sock.authenticate(desk.apikey)["status"] == "success"
    future = nearest_future(desk)
    reply = sock.ask({"action": "subscribe", "mode": 2, "symbols": [
        {"symbol": "RELIANCE", "exchange": "NSE"}, {"symbol": future, "exchange": "NFO"}]})
    assert reply["status"] == "success", reply
    return {"RELIANCE", future}


def test_ticks_resume_after_every_broker_socket_is_dropped(
        feed_desk: MarketDesk, socket_of: OpenSocket) -> None:
    sock = socket_of()
    symbols = subscribe(feed_desk, sock)
    got: list[dict[str, Any]] = []
    until_frames(sock, symbols, 10, got)
    feed_desk.sim.admin("streams", {"drop": True})
    mark = len(got)
    # Reconnected within the first backoff steps, joined again, ticking again.
    until_frames(sock, symbols, 15, after := [], streamed=True)
    got += after
    assert len(got) > mark
    got += frames_for(sock, 1.5)
    assert_once_and_in_order(got)
    assert "feed livestream: reconnecting" in feed_desk.platform.output()
    # /ping tells what happened and how the feed is now.
    feed = feed_desk.post("ping", {}).json()["data"]["feed"]
    assert feed["status"] == "connected" and feed["connected"] is True
    assert feed["reconnects_today"] >= 1 and feed["subscriptions"] >= 2
    assert feed["ticks_per_second"] > 0 and 0 <= feed["last_tick_age_seconds"] < 5
    # So does the broker page, with the same figures.
    page = broker_page(feed_desk)
    assert page["status"].startswith("connected") and page["connected"] == "yes"
    assert page["reconnects"] == str(feed["reconnects_today"])
    assert page["stalls"] == str(feed["stalls_today"])
    assert int(page["subscriptions"]) == feed["subscriptions"]
    assert float(page["rate"]) > 0 and float(page["last-tick"].split()[0]) < 5


def broker_page(desk: MarketDesk) -> dict[str, str]:
    reply = desk.admin.get("/broker")
    assert reply.status_code == 200, reply.text
    return feed_cells(reply.text)


def test_ticks_resume_after_a_silent_stall_and_the_page_counts_it(
        feed_desk: MarketDesk, socket_of: OpenSocket) -> None:
    sock = socket_of()
    symbols = subscribe(feed_desk, sock)
    got: list[dict[str, Any]] = []
    until_frames(sock, symbols, 10, got)
    stalls = int(broker_page(feed_desk)["stalls"])
    feed_desk.sim.admin("streams", {"stall": True})  # connected, pings answered, no data
    try:
        deadline = time.monotonic() + WATCHDOG_SECONDS + 10
        while int(broker_page(feed_desk)["stalls"]) == stalls:
            assert time.monotonic() < deadline, "the stall never showed on the page"
            got += frames_for(sock, 0.5)
    finally:
        feed_desk.sim.admin("streams", {"stall": False})
    until_frames(sock, symbols, 15, after := [], streamed=True)
    got += after + frames_for(sock, 1.0)
    assert_once_and_in_order(got)
    page = broker_page(feed_desk)
    assert int(page["stalls"]) == stalls + 1 and page["connected"] == "yes"


def test_ticks_resume_after_the_session_expires_and_the_trader_logs_in(
        feed_desk: MarketDesk, socket_of: OpenSocket) -> None:
    sock = socket_of()
    symbols = subscribe(feed_desk, sock)
    got: list[dict[str, Any]] = []
    until_frames(sock, symbols, 10, got)
    feed_desk.sim.admin("faults", {"expire_sessions": True})  # ICICI's daily rollover
    # The simulator ends the dead session's sockets; the feed cannot get back in with it.
    deadline = time.monotonic() + 15
    while "Could not authenticate credentials" not in feed_desk.platform.output():
        assert time.monotonic() < deadline, "the dead session was never refused"
        got += frames_for(sock, 0.2)
    got += frames_for(sock, 1.0)  # what was on its way
    mark = len(got)
    assert frames_for(sock, 2.0) == []  # silence while there is no session
    answer, _ = feed_desk.admin.connect(sim_login(feed_desk.sim))  # the trader logs in
    assert answer.status_code == 303, answer.text
    until_frames(sock, symbols, 15, after := [], streamed=True)
    got += after
    assert len(got) > mark
    assert_once_and_in_order(got)
    page = broker_page(feed_desk)
    assert page["connected"] == "yes" and int(page["reconnects"]) >= 1
