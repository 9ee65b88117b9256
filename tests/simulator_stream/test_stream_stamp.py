"""`--stream-stamp` (benches only): each tick's last traded quantity is the instant the
frame is written to the socket, in epoch microseconds; the layout is ICICI's as ever,
and depth frames are untouched."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import socketio

from tests.conftest import SimulatorProcess
from tests.simulator_stream.streamkit import Collector, master_tokens, stream_login

pytestmark = pytest.mark.timeout(60)


def test_ticks_carry_the_instant_they_were_written(
        simulator_factory: Callable[..., SimulatorProcess]) -> None:
    sim = simulator_factory(extra_args=["--stream-rate", "4", "--stream-stamp"])
    user, key = stream_login(sim)
    cash = f"4.1!{master_tokens(sim, 'NSEScripMaster.txt', 1)[0]}"
    depth = cash.replace("4.1!", "4.2!")
    client = socketio.Client(reconnection=False)
    got = Collector()
    client.on("stock", got)
    client.connect(sim.base_url, transports="websocket", wait_timeout=3,
                   auth={"user": user, "token": key})
    try:
        began = time.time_ns() // 1000
        client.emit("join", [cash, depth])
        ticks = got.wait_for(lambda f: f[0] == cash, count=4)
        books = got.wait_for(lambda f: f[0] == depth, count=1)
        ended = time.time_ns() // 1000
    finally:
        client.disconnect()
    stamps = [frame[10] for frame in ticks]
    assert all(len(frame) == 21 for frame in ticks)  # ICICI's cash layout
    assert all(began <= stamp <= ended for stamp in stamps), (began, stamps, ended)
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert len(books[0]) == 3 and len(books[0][2]) == 5  # a book as ever
