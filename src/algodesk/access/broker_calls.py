"""Breeze calls used today, as the broker page shows them, surviving a restart.

The counting itself is the call budget's (`brokers.icici.budget.CallBudget`, hooked to
`BreezeClient.on_request`); the figure shown is the budget's own. What a restart would
lose is kept in the database: the day's count and the times of the calls of the last
minute (`BrokerCallDay`), written every few seconds by the broker connection's flush
(and at stop), and handed back to the budget at start, so its daily reserve and minute
window carry on where the previous process left them.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy import inspect, select, text
from sqlalchemy.exc import OperationalError

from ..brokers.icici.budget import CallBudget
from ..storage import Base, Database
from .models import BrokerCallDay

log = logging.getLogger(__name__)


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


def ensure_schema(db: Database) -> None:
    """Bring `access_broker_calls` up to date on a database made by an earlier version
    (`create_all`, run first at start-up, adds missing tables, never a missing column)."""
    table = Base.metadata.tables[BrokerCallDay.__tablename__]

    def has_column() -> bool:
        return "recent" in {c["name"] for c in inspect(db.engine).get_columns(table.name)}

    if has_column():
        return
    try:
        with db.engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE {table.name} ADD COLUMN recent TEXT"))
    except OperationalError:
        if not has_column():  # not merely added by another process meanwhile
            raise
    log.info("added the column %s.recent (the last minute's Breeze calls)", table.name)


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
        ensure_schema(db)
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


__all__ = ["CallUsage", "CallUsageLog", "CallsToSave", "ensure_schema"]
