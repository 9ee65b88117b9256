"""Ticks per second the simulator's livestream emits to plain socket.io clients.

A simulator runs with `--stream-rate R` (ticks per second per joined token); each of
`CLIENTS` clients (python-socketio's, or a lean one speaking the same protocol) logs in
with ICICI's socket auth and joins the quote tokens of 1,000 instruments. Over a
measured window the bench counts what the clients receive, what the simulator says it
emitted (`/admin/state`), and the simulator process's CPU time. The issue's end-to-end
goal is 10,000 ticks/s in total.

    PYTHONPATH=src .venv/bin/python bench/bench_sim_stream.py [rate | lean:rate ...]
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import socketio
import websockets

sys.path.insert(0, str(Path(__file__).parent))

from common import APP_KEY, api_session, save, simulator_process

INSTRUMENTS = 1000
CLIENTS = 1
WARM_UP_SECONDS = 15.0  # first quotes build each instrument's series (ms each; ~9 s for 1,000)
WINDOW_SECONDS = 10.0
# (ticks per second per token, lean client?)
RUNS = ((1.0, False), (5.0, False), (10.0, True), (15.0, True), (20.0, True))


def _tokens(count: int) -> list[str]:
    """Quote tokens of `count` instruments, cash and indices first, then derivatives."""
    from algodesk.simulator.market import Market
    from algodesk.simulator.streams.tokens import token_of

    market = Market(seed=7, size="small")
    ordered = sorted(market.instruments, key=lambda i: (i.is_derivative, i.exchange_code))
    return [token_of(inst) for inst in ordered[:count]]


def _login(base: str) -> tuple[str, str]:
    answer = httpx.request("GET", f"{base}/breezeapi/api/v1/customerdetails", json={
        "SessionToken": api_session(base), "AppKey": APP_KEY}, timeout=30).json()
    user, _, key = base64.b64decode(answer["Success"]["session_token"]).decode().partition(":")
    return user, key


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _emitted(base: str) -> int:
    return int(httpx.get(f"{base}/admin/state", timeout=30).json()["streams"]["ticks_sent"])


class _SocketioClient:
    """python-socketio's own client: what the SDK and most scripts use."""

    kind = "python-socketio client"

    def __init__(self) -> None:
        self.received = 0
        self._client = socketio.AsyncClient(reconnection=False)
        self._client.on("stock", self._count)

    def _count(self, _: Any) -> None:
        self.received += 1

    async def start(self, base: str, auth: dict[str, str], tokens: list[str]) -> None:
        await self._client.connect(base, auth=auth, transports="websocket", wait_timeout=10)
        await self._client.emit("join", tokens)

    async def stop(self) -> None:
        await self._client.disconnect()


class _LeanClient:
    """The same protocol (Engine.IO 4 / Socket.IO 5 over a websocket) spoken by hand:
    connect with the auth payload, join, answer pings, count `stock` events without
    decoding them. It costs a few microseconds a message, so the figure is the
    simulator's, not the client's (python-socketio's client tops out near 5,000 a
    second here and is then dropped by the server's ping timeout)."""

    kind = "lean protocol client"

    def __init__(self) -> None:
        self.received = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self, base: str, auth: dict[str, str], tokens: list[str]) -> None:
        url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self._socket = await websockets.connect(url, max_size=None)
        opened = await self._socket.recv()
        assert str(opened).startswith("0"), opened
        await self._socket.send("40" + json.dumps(auth))
        accepted = await self._socket.recv()
        assert str(accepted).startswith("40"), accepted
        await self._socket.send("42" + json.dumps(["join", tokens]))
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self._socket:
            if message == "2":
                await self._socket.send("3")
            elif isinstance(message, str) and message.startswith('42["stock"'):
                self.received += 1

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self._socket.close()


async def _measure(base: str, pid: int, tokens: list[str], auth: dict[str, str],
                   rate: float, lean: bool) -> dict[str, Any]:
    clients = [(_LeanClient if lean else _SocketioClient)() for _ in range(CLIENTS)]
    for client in clients:
        await client.start(base, auth, tokens)
    await asyncio.sleep(WARM_UP_SECONDS)
    received0 = sum(c.received for c in clients)
    emitted0, cpu0 = _emitted(base), _cpu_seconds(pid)
    began = time.monotonic()
    await asyncio.sleep(WINDOW_SECONDS)
    elapsed = time.monotonic() - began
    received = sum(c.received for c in clients) - received0
    emitted, cpu = _emitted(base) - emitted0, _cpu_seconds(pid) - cpu0
    for client in clients:
        await client.stop()
    return {
        "client": clients[0].kind,
        "stream_rate_per_token": rate,
        "instruments": len(tokens),
        "clients": CLIENTS,
        "offered_ticks_per_second": rate * len(tokens),
        "emitted_ticks_per_second": round(emitted / elapsed, 1),
        "received_ticks_per_second": round(received / elapsed, 1),
        "simulator_cpu_percent": round(cpu / elapsed * 100, 1),
        # Less sensitive to a shared machine than the rate: CPU spent per tick emitted
        # (quotes, frames, socket writes); 1e6 / this is what one free core could emit.
        "cpu_microseconds_per_tick": round(cpu / emitted * 1e6, 1) if emitted else None,
        # The machine is shared: a loaded one starves the simulator of CPU.
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def run(rate: float, lean: bool, tokens: list[str]) -> dict[str, Any]:
    with simulator_process("--stream-rate", str(rate)) as (base, process):
        user, key = _login(base)
        return asyncio.run(_measure(base, process.pid, tokens,
                                    {"user": user, "token": key}, rate, lean))


def main(runs: tuple[tuple[float, bool], ...] = RUNS) -> dict[str, Any]:
    tokens = _tokens(INSTRUMENTS)
    rows = [run(rate, lean, tokens) for rate, lean in runs]
    best = max(rows, key=lambda row: row["received_ticks_per_second"])
    figures = {"runs": rows, "best_received_ticks_per_second":
               best["received_ticks_per_second"]}
    save("sim_stream", figures)
    return figures


def readme_lines(figures: dict[str, Any]) -> list[str]:
    lines = []
    for row in figures["runs"]:
        lines.append(
            f"| simulator livestream, {row['instruments']} instruments at "
            f"{row['stream_rate_per_token']:g}/s each, {row['clients']} {row['client']} "
            f"| {row['received_ticks_per_second']} ticks/s received "
            f"(offered {row['offered_ticks_per_second']:g}, simulator CPU "
            f"{row['simulator_cpu_percent']} %, {row['cpu_microseconds_per_tick']} µs CPU "
            f"per tick, load average {row['load_average_1min']}) |")
    return lines


if __name__ == "__main__":
    # e.g. `bench_sim_stream.py 10 lean:20`: a rate per run, `lean:` for the lean client
    chosen = tuple((float(arg.removeprefix("lean:")), arg.startswith("lean:"))
                   for arg in sys.argv[1:])
    main(chosen or RUNS)
