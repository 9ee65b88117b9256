"""Per-instrument recipes: how one instrument's second-by-second market is computed.

A cash instrument or index rounds its underlying's spot process to its own tick (so an
NSE and a BSE listing of one company move together). A future is the underlying's
rounded price carried at the simulation rate to 15:30 IST on expiry day; an option is
Black-Scholes on the same rounded spot with the underlying's smile, floored at one tick.
Trading activity (volume, open interest) is a separate hashed stream per instrument.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .catalogue import Underlying
from .hashing import F64, I64, stream_key
from .options import forward, option_value
from .prices import SECONDS_PER_YEAR, Activity, Interest, SpotProcess, Tick, activity_key
from .sessions import day_of_date, day_start
from .types import Instrument

_EXPIRY_TIME = 55_800  # 15:30 IST, seconds after midnight


@dataclass(eq=False, slots=True)
class Series:
    """Price, volume and open-interest recipes of one instrument."""

    sid: int  # small integer key for the market's caches
    inst: Instrument
    tick: Tick
    activity: Activity | None  # None: nothing trades (indices, reference spots)
    interest: Interest | None  # None: no open interest (cash)
    depth_key: int

    def prices(self, first: int, last: int) -> F64:
        raise NotImplementedError

    def volumes(self, first: int, last: int) -> I64 | None:
        return None if self.activity is None else self.activity.volumes(first, last)


@dataclass(eq=False, slots=True)
class SpotSeries(Series):
    process: SpotProcess

    def prices(self, first: int, last: int) -> F64:
        return self.tick.round(self.process.values(first, last))


@dataclass(eq=False, slots=True)
class DerivativeSeries(Series):
    underlying: SpotSeries
    expires_at: int  # epoch second of 15:30 IST on expiry day
    rate: float
    strike: float  # options only
    call: bool
    atm_vol: float

    def years(self, first: int, last: int) -> F64:
        seconds = np.arange(first, last + 1, dtype=np.int64)
        return (self.expires_at - seconds) * (1.0 / SECONDS_PER_YEAR)

    def prices_from(self, spot: F64, first: int, last: int) -> F64:
        """Prices for first..last given the underlying's rounded prices over the same span."""
        years = self.years(first, last)
        if self.inst.product == "futures":
            return self.tick.round(forward(spot, years, self.rate))
        return self.tick.round(option_value(spot, self.strike, years, self.rate,
                                            self.atm_vol, self.call))

    def prices(self, first: int, last: int) -> F64:
        return self.prices_from(self.underlying.prices(first, last), first, last)


def spot_series(sid: int, seed: int, inst: Instrument, u: Underlying) -> SpotSeries:
    process = SpotProcess.create(seed, u.code, u.base, u.daily_vol)
    activity = None
    if not inst.is_index:
        # BSE prints a fraction of NSE's volume in the same names.
        turnover = u.turnover * (0.12 if inst.exchange_code == "BSE" else 1.0)
        probability = min(0.95, 0.25 + turnover / 1.5e5)
        mean = max(1.0, turnover / (u.base * probability))
        activity = Activity(activity_key(seed, inst.exchange_code, inst.token), probability,
                            mean, 1)
    tick = Tick.of(inst.tick)
    return SpotSeries(sid, inst, tick, activity, None,
                      stream_key(seed, "depth", inst.exchange_code, inst.token), process)


def derivative_series(sid: int, seed: int, inst: Instrument, u: Underlying,
                      underlying: SpotSeries, rate: float, today_day: int) -> DerivativeSeries:
    assert inst.expiry is not None
    expiry_day = day_of_date(inst.expiry)
    days_left = max(expiry_day - today_day, 0)
    near = math.exp(-days_left / 30.0)  # the nearest expiries trade most
    lot = inst.lot_size
    key = activity_key(seed, inst.exchange_code, inst.token)
    if inst.product == "futures":
        weight = 0.3 + 0.7 * near
        mean = {"index": 6.0, "stock": 3.0, "currency": 20.0}.get(u.kind, 3.0)
        activity = Activity(key, 0.3 + 0.55 * weight, 1.0 + mean * weight, lot)
        base_oi = {"index": 150_000.0, "stock": 25_000.0, "currency": 400_000.0}.get(
            u.kind, 8_000.0) * weight
    else:
        years = max(days_left, 1) / 365.0
        distance = math.log(float(inst.strike) / u.reference) / (u.iv * math.sqrt(years))
        weight = math.exp(-0.5 * (distance / 1.5) ** 2) * (0.25 + 0.75 * near)
        mean = 40.0 if u.kind == "index" else 8.0
        activity = Activity(key, 0.03 + 0.9 * weight, 1.0 + mean * weight, lot)
        base_oi = (60_000.0 if u.kind == "index" else 3_000.0) * weight + 20.0
    interest = Interest(stream_key(seed, "oi", inst.exchange_code, inst.token), base_oi, lot)
    return DerivativeSeries(
        sid, inst, Tick.of(inst.tick), activity, interest,
        stream_key(seed, "depth", inst.exchange_code, inst.token),
        underlying, day_start(expiry_day) + _EXPIRY_TIME, rate, float(inst.strike),
        inst.right == "call", u.iv)
