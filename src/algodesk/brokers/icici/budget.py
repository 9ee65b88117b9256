"""Living inside Breeze's limits: the call budget, order pacing and shared reads.

Breeze allows about 100 calls a minute and 5,000 a day per session, and 10 order
actions a second. The platform owns that budget: order actions are paced (queued, never
refused for pace), reads are cached briefly and identical concurrent reads share one
call, and when the budget runs low, order actions keep priority over reads.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

IST = timezone(timedelta(hours=5, minutes=30), "IST")
T = TypeVar("T")


class BudgetExhausted(Exception):
    """Reads are refused to keep the rest of the budget for order actions."""


@dataclass(frozen=True, slots=True)
class BudgetSnapshot:
    minute_used: int
    minute_limit: int
    day_used: int
    day_limit: int

    @property
    def minute_left(self) -> int:
        return max(self.minute_limit - self.minute_used, 0)

    @property
    def day_left(self) -> int:
        return max(self.day_limit - self.day_used, 0)

    def as_dict(self) -> dict[str, int]:
        return {"minute_used": self.minute_used, "minute_limit": self.minute_limit,
                "minute_left": self.minute_left, "day_used": self.day_used,
                "day_limit": self.day_limit, "day_left": self.day_left}


class CallBudget:
    """Counts every Breeze call (hook `record` to `BreezeClient.on_request`).

    `reserve_*` calls of each window are kept for order actions: reads wait for the
    minute window, and are refused when only the daily reserve is left.
    """

    def __init__(self, per_minute: int = 100, per_day: int = 5000, *,
                 reserve_per_minute: int = 10, reserve_per_day: int = 200,
                 clock: Callable[[], float] = time.time) -> None:
        self.per_minute = per_minute
        self.per_day = per_day
        self.reserve_per_minute = reserve_per_minute
        self.reserve_per_day = reserve_per_day
        self._clock = clock
        self._minute: deque[float] = deque()
        self._day = ""
        self._day_used = 0

    def _roll(self, now: float) -> None:
        while self._minute and self._minute[0] <= now - 60:
            self._minute.popleft()
        day = datetime.fromtimestamp(now, IST).strftime("%Y-%m-%d")
        if day != self._day:  # Breeze's daily budget resets at midnight IST
            self._day, self._day_used = day, 0

    def record(self, route: str = "") -> None:
        now = self._clock()
        self._roll(now)
        self._minute.append(now)
        self._day_used += 1

    def snapshot(self) -> BudgetSnapshot:
        self._roll(self._clock())
        return BudgetSnapshot(len(self._minute), self.per_minute, self._day_used, self.per_day)

    def seconds_until_free(self, reserve: int) -> float:
        """How long until the minute window has more than `reserve` calls left."""
        now = self._clock()
        self._roll(now)
        excess = len(self._minute) - (self.per_minute - reserve) + 1
        if excess <= 0:
            return 0.0
        return max(self._minute[excess - 1] + 60 - now, 0.0)

    async def admit(self, *, order_action: bool) -> None:
        """Wait for room in the minute window; refuse a read that would eat the
        daily reserve kept for orders."""
        reserve_minute = 0 if order_action else self.reserve_per_minute
        if not order_action:
            snapshot = self.snapshot()
            if snapshot.day_left <= self.reserve_per_day:
                raise BudgetExhausted(
                    f"Breeze's daily call budget is nearly spent ({snapshot.day_used} of "
                    f"{snapshot.day_limit}); the rest is kept for order actions")
        # Waiting on time passing, not on an event: the window frees itself.
        while (delay := self.seconds_until_free(reserve_minute)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(min(delay, 1.0))


class OrderPacer:
    """At most `rate` order actions in any one-second window, in arrival order.
    Callers queue rather than being refused."""

    def __init__(self, rate: int = 10, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._clock = clock
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:  # FIFO: asyncio.Lock wakes waiters in order
            while True:
                now = self._clock()
                while self._sent and self._sent[0] <= now - 1.0:
                    self._sent.popleft()
                if len(self._sent) < self.rate:
                    self._sent.append(now)
                    return
                await asyncio.sleep(self._sent[0] + 1.0 - now)


class SharedReads:
    """A short-lived cache of read results where identical concurrent reads share one
    broker call (single flight)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._flights: dict[Hashable, asyncio.Future[Any]] = {}

    async def get(self, key: Hashable, ttl: float, fetch: Callable[[], Awaitable[T]]) -> T:
        cached = self._values.get(key)
        if cached is not None and self._clock() < cached[0]:
            return cached[1]
        flight = self._flights.get(key)
        if flight is not None:
            return await asyncio.shield(flight)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._flights[key] = future
        try:
            value = await fetch()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        else:
            self._values[key] = (self._clock() + ttl, value)
            future.set_result(value)
            return value
        finally:
            del self._flights[key]

    def invalidate(self, predicate: Callable[[Hashable], bool] | None = None) -> None:
        """Forget cached values (all, or those whose key matches), e.g. the order book
        after an order action."""
        if predicate is None:
            self._values.clear()
            return
        for key in [k for k in self._values if predicate(k)]:
            del self._values[key]
