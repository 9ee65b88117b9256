"""The call budget, order pacing and shared reads."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from algodesk.brokers.icici import budget as budget_module
from algodesk.brokers.icici.budget import BudgetExhausted, CallBudget, OrderPacer, SharedReads
from algodesk.brokers.icici.calls import CallUsageLog


class FakeClock:
    """Time the test moves by hand (the budget's arithmetic, not the wall clock)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_budget_counts_minute_and_day_windows() -> None:
    clock = FakeClock()
    budget = CallBudget(per_minute=5, per_day=8, clock=clock)
    for _ in range(5):
        budget.record("funds")
    snapshot = budget.snapshot()
    assert (snapshot.minute_used, snapshot.minute_left, snapshot.day_used) == (5, 0, 5)
    clock.now += 61
    assert budget.snapshot().minute_used == 0
    assert budget.snapshot().day_used == 5
    clock.now += 86400  # a new IST day resets the daily count
    assert budget.snapshot().day_used == 0


async def test_reads_wait_for_the_minute_window_orders_use_the_reserve() -> None:
    clock = FakeClock()
    budget = CallBudget(per_minute=4, per_day=1000, reserve_per_minute=2,
                        reserve_per_day=10, clock=clock)
    budget.record()
    budget.record()
    # Two used, two reserved for orders: an order goes now, a read must wait.
    assert budget.seconds_until_free(reserve=0) == 0
    assert budget.seconds_until_free(reserve=2) == pytest.approx(60)
    await asyncio.wait_for(budget.admit(order_action=True), 1)


async def test_reads_refused_when_only_the_daily_reserve_is_left() -> None:
    budget = CallBudget(per_minute=1000, per_day=20, reserve_per_day=5)
    for _ in range(15):
        budget.record()
    with pytest.raises(BudgetExhausted, match="kept for order actions"):
        await budget.admit(order_action=False)
    await budget.admit(order_action=True)


async def test_pacer_allows_ten_a_second_in_order() -> None:
    pacer = OrderPacer(rate=10)
    stamps: list[tuple[int, float]] = []

    async def act(n: int) -> None:
        await pacer.acquire()
        stamps.append((n, time.monotonic()))

    started = time.monotonic()
    await asyncio.gather(*(act(n) for n in range(25)))
    assert [n for n, _ in stamps] == list(range(25))  # first come, first served
    times = [t for _, t in stamps]
    for i in range(len(times) - 10):
        assert times[i + 10] - times[i] >= 0.999  # never 11 inside one second
    assert times[-1] - started >= 2.0


async def test_identical_concurrent_reads_share_one_call() -> None:
    reads = SharedReads()
    calls = 0

    async def fetch() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return "book"

    results = await asyncio.gather(*(reads.get("orderbook", 1.0, fetch) for _ in range(20)))
    assert results == ["book"] * 20 and calls == 1
    assert await reads.get("orderbook", 1.0, fetch) == "book" and calls == 1  # cached
    reads.invalidate(lambda key: key == "orderbook")
    await reads.get("orderbook", 1.0, fetch)
    assert calls == 2


async def test_a_failed_read_is_not_cached_and_reaches_every_waiter() -> None:
    reads = SharedReads()
    attempts = 0

    async def broken() -> str:
        nonlocal attempts
        attempts += 1
        await asyncio.sleep(0.01)
        raise RuntimeError("broker down")

    outcomes = await asyncio.gather(*(reads.get("funds", 5, broken) for _ in range(3)),
                                    return_exceptions=True)
    assert all(isinstance(o, RuntimeError) for o in outcomes) and attempts == 1
    with pytest.raises(RuntimeError):
        await reads.get("funds", 5, broken)
    assert attempts == 2


# ---------------------------------------------------------------- restart: seeding

IST_OFFSET = timezone(timedelta(hours=5, minutes=30))


def ist_day_of(t: float) -> str:
    return datetime.fromtimestamp(t, IST_OFFSET).strftime("%Y-%m-%d")


async def test_seeded_day_keeps_the_daily_reserve_for_orders() -> None:
    clock = FakeClock()
    budget = CallBudget(per_minute=1000, per_day=5000, reserve_per_day=200, clock=clock)
    budget.seed(ist_day_of(clock.now), 4790)  # counted by the process before a restart
    assert budget.snapshot().day_used == 4790
    await budget.admit(order_action=False)  # 210 left: reads still go
    budget.record()
    budget.seed(ist_day_of(clock.now - 86400), 3000)  # yesterday's calls do not count
    snapshot = budget.snapshot()
    assert (snapshot.day_used, snapshot.day_left) == (4791, 209)
    for _ in range(9):
        budget.record()
    with pytest.raises(BudgetExhausted, match=r"\(4800 of 5000\).*kept for order actions"):
        await budget.admit(order_action=False)
    await asyncio.wait_for(budget.admit(order_action=True), 1)  # orders keep priority


def test_seeded_minute_window_keeps_only_calls_still_inside_it() -> None:
    clock = FakeClock()
    budget = CallBudget(per_minute=4, per_day=1000, reserve_per_minute=0, clock=clock)
    now = clock.now
    budget.record()
    budget.seed(ist_day_of(now), 0, [now - 75, now - 60, now - 50, now - 20, now + 5])
    # -75 and -60 have left the window; a stamp after now counts as now.
    assert budget.recent() == [now - 50, now - 20, now, now]
    assert budget.snapshot().minute_used == 4
    assert budget.seconds_until_free(reserve=0) == pytest.approx(10)  # when -50 leaves
    clock.now += 10
    assert budget.snapshot().minute_used == 3


# ---------------------------------------------------------------- the IST day

def test_day_rolls_at_midnight_ist_exactly_and_back() -> None:
    midnight = datetime(2027, 3, 15, tzinfo=IST_OFFSET).timestamp()
    clock = FakeClock(midnight - 0.5)
    budget = CallBudget(per_day=1000, reserve_per_day=0, clock=clock)
    budget.record()
    budget.record()
    assert (budget.day, budget.snapshot().day_used) == ("2027-03-14", 2)
    clock.now = midnight - 1e-6
    assert (budget.snapshot().day_used, budget.day) == (2, "2027-03-14")
    clock.now = midnight
    assert (budget.snapshot().day_used, budget.day) == (0, "2027-03-15")
    budget.record()
    assert budget.snapshot().day_used == 1
    clock.now = midnight + 86400 - 1e-6
    assert (budget.snapshot().day_used, budget.day) == (1, "2027-03-15")
    clock.now = midnight - 10  # a clock set back: the count of that day starts again
    assert (budget.snapshot().day_used, budget.day) == (0, "2027-03-14")


def test_day_and_timings_match_the_calendar_at_any_time() -> None:
    """The cached day bounds give what working from the calendar each time gives."""
    clock = FakeClock()
    budget = CallBudget(per_day=5000, reserve_per_day=200, clock=clock)
    start = datetime(2027, 3, 14, 23, 0, tzinfo=IST_OFFSET).timestamp()
    moments = [start + step * 617.3 for step in range(400)]  # ~3 days, forwards ...
    moments += moments[::-7]  # ... and backwards
    for now in moments:
        clock.now = now
        budget.record()
        local = datetime.fromtimestamp(now, IST_OFFSET)
        next_midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0,
                                                            microsecond=0)
        close = local.replace(hour=15, minute=30, second=0, microsecond=0)
        left = (close - local if local < close else next_midnight - local).total_seconds()
        spare = (5000 - budget.snapshot().day_used - 200) / 2
        assert budget.day == local.strftime("%Y-%m-%d")
        assert budget.polling_interval(3) == pytest.approx(max(left, 60.0) * 3 / spare)
        assert budget._seconds_to_midnight() == pytest.approx(
            (next_midnight - local).total_seconds())


def test_the_day_is_worked_out_once_a_day_not_per_call(
        monkeypatch: pytest.MonkeyPatch) -> None:
    conversions = 0

    class CountingDatetime(datetime):
        @classmethod
        def fromtimestamp(cls, t: float, tz: Any = None) -> Any:  # type: ignore[override]
            nonlocal conversions
            conversions += 1
            return super().fromtimestamp(t, tz)

    monkeypatch.setattr(budget_module, "datetime", CountingDatetime)
    midnight = datetime(2027, 3, 15, tzinfo=IST_OFFSET).timestamp()
    clock = FakeClock(midnight - 50)
    budget = CallBudget(per_minute=100_000, per_day=100_000, clock=clock)
    usage = CallUsageLog(budget)
    for _ in range(1000):  # 1,000 calls across midnight IST
        clock.now += 0.1
        usage.record("placeorder")
        assert usage.usage().day == ist_day_of(clock.now)
    assert budget.snapshot().day_used == 500
    assert conversions == 2  # the first call, and the first one after midnight


# ---------------------------------------------------------------- order pacing

async def test_a_slot_in_flight_stays_busy_until_a_second_after_its_answer() -> None:
    """Slow answers: the next requests are granted a second after the first answers,
    not a second after the first grants, so no more than `rate` can arrive in a second
    wherever between grant and answer each one arrives."""
    pacer = OrderPacer(rate=2)
    spans: dict[int, tuple[float, float]] = {}
    granted: list[int] = []

    async def act(n: int, duration: float) -> None:
        async with pacer.slot():
            granted.append(n)
            started = time.monotonic()
            await asyncio.sleep(duration)
            spans[n] = (started, time.monotonic())

    await asyncio.gather(act(0, 1.3), act(1, 1.3), act(2, 0.05), act(3, 0.05), act(4, 0.05))
    assert granted == [0, 1, 2, 3, 4]  # first come, first served
    for n in range(len(spans) - 2):
        # The request rate places later leaves only after the earlier one's answer + 1 s.
        assert spans[n + 2][0] >= spans[n][1] + 0.999, (n, spans)


async def test_waiting_on_requests_in_flight_does_not_spin() -> None:
    reads = 0

    def clock() -> float:
        nonlocal reads
        reads += 1
        return time.monotonic()

    pacer = OrderPacer(rate=2, clock=clock)
    answered: list[float] = []

    async def slow() -> None:
        async with pacer.slot():
            await asyncio.sleep(0.8)
        answered.append(time.monotonic())

    first = [asyncio.create_task(slow()), asyncio.create_task(slow())]
    await asyncio.sleep(0.01)
    reads = 0
    await pacer.acquire()  # both slots in flight: waits for an answer, then a second
    granted = time.monotonic()
    await asyncio.gather(*first)
    assert granted >= min(answered) + 0.999
    assert reads <= 10, f"the clock was read {reads} times while waiting"


async def test_a_failed_request_frees_its_slot_a_second_after_it_ended() -> None:
    pacer = OrderPacer(rate=1)
    ended = 0.0

    async def failing() -> None:
        nonlocal ended
        async with pacer.slot():
            await asyncio.sleep(0.2)
            ended = time.monotonic()
            raise RuntimeError("connection reset")

    task = asyncio.create_task(failing())
    await asyncio.sleep(0)
    await asyncio.wait_for(pacer.acquire(), 3)
    assert time.monotonic() >= ended + 0.999
    with pytest.raises(RuntimeError):
        await task
