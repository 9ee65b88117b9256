"""Living inside Breeze's limits: the call budget, order pacing and shared reads.

Breeze allows about 100 calls a minute and 5,000 a day per session, and 10 order
actions a second. The platform owns that budget: order actions are paced (queued, never
refused for pace), reads are cached briefly and identical concurrent reads share one
call, and when the budget runs low, order actions keep priority over reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from ..base import NotSent

IST = timezone(timedelta(hours=5, minutes=30), "IST")
T = TypeVar("T")


class BudgetExhausted(NotSent):
    """A read refused to keep the rest of the budget for order actions; `retry_after`
    says when asking again makes sense (seconds, exact: whoever answers rounds up)."""

    default_status = 429

    def __init__(self, message: str, retry_after: float = 60.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # type: ignore[assignment]  # a float here


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
        # The IST day `_day` as timestamps [start, end): the day string is worked out
        # again only when the clock leaves it, not on every call.
        self._day_start = float("inf")
        self._day_end = float("-inf")

    def _roll(self, now: float) -> None:
        minute = self._minute
        horizon = now - 60
        while minute and minute[0] <= horizon:
            minute.popleft()
        if not self._day_start <= now < self._day_end:
            self._new_day(now)

    def _new_day(self, now: float) -> None:
        local = datetime.fromtimestamp(now, IST)
        # IST has no daylight saving: every IST day is 86,400 s long.
        self._day_start = datetime(local.year, local.month, local.day, tzinfo=IST).timestamp()
        self._day_end = self._day_start + 86400.0
        day = local.strftime("%Y-%m-%d")
        if day != self._day:  # Breeze's daily budget resets at midnight IST
            self._day, self._day_used = day, 0

    def record(self, route: str = "") -> None:
        now = self._clock()
        self._roll(now)
        self._minute.append(now)
        self._day_used += 1

    def seed(self, day: str, calls: int, recent: Iterable[float] = ()) -> None:
        """Take over what an earlier process counted (at start-up): `calls` made on IST
        `day` (counted only if that is today) and the times of its `recent` calls (those
        still inside the minute window count there; none is placed after now)."""
        now = self._clock()
        self._roll(now)
        if day == self._day:
            self._day_used += max(calls, 0)
        stamps = [min(t, now) for t in recent if t > now - 60]
        if stamps:
            self._minute = deque(sorted([*self._minute, *stamps]))

    @property
    def day(self) -> str:
        """The IST day counted (as of the last call or snapshot)."""
        return self._day

    def recent(self) -> list[float]:
        """The times of the calls inside the minute window, oldest first."""
        self._roll(self._clock())
        return list(self._minute)

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

    async def admit(self, *, order_action: bool, max_wait: float | None = None) -> None:
        """Wait for room in the minute window; refuse a read that would eat the
        daily reserve kept for orders, or that would wait longer than `max_wait`."""
        reserve_minute = 0 if order_action else self.reserve_per_minute
        if not order_action:
            snapshot = self.snapshot()
            if snapshot.day_left <= self.reserve_per_day:
                raise BudgetExhausted(
                    f"Breeze's daily call budget is nearly spent ({snapshot.day_used} of "
                    f"{snapshot.day_limit}); the rest is kept for order actions",
                    retry_after=self._seconds_to_midnight())
        delay = self.seconds_until_free(reserve_minute)
        if max_wait is not None and delay > max_wait:
            raise BudgetExhausted(
                f"Breeze's per-minute call budget is spent ({self.per_minute} a minute); "
                f"reads resume in {delay:.0f} s, order actions keep priority",
                retry_after=delay)
        # Waiting on time passing, not on an event: the window frees itself.
        while (delay := self.seconds_until_free(reserve_minute)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(min(delay, 1.0))

    def _seconds_to_midnight(self) -> float:
        now = self._clock()
        self._roll(now)
        return self._day_end - now

    def polling_interval(self, keys: int) -> float:
        """Seconds between two broker reads of one polled book, so that polling `keys`
        books spends at most half of what is left of today's budget (beyond the order
        reserve) before the market closes at 15:30 IST (midnight once it has closed).

        A client polling every 100 ms thus costs a fixed number of calls a day: early in
        the day books refresh every few seconds, and slower as the budget is used.
        """
        now = self._clock()
        self._roll(now)  # [_day_start, _day_end) now holds `now`
        spare = (max(self.per_day - self._day_used, 0) - self.reserve_per_day) / 2
        if spare < 1:
            return 3600.0
        close = self._day_start + _CLOSE_SECONDS
        left = close - now if now < close else self._day_end - now
        return max(left, 60.0) * max(keys, 1) / spare


_CLOSE_SECONDS = (15 * 60 + 30) * 60  # the market closes at 15:30 IST


class OrderPacer:
    """At most `rate` order actions in any one-second window, in arrival order.
    Callers queue rather than being refused.

    Use `slot()` around the send: a slot is then busy from its grant until one second
    after its request was answered, however long the answer takes. The broker counts
    arrivals, and a request can leave (and arrive) any time between its grant and its
    answer; measured from the answer, the eleventh request cannot be granted until a
    second after the first one surely arrived. `acquire()` takes a slot counted from
    its grant.
    """

    def __init__(self, rate: int = 10, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._clock = clock
        # One [end] per busy slot, in grant order: the slot is busy until end + 1 s;
        # end is +inf while its request is in flight (granted, not yet answered).
        self._slots: list[list[float]] = []
        self._lock = asyncio.Lock()
        self._answered = asyncio.Event()  # set whenever a request in flight is answered

    async def _grant(self, in_flight: bool) -> list[float]:
        async with self._lock:  # FIFO: asyncio.Lock wakes waiters in order
            while True:
                now = self._clock()
                horizon = now - 1.0
                self._slots = busy = [slot for slot in self._slots if slot[0] > horizon]
                if len(busy) < self.rate:
                    slot = [math.inf if in_flight else now]
                    busy.append(slot)
                    return slot
                first_end = min(slot[0] for slot in busy)
                if first_end < math.inf:
                    # A request answered since cannot free a slot any sooner.
                    await asyncio.sleep(first_end + 1.0 - now)
                else:  # every busy slot is in flight: wait for an answer
                    self._answered.clear()
                    await self._answered.wait()

    async def acquire(self) -> None:
        """A slot counted from now."""
        await self._grant(in_flight=False)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """A slot for the block's request: busy until a second after the block ends
        (answered, failed or cancelled)."""
        slot = await self._grant(in_flight=True)
        try:
            yield
        finally:
            slot[0] = self._clock()
            self._answered.set()


@dataclass(slots=True)
class _Flight:
    started: float
    future: asyncio.Future[Any]


class SharedReads:
    """A short-lived cache of read results where identical concurrent reads share one
    broker call (single flight).

    `invalidate` marks values read before an order action as stale, so the next read
    sees the action's effect (a script that places an order and then reads its position
    sees the new position). While order actions are still in flight (`acting`, a burst),
    that would turn every poll into a broker call; then a stale key is read again at most
    once per `catch_up` seconds, and the burst's end makes the next read fresh.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic,
                 catch_up: float = 1.0) -> None:
        self._clock = clock
        self.catch_up = catch_up
        self._values: dict[Hashable, tuple[float, float, Any]] = {}  # started, expires, value
        self._flights: dict[Hashable, _Flight] = {}
        self._dirty: dict[Hashable, float] = {}  # key -> when it was last invalidated
        self._caught_up: dict[Hashable, float] = {}  # key -> last read made to catch up
        self._fetched: dict[Hashable, float] = {}  # key -> last time it was read
        #: Order actions in flight (kept by the order service).
        self.acting = 0

    def _usable(self, key: Hashable, started: float, now: float,
                max_age: float | None) -> bool:
        if max_age is not None and now - started > max_age:
            return False
        return started >= self._dirty.get(key, float("-inf"))

    async def get(self, key: Hashable, ttl: float | Callable[[T], float],
                  fetch: Callable[[], Awaitable[T]], *, max_age: float | None = None) -> T:
        """The value of `key`: cached for `ttl` seconds, else fetched once for everyone
        asking. `ttl` may be a function of the value read (an exchange's order list is
        read again sooner once it has orders). `max_age` asks for a value read at most
        that long ago, whatever the TTL, and never a stale one (0: read now, e.g.
        positions before a smart order)."""
        now = self._clock()
        cached = self._values.get(key)
        if cached is not None:
            started, expires, value = cached
            if max_age is None:
                if now < expires and (self._usable(key, started, now, None) or (
                        self.acting > 0 and now - self._caught_up.get(key, float("-inf"))
                        < self.catch_up)):
                    return value  # type: ignore[no-any-return]
            elif self._usable(key, started, now, max_age):
                return value  # type: ignore[no-any-return]
        flight = self._flights.get(key)
        if flight is not None and self._usable(key, flight.started, now, max_age) and (
                max_age is None or flight.started >= now - max_age):
            return await asyncio.shield(flight.future)  # type: ignore[no-any-return]
        if self.acting > 0 and max_age is None and cached is not None and not self._usable(
                key, cached[0], now, None):
            self._caught_up[key] = now
        return await self._fetch(key, ttl, fetch, now, cached, max_age)

    async def _fetch(self, key: Hashable, ttl: float | Callable[[T], float],
                     fetch: Callable[[], Awaitable[T]],
                     now: float, cached: tuple[float, float, Any] | None,
                     max_age: float | None) -> T:
        flight = _Flight(now, asyncio.get_running_loop().create_future())
        self._flights[key] = flight
        self._fetched[key] = now
        try:
            value = await fetch()
        except BudgetExhausted as exc:
            if cached is not None and max_age is None:
                # Out of budget for reads: the last answer beats none (orders go first).
                flight.future.set_result(cached[2])
                return cached[2]  # type: ignore[no-any-return]
            flight.future.set_exception(exc)
            flight.future.exception()
            raise
        except BaseException as exc:
            flight.future.set_exception(exc)
            flight.future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        else:
            current = self._values.get(key)
            if current is None or current[0] <= now:  # never replace a newer answer
                seconds = ttl(value) if callable(ttl) else ttl
                self._values[key] = (now, self._clock() + seconds, value)
            flight.future.set_result(value)
            return value
        finally:
            if self._flights.get(key) is flight:
                del self._flights[key]

    def invalidate(self, predicate: Callable[[Hashable], bool] | None = None) -> None:
        """Mark cached values (all, or those whose key matches) as read before now, e.g.
        the order book after an order action."""
        now = self._clock()
        keys = set(self._values) | set(self._flights)
        for key in keys:
            if predicate is None or predicate(key):
                self._dirty[key] = now

    def busy_keys(self, window: float = 120.0,
                  predicate: Callable[[Hashable], bool] | None = None) -> int:
        """How many keys (all, or those matching) were read in the last `window`
        seconds: what is being polled."""
        horizon = self._clock() - window
        for key in [k for k, t in self._fetched.items() if t < horizon]:
            del self._fetched[key]
        return sum(1 for key in self._fetched if predicate is None or predicate(key))
