"""History: candles for any interval and range, fetched once, within the call budget.

A request is answered in four steps:

1. **What is known.** The candle store holds blocks (IST days; months for daily
   candles) of the native interval the requested one is built from. Blocks whose needed
   part is final are served from there and cost nothing.
2. **What to fetch.** The missing blocks form runs; each run is split into contiguous
   ranges expected to hold fewer candles than one broker call answers (the broker's
   `history_page_size`: 1,000 for Breeze's v2 history), counting candle slots in the
   exchange's sessions from the shipped calendar. A range that still comes back full (a
   session the calendar did not know) is continued from its last candle, so nothing is
   lost when the estimate is wrong.
3. **Fetch.** Ranges are fetched a few at a time through the `Broker` protocol (the
   adapter admits each within its call budget); the request is refused up front when it
   needs more reads than the broker's allowance for today has left.
   Every fully fetched block is stored even if another range fails, so a retry resumes.
4. **Build.** Stored and fetched candles are merged (a fresh fetch wins a tie), cut to
   the range, and resampled from the session open.

`source="db"` answers from the store alone and never calls the broker.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..brokers.base import Broker
from ..domain.market import Candle
from ..instruments.model import Instrument
from .calendar import CALENDAR_EXCHANGE, IST, MarketCalendar
from .candle_store import CandleStore, StoredBlock, block_bounds, blocks_between
from .candles import Candles, daily_stamp, from_rows, merge, resample_calendar, resample_intraday
from .intervals import (
    DAY_SECONDS,
    INTRADAY_NATIVES,
    Interval,
    IntervalError,
    Native,
    parse_interval,
)
from .market_data import MarketDataError, SymbolLookup, not_found

FETCH_CONCURRENCY = 4
# Breeze may publish the last minute's candle a little late: a candle counts as final
# (storable for good) only this long after it closed.
SETTLE_SECONDS = 120
SOURCES = ("api", "db")
# The longest range (IST days, start to end or today) one request may ask, by the
# base interval it is built from. Each is months to years of a trader's bars and at
# most about a fifth of a day's Breeze budget on an NSE session (1s: ~23 calls a day;
# 1m: 3 years ~280 calls; 5m: 10 years ~190; 30m: 20 years ~70; daily: 50 years ~13);
# it is checked before anything else, so the planning behind the budget check is
# bounded. Longer ranges go in pieces (`algodesk history backfill` asks month by month).
MAX_RANGE_DAYS = {"1second": 7, "1minute": 1_096, "5minute": 3_653, "30minute": 7_305,
                  "1day": 18_263}


@dataclass(frozen=True, slots=True)
class HistoryResult:
    candles: Candles
    interval: Interval
    broker_calls: int
    fetched_candles: int


@dataclass(slots=True)
class _Chunk:
    first: int
    last: int
    blocks: tuple[int, ...]
    candles: Candles | None = None


def _ist_midnight(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), IST).timestamp())


def _ist_date(ts: int) -> dt.date:
    return dt.datetime.fromtimestamp(ts, IST).date()


def parse_day(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise MarketDataError(400, {field: [f"Not a valid date {text!r}: use YYYY-MM-DD."]}
                              ) from None


def plan_ranges(first: int, last: int, native: Native, exchange: str,
                calendar: MarketCalendar, limit: int) -> list[tuple[int, int]]:
    """Contiguous [first, last] pieces each expected to hold at most `limit` candles.
    The history service plans one candle short of a broker call's page: a full page
    then always means "there is more" and is continued, never an ambiguous exact fit."""
    calendar_exchange = CALENDAR_EXCHANGE.get(exchange, exchange)
    bounds = [first]
    count = 0
    day = _ist_date(first)
    while day <= _ist_date(last):
        if native.daily:
            slots = [(_ist_midnight(day), 1)] if calendar.trades_on(exchange, day) else []
            step = DAY_SECONDS
        else:
            step = native.seconds
            slots = []
            for session in calendar.sessions(day, (calendar_exchange,)):
                start, end = int(session.start.timestamp()), int(session.end.timestamp())
                k0 = max(0, -((start - first) // step))  # first slot opening at/after `first`
                k1 = min((end - 1 - start) // step, (last - start) // step)
                if k1 >= k0:
                    slots.append((start + k0 * step, k1 - k0 + 1))
        for slot_start, number in slots:
            cursor, remaining = slot_start, number
            while remaining > 0:
                room = limit - count
                if remaining <= room:
                    count += remaining
                    break
                # The current range takes `room` more slots; the next starts after them.
                cursor += room * step
                remaining -= room
                bounds.append(cursor)
                count = 0
        day += dt.timedelta(days=1)
    edges = [*bounds, last + 1]
    return [(edges[i], edges[i + 1] - 1) for i in range(len(bounds)) if edges[i] <= edges[i + 1] - 1]


def _candles_of(rows: list[Candle], daily: bool) -> Candles:
    def stamp(row: Candle) -> int:
        return daily_stamp(row.start) if daily else int(row.start.timestamp())

    return from_rows((stamp(r), r.open, r.high, r.low, r.close, r.volume,
                      r.open_interest) for r in rows)


class HistoryService:
    def __init__(self, instruments: Callable[[], SymbolLookup], broker: Broker,
                 store: CandleStore, calendar: MarketCalendar, *,
                 clock: Callable[[], float] = time.time,
                 concurrency: int = FETCH_CONCURRENCY) -> None:
        self.instruments = instruments
        self.broker = broker
        self.store = store
        self.calendar = calendar
        self.clock = clock
        self.concurrency = concurrency
        self._locks: dict[tuple[str, str, str], asyncio.Lock] = {}

    # -- the request -------------------------------------------------------------------

    def validate(self, symbol: str, exchange: str, interval: str, start_date: str,
                 end_date: str) -> tuple[Instrument, Interval, dt.date, dt.date]:
        try:
            parsed = parse_interval(interval)
        except IntervalError as exc:
            raise MarketDataError(400, {"interval": [str(exc)]}) from None
        start, end = parse_day(start_date, "start_date"), parse_day(end_date, "end_date")
        if start > end:
            raise MarketDataError(400, f"start_date {start} is after end_date {end}: the "
                                       "range must run forwards")
        self._check_range(parsed, start, end)
        inst = self.instruments().get(symbol, exchange)
        if inst is None:
            raise not_found(symbol, exchange)
        return inst, parsed, start, end

    def _check_range(self, interval: Interval, start: dt.date, end: dt.date) -> None:
        """At most MAX_RANGE_DAYS of the interval's base per request (days after today
        hold no candles and do not count)."""
        limit = MAX_RANGE_DAYS[interval.base.name]
        days = (min(end, _ist_date(int(self.clock()))) - start).days + 1
        if days > limit:
            raise MarketDataError(400, (
                f"The range {start} to {end} is {days} days; {interval.text} bars (built "
                f"from the broker's {interval.base.name} candles) are served at most "
                f"{limit} days per request. Ask in pieces of up to {limit} days, or "
                "fill the candle store with `algodesk history backfill`."))

    async def history(self, symbol: str, exchange: str, interval: str, start_date: str,
                      end_date: str, source: str = "api") -> HistoryResult:
        inst, parsed, start, end = self.validate(symbol, exchange, interval, start_date,
                                                 end_date)
        now = int(self.clock())
        first = _ist_midnight(start)
        last = min(_ist_midnight(end + dt.timedelta(days=1)) - 1, now)
        native = parsed.base
        if first > last:
            return HistoryResult(Candles.empty(), parsed, 0, 0)
        if source == "db":
            return await self._from_store(inst, parsed, first, last, now)
        key = (inst.exchange.value, inst.symbol, native.name)
        lock = self._locks.setdefault(key, asyncio.Lock())
        # One fetch per series at a time: an identical request arriving meanwhile then
        # finds the store filled and costs nothing.
        async with lock:
            base, calls, fetched = await self._native(inst, native, first, last, now,
                                                      fetch=True)
        return HistoryResult(self._build(base.between(first, last), parsed, inst, native),
                             parsed, calls, fetched)

    async def _from_store(self, inst: Instrument, interval: Interval, first: int, last: int,
                          now: int) -> HistoryResult:
        """The store alone: the interval's own base if stored, else any finer stored
        native interval that divides it (one-minute bars serve every minute multiple)."""
        bases = [interval.base] if not interval.intraday else [
            n for n in INTRADAY_NATIVES if interval.seconds % n.seconds == 0]
        for base in bases:
            candles, _, _ = await self._native(inst, base, first, last, now, fetch=False)
            candles = candles.between(first, last)
            if len(candles):
                return HistoryResult(self._build(candles, interval, inst, base), interval, 0, 0)
        return HistoryResult(Candles.empty(), interval, 0, 0)

    def _build(self, candles: Candles, interval: Interval, inst: Instrument,
               base: Native) -> Candles:
        as_fetched = (interval.intraday and interval.seconds == base.seconds) or (
            interval.unit == "D" and base.daily)
        if as_fetched or not len(candles):
            return candles
        if interval.intraday:
            opening = self.calendar.regular_session(inst.exchange.value, _ist_date(int(candles.ts[0])))[0]
            return resample_intraday(candles, interval.seconds,
                                     opening.hour * 3600 + opening.minute * 60)
        return resample_calendar(candles, interval.unit, interval.count)

    # -- native candles ----------------------------------------------------------------

    async def _native(self, inst: Instrument, native: Native, first: int, last: int,
                      now: int, *, fetch: bool) -> tuple[Candles, int, int]:
        daily = native.daily
        series = await asyncio.to_thread(self.store.series_id, inst.exchange.value,
                                         inst.symbol, native.name, create=fetch)
        blocks = blocks_between(first, last, daily)
        stored: dict[int, StoredBlock] = {}
        if series is not None:
            stored = await asyncio.to_thread(self.store.load, series, blocks)
        if not fetch or series is None:
            return merge([b.candles for b in stored.values()]), 0, 0
        missing = [b for b in blocks if not self._served(stored.get(b), b, daily, last)]
        if not missing:
            return merge([stored[b].candles for b in blocks if b in stored]), 0, 0
        # Up to about half a second for the longest ranges allowed: off the event loop.
        page = self.broker.history_page_size
        chunks = await asyncio.to_thread(self._plan, inst, native, missing, now, page - 1)
        self._check_budget(len(chunks))
        calls, error = await self._fetch_all(inst, native, chunks, page)
        fresh = merge([c.candles for c in chunks if c.candles is not None])
        await asyncio.to_thread(self._save, series, native, chunks, fresh, now)
        if error is not None:
            raise error
        kept = [stored[b].candles for b in blocks if b in stored]
        return merge([*kept, fresh]), calls, len(fresh)

    @staticmethod
    def _served(block: StoredBlock | None, number: int, daily: bool, last: int) -> bool:
        if block is None:
            return False
        end = block_bounds(number, daily)[1]
        return min(last, end - 1) < block.final_until

    def _plan(self, inst: Instrument, native: Native, missing: list[int], now: int,
              per_range: int) -> list[_Chunk]:
        runs: list[list[int]] = []
        for number in missing:
            if runs and runs[-1][-1] == number - 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        chunks: list[_Chunk] = []
        for run in runs:
            start = block_bounds(run[0], native.daily)[0]
            end = min(block_bounds(run[-1], native.daily)[1] - 1, now)
            if start > end:
                continue
            starts = [block_bounds(b, native.daily)[0] for b in run]
            ends = [block_bounds(b, native.daily)[1] for b in run]
            for first, last in plan_ranges(start, end, native, inst.exchange.value,
                                           self.calendar, per_range):
                # Blocks overlapping [first, last]: both bound lists ascend with the run.
                lo, hi = bisect_right(ends, first), bisect_right(starts, last)
                chunks.append(_Chunk(first, last, tuple(run[lo:hi])))
        return chunks

    def _check_budget(self, calls: int) -> None:
        left = self.broker.reads_left()
        if left is not None and calls > left:
            raise MarketDataError(
                429, f"This history request needs about {calls} broker calls (at most "
                     f"{self.broker.history_page_size} candles each) but only {max(left, 0)} "
                     "reads are left in today's broker call budget (the rest is kept for "
                     "orders). "
                     "Ask for a shorter range or a coarser interval, or backfill over "
                     "several days with `algodesk history backfill`.", retry_after=3600)

    async def _fetch_all(self, inst: Instrument, native: Native, chunks: list[_Chunk],
                         page: int) -> tuple[int, BaseException | None]:
        gate = asyncio.Semaphore(self.concurrency)
        calls = 0
        errors: list[BaseException] = []

        async def one(chunk: _Chunk) -> None:
            nonlocal calls
            async with gate:
                if errors:
                    return  # one range failed: do not spend the budget on the rest
                try:
                    parts: list[Candles] = []
                    cursor = chunk.first
                    while True:
                        rows = await self.broker.history(
                            inst.symbol, inst.exchange.value, native.text,
                            dt.datetime.fromtimestamp(cursor, IST),
                            dt.datetime.fromtimestamp(chunk.last, IST))
                        calls += 1
                        part = _candles_of(rows, native.daily)
                        parts.append(part)
                        if len(rows) < page or not len(part):
                            break
                        newest = int(part.ts.max())
                        if newest + native.seconds > chunk.last:
                            break
                        cursor = newest + 1  # the range held more than estimated
                    chunk.candles = merge(parts)
                except Exception as exc:  # kept: the fetched blocks are saved first
                    errors.append(exc)

        await asyncio.gather(*(one(c) for c in chunks))
        return calls, errors[0] if errors else None

    def _save(self, series: int, native: Native, chunks: list[_Chunk], fresh: Candles,
              now: int) -> None:
        """Store every block all of whose ranges arrived, up to what is final."""
        failed = {b for c in chunks if c.candles is None for b in c.blocks}
        done = sorted({b for c in chunks if c.candles is not None for b in c.blocks} - failed)
        final = now - SETTLE_SECONDS - native.seconds + 1
        blocks: dict[int, StoredBlock] = {}
        for number in done:
            start, end = block_bounds(number, native.daily)
            until = min(end, final)
            if until <= start:
                continue  # nothing of it has closed yet
            lo, hi = np.searchsorted(fresh.ts, [start, until], side="left")
            blocks[number] = StoredBlock(until, fresh.take(slice(int(lo), int(hi))))
        self.store.save(series, blocks)


__all__ = ["SOURCES", "HistoryResult", "HistoryService", "parse_day", "plan_ranges"]
