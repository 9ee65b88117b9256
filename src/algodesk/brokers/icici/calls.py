"""Breeze calls used today, as the broker page shows them, surviving a restart.

The counting itself is the call budget's (`budget.CallBudget`, hooked to
`BreezeClient.on_request`); the figure shown is the budget's own. What a restart would
lose is kept by the login store (`brokers.base.LoginStore`, in the database): the day's
count and the times of the calls of the last minute, written every few seconds by the
connection's flush (and at stop), and handed back to the budget at start, so its daily
reserve and minute window carry on where the previous process left them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ..base import CallUsage, LoginStore, SavedCalls
from .budget import CallBudget


@dataclass(frozen=True, slots=True)
class CallsToSave:
    """The budget's state at one moment, to be written off the event loop."""

    serial: int
    calls: SavedCalls


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

    def restore(self, store: LoginStore) -> None:
        """At start: hand the budget what the last process counted. The day's count
        counts if it is today's; the minute window's calls count whatever their day
        (the newest day's record holds them)."""
        saved = store.load_calls()
        if saved is not None:
            self.budget.seed(saved.day, saved.calls, saved.recent)

    def to_save(self, *, final: bool = False) -> CallsToSave | None:
        """What to write now: None when nothing was counted since the last time, unless
        `final` (at stop) and an earlier write has not succeeded yet. Cheap: runs on the
        event loop."""
        if not (self.dirty or (final and self._serial > self._saved_serial)):
            return None
        self.dirty = False
        usage = self.usage()
        self._serial += 1
        return CallsToSave(self._serial, SavedCalls(usage.day, usage.today,
                                                    tuple(self.budget.recent())))

    def save(self, store: LoginStore, state: CallsToSave) -> None:
        """Write `state` (in any thread); an older state never overwrites a newer one."""
        with self._save_lock:
            if state.serial <= self._saved_serial:
                return
            try:
                store.save_calls(state.calls)
            except BaseException:
                self.dirty = True  # try again at the next flush
                raise
            self._saved_serial = state.serial


__all__ = ["CallUsageLog", "CallsToSave"]
