"""IST wall-clock arithmetic on epoch seconds, and the market's trading sessions.

Everything works on integer epoch seconds. IST has no daylight saving, so an IST
calendar day is simply a 86,400-second window shifted by 5h30m, and day arithmetic
needs no time-zone library.

Two session plans exist:
- ``always``: one session per calendar day, 00:00:00-23:59:59 IST, every day, so a
  demo is alive whenever the trader looks;
- ``exchange``: 09:15:00-15:29:59 IST Monday to Friday (no holiday calendar).
Both start on a 15-minute boundary, which the block caches in ``market.py`` rely on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

IST_OFFSET = 19_800
DAY = 86_400
_EPOCH = datetime(1970, 1, 1)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

Hours = Literal["always", "exchange"]


def ist_day(second: int) -> int:
    """Days since 1970-01-01 of the IST calendar date containing `second`."""
    return (second + IST_OFFSET) // DAY


def day_start(day: int) -> int:
    """Epoch second of IST midnight starting day number `day`."""
    return day * DAY - IST_OFFSET


def weekday(day: int) -> int:
    """Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday)."""
    return (day + 3) % 7


def day_of_date(value: date) -> int:
    return value.toordinal() - _EPOCH_ORDINAL


def date_of_day(day: int) -> date:
    return date.fromordinal(day + _EPOCH_ORDINAL)


def to_naive_ist(second: int) -> datetime:
    return _EPOCH + timedelta(seconds=second + IST_OFFSET)


def from_ist(moment: datetime) -> int:
    """Epoch second of an IST wall-clock time (naive) or of an aware datetime."""
    if moment.tzinfo is not None:
        return int(moment.timestamp() // 1)
    return int((moment - _EPOCH).total_seconds() // 1) - IST_OFFSET


def today_ist(now: float) -> date:
    return date_of_day(ist_day(int(now // 1)))


@dataclass(frozen=True, slots=True)
class Sessions:
    """The session plan: which seconds trade, and the session around any second."""

    hours: Hours = "always"

    @property
    def open_offset(self) -> int:
        return 0 if self.hours == "always" else 33_300  # 09:15 IST

    @property
    def length(self) -> int:
        return DAY if self.hours == "always" else 22_500  # 09:15:00-15:29:59

    def trades_on(self, day: int) -> bool:
        return self.hours == "always" or weekday(day) < 5

    def of_day(self, day: int) -> tuple[int, int]:
        """First and last second of the session on day `day` (assumed a trading day)."""
        start = day_start(day) + self.open_offset
        return start, start + self.length - 1

    def is_open(self, second: int) -> bool:
        if self.hours == "always":
            return True
        day = ist_day(second)
        offset = second - day_start(day)
        return weekday(day) < 5 and self.open_offset <= offset < self.open_offset + self.length

    def current(self, second: int) -> tuple[int, int]:
        """The session containing `second`, else the latest one that ended before it."""
        day = ist_day(second)
        if not self.trades_on(day) or second < day_start(day) + self.open_offset:
            day -= 1
            while not self.trades_on(day):
                day -= 1
        return self.of_day(day)

    def previous(self, start: int) -> tuple[int, int]:
        """The session before the one starting at `start`."""
        return self.current(start - 1)

    def effective(self, second: int) -> int:
        """`second` while the market trades, else the last second of the last session."""
        if self.hours == "always":
            return second
        end = self.current(second)[1]
        return second if second <= end else end

    def next_open(self, second: int) -> int:
        """Start of the first session that opens after `second`."""
        day = ist_day(second)
        while True:
            if self.trades_on(day):
                start = self.of_day(day)[0]
                if start > second:
                    return start
            day += 1

    def between(self, first: int, last: int) -> list[tuple[int, int]]:
        """Sessions overlapping [first, last], oldest first."""
        out: list[tuple[int, int]] = []
        day = ist_day(first)
        while day_start(day) <= last:
            if self.trades_on(day):
                start, end = self.of_day(day)
                if end >= first and start <= last:
                    out.append((start, end))
            day += 1
        return out
