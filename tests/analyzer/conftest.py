"""Analyzer mode against real peers: `algodesk serve` connected through the broker login
to a real simulator, spoken to with the unmodified `openalgo` client and plain HTTP;
the simulator's own admin API counts the orders it received."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import IST, SimulatorProcess
from tests.market.conftest import MarketDesk, open_desk


def wait_out_day_turns(margin_seconds: float = 600.0) -> None:
    """Tests whose books must stay one day throughout: ICICI's order book is the IST
    calendar day's (it turns at 00:00), the paper session day turns at 03:00 IST, and
    test platforms close paper MIS at 02:59. A module started in the last
    `margin_seconds` (longer than a module runs) before either turn waits for it."""
    now = dt.datetime.now(IST)
    for hour in (0, 3):
        turn = dt.datetime.combine(now.date(), dt.time(hour), IST)
        if turn <= now:
            turn += dt.timedelta(days=1)
        left = (turn - now).total_seconds()
        if left < margin_seconds:
            time.sleep(left + 0.5)
            return


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory,
         simulator_factory: Callable[..., SimulatorProcess]) -> Iterator[MarketDesk]:
    wait_out_day_turns()
    opened = open_desk(tmp_path_factory.mktemp("analyzer-desk"), simulator_factory, [])
    try:
        yield opened
    finally:
        opened.admin.close()
        opened.platform.stop()


def toggle(desk: MarketDesk, analyze: bool) -> dict[str, Any]:
    reply = desk.client.analyzertoggle(mode=analyze)
    assert reply["status"] == "success", reply
    assert reply["data"]["analyze_mode"] is analyze, reply
    return dict(reply)


def sim_orders(desk: MarketDesk) -> int:
    """How many orders the simulator (playing ICICI) has received."""
    return int(desk.sim.admin("state")["orders"])


def quote(desk: MarketDesk, symbol: str, exchange: str) -> dict[str, Any]:
    reply = desk.post("quotes", {"symbol": symbol, "exchange": exchange})
    assert reply.status_code == 200, reply.text
    return dict(reply.json()["data"])


def tick_size(desk: MarketDesk, symbol: str, exchange: str) -> Decimal:
    reply = desk.post("symbol", {"symbol": symbol, "exchange": exchange})
    assert reply.status_code == 200, reply.text
    return Decimal(str(reply.json()["data"]["tick_size"]))
