"""When the master is due: weekdays after the configured IST time."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from algodesk.instruments.schedule import IST, is_stale, last_due, next_due, parse_refresh_time

EIGHT = time(8, 0)


def ist(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=IST)


def test_parse_refresh_time() -> None:
    assert parse_refresh_time("08:00") == EIGHT
    assert parse_refresh_time(" 7:45 ") == time(7, 45)
    for bad in ("8", "24:00", "08:60", "eight"):
        with pytest.raises(ValueError):
            parse_refresh_time(bad)


def test_due_moments_on_weekdays() -> None:
    tuesday_morning = ist(2026, 11, 24, 7, 59)
    assert last_due(tuesday_morning, EIGHT) == ist(2026, 11, 23, 8, 0)  # Monday
    assert next_due(tuesday_morning, EIGHT) == ist(2026, 11, 24, 8, 0)
    assert next_due(ist(2026, 11, 24, 8, 0), EIGHT) == ist(2026, 11, 25, 8, 0)  # strictly after
    assert last_due(ist(2026, 11, 24, 8, 0), EIGHT) == ist(2026, 11, 24, 8, 0)
    assert last_due(ist(2026, 11, 24, 8, 0), EIGHT).tzinfo is UTC


def test_weekends_keep_fridays_master() -> None:
    friday = ist(2026, 11, 27, 9, 0)
    saturday, monday_early = ist(2026, 11, 28, 12, 0), ist(2026, 11, 30, 7, 0)
    assert last_due(saturday, EIGHT) == ist(2026, 11, 27, 8, 0)
    assert next_due(friday, EIGHT) == ist(2026, 11, 30, 8, 0)
    assert not is_stale(friday, saturday, EIGHT)
    assert not is_stale(friday, monday_early, EIGHT)
    assert is_stale(friday, ist(2026, 11, 30, 8, 1), EIGHT)
    assert is_stale(None, saturday, EIGHT)


def test_a_master_from_before_the_morning_is_stale() -> None:
    stored = ist(2026, 11, 24, 7, 30)  # before ICICI's 08:00 publication
    assert not is_stale(stored, ist(2026, 11, 24, 7, 59), EIGHT)
    assert is_stale(stored, ist(2026, 11, 24, 8, 0), EIGHT)
    assert not is_stale(ist(2026, 11, 24, 8, 5), ist(2026, 11, 24, 15, 0), EIGHT)
