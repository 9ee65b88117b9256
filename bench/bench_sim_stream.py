"""Ticks per second the simulator's livestream emits to plain socket.io clients.

A simulator runs with `--stream-rate R` (ticks per second per joined token); each of
`CLIENTS` python-socketio clients logs in with ICICI's socket auth and joins the quote
tokens of 1,000 instruments. Over a measured window the bench counts what the clients
receive, what the simulator says it emitted (`/admin/state`), and the simulator
process's CPU time. The issue's end-to-end goal is 10,000 ticks/s in total.

    PYTHONPATH=src .venv/bin/python bench/bench_sim_stream.py [rate ...]
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import socketio

sys.path.insert(0, str(Path(__file__).parent))

from common import APP_KEY, api_session, save, simulator_process

INSTRUMENTS = 1000
CLIENTS = 1
WARM_UP_SECONDS = 15.0  # first quotes build each instrument's series (ms each; ~9 s for 1,000)
WINDOW_SECONDS = 10.0
RATES = (1.0, 5.0, 10.0, 20.0)


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


async def _measure(base: str, pid: int, tokens: list[str], auth: dict[str, str],
                   rate: float) -> dict[str, Any]:
    counts = [0] * CLIENTS
    clients: list[socketio.AsyncClient] = []
    for n in range(CLIENTS):
        client = socketio.AsyncClient(reconnection=False)

        def count(_: Any, n: int = n) -> None:
            counts[n] += 1

        client.on("stock", count)
        await client.connect(base, auth=auth, transports="websocket", wait_timeout=10)
        await client.emit("join", tokens)
        clients.append(client)
    await asyncio.sleep(WARM_UP_SECONDS)
    received0, emitted0, cpu0 = sum(counts), _emitted(base), _cpu_seconds(pid)
    began = time.monotonic()
    await asyncio.sleep(WINDOW_SECONDS)
    elapsed = time.monotonic() - began
    received, emitted, cpu = sum(counts) - received0, _emitted(base) - emitted0, \
        _cpu_seconds(pid) - cpu0
    for client in clients:
        await client.disconnect()
    return {
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


def run(rate: float, tokens: list[str]) -> dict[str, Any]:
    with simulator_process("--stream-rate", str(rate)) as (base, process):
        user, key = _login(base)
        return asyncio.run(_measure(base, process.pid, tokens,
                                    {"user": user, "token": key}, rate))


def main(rates: tuple[float, ...] = RATES) -> dict[str, Any]:
    tokens = _tokens(INSTRUMENTS)
    rows = [run(rate, tokens) for rate in rates]
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
            f"{row['stream_rate_per_token']:g}/s each, {row['clients']} plain socket.io "
            f"client | {row['received_ticks_per_second']} ticks/s received "
            f"(offered {row['offered_ticks_per_second']:g}, simulator CPU "
            f"{row['simulator_cpu_percent']} %, {row['cpu_microseconds_per_tick']} µs CPU "
            f"per tick, load average {row['load_average_1min']}) |")
    return lines


if __name__ == "__main__":
    main(tuple(float(arg) for arg in sys.argv[1:]) or RATES)
