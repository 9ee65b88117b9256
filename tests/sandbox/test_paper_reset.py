"""The paper account's scheduled reset, clock pinned."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest

from algodesk.sandbox.reset import ResetSchedule, ScheduledReset, next_reset, parse_schedule

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
SUNDAY_NIGHT = dt.datetime(2026, 11, 29, 23, 59, 59, 700_000, tzinfo=IST)


def test_schedules_read_as_written() -> None:
    assert parse_schedule("never") is None and parse_schedule("") is None
    assert parse_schedule("daily 00:00") == ResetSchedule(dt.time(0, 0))
    assert parse_schedule("mon  09:15") == ResetSchedule(dt.time(9, 15), 0)
    with pytest.raises(ValueError, match="not a reset schedule"):
        parse_schedule("weekly")


def test_the_next_moment_is_strictly_after() -> None:
    daily = ResetSchedule(dt.time(0, 0))
    assert next_reset(SUNDAY_NIGHT, daily) == dt.datetime(2026, 11, 30, tzinfo=IST)
    friday = ResetSchedule(dt.time(16, 0), 4)
    assert next_reset(SUNDAY_NIGHT, friday) == dt.datetime(2026, 12, 4, 16, tzinfo=IST)
    at = dt.datetime(2026, 12, 4, 16, tzinfo=IST)
    assert next_reset(at, friday) == dt.datetime(2026, 12, 11, 16, tzinfo=IST)


class Account:
    def __init__(self) -> None:
        self.resets = 0

    def reset(self) -> None:
        self.resets += 1


async def test_the_account_is_reset_at_the_scheduled_moment() -> None:
    began = time.monotonic()

    def clock() -> dt.datetime:  # pinned at Sunday 23:59:59.7 IST, then running
        return SUNDAY_NIGHT + dt.timedelta(seconds=time.monotonic() - began)

    account = Account()
    scheduled = ScheduledReset(account, ResetSchedule(dt.time(0, 0)), clock=clock)
    await scheduled.start()
    try:
        deadline = time.monotonic() + 10
        while not account.resets:
            assert time.monotonic() < deadline, "no reset at 00:00"
            await asyncio.sleep(0.02)
    finally:
        await scheduled.stop()
    assert account.resets == 1
    assert scheduled.last_reset == dt.datetime(2026, 11, 30, tzinfo=IST)
