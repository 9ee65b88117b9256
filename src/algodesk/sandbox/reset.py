"""The paper account's scheduled reset (`ANALYZER_RESET_SCHEDULE`): never (OpenAlgo's
default), every day, or one day a week, at an IST time.

    never | daily HH:MM | MON HH:MM (MON, TUE, WED, THU, FRI, SAT, SUN)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ..background import sleep_until, stop_tasks
from ..domain.values import IST

log = logging.getLogger(__name__)

DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_SCHEDULE = re.compile(r"(DAILY|MON|TUE|WED|THU|FRI|SAT|SUN)\s+([01]\d|2[0-3]):([0-5]\d)")


class Resettable(Protocol):
    def reset(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ResetSchedule:
    at: dt.time
    weekday: int | None = None  # Monday 0; None: every day


def parse_schedule(text: str) -> ResetSchedule | None:
    """The schedule `text` names; None for `never`. Raises ValueError for anything else."""
    spelled = " ".join(text.split()).upper()
    if spelled in ("", "NEVER"):
        return None
    match = _SCHEDULE.fullmatch(spelled)
    if match is None:
        raise ValueError(f"not a reset schedule: {text!r} (never, daily HH:MM, or a day "
                         "MON..SUN and HH:MM)")
    day = None if match[1] == "DAILY" else DAYS.index(match[1])
    return ResetSchedule(dt.time(int(match[2]), int(match[3])), day)


def next_reset(after: dt.datetime, schedule: ResetSchedule) -> dt.datetime:
    """The first scheduled moment strictly after `after` (IST, aware)."""
    local = after.astimezone(IST)
    moment = dt.datetime.combine(local.date(), schedule.at, tzinfo=IST)
    while moment <= local or (schedule.weekday is not None
                              and moment.weekday() != schedule.weekday):
        moment += dt.timedelta(days=1)
    return moment


class ScheduledReset:
    """Resets the paper account at each scheduled moment (a service of the runtime)."""

    def __init__(self, account: Resettable, schedule: ResetSchedule, *,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(IST)) -> None:
        self.account = account
        self.schedule = schedule
        self.clock = clock
        self.last_reset: dt.datetime | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="paper-reset")

    async def stop(self) -> None:
        await stop_tasks(self._task)
        self._task = None

    async def _loop(self) -> None:
        while True:
            target = next_reset(self.clock(), self.schedule)
            await sleep_until(target, self.clock)
            try:
                self.account.reset()
                self.last_reset = target
                log.info("paper account reset as scheduled (%s)", target.isoformat())
            except Exception:
                log.exception("the scheduled paper account reset failed")


__all__ = ["ResetSchedule", "ScheduledReset", "next_reset", "parse_schedule"]
