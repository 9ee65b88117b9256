"""Inside Breeze's limits, measured at the simulator (the far side of the wire).

- A burst of 50 orders sent at once: all 50 succeed, and the simulator never sees more
  than 10 order placements in a second — counted per second of the orders' own
  `order_datetime` (what ICICI would see), and per sliding second of the arrival times
  the counting simulator notes.
- A client polling `orderbook` 20 times a second for a minute: the calls that reach
  the simulator from the platform's session in that minute are counted by the
  simulator's side (the counting layer in front of it), not by the platform.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Callable

import httpx
import pytest

from tests.orders_robustness.stack import Stack, assert_no_duplicates

BURST = 50
MAX_PER_SECOND = 10
# Loopback jitter between the platform's send and the simulator's arrival note.
JITTER = 0.02


def test_burst_of_50_is_paced_to_10_a_second_and_all_succeed(
        stack_factory: Callable[..., Stack]) -> None:
    stack = stack_factory()
    started = time.time()

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=stack.base_url, timeout=60,
                                     limits=httpx.Limits(max_connections=BURST)) as http:
            return await asyncio.gather(*(
                http.post("/api/v1/placeorder", json=stack.order(strategy=f"burst-{n}"))
                for n in range(BURST)))

    answers = asyncio.run(burst())
    failed = [(a.status_code, a.text) for a in answers if a.status_code != 200]
    assert not failed, f"{len(failed)} of {BURST} orders failed: {failed[:3]}"
    orderids = {a.json()["orderid"] for a in answers}
    assert len(orderids) == BURST

    orders = [o for o in stack.sim_orders() if o.order_id in orderids]
    assert len(orders) == BURST
    assert_no_duplicates(stack.sim_orders())

    # What ICICI would see: placements per second of the order timestamps, and per
    # sliding second of the arrival times (any 11 consecutive placements span >= 1 s).
    per_second = Counter(o.order_datetime for o in orders)
    arrivals = sorted(c.at for c in stack.platform_calls(started)
                      if (c.method, c.endpoint) == ("POST", "order"))
    assert len(arrivals) == BURST
    spans = [arrivals[i + MAX_PER_SECOND] - arrivals[i]
             for i in range(len(arrivals) - MAX_PER_SECOND)]
    print(f"burst: {BURST} placements in {arrivals[-1] - arrivals[0]:.2f}s; per second "
          f"{[n for _, n in sorted(per_second.items())]}; arrivals (s) "
          f"{[round(a - arrivals[0], 3) for a in arrivals]}")
    assert max(per_second.values()) <= MAX_PER_SECOND, sorted(per_second.items())
    assert min(spans) >= 1.0 - JITTER, (
        f"11 placements arrived within {min(spans):.3f}s (spans {[round(s, 3) for s in spans]})")


def calls_shown(page: str) -> int:
    return int(re.search(r'id="broker-calls">(\d+) of', page)[1])


@pytest.mark.timeout(200)
def test_polling_orderbook_20_a_second_for_a_minute_costs_about_60_calls(
        stack_factory: Callable[..., Stack]) -> None:
    stack = stack_factory()
    # An order today makes NSE an "active" exchange: the costlier case for the books.
    assert stack.place(strategy="poll").status_code == 200
    admin = stack.platform.browser()
    assert admin.login().status_code == 303
    shown_before = calls_shown(admin.get("/broker").text)

    started = time.time()
    statuses: Counter[int] = Counter()
    with httpx.Client(base_url=stack.base_url, timeout=10) as http:
        body = {"apikey": stack.apikey}
        next_at = time.monotonic()
        end = next_at + 60
        while next_at < end:
            statuses[http.post("/api/v1/orderbook", json=body).status_code] += 1
            next_at += 0.05
            time.sleep(max(next_at - time.monotonic(), 0))
    finished = time.time()

    calls = [c for c in stack.platform_calls(started) if c.at <= finished]
    shown = calls_shown(admin.get("/broker").text) - shown_before
    admin.close()
    by_endpoint = Counter(f"{c.method} {c.endpoint}" for c in calls)
    print(f"polling: {sum(statuses.values())} orderbook requests {dict(statuses)} in "
          f"{finished - started:.1f}s -> {len(calls)} broker calls at the simulator "
          f"{dict(by_endpoint)}; the platform's own counter moved by {shown}")
    assert set(statuses) == {200}, dict(statuses)
    assert sum(statuses.values()) >= 1100, "the poller did not reach 20 requests a second"
    assert len(calls) <= 66, f"{len(calls)} broker calls in a minute: {dict(by_endpoint)}"
    # The budget the platform shows is the budget it spends.
    assert abs(shown - len(calls)) <= 2, (shown, len(calls))
