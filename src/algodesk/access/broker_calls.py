"""Breeze calls used today, as the broker page shows them, surviving a restart.

The counting itself is the call budget's (`brokers.icici.budget.CallBudget`, hooked to
`BreezeClient.on_request`); this adds what a restart would lose: the calls already made
earlier the same IST day, read back from the database at start and added to the figure
shown. The broker connection writes the day's figure back every few seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ..brokers.icici.budget import CallBudget
from ..brokers.icici.formats import IST


@dataclass(frozen=True, slots=True)
class CallUsage:
    day: str
    today: int
    last_minute: int
    per_day: int
    per_minute: int


def ist_day(now: dt.datetime) -> str:
    return now.astimezone(IST).strftime("%Y-%m-%d")


class CallUsageLog:
    def __init__(self, budget: CallBudget, clock: Callable[[], dt.datetime]) -> None:
        self.budget = budget
        self._clock = clock
        self._carried_day = ""
        self._carried = 0  # calls made today before this process started
        self.dirty = False

    def carry(self, day: str, calls: int) -> None:
        self._carried_day, self._carried = day, calls

    def record(self, route_name: str = "") -> None:
        """`BreezeClient.on_request`: only memory is touched on the event loop."""
        self.budget.record(route_name)
        self.dirty = True

    def usage(self) -> CallUsage:
        day = ist_day(self._clock())
        snapshot = self.budget.snapshot()
        carried = self._carried if day == self._carried_day else 0
        return CallUsage(day, snapshot.day_used + carried, snapshot.minute_used,
                         snapshot.day_limit, snapshot.minute_limit)


__all__ = ["CallUsage", "CallUsageLog", "ist_day"]
