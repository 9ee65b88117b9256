"""Candles as columns, and the aggregation that builds one interval from another.

Columns of int64: `ts` is the epoch second of the bar's open (for daily bars, IST
midnight of the trading date), prices are in ten-thousandths of a rupee (exact for every
tick Indian exchanges use, down to the currency segment's 0.0025), volume and open
interest are counts. Columns make 200,000 one-minute bars cheap to merge, resample,
store and serialise; a list of objects would not be.

Session alignment: intraday bars count from the exchange's session open (NSE 09:15 IST),
so a 1h NSE bar runs 09:15-10:15, ..., 15:15-15:30, exactly as the exchanges' and
brokers' charts draw them, and never straddles two days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
PRICE_SCALE = 10_000
IST_OFFSET = 19_800
DAY = 86_400
COLUMNS = ("ts", "open", "high", "low", "close", "volume", "oi")


@dataclass(frozen=True, slots=True)
class Candles:
    ts: I64
    open: I64
    high: I64
    low: I64
    close: I64
    volume: I64
    oi: I64

    def __len__(self) -> int:
        return len(self.ts)

    @classmethod
    def empty(cls) -> Candles:
        return cls.from_matrix(np.empty((7, 0), dtype=np.int64))

    @classmethod
    def from_matrix(cls, matrix: npt.NDArray[np.int64]) -> Candles:
        return cls(*(np.ascontiguousarray(matrix[i]) for i in range(7)))

    def matrix(self) -> npt.NDArray[np.int64]:
        return np.stack([self.ts, self.open, self.high, self.low, self.close, self.volume,
                         self.oi])

    def take(self, index: npt.NDArray[np.int64] | npt.NDArray[np.bool_] | slice) -> Candles:
        # Column by column: a slice stays a view, and nothing copies the whole series.
        return Candles(self.ts[index], self.open[index], self.high[index], self.low[index],
                       self.close[index], self.volume[index], self.oi[index])

    def between(self, first: int, last: int) -> Candles:
        """Bars opening within [first, last] (self sorted)."""
        lo = int(np.searchsorted(self.ts, first, side="left"))
        hi = int(np.searchsorted(self.ts, last, side="right"))
        return self.take(slice(lo, hi))


def price_units(value: Decimal | float | int | None) -> int:
    if value is None:
        return 0
    return int((Decimal(value) * PRICE_SCALE).to_integral_value())


def from_rows(rows: Iterable[tuple[int, Decimal, Decimal, Decimal, Decimal, int, int]]
              ) -> Candles:
    """Bars from (ts, open, high, low, close, volume, oi) tuples, any order."""
    data = [(t, price_units(o), price_units(h), price_units(lo), price_units(c), v, oi)
            for t, o, h, lo, c, v, oi in rows]
    if not data:
        return Candles.empty()
    return Candles.from_matrix(np.array(data, dtype=np.int64).T)


def merge(parts: Sequence[Candles]) -> Candles:
    """One sorted series without duplicate timestamps; a later part wins a tie (parts
    are given oldest knowledge first, so a fresh fetch replaces a stored bar)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return Candles.empty()
    if len(parts) == 1 and _strictly_increasing(parts[0].ts):
        return parts[0]
    joined = np.concatenate([p.matrix() for p in parts], axis=1)
    order = np.argsort(joined[0], kind="stable")
    joined = joined[:, order]
    ts = joined[0]
    keep = np.ones(len(ts), dtype=bool)
    keep[:-1] = ts[1:] != ts[:-1]  # of equal stamps, keep the last (latest part)
    return Candles.from_matrix(joined[:, keep])


def _strictly_increasing(ts: I64) -> bool:
    return bool(len(ts) < 2 or np.all(ts[1:] > ts[:-1]))


def _aggregate(candles: Candles, keys: I64, stamps: I64) -> Candles:
    """Group consecutive bars with equal `keys` (candles sorted); each group's stamp is
    `stamps` of its first bar."""
    if not len(candles):
        return candles
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)] - 1
    return Candles(
        ts=stamps[starts],
        open=candles.open[starts],
        high=np.maximum.reduceat(candles.high, starts),
        low=np.minimum.reduceat(candles.low, starts),
        close=candles.close[ends],
        volume=np.add.reduceat(candles.volume, starts),
        oi=candles.oi[ends],
    )


def resample_intraday(candles: Candles, seconds: int, session_open: int) -> Candles:
    """Bars of `seconds` counted from each IST day's session open (`session_open`
    seconds after IST midnight), built from finer sorted bars."""
    local = candles.ts + IST_OFFSET
    day_start = local - local % DAY - IST_OFFSET
    anchor = day_start + session_open
    bucket = anchor + ((candles.ts - anchor) // seconds) * seconds
    return _aggregate(candles, bucket, bucket)


def _ist_dates(ts: I64) -> npt.NDArray[np.datetime64]:
    return ((ts + IST_OFFSET) // DAY).astype("datetime64[D]")


def resample_calendar(days: Candles, unit: str, count: int = 1) -> Candles:
    """Weekly (weeks start on Monday), monthly, quarterly or yearly bars from daily bars
    (stamped at IST midnight). Each bar is stamped with its first trading day."""
    dates = _ist_dates(days.ts)
    day_numbers = dates.astype(np.int64)
    if unit == "W":
        # 1970-01-05 was a Monday: weeks numbered from there start on Mondays.
        key = (day_numbers - 4) // 7 // count
    elif unit in ("M", "Q", "Y"):
        months = dates.astype("datetime64[M]").astype(np.int64)
        span = {"M": 1, "Q": 3, "Y": 12}[unit] * count
        key = months // span
    elif unit == "D":
        key = day_numbers
    else:
        raise ValueError(f"not a calendar unit: {unit!r}")
    return _aggregate(days, key, days.ts)


def daily_stamp(moment: dt.datetime) -> int:
    """IST midnight of the trading date of a daily bar, whatever time the broker stamped."""
    local = moment.astimezone(dt.timezone(dt.timedelta(seconds=IST_OFFSET)))
    return int(dt.datetime.combine(local.date(), dt.time(), local.tzinfo).timestamp())


def as_utc_dates(ts: I64) -> I64:
    """IST-midnight stamps to 00:00 UTC of the same date (the contract's daily rule)."""
    return ts + IST_OFFSET


def to_json_rows(candles: Candles, *, daily: bool) -> str:
    """The `data` array of a /history reply, serialised directly: building 200,000
    dicts for a generic encoder costs several times as much."""
    ts = as_utc_dates(candles.ts) if daily else candles.ts
    scale = float(PRICE_SCALE)
    columns = zip(ts.tolist(), (candles.open / scale).tolist(), (candles.high / scale).tolist(),
                  (candles.low / scale).tolist(), (candles.close / scale).tolist(),
                  candles.volume.tolist(), candles.oi.tolist(), strict=True)
    return "[" + ",".join(
        f'{{"timestamp":{t},"open":{o!r},"high":{h!r},"low":{lo!r},"close":{c!r},'
        f'"volume":{v},"oi":{oi}}}'
        for t, o, h, lo, c, v, oi in columns) + "]"


__all__ = [
    "COLUMNS",
    "PRICE_SCALE",
    "Candles",
    "as_utc_dates",
    "daily_stamp",
    "from_rows",
    "merge",
    "price_units",
    "resample_calendar",
    "resample_intraday",
    "to_json_rows",
]
