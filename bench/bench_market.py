"""Market-data figures: option chain latency, history cold and warm, IV solve.

- optionchain, ±20 strikes around ATM (41 strikes, 82 legs) end to end through the
  running platform against the simulator's full universe (201 NIFTY strikes an expiry):
  `fresh` requests come more than a second apart, so each costs its three broker reads
  (calls, puts, the index quote); `shared` requests come within the second and are
  served from the shared read cache.
- history: one year of 5-minute candles (≈19,000) for one stock against a simulator
  with NSE hours: `cold` fetches every range from the broker and fills the candle store,
  `warm` is the same request again (no broker call).
- IV: one implied-volatility solve (and the full Greeks) per option, in process, over a
  spread of strikes, expiries and volatilities.

    .venv/bin/python bench/bench_market.py
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from common import ROOT, percentiles, save

sys.path.insert(0, str(ROOT))
from tests.conftest import SimulatorProcess, free_port
from tests.market.conftest import MarketDesk, open_desk

from algodesk.market import greeks

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
CHAIN_SAMPLES = 15
SHARED_SAMPLES = 50
HISTORY_WARM_SAMPLES = 10


class _Simulators:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[SimulatorProcess] = []

    def __call__(self, **kwargs: Any) -> SimulatorProcess:
        sim = SimulatorProcess(port=free_port(), **kwargs)
        sim.start(self.folder)
        self.started.append(sim)
        return sim

    def stop(self) -> None:
        for sim in self.started:
            sim.stop()


def _post(http: httpx.Client, desk: MarketDesk, endpoint: str, body: dict[str, Any]
          ) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    answer = http.post(f"/api/v1/{endpoint}", json={"apikey": desk.apikey, **body})
    elapsed = time.perf_counter() - started
    reply = answer.json()
    assert reply.get("status") == "success", reply
    return elapsed, reply


def _next_expiry(desk: MarketDesk) -> str:
    reply = desk.client.expiry(symbol="NIFTY", exchange="NFO", instrumenttype="options")
    today = dt.datetime.now(IST).date()
    days = [dt.datetime.strptime(d.title(), "%d-%b-%y").date() for d in reply["data"]]
    return next(d for d in days if d > today).strftime("%d%b%y").upper()


def bench_chain(desk: MarketDesk) -> dict[str, Any]:
    body = {"underlying": "NIFTY", "exchange": "NSE_INDEX", "expiry_date": _next_expiry(desk),
            "strike_count": 20}
    fresh, shared = [], []
    with httpx.Client(base_url=desk.platform.base_url, timeout=120) as http:
        _post(http, desk, "optionchain", body)  # the simulator's first quotes of the day
        for _ in range(CHAIN_SAMPLES):
            time.sleep(1.2)  # past the read cache's second
            elapsed, reply = _post(http, desk, "optionchain", body)
            fresh.append(elapsed)
            for _ in range(SHARED_SAMPLES // CHAIN_SAMPLES):
                shared.append(_post(http, desk, "optionchain", body)[0])
    assert len(reply["chain"]) == 41
    return {"strikes": 41, "fresh": percentiles(fresh), "shared": percentiles(shared)}


def bench_history(desk: MarketDesk) -> dict[str, Any]:
    end = dt.datetime.now(IST).date() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=365)
    body = {"symbol": "RELIANCE", "exchange": "NSE", "interval": "5m",
            "start_date": start.isoformat(), "end_date": end.isoformat()}
    with httpx.Client(base_url=desk.platform.base_url, timeout=600) as http:
        calls_before = desk.broker_calls_today()
        cold, reply = _post(http, desk, "history", body)
        calls = desk.broker_calls_today() - calls_before
        warm = [_post(http, desk, "history", body)[0] for _ in range(HISTORY_WARM_SAMPLES)]
        assert desk.broker_calls_today() - calls_before == calls
    return {"candles": len(reply["data"]), "broker_calls": calls,
            "cold_seconds": round(cold, 3), "warm": percentiles(warm)}


def bench_iv() -> dict[str, Any]:
    cases = []
    for strike in range(22_000, 28_001, 250):
        for days in (1, 7, 30, 90):
            for vol in (0.1, 0.18, 0.35):
                for call in (True, False):
                    years = days / 365
                    price = greeks.black76_price(25_000.0, strike, years, 0.065, vol, call)
                    intrinsic = math.exp(-0.065 * years) * max(
                        (25_000.0 - strike) * (1 if call else -1), 0.0)
                    if price - intrinsic > 0.05:
                        cases.append((price, float(strike), years, call))
    rounds = 5
    started = time.perf_counter()
    for _ in range(rounds):
        for price, strike, years, call in cases:
            greeks.implied_volatility(price, 25_000.0, strike, years, 0.065, call)
    solve = (time.perf_counter() - started) / (rounds * len(cases))
    started = time.perf_counter()
    for _ in range(rounds):
        for price, strike, years, call in cases:
            greeks.option_greeks(price, 25_000.0, strike, years, 0.065, call)
    full = (time.perf_counter() - started) / (rounds * len(cases))
    return {"options": len(cases), "iv_solve_us": round(solve * 1e6, 2),
            "iv_and_greeks_us": round(full * 1e6, 2)}


def main() -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="bench-market-"))
    simulators = _Simulators(folder)
    figures: dict[str, Any] = {"iv": bench_iv()}
    try:
        desk = open_desk(folder / "chain", simulators, ["--contracts", "full"])
        try:
            figures["optionchain_20"] = bench_chain(desk)
        finally:
            desk.admin.close()
            desk.platform.stop()
        desk = open_desk(folder / "history", simulators, ["--market-hours", "exchange"])
        try:
            figures["history_1y_5m"] = bench_history(desk)
        finally:
            desk.admin.close()
            desk.platform.stop()
    finally:
        simulators.stop()
    save("market", figures)
    return figures


def readme_lines(figures: dict[str, Any]) -> list[str]:
    chain, history, iv = figures["optionchain_20"], figures["history_1y_5m"], figures["iv"]
    return [
        f"| optionchain ±20 strikes (82 legs), end to end | p50 {chain['fresh']['p50_ms']} ms, "
        f"p99 {chain['fresh']['p99_ms']} ms (3 broker reads); within the second "
        f"p50 {chain['shared']['p50_ms']} ms (shared reads) |",
        f"| history, 1 year of 5m candles ({history['candles']:,}) | cold "
        f"{history['cold_seconds']} s ({history['broker_calls']} broker calls); warm "
        f"p50 {history['warm']['p50_ms']} ms (candle store, no broker call) |",
        f"| implied volatility per option | {iv['iv_solve_us']} µs solve, "
        f"{iv['iv_and_greeks_us']} µs with Greeks ({iv['options']} options) |",
    ]


if __name__ == "__main__":
    main()
