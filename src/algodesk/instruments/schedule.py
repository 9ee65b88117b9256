"""When the master is due: once per trading day, after a configurable IST time.

Trading days here are Monday to Friday (no holiday calendar: on a holiday the refresh
simply fetches the same file again). A master is stale when it was stored before the
most recent due moment, so a Saturday start-up keeps Friday's master.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

IST = timezone(timedelta(hours=5, minutes=30), "IST")


def parse_refresh_time(text: str) -> time:
    hour, sep, minute = text.strip().partition(":")
    if not (sep and hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise ValueError(f"refresh time must be HH:MM (IST), not {text!r}")
    return time(int(hour), int(minute))


def last_due(now: datetime, at: time) -> datetime:
    """The latest weekday moment `at` IST that is not after `now` (aware, UTC)."""
    local = now.astimezone(IST)
    moment = datetime.combine(local.date(), at, IST)
    if moment > local:
        moment -= timedelta(days=1)
    while moment.weekday() >= 5:
        moment -= timedelta(days=1)
    return moment.astimezone(UTC)


def next_due(now: datetime, at: time) -> datetime:
    """The first weekday moment `at` IST strictly after `now` (aware, UTC)."""
    local = now.astimezone(IST)
    moment = datetime.combine(local.date(), at, IST)
    if moment <= local:
        moment += timedelta(days=1)
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment.astimezone(UTC)


def is_stale(stored_at: datetime | None, now: datetime, at: time) -> bool:
    return stored_at is None or stored_at < last_due(now, at)
