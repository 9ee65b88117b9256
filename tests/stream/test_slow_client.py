"""A client that stops reading costs no one else anything: the others' ticks keep their
pace, its own backlog stays one frame per subscription (conflated), and once it has read
nothing for WEBSOCKET_SLOW_CLIENT_SECONDS it is closed with 1008 and the reason."""

from __future__ import annotations

import itertools
import re
import socket
import time
from collections.abc import Callable

import pytest
from websockets.exceptions import ConnectionClosed

from tests.market.conftest import MarketDesk
from tests.stream.conftest import MAX_SUBSCRIPTIONS, Socket, option_symbols, ws_port

OpenSocket = Callable[..., Socket]
CLOSED_LINE = "closed: client too slow"


def test_a_client_that_never_reads_is_closed_and_slows_no_one(
        feed_desk: MarketDesk, socket_of: OpenSocket) -> None:
    symbols = option_symbols(feed_desk, MAX_SUBSCRIPTIONS)
    batch = [{"symbol": s, "exchange": "NFO"} for s in symbols]
    # The slow client: a small receive window, and a library queue of one frame, so that
    # once it stops calling recv() nothing is read from its socket.
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect(("127.0.0.1", ws_port(feed_desk)))
    slow = socket_of(sock=raw, max_queue=1)
    assert slow.authenticate(feed_desk.apikey)["status"] == "success"
    assert slow.ask({"action": "subscribe", "mode": 3, "symbols": batch})["status"] == "success"
    fast = socket_of()
    assert fast.authenticate(feed_desk.apikey)["status"] == "success"
    assert fast.ask({"action": "subscribe", "mode": 3, "symbols": batch[:1]})["status"] == \
        "success"
    already = feed_desk.platform.output().count(CLOSED_LINE)

    # The slow one reads no more; the fast one reads until the server has closed it.
    arrivals: list[float] = []
    deadline = time.monotonic() + 60
    while feed_desk.platform.output().count(CLOSED_LINE) == already:
        assert time.monotonic() < deadline, "the slow client was never closed"
        try:
            frame = fast.recv(timeout=0.2)
        except TimeoutError:
            continue
        if frame.get("type") == "market_data":
            arrivals.append(time.monotonic())
    # It was closed for not reading, not before: its backlog had to fill the buffers.
    assert len(arrivals) >= 3
    # The fast client's frames came at the feed's pace throughout: one or two a simulated
    # second (quote and book), never a pause of three seconds.
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert max(gaps) < 3.0, gaps

    # What the slow one finds once it reads again: its backlog, then the close and why.
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            slow.recv(timeout=10)
    assert closed.value.rcvd is not None, "the server's close frame never arrived"
    assert closed.value.rcvd.code == 1008
    assert closed.value.rcvd.reason.startswith("client too slow: nothing read for")
    line = next(line for line in feed_desk.platform.output().splitlines()
                if CLOSED_LINE in line)
    # Its backlog was conflated: at most one frame per subscription ever waited.
    waiting = re.search(r"(\d+) frames waiting", line)
    assert waiting is not None and int(waiting[1]) <= MAX_SUBSCRIPTIONS, line
    # The fast client is still served.
    assert fast.reply(lambda f: f.get("type") == "market_data", timeout=5)
