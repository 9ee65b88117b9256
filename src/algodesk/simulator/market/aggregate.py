"""OHLCV aggregation of per-second arrays: candles, cache blocks, session totals.

An aggregate is (open, high, low, close, volume, value, count): value is the sum of
price x quantity (for the VWAP), count the seconds that traded; for an instrument
that never trades (an index) count is the number of seconds, i.e. its ticks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .hashing import F64, I64

Agg = tuple[float, float, float, float, int, float, int]


@dataclass(frozen=True, slots=True)
class Bars:
    """Column arrays of consecutive aggregates."""

    open: F64
    high: F64
    low: F64
    close: F64
    volume: I64
    value: F64
    count: I64

    def row(self, i: int) -> Agg:
        return (float(self.open[i]), float(self.high[i]), float(self.low[i]),
                float(self.close[i]), int(self.volume[i]), float(self.value[i]),
                int(self.count[i]))

    def __len__(self) -> int:
        return len(self.open)


def bars(prices: F64, volumes: I64 | None, starts: I64) -> Bars:
    """Aggregate prices[starts[i]:starts[i+1]] (the last bar runs to the end)."""
    ends = np.append(starts[1:], len(prices))
    if volumes is None:
        volume = np.zeros(len(starts), dtype=np.int64)
        value = np.zeros(len(starts))
        count = (ends - starts).astype(np.int64)
    else:
        volume = np.add.reduceat(volumes, starts)
        value = np.add.reduceat(prices * volumes, starts)
        count = np.add.reduceat((volumes > 0).astype(np.int64), starts)
    return Bars(prices[starts], np.maximum.reduceat(prices, starts),
                np.minimum.reduceat(prices, starts), prices[ends - 1], volume, value, count)


def whole(prices: F64, volumes: I64 | None) -> Agg:
    return bars(prices, volumes, np.zeros(1, dtype=np.int64)).row(0)


def merge(parts: Iterable[Agg]) -> Agg:
    """Chronological aggregates combined into one."""
    it = iter(parts)
    o, h, lo, c, v, val, n = next(it)
    for _, ph, plo, pc, pv, pval, pn in it:
        if ph > h:
            h = ph
        if plo < lo:
            lo = plo
        c = pc
        v += pv
        val += pval
        n += pn
    return o, h, lo, c, v, val, n
