"""Per-instrument series and the caches in front of them.

Seconds are grouped in 15-minute blocks aligned to IST quarter-hours; sessions open
and close on such boundaries, so a block is wholly inside or wholly outside a session.
A block's per-second prices and volumes are computed together and cached, and so is
each block's OHLCV aggregate: a quote late in a 24-hour session then merges ~96
cached aggregates instead of re-reading 86,400 seconds. Spans longer than a few blocks
are computed in one vectorised call, bypassing the per-second cache. Caches evict
first-in-first-out, which suits a clock that mostly moves forward.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import numpy as np

from .aggregate import Agg, bars, merge, whole
from .catalogue import Catalogue
from .hashing import F64, I64
from .series import DerivativeSeries, Series, SpotSeries, derivative_series, spot_series
from .types import Instrument

BLOCK = 900  # seconds: a quarter hour
_DIRECT = 4 * BLOCK  # longer spans are computed in one go
_MAX_BLOCKS = 2_048  # ~30 MB of per-second arrays at most
_MAX_AGGS = 100_000
_MAX_SESSIONS = 50_000
_MAX_SPOT_SPANS = 4  # each up to a day of seconds


def _remember(cache: dict[Any, Any], key: Any, value: Any, limit: int) -> None:
    if len(cache) >= limit:
        with contextlib.suppress(StopIteration, KeyError, RuntimeError):
            del cache[next(iter(cache))]  # may race another thread's eviction
    cache[key] = value


class SeriesStore:
    def __init__(self, cat: Catalogue, rate: float, today_day: int) -> None:
        self._cat = cat
        self._rate = rate
        self._today_day = today_day
        self._series: dict[tuple[str, str], Series] = {}
        self._lock = threading.Lock()
        self._blocks: dict[tuple[int, int], tuple[F64, I64 | None]] = {}
        self._aggs: dict[tuple[int, int], Agg] = {}
        self._sessions: dict[tuple[int, int], Agg] = {}
        self._spot_spans: dict[tuple[int, int, int], F64] = {}

    # -- recipes ---------------------------------------------------------------------

    def series(self, inst: Instrument) -> Series:
        found = self._series.get((inst.exchange_code, inst.token))
        if found is None:
            with self._lock:
                found = self._series.get((inst.exchange_code, inst.token))
                if found is None:
                    found = self._make(inst)
        return found

    def _make(self, inst: Instrument) -> Series:
        sid = len(self._series)
        seed = self._cat.seed
        if inst.product == "cash":
            u = self._cat.underlyings.get(inst.stock_code)
            if u is None:
                raise ValueError(f"unknown instrument {inst.exchange_code} {inst.stock_code}")
            made: Series = spot_series(sid, seed, inst, u)
        else:
            code = inst.underlying or inst.stock_code
            spot_inst = self._cat.spot_of.get(code)
            if spot_inst is None:
                raise ValueError(f"no underlying known for {inst.stock_code}")
            spot = self._series.get((spot_inst.exchange_code, spot_inst.token))
            if spot is None:
                spot = self._make(spot_inst)
                sid = len(self._series)
            assert isinstance(spot, SpotSeries)
            made = derivative_series(sid, seed, inst, self._cat.underlyings[code], spot,
                                     self._rate, self._today_day)
        self._series[(inst.exchange_code, inst.token)] = made
        return made

    # -- per-second values -------------------------------------------------------------

    def block(self, ser: Series, block: int) -> tuple[F64, I64 | None]:
        key = (ser.sid, block)
        hit = self._blocks.get(key)
        if hit is None:
            first = block * BLOCK
            last = first + BLOCK - 1
            if isinstance(ser, DerivativeSeries):
                prices = ser.prices_from(self.block(ser.underlying, block)[0], first, last)
            else:
                prices = ser.prices(first, last)
            hit = (prices, ser.volumes(first, last))
            _remember(self._blocks, key, hit, _MAX_BLOCKS)
        return hit

    def price(self, ser: Series, second: int) -> float:
        return float(self.block(ser, second // BLOCK)[0][second % BLOCK])

    def span(self, ser: Series, first: int, last: int) -> tuple[F64, I64 | None]:
        """Per-second prices and volumes of first..last (sessions not applied).

        The arrays may be views into the cache: callers must not modify them.
        """
        if last - first >= _DIRECT:
            if isinstance(ser, DerivativeSeries):
                spot = self._long_spot(ser.underlying, first, last)
                return ser.prices_from(spot, first, last), ser.volumes(first, last)
            return ser.prices(first, last), ser.volumes(first, last)
        b0, b1 = first // BLOCK, last // BLOCK
        parts = [self.block(ser, b) for b in range(b0, b1 + 1)]
        lo, hi = first - b0 * BLOCK, last - b0 * BLOCK + 1
        if len(parts) == 1:
            prices, volumes = parts[0]
            return prices[lo:hi], None if volumes is None else volumes[lo:hi]
        prices = np.concatenate([p for p, _ in parts])[lo:hi]
        if parts[0][1] is None:
            return prices, None
        return prices, np.concatenate([v for _, v in parts if v is not None])[lo:hi]

    def _long_spot(self, ser: SpotSeries, first: int, last: int) -> F64:
        """An underlying's prices over a long span, shared by the options of one chain."""
        key = (ser.sid, first, last)
        spot = self._spot_spans.get(key)
        if spot is None:
            spot = ser.prices(first, last)
            _remember(self._spot_spans, key, spot, _MAX_SPOT_SPANS)
        return spot

    # -- aggregates ------------------------------------------------------------------

    def _block_aggs(self, ser: Series, first_block: int, end_block: int) -> list[Agg]:
        """Aggregates of the whole blocks first_block..end_block-1."""
        sid = ser.sid
        missing = [b for b in range(first_block, end_block) if (sid, b) not in self._aggs]
        if len(missing) > 2:
            lo, hi = missing[0], missing[-1]
            prices, volumes = self.span(ser, lo * BLOCK, (hi + 1) * BLOCK - 1)
            starts = np.arange(0, (hi - lo + 1) * BLOCK, BLOCK, dtype=np.int64)
            computed = bars(prices, volumes, starts)
            for i in range(len(computed)):
                _remember(self._aggs, (sid, lo + i), computed.row(i), _MAX_AGGS)
        else:
            for b in missing:
                _remember(self._aggs, (sid, b), whole(*self.block(ser, b)), _MAX_AGGS)
        out = []
        for b in range(first_block, end_block):
            agg = self._aggs.get((sid, b))
            out.append(agg if agg is not None else whole(*self.block(ser, b)))
        return out

    def session_agg(self, ser: Series, start: int, upto: int, end: int) -> Agg:
        """OHLCV of the session [start, end] from its first second up to `upto`."""
        complete = upto >= end
        if complete:
            cached = self._sessions.get((ser.sid, start))
            if cached is not None:
                return cached
        last_block = upto // BLOCK
        parts = self._block_aggs(ser, start // BLOCK, last_block)
        offset = upto - last_block * BLOCK + 1
        if offset == BLOCK:
            parts += self._block_aggs(ser, last_block, last_block + 1)
        else:
            prices, volumes = self.block(ser, last_block)
            parts.append(whole(prices[:offset], None if volumes is None else volumes[:offset]))
        agg = merge(parts)
        if complete:
            _remember(self._sessions, (ser.sid, start), agg, _MAX_SESSIONS)
        return agg
