"""Order updates: how soon a fill reaches a WebSocket client, and the Breeze calls the
order notifications save a client that polls the order book.

Both against the counting simulator of the robustness tests (`tests/orders_robustness`:
the real simulator app behind a layer noting when each Breeze request arrived), with
ICICI's call budget lifted on both sides: the budget stretches the polling interval as
the day goes, and what is measured here is the cache, not the hour.

Latency. One platform with order updates on; a plain WebSocket client sends
`subscribe_orders`; ORDERS MARKET buys of one ITC share are placed one at a time through
`/api/v1/placeorder`. The simulator fills a MARKET order (sent as an aggressive limit)
while it handles the placement request, so for each order: the time from the
simulator's arrival of that request to the client's receipt of the `complete` update.
That bounds fill → client from above (the simulator's checks before the match count
too). Both clocks are this machine's.

Calls. Two platforms, ORDER_UPDATES_ENABLED true and false, each on a simulator of its
own. In each, a client polls `orderbook` every POLL_SECONDS while orders are placed at
each pace of PACES (so many orders, so many seconds apart: every other one a MARKET buy
that fills at once, the others limit buys resting far below the market), and one more
is placed outside the platform (ICICI's own app: the bench's own Breeze session)
halfway. Counted: the platform's Breeze calls the simulator received during each pace,
by endpoint. The first pace also pays for the first read of all six exchanges' lists.

    .venv/bin/python bench/bench_order_updates.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from common import ROOT, percentiles, save

sys.path.insert(0, str(ROOT))
# The tests' platform + counting simulator pair, and its far-side reads.
from tests.orders_robustness.stack import EXCHANGE, SYMBOL, Stack

ORDERS = 100
# Seconds between orders -> orders: as often as the books' polling TTL, and sparser.
PACES = {2.0: 15, 10.0: 6}
POLL_SECONDS = 0.5
TARGET_P99_MS = 100.0
UNLIMITED = {"BREEZE_CALLS_PER_MINUTE": "1000000", "BREEZE_CALLS_PER_DAY": "100000000"}
SIM_UNLIMITED = ("--calls-per-minute", "100000000", "--calls-per-day", "100000000")


def open_stack(workdir: Path, enabled: bool) -> Stack:
    stack = Stack.open(workdir, sim_args=SIM_UNLIMITED, env={
        **UNLIMITED, "ORDER_UPDATES_ENABLED": "true" if enabled else "false"})
    if enabled:  # the books follow the order stream once it is connected
        deadline = time.monotonic() + 30
        while stack.sim.admin("state")["streams"]["connections"] < 1:
            if time.monotonic() > deadline:
                raise RuntimeError("the platform's order stream never connected")
            time.sleep(0.1)
    return stack


def order_body(stack: Stack, *, market: bool) -> dict[str, Any]:
    body = stack.order(strategy="bench-updates")
    return {**body, "pricetype": "MARKET", "price": "0"} if market else body


async def place(http: httpx.AsyncClient, stack: Stack, *, market: bool) -> str:
    answer = await http.post("/api/v1/placeorder", json=order_body(stack, market=market))
    if answer.status_code != 200:
        raise RuntimeError(f"placeorder failed: {answer.status_code} {answer.text}")
    return str(answer.json()["orderid"])


# -- latency ------------------------------------------------------------------------------


async def latency(stack: Stack, orders: int) -> dict[str, Any]:
    url = f"ws://127.0.0.1:{stack.platform.env['WEBSOCKET_PORT']}"
    completed: dict[str, float] = {}  # orderid -> epoch seconds the update arrived
    arrived = asyncio.Event()
    async with connect(url) as ws, httpx.AsyncClient(base_url=stack.base_url,
                                                     timeout=30) as http:
        await ws.send(json.dumps({"action": "authenticate", "api_key": stack.apikey}))
        assert json.loads(await ws.recv())["status"] == "success"
        await ws.send(json.dumps({"action": "subscribe_orders"}))
        assert json.loads(await ws.recv())["status"] == "success"

        async def read() -> None:
            async for text in ws:
                received = time.time()
                frame = json.loads(text)
                if frame.get("type") == "order_update" and \
                        frame["order_status"] == "complete":
                    completed[frame["orderid"]] = received
                    arrived.set()

        reader = asyncio.create_task(read())
        started = time.time()
        placed: list[str] = []
        try:
            await place(http, stack, market=True)  # warm-up: caches, the quote read
            await asyncio.sleep(0.5)
            started = time.time()
            for _ in range(orders):
                orderid = await place(http, stack, market=True)
                placed.append(orderid)
                while orderid not in completed:
                    arrived.clear()
                    await asyncio.wait_for(arrived.wait(), 10)
                await asyncio.sleep(0.15)  # the pacer: ten order actions a second
        finally:
            reader.cancel()
    arrivals = sorted(c.at for c in stack.platform_calls(started)
                      if (c.method, c.endpoint) == ("POST", "order"))
    if len(arrivals) != len(placed):
        raise RuntimeError(f"{len(arrivals)} placements reached the simulator, "
                           f"{len(placed)} were made")
    samples = [completed[orderid] - at for orderid, at in zip(placed, arrivals, strict=True)]
    figures = percentiles(samples)
    figures["target_p99_ms"] = TARGET_P99_MS
    return figures


# -- calls ---------------------------------------------------------------------------------


async def calls_while_polling(stack: Stack, orders: int, spacing: float) -> dict[str, Any]:
    started = time.time()
    polls = 0

    async def poll(http: httpx.AsyncClient) -> None:
        nonlocal polls
        while True:
            answer = await http.post("/api/v1/orderbook", json={"apikey": stack.apikey})
            answer.raise_for_status()
            polls += 1
            await asyncio.sleep(POLL_SECONDS)

    async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as http:
        poller = asyncio.create_task(poll(http))
        try:
            for n in range(orders):
                await place(http, stack, market=n % 2 == 0)
                if n == orders // 2:  # an order placed outside the platform
                    await asyncio.to_thread(stack.direct, lambda c: c.place_order(
                        stock_code=SYMBOL, exchange_code=EXCHANGE, product="cash",
                        action="buy", order_type="limit", quantity=1, price=stack.price))
                await asyncio.sleep(spacing)
        finally:
            poller.cancel()
    seconds = time.time() - started
    by_endpoint = Counter(f"{c.method} {c.endpoint}" for c in stack.platform_calls(started))
    return {"seconds": round(seconds, 1), "orderbook_polls": polls,
            "breeze_calls": sum(by_endpoint.values()),
            "order_list_reads": by_endpoint.get("GET order", 0),
            "by_endpoint": dict(sorted(by_endpoint.items()))}


# -- run -----------------------------------------------------------------------------------


def main(orders: int = ORDERS, paces: dict[float, int] | None = None) -> dict[str, Any]:
    paces = paces or PACES
    figures: dict[str, Any] = {"poll_seconds": POLL_SECONDS, "paces": []}
    runs: dict[bool, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-order-updates-") as tmp:
        for enabled in (True, False):
            stack = open_stack(Path(tmp) / ("on" if enabled else "off"), enabled)
            try:
                runs[enabled] = [asyncio.run(calls_while_polling(stack, count, spacing))
                                 for spacing, count in paces.items()]
                if enabled:
                    figures["fill_to_client"] = asyncio.run(latency(stack, orders))
            finally:
                stack.close()
    for (spacing, count), on, off in zip(paces.items(), runs[True], runs[False], strict=True):
        saved = off["order_list_reads"] - on["order_list_reads"]
        figures["paces"].append({
            "orders": count, "spacing_seconds": spacing, "with_order_updates": on,
            "polling_only": off, "breeze_calls_saved": off["breeze_calls"] - on["breeze_calls"],
            "order_list_reads_saved_percent":
                round(100 * saved / off["order_list_reads"], 1) if off["order_list_reads"]
                else None})
    save("order_updates", figures)
    for line in readme_lines(figures):
        print(line)
    return figures


def readme_lines(figures: dict[str, Any]) -> list[str]:
    latency_ = figures["fill_to_client"]
    met = "met" if latency_["p99_ms"] <= latency_["target_p99_ms"] else "missed"
    lines = [
        f"| order update, simulator fill → WebSocket client (`subscribe_orders`) | "
        f"p50 {latency_['p50_ms']} ms, p99 {latency_['p99_ms']} ms "
        f"(target p99 ≤ {latency_['target_p99_ms']:g} ms: {met}) |"]
    for pace in figures["paces"]:
        on, off = pace["with_order_updates"], pace["polling_only"]
        lines.append(
            f"| Breeze calls, orderbook polled every {figures['poll_seconds']:g} s, "
            f"{pace['orders']} orders {pace['spacing_seconds']:g} s apart (+1 elsewhere) | "
            f"{on['breeze_calls']} with order updates, {off['breeze_calls']} polling only; "
            f"order-list reads {on['order_list_reads']} vs {off['order_list_reads']} "
            f"({pace['order_list_reads_saved_percent']} % saved) |")
    return lines


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=ORDERS)
    parser.add_argument("--pace", action="append", default=[], metavar="SECONDS:ORDERS",
                        help="a pace of the calls runs (repeatable; default "
                             + ", ".join(f"{k:g}:{v}" for k, v in PACES.items()) + ")")
    args = parser.parse_args()
    chosen = {float(a.split(":")[0]): int(a.split(":")[1]) for a in args.pace}
    main(args.orders, chosen or None)
