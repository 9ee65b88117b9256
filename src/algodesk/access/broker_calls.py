"""Breeze calls used today, as the broker page shows them, surviving a restart.

The counting itself is the call budget's (`brokers.icici.budget.CallBudget`, hooked to
`BreezeClient.on_request`); the figure shown is the budget's own. What a restart would
lose is kept in the database: the day's count and the times of the calls of the last
minute (`BrokerCallDay`), written every few seconds by the broker connection's flush
(and at stop), and handed back to the budget at start, so its daily reserve and minute
window carry on where the previous process left them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select

from ..brokers.icici.budget import CallBudget
from ..storage import Database
from .models import BrokerCallDay


@dataclass(frozen=True, slots=True)
class CallUsage:
    day: str
    today: int
    last_minute: int
    per_day: int
    per_minute: int


@dataclass(frozen=True, slots=True)
class CallsToSave:
    """The budget's state at one moment, to be written off the event loop."""

    serial: int
    day: str
    calls: int
    recent: tuple[float, ...]


def encode_recent(stamps: tuple[float, ...] | list[float]) -> str:
    return " ".join(repr(t) for t in stamps)


def decode_recent(value: str | None) -> list[float]:
    stamps: list[float] = []
    for part in (value or "").split():
        try:
            stamps.append(float(part))
        except ValueError:
            continue
    return stamps


class CallUsageLog:
    def __init__(self, budget: CallBudget) -> None:
        self.budget = budget
        self.dirty = False
        self._serial = 0
        self._saved_serial = 0
        self._save_lock = threading.Lock()

    def record(self, route_name: str = "") -> None:
        """`BreezeClient.on_request`: only memory is touched on the event loop."""
        self.budget.record(route_name)
        self.dirty = True

    def usage(self) -> CallUsage:
        snapshot = self.budget.snapshot()
        return CallUsage(self.budget.day, snapshot.day_used, snapshot.minute_used,
                         snapshot.day_limit, snapshot.minute_limit)

    # ------------------------------------------------------------------ persistence

    def restore(self, db: Database) -> None:
        """At start: hand the budget what the last process counted. The day's count
        counts if it is today's; the minute window's calls count whatever their day
        (the newest row holds them)."""
        with db.session() as s:
            row = s.scalars(select(BrokerCallDay).order_by(BrokerCallDay.day.desc())
                            .limit(1)).first()
            if row is None:
                return
            self.budget.seed(row.day, row.calls, decode_recent(row.recent))

    def to_save(self, *, final: bool = False) -> CallsToSave | None:
        """What to write now: None when nothing was counted since the last time, unless
        `final` (at stop) and an earlier write has not succeeded yet. Cheap: runs on the
        event loop."""
        if not (self.dirty or (final and self._serial > self._saved_serial)):
            return None
        self.dirty = False
        usage = self.usage()
        self._serial += 1
        return CallsToSave(self._serial, usage.day, usage.today, tuple(self.budget.recent()))

    def save(self, db: Database, state: CallsToSave) -> None:
        """Write `state` (in any thread); an older state never overwrites a newer one."""
        with self._save_lock:
            if state.serial <= self._saved_serial:
                return
            try:
                with db.session() as s:
                    row = s.get(BrokerCallDay, state.day)
                    if row is None:
                        s.add(BrokerCallDay(day=state.day, calls=state.calls,
                                            recent=encode_recent(state.recent)))
                    else:
                        row.calls = state.calls
                        row.recent = encode_recent(state.recent)
            except BaseException:
                self.dirty = True  # try again at the next flush
                raise
            self._saved_serial = state.serial


__all__ = ["CallUsage", "CallUsageLog", "CallsToSave"]
