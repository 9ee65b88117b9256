"""Analyzer mode's placeorder: throughput with 16 concurrent clients and latency, beside
the live path in the same run (one platform, one simulator).

- analyzer, 16 clients: each keeps one order in flight (`common.KeepAliveClient`, a
  keep-alive HTTP/1.1 connection each) for `SECONDS`; MARKET MIS orders of ITC, buys and
  sells alternating, so every one fills (the fill path: book, margin, position, the
  paper store's write, the journal) and the account stays near flat. Orders per second
  over the whole run, and p50/p99 of each order's round trip under that load;
- analyzer, one client: the same orders one after another (latency without queueing);
- live, 16 clients, then one client: the same requests with analyzer mode off, a
  resting LIMIT buy each (they go to the simulator as ICICI; the live path is paced to
  ICICI's 10 order actions a second, so its throughput is that pace by design).

The goal for analyzer mode on this 2-core machine: at least 1,500 orders/s with 16
clients, p50 at most 2 ms (one client). The anchor's sandbox measured 38 orders/s and
p50 25 ms here.

    .venv/bin/python bench/bench_analyzer.py
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import uvloop

import bench_orders
from common import KeepAliveClient, percentiles, save, simulator

CLIENTS = 16
SECONDS = 10.0
ONE_CLIENT_ORDERS = 500
LIVE_ORDERS = 160
TARGET_ORDERS_PER_SECOND = 1500
TARGET_P50_MS = 2.0


def _body(apikey: str, **order: Any) -> bytes:
    return json.dumps({"apikey": apikey, "strategy": "bench", "symbol": "ITC",
                       "exchange": "NSE", "quantity": "1", **order}).encode()


async def _client(port: int, bodies: list[bytes], until: float | None, count: int | None,
                  samples: list[float], mode: str | None) -> int:
    """One connection placing orders back to back; returns how many it placed."""
    placed = 0
    async with KeepAliveClient("127.0.0.1", port) as http:
        while (until is None or time.monotonic() < until) and (count is None or placed < count):
            body = bodies[placed % len(bodies)]
            started = time.perf_counter()
            status, answer = await http.post_json("/api/v1/placeorder", body)
            took = time.perf_counter() - started
            reply = json.loads(answer)
            if status != 200 or reply.get("mode") != mode:
                raise RuntimeError(f"placeorder failed: {status} {answer.decode()}")
            samples.append(took)
            placed += 1
    return placed


def _cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _concurrent(port: int, bodies: list[bytes], *, clients: int, seconds: float | None,
                      orders: int | None, mode: str | None, pid: int) -> dict[str, Any]:
    samples: list[float] = []
    cpu = _cpu_seconds(pid)
    load = os.getloadavg()[0]
    started = time.monotonic()
    until = started + seconds if seconds else None
    each = None if orders is None else max(1, orders // clients)
    counts = await asyncio.gather(*(
        _client(port, bodies[i % len(bodies):] + bodies[:i % len(bodies)], until, each,
                samples, mode) for i in range(clients)))
    elapsed = time.monotonic() - started
    cpu = _cpu_seconds(pid) - cpu
    return {"clients": clients, "orders": sum(counts), "seconds": round(elapsed, 3),
            "orders_per_second": round(sum(counts) / elapsed, 1), **percentiles(samples),
            # The platform's own CPU per order, whatever else the machine runs, and how
            # busy the machine was (other work on the two cores slows every figure).
            "platform_cpu_us_per_order": round(cpu / sum(counts) * 1e6, 1),
            "platform_cpu_share": round(cpu / elapsed, 2),
            "load_average_before": round(load, 2)}


def _toggle(base_url: str, apikey: str, analyze: bool) -> None:
    reply = httpx.post(f"{base_url}/api/v1/analyzer/toggle",
                       json={"apikey": apikey, "mode": analyze}, timeout=30)
    reply.raise_for_status()


def _run(work: Any) -> Any:
    """The clients on uvloop (as the platform's server): the less CPU the load itself
    takes on two cores, the more of the platform's own cost the figures show."""
    return uvloop.run(work)


def measure(base_url: str, port: int, pid: int, apikey: str, price: str) -> dict[str, Any]:
    market = [_body(apikey, action=side, pricetype="MARKET", product="MIS")
              for side in ("BUY", "SELL")]
    resting = [_body(apikey, action="BUY", pricetype="LIMIT", product="CNC", price=price)]
    _toggle(base_url, apikey, True)
    httpx.post(f"{base_url}/api/v1/analyzer/reset", json={"apikey": apikey}, timeout=30)
    # Warm up: the first order reads ITC's quote and subscribes it on the feed.
    _run(_concurrent(port, market, clients=1, seconds=None, orders=50,
                            mode="analyze", pid=pid))
    time.sleep(1.0)
    figures = {
        "analyzer_16_clients": _run(_concurrent(
            port, market, clients=CLIENTS, seconds=SECONDS, orders=None, mode="analyze", pid=pid)),
        "analyzer_one_client": _run(_concurrent(
            port, market, clients=1, seconds=None, orders=ONE_CLIENT_ORDERS,
            mode="analyze", pid=pid)),
    }
    _toggle(base_url, apikey, False)
    time.sleep(1.5)  # the live pacer's window empties
    figures["live_16_clients"] = _run(_concurrent(
        port, resting, clients=CLIENTS, seconds=None, orders=LIVE_ORDERS, mode=None, pid=pid))
    time.sleep(1.5)
    figures["live_one_client"] = _run(_concurrent(
        port, resting, clients=1, seconds=None, orders=LIVE_ORDERS // 4, mode=None, pid=pid))
    throughput = figures["analyzer_16_clients"]["orders_per_second"]
    p50 = figures["analyzer_one_client"]["p50_ms"]
    figures["targets"] = {"orders_per_second": TARGET_ORDERS_PER_SECOND,
                          "p50_ms": TARGET_P50_MS}
    figures["met"] = {"orders_per_second": throughput >= TARGET_ORDERS_PER_SECOND,
                      "p50": p50 <= TARGET_P50_MS}
    return figures


def main() -> dict[str, Any]:
    with simulator() as base, tempfile.TemporaryDirectory() as folder:
        platform, apikey = bench_orders.start_platform(base, Path(folder) / "platform")
        try:
            quote = httpx.post(f"{platform.base_url}/api/v1/quotes", json={
                "apikey": apikey, "symbol": "ITC", "exchange": "NSE"}, timeout=30).json()
            price = bench_orders.resting_price(Decimal(str(quote["data"]["ltp"])))
            assert platform.process is not None
            figures = measure(platform.base_url, platform.port, platform.process.pid, apikey,
                              price)
        finally:
            platform.stop()
    save("analyzer", figures)
    return figures


def readme_lines(figures: dict[str, Any]) -> list[str]:
    busy, one = figures["analyzer_16_clients"], figures["analyzer_one_client"]
    live_busy, live_one = figures["live_16_clients"], figures["live_one_client"]
    verdict = {key: "met" if met else "missed" for key, met in figures["met"].items()}
    return [
        f"| analyzer placeorder, {busy['clients']} clients (MARKET, filled) | "
        f"{busy['orders_per_second']} orders/s (target ≥ {TARGET_ORDERS_PER_SECOND}: "
        f"{verdict['orders_per_second']}); p50 {busy['p50_ms']} ms, p99 {busy['p99_ms']} ms; "
        f"platform CPU {busy['platform_cpu_us_per_order']} µs an order, "
        f"{busy['platform_cpu_share']} of a core, load average "
        f"{busy['load_average_before']} |",
        f"| analyzer placeorder, one client | p50 {one['p50_ms']} ms (target ≤ "
        f"{TARGET_P50_MS}: {verdict['p50']}), p99 {one['p99_ms']} ms |",
        f"| live placeorder beside it, {live_busy['clients']} clients (paced to ICICI's 10/s) "
        f"| {live_busy['orders_per_second']} orders/s; p50 {live_busy['p50_ms']} ms, p99 "
        f"{live_busy['p99_ms']} ms |",
        f"| live placeorder, one client | p50 {live_one['p50_ms']} ms, p99 "
        f"{live_one['p99_ms']} ms |",
    ]


if __name__ == "__main__":
    main()
