"""Run every bench, save the figures, and write the summary into the README.

    make bench
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_client
import bench_instruments
import bench_market
import bench_orders
import bench_simulator
from common import update_readme


def main() -> None:
    simulator = bench_simulator.main()
    client = bench_client.main()
    instruments = bench_instruments.main()
    orders = bench_orders.main()
    market = bench_market.main()
    lines = [
        "| figure | value |",
        "| --- | --- |",
        f"| simulator, signed GET `funds` | {simulator['signed_get_funds']['requests_per_second']} req/s "
        f"({simulator['signed_get_funds']['concurrency']} connections) |",
        f"| simulator, place order (marketable IOC) | "
        f"{simulator['place_order_ioc']['requests_per_second']} req/s |",
    ]
    for name, label in (("get_funds", "`get_funds`"), ("get_quotes", "`get_quotes`"),
                        ("place_order", "`place_order`")):
        figure = client[name]
        lines.append(f"| BreezeClient round trip, {label} | p50 {figure['p50_ms']} ms, "
                     f"p99 {figure['p99_ms']} ms |")
    lines.extend(bench_instruments.readme_lines(instruments))
    lines.extend(bench_orders.readme_lines(orders))
    lines.extend(bench_market.readme_lines(market))
    update_readme(lines)


if __name__ == "__main__":
    main()
