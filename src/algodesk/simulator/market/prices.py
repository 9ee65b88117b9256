"""The random-access price process of an underlying, and per-second trading activity.

log(price / base) at second s is a sum of twelve "value noise" octaves: octave j puts
an independent centred random number (hashed from seed, underlying, j and the grid
index) every 4·4^j seconds and interpolates linearly in between; amplitudes grow with
the square root of the grid spacing, which makes increments scale like a random walk
from seconds up to a few months while the level stays bounded over years (the longest
octave spans about 194 days). A small independent jitter per second plays the
bid-ask bounce. No value depends on any earlier value, so any second, or any range of
seconds, is computed directly and vectorised.

Because every octave is linear between multiples of 4 seconds, the octave sum is
evaluated only on that 4-second node grid and interpolated to seconds, which keeps a
year of seconds cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from .hashing import F64, I64, centred_array, centred_range, split_units, stream_key

SECONDS_PER_YEAR = 365 * 86_400
_NODE_SHIFT = 2  # nodes every 4 seconds
_OCTAVES = 12
_OCTAVE_SHIFT = 2  # each octave's grid is 4x coarser than the previous one
# Daily-return calibration: with amplitude daily_vol * _SCALE * sqrt(spacing) per octave,
# the standard deviation of 24-hour log returns equals daily_vol (measured over many days
# and underlyings; see tests/simulator_market/test_prices.py).
_SCALE = 1.0 / 413.0
# Per-second jitter relative to the per-second random-walk size.
_JITTER = 0.5
# Octave summed exactly by `SpotProcess.envelope` (a grid of 4·4^3 = 256 seconds).
_ENVELOPE_OCTAVE = 3
_SQRT3 = 3.0**0.5
_NODE_FRACTIONS = np.arange(1 << _NODE_SHIFT) / (1 << _NODE_SHIFT)


@dataclass(frozen=True, slots=True)
class SpotProcess:
    """The unrounded price of one underlying as a pure function of the second."""

    base: float
    octave_keys: tuple[int, ...]
    amplitudes: tuple[float, ...]
    jitter_key: int
    jitter: float

    @classmethod
    def create(cls, seed: int, code: str, base: float, daily_vol: float) -> SpotProcess:
        amps = tuple(
            daily_vol * _SCALE * math.sqrt(float(1 << (_NODE_SHIFT + _OCTAVE_SHIFT * j)))
            for j in range(_OCTAVES)
        )
        keys = tuple(stream_key(seed, "spot", code, j) for j in range(_OCTAVES))
        jitter = _JITTER * daily_vol / math.sqrt(86_400)
        return cls(float(base), keys, amps, stream_key(seed, "jitter", code), jitter)

    def _nodes(self, first_node: int, last_node: int) -> F64:
        """Octave sum on the 4-second grid, nodes first_node..last_node inclusive."""
        return self._octave_sum(0, first_node, last_node)

    def _octave_sum(self, finest: int, first_node: int, last_node: int) -> F64:
        """Sum of octaves `finest` and coarser on octave `finest`'s grid (inclusive span).

        Computed coarse to fine: the sum of octaves j and above is known exactly on
        octave j's own grid, so it is interpolated one level down and octave j-1 added.
        Each grid value depends only on its neighbours, never on the span requested.
        """
        spans: dict[int, tuple[int, int]] = {}
        lo, hi = first_node, last_node
        for j in range(finest, _OCTAVES):
            spans[j] = (lo, hi)
            lo, hi = lo >> _OCTAVE_SHIFT, (hi >> _OCTAVE_SHIFT) + 1
        top = _OCTAVES - 1
        lo, hi = spans[top]
        total = centred_range(self.octave_keys[top], lo, hi) * self.amplitudes[top]
        mask, scale = (1 << _OCTAVE_SHIFT) - 1, 1.0 / (1 << _OCTAVE_SHIFT)
        for j in range(top - 1, finest - 1, -1):
            lo, hi = spans[j]
            points = np.arange(lo, hi + 1, dtype=np.int64)
            at = (points >> _OCTAVE_SHIFT) - spans[j + 1][0]
            low = total[at]
            total = low + (points & mask) * scale * (total[at + 1] - low)
            total += centred_range(self.octave_keys[j], lo, hi) * self.amplitudes[j]
        return total

    def log_level(self, first: int, last: int) -> F64:
        """log(price/base) for seconds first..last inclusive, without the jitter."""
        k0, k1 = first >> _NODE_SHIFT, (last >> _NODE_SHIFT) + 1
        nodes = self._nodes(k0, k1)
        low, high = nodes[:-1], nodes[1:]
        # Seconds are contiguous, so each node spans a full row of 4 fractions.
        per_node = low[:, None] + _NODE_FRACTIONS[None, :] * (high - low)[:, None]
        offset = first - (k0 << _NODE_SHIFT)
        return per_node.ravel()[offset:offset + last - first + 1]

    def values(self, first: int, last: int) -> F64:
        """The unrounded price for seconds first..last inclusive."""
        jitter = centred_range(self.jitter_key, first, last) * self.jitter
        return self.base * np.exp(self.log_level(first, last) + jitter)

    def envelope(self, first: int, last: int) -> tuple[float, float]:
        """Bounds on the unrounded price over seconds first..last, cheaply.

        The octaves from `_ENVELOPE_OCTAVE` up are summed exactly on that octave's grid
        (their sum is linear in between, so its extremes sit on grid points); the finer
        octaves and the jitter add at most sqrt(3) times their amplitudes. A week costs
        a few thousand points instead of 600,000 seconds.
        """
        shift = _NODE_SHIFT + _OCTAVE_SHIFT * _ENVELOPE_OCTAVE
        coarse = self._octave_sum(_ENVELOPE_OCTAVE, first >> shift, (last >> shift) + 1)
        slack = _SQRT3 * (sum(self.amplitudes[:_ENVELOPE_OCTAVE]) + self.jitter)
        return (self.base * math.exp(float(coarse.min()) - slack),
                self.base * math.exp(float(coarse.max()) + slack))


@dataclass(frozen=True, slots=True)
class Tick:
    """A tick size as an exact fraction of a rupee, so rounded floats are the nearest doubles.

    Multiplying a tick count by 0.05 can land one ulp away from the double nearest to the
    decimal price; dividing by 20 cannot, so ``float(Decimal price) == rounded float``.
    """

    num: int
    den: int
    size: Decimal

    @classmethod
    def of(cls, size: Decimal) -> Tick:
        frac = Fraction(size)
        return cls(frac.numerator, frac.denominator, size)

    def round(self, values: F64) -> F64:
        """Nearest tick, never below one tick (a traded price is never zero)."""
        ticks = np.maximum(np.rint(values * (self.den / self.num)), 1.0)
        return ticks * self.num / self.den

    def count(self, value: float) -> int:
        return round(value * self.den / self.num)

    def decimal(self, value: float) -> Decimal:
        return Decimal(self.count(value)) * self.size


@dataclass(frozen=True, slots=True)
class Activity:
    """Per-second traded quantity: whether a second trades, and how many lots."""

    key: int
    trade_probability: float
    mean_lots: float
    lot: int

    def volumes(self, first: int, last: int) -> I64:
        seconds = np.arange(first, last + 1, dtype=np.int64)
        trade, size = split_units(self.key, seconds)
        lots = 1 + np.floor(-np.log1p(-size) * max(self.mean_lots - 1.0, 0.0))
        return np.where(trade < self.trade_probability, lots.astype(np.int64) * self.lot, 0)


@dataclass(frozen=True, slots=True)
class Interest:
    """Open interest: a slow wander around a base, updated once a minute, in whole lots."""

    key: int
    base_lots: float
    lot: int

    def at(self, seconds: I64) -> I64:
        minutes = seconds // 60
        level = 0.25 * _grid_noise(self.key, minutes, 1_440) + 0.06 * _grid_noise(
            self.key ^ 0x3C3C3C3C3C3C3C3C, minutes, 60)
        lots = np.maximum(np.rint(self.base_lots * np.exp(level)), 1.0)
        return lots.astype(np.int64) * self.lot


def _grid_noise(key: int, points: I64, spacing: int) -> F64:
    cell = points // spacing
    frac = (points - cell * spacing) * (1.0 / spacing)
    low = centred_array(key, cell)
    return low + frac * (centred_array(key, cell + 1) - low)


def activity_key(seed: int, exchange_code: str, token: str) -> int:
    return stream_key(seed, "activity", exchange_code, token)
