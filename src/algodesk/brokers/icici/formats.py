"""Date and number formats of the Breeze wire (reference §3.3, §7.3).

Request date-times are written `YYYY-MM-DDTHH:MM:SS.000Z` with the digits of the Indian
wall clock: the server reads them as IST and ignores the `Z`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ...domain.values import IST

#: How a bare `date` becomes a date-time: start of day, end of day, or the SDK's 06:00
#: (expiry dates, where only the date part matters).
DateAnchor = Literal["start", "end", "expiry"]

_ANCHORS: dict[str, dt.time] = {
    "start": dt.time(0, 0, 0),
    "end": dt.time(23, 59, 59),
    "expiry": dt.time(6, 0, 0),
}

WireDate = dt.datetime | dt.date | str


def format_request_datetime(value: WireDate, *, anchor: DateAnchor = "start") -> str:
    """Format a request date-time field.

    Aware datetimes are converted to IST; naive ones are taken as IST wall clock; a bare
    `date` gets the time named by `anchor`; strings pass through unchanged (the caller
    already wrote the wire form).
    """
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        wall = value.astimezone(IST).replace(tzinfo=None) if value.tzinfo else value
    elif isinstance(value, dt.date):
        wall = dt.datetime.combine(value, _ANCHORS[anchor])
    else:
        raise TypeError(f"expected datetime, date or str, got {type(value).__name__}")
    return wall.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def wire_value(value: object) -> str:
    """A request value as the SDK sends it: a string, `""` for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("booleans are not Breeze request values")
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.date):
        return format_request_datetime(value)
    raise TypeError(f"unsupported request value type {type(value).__name__}")


_RESPONSE_DATE_FORMATS = ("%d-%b-%Y", "%d-%b-%y")
_RESPONSE_DATETIME_FORMATS = ("%d-%b-%Y %H:%M:%S", "%d-%b-%Y %H:%M", "%Y-%m-%d %H:%M:%S")


def parse_response_date(text: str) -> dt.date:
    """`27-Feb-2025`, `27-FEB-2025` or `27-FEB-25` (any case) as a date."""
    cleaned = text.strip().title()
    for fmt in _RESPONSE_DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a Breeze date: {text!r}")


def parse_response_datetime(text: str) -> dt.datetime:
    """A response date-time (`05-Feb-2025 09:26[:SS]`, `2025-02-03 09:21:00`) in IST."""
    cleaned = text.strip()
    # Candle rows come by the thousand in the ISO form: read it without strptime, which
    # costs ten times as much (a year of one-minute candles is 90,000 rows).
    if len(cleaned) == 19 and cleaned[4] == "-" and cleaned[10] == " ":
        try:
            return dt.datetime.fromisoformat(cleaned).replace(tzinfo=IST)
        except ValueError:
            pass
    cleaned = cleaned.title()
    for fmt in _RESPONSE_DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).replace(tzinfo=IST)
        except ValueError:
            continue
    raise ValueError(f"not a Breeze date-time: {text!r}")


__all__ = [
    "IST",
    "DateAnchor",
    "WireDate",
    "format_request_datetime",
    "parse_response_date",
    "parse_response_datetime",
    "wire_value",
]
