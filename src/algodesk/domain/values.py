"""The two rules every domain value keeps: money is exact, instants are UTC.

A broker adapter converts on the way in (rupee strings → Decimal, IST wall clock →
UTC); the edges (API replies, pages) convert to IST for the trader.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

UTC = dt.UTC
#: India Standard Time (no daylight saving): what a trader sees, and market hours.
IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")


def money(value: Decimal | int | str) -> Decimal:
    """An exact amount; a float is refused because it has already lost the paise."""
    if isinstance(value, (bool, float)):
        raise TypeError(f"money must be Decimal, int or str, not {type(value).__name__}")
    return value if isinstance(value, Decimal) else Decimal(value)


def utc(instant: dt.datetime) -> dt.datetime:
    """An aware instant in UTC; a naive one is refused (its zone would be a guess)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instant {instant.isoformat()} has no time zone")
    return instant.astimezone(UTC)


__all__ = ["IST", "UTC", "money", "utc"]
