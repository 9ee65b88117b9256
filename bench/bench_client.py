"""BreezeClient round trips on loopback against the simulator: p50/p99 latency of a
signed GET (funds), a quote and a place order, one request at a time.

    .venv/bin/python bench/bench_client.py
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from algodesk.brokers.icici import BreezeClient
from common import APP_KEY, APP_SECRET, api_session, percentiles, save, simulator

ROUNDS = 500


async def timed(rounds: int, call: Any) -> dict[str, float]:
    for _ in range(20):  # warm the connection pool and caches
        await call()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


async def measure(base: str) -> dict[str, Any]:
    async with BreezeClient(APP_KEY, APP_SECRET, api_url=f"{base}/breezeapi/api/v1/",
                            history_url=f"{base}/api/v2/") as client:
        await client.customer_details(api_session(base))
        funds = await timed(ROUNDS, client.get_funds)
        quote = await timed(ROUNDS, lambda: client.get_quotes(
            stock_code="ITC", exchange_code="NSE", product_type="cash"))
        ltp = (await client.get_quotes(stock_code="ITC", exchange_code="NSE",
                                       product_type="cash"))[0].ltp
        price = f"{round(float(ltp) * 1.02):.2f}"
        place = await timed(ROUNDS, lambda: client.place_order(
            stock_code="ITC", exchange_code="NSE", product="cash", action="buy",
            order_type="limit", quantity="1", price=price, validity="ioc"))
    return {"get_funds": funds, "get_quotes": quote, "place_order": place}


def main() -> dict[str, Any]:
    with simulator() as base:
        figures = asyncio.run(measure(base))
    save("client_round_trip", figures)
    return figures


if __name__ == "__main__":
    main()
