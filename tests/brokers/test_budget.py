"""The call budget, order pacing and shared reads."""

from __future__ import annotations

import asyncio
import time

import pytest

from algodesk.brokers.icici.budget import BudgetExhausted, CallBudget, OrderPacer, SharedReads


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
