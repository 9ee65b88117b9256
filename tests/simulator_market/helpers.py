"""Small helpers for the market tests."""

from __future__ import annotations

from datetime import datetime

from algodesk.simulator.market.sessions import from_ist


def epoch(year: int, month: int, day: int, hour: int = 0, minute: int = 0,
          second: int = 0) -> int:
    """Epoch second of an IST wall-clock time."""
    return from_ist(datetime(year, month, day, hour, minute, second))
