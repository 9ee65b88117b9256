"""History intervals: what clients ask for (openalgo-api.md §2.4) and the base intervals
candles are fetched in.

History is fetched in five base intervals: 1s, 1m, 5m, 30m and D (what the broker's
history serves natively; the adapter spells them its own way). Every other interval is
built from the coarsest of those that divides it evenly (15m from 5m, 1h from 30m, 45s
from 1s, W/M/Q/Y from days): the aggregate is exactly the same as from a finer base,
and it costs the fewest candles and so the fewest broker calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DAY_SECONDS = 86_400


@dataclass(frozen=True, slots=True)
class Native:
    """A base interval: fetched from the broker and stored as it comes."""

    name: str  # the candle store's name of the series (and what messages call it)
    text: str  # as OpenAlgo (and so the Broker protocol's `history`) spells it
    seconds: int  # candle length; DAY_SECONDS for daily candles

    @property
    def daily(self) -> bool:
        return self.seconds == DAY_SECONDS


SECOND = Native("1second", "1s", 1)
MINUTE = Native("1minute", "1m", 60)
FIVE_MINUTES = Native("5minute", "5m", 300)
THIRTY_MINUTES = Native("30minute", "30m", 1_800)
DAY = Native("1day", "D", DAY_SECONDS)
INTRADAY_NATIVES = (THIRTY_MINUTES, FIVE_MINUTES, MINUTE, SECOND)  # coarsest first
NATIVES = {n.name: n for n in (*INTRADAY_NATIVES, DAY)}

# The contract's list, as /intervals reports it (Q and Y are accepted by /history but
# have no group in that reply).
CONTRACT_INTERVALS: dict[str, list[str]] = {
    "seconds": ["1s", "5s", "10s", "15s", "30s", "45s"],
    "minutes": ["1m", "2m", "3m", "5m", "10m", "15m", "20m", "30m"],
    "hours": ["1h", "2h", "3h", "4h"],
    "days": ["D"],
    "weeks": ["W"],
    "months": ["M"],
}
ACCEPTED_TEXT = ", ".join([*(i for group in CONTRACT_INTERVALS.values() for i in group), "Q", "Y"])

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3_600}
_CALENDAR_UNITS = ("D", "W", "M", "Q", "Y")
_PATTERN = re.compile(r"(?P<count>[1-9]\d{0,3})?(?P<unit>[smhDWMQY])")


class IntervalError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Interval:
    """A parsed client interval and the native interval it is built from."""

    text: str
    unit: str  # s, m, h (intraday) or D, W, M, Q, Y (calendar)
    count: int
    base: Native

    @property
    def intraday(self) -> bool:
        return self.unit in _UNIT_SECONDS

    @property
    def seconds(self) -> int:
        """Bar length of an intraday interval (0 for calendar intervals)."""
        return self.count * _UNIT_SECONDS[self.unit] if self.intraday else 0

    @property
    def is_native(self) -> bool:
        return (self.intraday and self.seconds == self.base.seconds) or (
            self.unit == "D" and self.count == 1)

    @property
    def daily_type(self) -> bool:
        """The client leaves these timestamps naive (its own rule for D, W and M)."""
        return not self.intraday


def parse_interval(text: str) -> Interval:
    """`15m`, `1h`, `D`, `2W`... Custom multiples are accepted when they can be built
    honestly: intraday bars up to a day long, and W/M/Q/Y multiples."""
    value = (text or "").strip()
    match = _PATTERN.fullmatch(value)
    if not match:
        raise IntervalError(f"Invalid interval {text!r}. Supported: {ACCEPTED_TEXT} "
                            "(and multiples such as 7m or 2W)")
    unit = match["unit"]
    count = int(match["count"] or 1)
    if unit in _UNIT_SECONDS:
        seconds = count * _UNIT_SECONDS[unit]
        if seconds > DAY_SECONDS:
            raise IntervalError(f"Invalid interval {text!r}: intraday bars are at most one "
                                "day long; use D, W, M, Q or Y")
        base = next(n for n in INTRADAY_NATIVES if seconds % n.seconds == 0)
        return Interval(value, unit, count, base)
    if unit == "D" and count != 1:
        raise IntervalError(f"Invalid interval {text!r}: daily bars are D (multiples of "
                            "days are not a calendar period; use W, M, Q or Y)")
    return Interval(value, unit, count, DAY)


__all__ = [
    "ACCEPTED_TEXT",
    "CONTRACT_INTERVALS",
    "DAY",
    "DAY_SECONDS",
    "INTRADAY_NATIVES",
    "NATIVES",
    "Interval",
    "IntervalError",
    "Native",
    "parse_interval",
]
