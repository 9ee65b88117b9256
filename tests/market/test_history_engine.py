"""The history engine offline: the ICICI adapter over a stand-in Breeze session that
trades around the clock (so the calendar's estimate is wrong on purpose), the budget
refusal, and a failed range that leaves the rest stored for a retry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from algodesk.brokers.base import BrokerFailure
from algodesk.brokers.icici.adapter import IciciBroker
from algodesk.brokers.icici.budget import CallBudget
from algodesk.brokers.icici.errors import TransportError
from algodesk.brokers.icici.gateway import BrokerGateway
from algodesk.brokers.icici.schemas import BreezeCandleV2
from algodesk.instruments import SymbolIndex
from algodesk.instruments.refresh import import_archive
from algodesk.market.calendar import MarketCalendar
from algodesk.market.candle_store import CandleStore
from algodesk.market.history import HistoryService, _ist_midnight, plan_ranges
from algodesk.market.intervals import FIVE_MINUTES
from algodesk.market.market_data import MarketDataError
from algodesk.simulator.market import Market
from algodesk.storage import Database

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=IST).timestamp()


@pytest.fixture(scope="module")
def index() -> SymbolIndex:
    instruments, _ = import_archive(Market(seed=7, size="small").security_master_zip(), 0.001)
    return SymbolIndex(instruments)


class RoundTheClock:
    """A logged-in Breeze session (`BrokerConnection` and client in one) whose v2 history
    is a market open 24 hours a day, 1,000 candles a call at most."""

    def __init__(self, fail_from: dt.datetime | None = None) -> None:
        self.calls = 0
        self.fail_from = fail_from

    async def call(self, operation: Any) -> Any:
        return await operation(self)

    def session_started(self) -> str:
        return "session"

    async def get_historical_v2(self, interval: str, begin: dt.datetime, finish: dt.datetime,
                                *_: Any, **__: Any) -> list[BreezeCandleV2]:
        self.calls += 1
        if self.fail_from is not None and begin >= self.fail_from:
            raise TransportError("not sent", endpoint="historical.v2")
        step = {"1minute": 60, "5minute": 300}[interval]
        first = -(-int(begin.timestamp()) // step) * step
        rows = []
        for ts in range(first, int(finish.timestamp()) + 1, step):
            if ts > NOW - step or len(rows) == 1000:
                break
            price = Decimal(1000 + ts % 997) / 10
            rows.append(BreezeCandleV2(dt.datetime.fromtimestamp(ts, IST), price, price + 1,
                                       price - 1, price, 10, 0))
        return rows


def service(tmp_path: Path, index: SymbolIndex, session: RoundTheClock,
            budget: CallBudget | None = None) -> HistoryService:
    store = CandleStore(Database(f"sqlite:///{tmp_path}/candles.db"))
    store.ensure_tables()
    gateway = BrokerGateway(session, budget or CallBudget(10_000, 100_000))
    broker = IciciBroker(gateway, lambda: index)
    return HistoryService(lambda: index, broker, store, MarketCalendar(), clock=lambda: NOW)


async def test_an_underestimated_range_is_continued_and_then_stored(
        tmp_path: Path, index: SymbolIndex) -> None:
    broker = RoundTheClock()
    history = service(tmp_path, index, broker)
    result = await history.history("SBIN", "NSE", "1m", "2026-11-16", "2026-11-19")
    assert len(result.candles) == 4 * 1440  # all day, every day: more than planned
    assert result.broker_calls == broker.calls > 2  # the estimate said 2 calls
    ts = result.candles.ts
    assert (ts[1:] - ts[:-1] == 60).all()
    again = await history.history("SBIN", "NSE", "1m", "2026-11-16", "2026-11-19")
    assert again.broker_calls == 0 and broker.calls == result.broker_calls
    assert (again.candles.close == result.candles.close).all()
    stored = await history.history("SBIN", "NSE", "3m", "2026-11-16", "2026-11-19",
                                   source="db")
    assert len(stored.candles) == 4 * 480 and stored.broker_calls == 0


async def test_a_request_beyond_the_days_budget_is_refused_up_front(
        tmp_path: Path, index: SymbolIndex) -> None:
    broker = RoundTheClock()
    history = service(tmp_path, index, broker,
                      CallBudget(100, 300, reserve_per_day=250))  # 50 reads left
    with pytest.raises(MarketDataError) as refused:
        await history.history("SBIN", "NSE", "1m", "2025-11-01", "2026-11-19")
    assert refused.value.status == 429 and "needs about" in str(refused.value.message)
    assert broker.calls == 0


async def test_a_failed_range_keeps_what_arrived(tmp_path: Path, index: SymbolIndex) -> None:
    first = _ist_midnight(dt.date(2026, 10, 26))
    last = _ist_midnight(dt.date(2026, 11, 20)) - 1
    ranges = plan_ranges(first, last, FIVE_MINUTES, "NSE", MarketCalendar(), 999)
    assert len(ranges) == 2  # 18 sessions of 75 bars (Diwali off): 999, then the rest
    second = dt.datetime.fromtimestamp(ranges[1][0], IST)
    # Ranges beginning at the second one fail; the first (continued round the clock, its
    # continuations begin before `second`) arrives.
    failing = RoundTheClock(fail_from=second)
    history = service(tmp_path, index, failing)
    with pytest.raises(BrokerFailure) as failed:  # the adapter's words for a TransportError
        await history.history("SBIN", "NSE", "5m", "2026-10-26", "2026-11-19")
    assert failed.value.status == 502 and "history of SBIN could not be read" in str(failed.value)
    healthy = RoundTheClock()
    history = service(tmp_path, index, healthy)  # the same candle store
    result = await history.history("SBIN", "NSE", "5m", "2026-10-26", "2026-11-19")
    assert len(result.candles) == 25 * 288
    # Only the days of the failed range are fetched again.
    assert 1 <= healthy.calls < failing.calls


@pytest.mark.parametrize(("interval", "days"), [
    ("1s", 7), ("45s", 7), ("1m", 1_096), ("15m", 3_653), ("1h", 7_305), ("D", 18_263),
    ("M", 18_263)])
def test_the_range_limit_by_interval_is_checked_before_anything_else(
        tmp_path: Path, index: SymbolIndex, interval: str, days: int) -> None:
    history = service(tmp_path, index, RoundTheClock())
    today = dt.datetime.fromtimestamp(NOW, IST).date()
    first = today - dt.timedelta(days=days - 1)
    # The limit itself is allowed, and days after today do not count.
    history.validate("SBIN", "NSE", interval, first.isoformat(), "2999-12-31")
    with pytest.raises(MarketDataError) as refused:
        # Refused before the symbol is even looked up.
        history.validate("NOSUCH", "NSE", interval, (first - dt.timedelta(days=1)).isoformat(),
                         today.isoformat())
    assert refused.value.status == 400
    assert f"is {days + 1} days" in refused.value.message
    assert f"at most {days} days per request" in refused.value.message
