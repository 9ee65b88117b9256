"""Contract expiry calendars, always counted from "today" so the universe stays current.

Rules (no holiday calendar; a contract expiring today is still listed):
- NSE index and stock derivatives expire on Tuesdays: NIFTY weeklies every Tuesday, and
  monthlies on the last Tuesday of the month;
- BSE (SENSEX, BANKEX) on Thursdays, the same way;
- NSE currency derivatives two business days before the month's last business day;
- MCX: CRUDEOIL on the 19th, GOLD on the 5th of even months, SILVER on the 5th of
  Mar/May/Jul/Sep/Dec, each moved back to a Friday when it falls on a weekend.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, timedelta

TUESDAY = 1
THURSDAY = 3


def weekly(today: date, weekday: int, count: int) -> list[date]:
    first = today + timedelta(days=(weekday - today.weekday()) % 7)
    return [first + timedelta(weeks=i) for i in range(count)]


def _months(today: date) -> Iterator[tuple[int, int]]:
    year, month = today.year, today.month
    while True:
        yield year, month
        month += 1
        if month == 13:
            year, month = year + 1, 1


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _business_day_back(day: date, steps: int = 0) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    for _ in range(steps):
        day -= timedelta(days=1)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
    return day


def _take(today: date, count: int, rule: Iterator[date]) -> list[date]:
    out: list[date] = []
    for day in rule:
        if day >= today:
            out.append(day)
            if len(out) == count:
                return out
    return out


def monthly(today: date, weekday: int, count: int) -> list[date]:
    return _take(today, count, (_last_weekday(y, m, weekday) for y, m in _months(today)))


def currency_monthly(today: date, count: int) -> list[date]:
    def rule() -> Iterator[date]:
        for y, m in _months(today):
            last = date(y, m, calendar.monthrange(y, m)[1])
            yield _business_day_back(last, 2)

    return _take(today, count, rule())


def day_of_month(today: date, day: int, count: int, months: frozenset[int] | None = None) -> list[
        date]:
    def rule() -> Iterator[date]:
        for y, m in _months(today):
            if months is None or m in months:
                yield _business_day_back(date(y, m, day))

    return _take(today, count, rule())
