"""How long a ping waits while hostile requests are being answered (issue 15).

Against the running platform on the simulator: for each bad request that once stalled
the event loop (a thousand years of minute bars, a 400,000-digit quantity or price, a
5,000-digit quantity, JSON nested 100,000 deep), `BURST` of them are sent at once from
threads while another client pings back to back; the figures are each bad request's
own answer time and the pings' latency while the burst is in flight. Before the fix a
ping waited 152 s behind the history request and ~4 s behind the quantity.

    .venv/bin/python bench/bench_hardening.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from common import ROOT, percentiles, save

sys.path.insert(0, str(ROOT))
from tests.orders_robustness.stack import EXCHANGE, SYMBOL, Stack

BURST = 8
ROUNDS = 10
HUGE = "1e400000"


def _bodies(stack: Stack) -> dict[str, tuple[str, str]]:
    order = stack.order()
    deep = json.dumps({**order, "nested": None}).replace("null", "[" * 100_000 + "]" * 100_000)
    return {
        "history 1m 1900-2999": ("history", json.dumps({
            "apikey": stack.apikey, "symbol": SYMBOL, "exchange": EXCHANGE, "interval": "1m",
            "start_date": "1900-01-01", "end_date": "2999-12-31"})),
        "quantity 1e400000": ("placeorder", json.dumps({**order, "quantity": HUGE})),
        "quantity of 5,000 digits": ("placeorder", json.dumps({**order, "quantity": "9" * 5000})),
        "price 1e400000": ("placeorder", json.dumps({**order, "price": HUGE})),
        "JSON nested 100,000 deep": ("placeorder", deep),
    }


def _measure(stack: Stack, endpoint: str, body: str) -> tuple[list[float], list[float]]:
    bad_times: list[float] = []
    pings: list[float] = []
    done = threading.Event()

    def bad(http: httpx.Client) -> None:
        started = time.perf_counter()
        answer = http.post(f"/api/v1/{endpoint}", content=body.encode(),
                           headers={"content-type": "application/json"})
        bad_times.append(time.perf_counter() - started)
        assert answer.status_code == 400, answer.text

    def ping() -> None:
        with httpx.Client(base_url=stack.base_url, timeout=300) as http:
            while not done.is_set():
                started = time.perf_counter()
                answer = http.post("/api/v1/ping", json={"apikey": stack.apikey})
                pings.append(time.perf_counter() - started)
                assert answer.status_code == 200, answer.text

    for _ in range(ROUNDS):
        done.clear()
        pinger = threading.Thread(target=ping)
        pinger.start()
        with httpx.Client(base_url=stack.base_url, timeout=300) as http, \
                ThreadPoolExecutor(BURST) as pool:
            list(pool.map(lambda _: bad(http), range(BURST)))
        done.set()
        pinger.join()
    return bad_times, pings


def main() -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="bench-hardening-"))
    stack = Stack.open(folder, sim_args=("--calls-per-minute", "2000"))
    figures: dict[str, Any] = {"burst": BURST, "rounds": ROUNDS}
    try:
        for name, (endpoint, body) in _bodies(stack).items():
            bad_times, pings = _measure(stack, endpoint, body)
            figures[name] = {"bad_request": percentiles(bad_times),
                             "ping_alongside": {**percentiles(pings),
                                                "max_ms": round(max(pings) * 1000, 3)}}
    finally:
        stack.close()
    save("hardening", figures)
    return figures


def readme_lines(figures: dict[str, Any]) -> list[str]:
    names = [k for k, v in figures.items() if isinstance(v, dict)]
    worst = max(figures[n]["ping_alongside"]["max_ms"] for n in names)
    slowest = max(names, key=lambda n: figures[n]["bad_request"]["p99_ms"])
    return [
        f"| ping alongside {figures['burst']} hostile requests at once (history 1900-2999, "
        f"quantity/price 1e400000, 5,000 digits, JSON 100,000 deep) | worst {worst} ms "
        f"(was 4 s to 152 s); the bad requests' p99 at most "
        f"{figures[slowest]['bad_request']['p99_ms']} ms ({slowest}) |",
    ]


if __name__ == "__main__":
    main()
