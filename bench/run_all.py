"""Run every bench (or the ones named), save the figures, and write the summary of all
of them into the README — from the saved figures for benches not run this time.

    make bench
    .venv/bin/python bench/run_all.py orders market
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_analyzer
import bench_client
import bench_feed
import bench_hardening
import bench_instruments
import bench_market
import bench_order_updates
import bench_orders
import bench_sim_stream
import bench_simulator
from common import load, update_readme

# Name on the command line -> (module, name of its saved figures).
BENCHES = {
    "simulator": (bench_simulator, "simulator_throughput"),
    "client": (bench_client, "client_round_trip"),
    "instruments": (bench_instruments, "instruments"),
    "orders": (bench_orders, "orders_overhead"),
    "market": (bench_market, "market"),
    "hardening": (bench_hardening, "hardening"),
    "stream": (bench_sim_stream, "sim_stream"),
    "order_updates": (bench_order_updates, "order_updates"),
    "analyzer": (bench_analyzer, "analyzer"),
    "feed": (bench_feed, "feed"),
}


def main(names: list[str]) -> None:
    unknown = set(names) - set(BENCHES)
    if unknown:
        raise SystemExit(f"unknown bench {sorted(unknown)}; choose from {sorted(BENCHES)}")
    figures = {name: module.main() if not names or name in names else load(saved)
               for name, (module, saved) in BENCHES.items()}
    simulator, client, instruments, orders, market = (
        figures[name] for name in ("simulator", "client", "instruments", "orders", "market"))
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
    lines.extend(bench_hardening.readme_lines(figures["hardening"]))
    lines.extend(bench_sim_stream.readme_lines(figures["stream"]))
    lines.extend(bench_order_updates.readme_lines(figures["order_updates"]))
    lines.extend(bench_analyzer.readme_lines(figures["analyzer"]))
    lines.extend(bench_feed.readme_lines(figures["feed"]))
    update_readme(lines)


if __name__ == "__main__":
    main(sys.argv[1:])
