"""Platform overhead per placeorder: what algodesk adds on top of the Breeze round trip.

In one run, against one simulator process, one order at a time:
- end to end: `POST /api/v1/placeorder` to a running platform (httpx, keep-alive), a
  resting LIMIT buy of ITC — API key check, validation, symbol lookup, journal intent
  (a committed SQLite write), pacing, the signed Breeze call, the journal update;
- direct: the same order through our `BreezeClient` straight to the simulator (its own
  session).
Rounds interleave the two (alternating which goes first), so both see the same
simulator (whose order book grows as the run goes) and the same machine load.
Overhead = end-to-end minus direct. Reported: p50/p99 of each, of the paired
differences (round by round), and the difference of the percentiles.

Orders are spaced so that neither the order pacer (10 a second) nor Breeze's per-minute
budget as the platform counts it makes them wait: waiting there is policy, not cost.

    .venv/bin/python bench/bench_orders.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from decimal import ROUND_UP, Decimal
from pathlib import Path
from typing import Any

import httpx

from algodesk.brokers.icici import BreezeClient
from common import (
    APP_KEY,
    APP_SECRET,
    ROOT,
    api_session,
    free_port,
    percentiles,
    save,
    simulator,
)

sys.path.insert(0, str(ROOT))
# The tests' one implementation of the platform process and the login dance.
from tests.web.platform import (
    ADMIN,
    ADMIN_PASSWORD,
    PlatformProcess,
    env_file,
)

ROUNDS = 300
WARMUP = 10
# Seconds between rounds: two placements a round (one through the platform) must keep
# the platform's own Breeze budget (100 calls a minute) from ever queueing an order.
SPACING = 0.65
TARGET_P50_MS, TARGET_P99_MS = 1.0, 3.0


def start_platform(base: str, workdir: Path) -> tuple[PlatformProcess, str]:
    port = free_port()
    callback = f"http://127.0.0.1:{port}/icici/callback"
    (workdir / ".env").write_text(env_file(APP_KEY, APP_SECRET, callback))
    platform = PlatformProcess(workdir, port=port, env={
        "BREEZE_API_URL": f"{base}/breezeapi/api/v1/",
        "BREEZE_HISTORY_URL": f"{base}/api/v2/",
        "BREEZE_LOGIN_URL": f"{base}/apiuser/login",
        "SECURITY_MASTER_URL": f"{base}/MotherAppMaster/SecurityMaster.zip",
        "WEBSOCKET_PORT": str(free_port()),
    }).start()
    created = platform.cli("user", "create", "--username", ADMIN, "--password-stdin",
                           stdin=ADMIN_PASSWORD + "\n")
    if created.returncode:
        raise RuntimeError(created.stderr)
    browser = platform.browser()
    try:
        browser.login()
        browser.start_connect()
        answer = browser.http.post("/icici/callback", data={"API_Session": api_session(base)})
        if answer.status_code != 303:
            raise RuntimeError(f"could not connect the platform: {answer.text}")
    finally:
        browser.close()
    apikey = platform.cli("apikey", "create").stdout.strip()
    deadline = time.monotonic() + 60
    while True:  # the master contract loads in the background on a first start
        ready = platform.api("symbol", {"apikey": apikey, "symbol": "ITC", "exchange": "NSE"})
        if ready.status_code == 200:
            return platform, apikey
        if time.monotonic() > deadline:
            raise RuntimeError(f"symbol index not ready: {ready.text}")
        time.sleep(0.2)


def resting_price(ltp: Decimal) -> str:
    tick = Decimal("0.10")
    return str((ltp * Decimal("0.85") / tick).quantize(Decimal(1), rounding=ROUND_UP) * tick)


async def measure(base: str, platform_url: str, apikey: str) -> dict[str, Any]:
    async with BreezeClient(APP_KEY, APP_SECRET, api_url=f"{base}/breezeapi/api/v1/",
                            history_url=f"{base}/api/v2/") as direct, \
            httpx.AsyncClient(base_url=platform_url, timeout=30) as http:
        await direct.customer_details(api_session(base))
        quote = await direct.get_quotes("ITC", "NSE", product_type="cash")
        price = resting_price(next(q.ltp for q in quote if q.exchange_code == "NSE"))
        body = {"apikey": apikey, "strategy": "bench", "symbol": "ITC", "exchange": "NSE",
                "action": "BUY", "pricetype": "LIMIT", "product": "CNC", "quantity": "1",
                "price": price}

        async def through_platform() -> float:
            started = time.perf_counter()
            answer = await http.post("/api/v1/placeorder", json=body)
            took = time.perf_counter() - started
            if answer.status_code != 200:
                raise RuntimeError(f"placeorder failed: {answer.status_code} {answer.text}")
            return took

        async def straight() -> float:
            started = time.perf_counter()
            await direct.place_order(stock_code="ITC", exchange_code="NSE", product="cash",
                                     action="buy", order_type="limit", quantity="1",
                                     price=price, user_remark="bench-direct")
            return time.perf_counter() - started

        platform_s: list[float] = []
        direct_s: list[float] = []
        for round_ in range(WARMUP + ROUNDS):
            next_round = time.monotonic() + SPACING
            if round_ % 2:
                p, d = await through_platform(), await straight()
            else:
                d, p = await straight(), await through_platform()
            if round_ >= WARMUP:
                platform_s.append(p)
                direct_s.append(d)
            await asyncio.sleep(max(next_round - time.monotonic(), 0))

    paired = [p - d for p, d in zip(platform_s, direct_s, strict=True)]
    end_to_end, breeze = percentiles(platform_s), percentiles(direct_s)
    overhead = percentiles(paired)
    overhead["min_ms"] = round(min(paired) * 1000, 3)
    overhead["stdev_ms"] = round(statistics.stdev(paired) * 1000, 3)
    of_percentiles = {"p50_ms": round(end_to_end["p50_ms"] - breeze["p50_ms"], 3),
                      "p99_ms": round(end_to_end["p99_ms"] - breeze["p99_ms"], 3)}
    return {
        "rounds": ROUNDS,
        "spacing_s": SPACING,
        "end_to_end": end_to_end,
        "direct_breeze": breeze,
        "overhead_paired": overhead,
        "overhead_of_percentiles": of_percentiles,
        "targets_ms": {"p50": TARGET_P50_MS, "p99": TARGET_P99_MS},
        "met": {"p50": overhead["p50_ms"] <= TARGET_P50_MS,
                "p99": overhead["p99_ms"] <= TARGET_P99_MS},
    }


def main() -> dict[str, Any]:
    with simulator() as base, tempfile.TemporaryDirectory() as folder:
        platform, apikey = start_platform(base, Path(folder))
        try:
            figures = asyncio.run(measure(base, platform.base_url, apikey))
        finally:
            platform.stop()
    save("orders_overhead", figures)
    return figures


def readme_lines(figures: dict[str, Any]) -> list[str]:
    e2e, direct, overhead = (figures["end_to_end"], figures["direct_breeze"],
                             figures["overhead_paired"])
    verdict = "met" if all(figures["met"].values()) else "missed"
    return [
        f"| placeorder through the platform (end to end) | p50 {e2e['p50_ms']} ms, "
        f"p99 {e2e['p99_ms']} ms |",
        f"| same order, BreezeClient straight to the simulator | p50 {direct['p50_ms']} ms, "
        f"p99 {direct['p99_ms']} ms |",
        f"| platform overhead per placeorder (paired) | p50 {overhead['p50_ms']} ms, "
        f"p99 {overhead['p99_ms']} ms (target ≤ {TARGET_P50_MS} / ≤ {TARGET_P99_MS} ms: "
        f"{verdict}) |",
    ]


if __name__ == "__main__":
    main()
