"""Simulator throughput: signed GET (funds) and place order, requests per second.

A pool of concurrent keep-alive connections (aiohttp) hammers one simulator process on loopback
for a fixed time. On a 2-core machine the load generator shares the CPU with the server,
so the figures are a floor.

    .venv/bin/python bench/bench_simulator.py
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from datetime import UTC, datetime
from typing import Any

import aiohttp
import httpx

from common import APP_KEY, APP_SECRET, api_session, save, simulator

DURATION_SECONDS = 5.0
CONCURRENCY = 16


def signed(token: str, body: str) -> dict[str, str]:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    digest = hashlib.sha256((stamp + body + APP_SECRET).encode()).hexdigest()
    return {"Content-Type": "application/json", "X-Checksum": f"token {digest}",
            "X-Timestamp": stamp, "X-AppKey": APP_KEY, "X-SessionToken": token}


async def hammer(base: str, token: str, method: str, endpoint: str,
                 payload: dict[str, Any]) -> dict[str, float]:
    body = json.dumps(payload, separators=(",", ":"))
    url = f"{base}/breezeapi/api/v1/{endpoint}"
    done = errors = 0
    deadline = time.perf_counter() + DURATION_SECONDS

    async def worker(client: aiohttp.ClientSession) -> None:
        nonlocal done, errors
        while time.perf_counter() < deadline:
            async with client.request(method, url, data=body,
                                      headers=signed(token, body)) as answer:
                reply = json.loads(await answer.read())
            if reply.get("Status") == 200:
                done += 1
            else:
                errors += 1

    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    return {"requests_per_second": round(done / elapsed, 1), "ok": done, "errors": errors,
            "concurrency": CONCURRENCY, "seconds": round(elapsed, 2)}


def prepare(base: str) -> tuple[str, dict[str, Any]]:
    """Log in and build a marketable IOC buy of one ITC share (the whole place path,
    matching included)."""
    session = api_session(base)
    details = httpx.request("GET", f"{base}/breezeapi/api/v1/customerdetails",
                            content=json.dumps({"SessionToken": session, "AppKey": APP_KEY}),
                            headers={"Content-Type": "application/json"}).json()
    token = details["Success"]["session_token"]
    query = json.dumps({"stock_code": "ITC", "exchange_code": "NSE", "product_type": "cash"},
                       separators=(",", ":"))
    quote = httpx.request("GET", f"{base}/breezeapi/api/v1/quotes", content=query,
                          headers=signed(token, query)).json()["Success"][0]
    order = {"stock_code": "ITC", "exchange_code": "NSE", "product": "cash",
             "action": "buy", "order_type": "limit", "quantity": "1",
             "price": f"{round(quote['ltp'] * 1.02):.2f}", "validity": "ioc",
             "user_remark": "bench"}
    return token, order


async def measure(base: str, token: str, order: dict[str, Any]) -> dict[str, Any]:
    funds = await hammer(base, token, "GET", "funds", {})
    place = await hammer(base, token, "POST", "order", order)
    return {"signed_get_funds": funds, "place_order_ioc": place}


def main() -> dict[str, Any]:
    with simulator() as base:
        token, order = prepare(base)
        figures = asyncio.run(measure(base, token, order))
    save("simulator_throughput", figures)
    return figures


if __name__ == "__main__":
    main()
