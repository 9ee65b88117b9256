"""The OpenAlgo symbol grammar (openalgo-api.md §2.7) and its date spellings (§2.6).

- equity and index: the plain name (`SBIN`, `NIFTY`);
- future: `<BASE><DDMMMYY>FUT` (`NIFTY28NOV24FUT`);
- option: `<BASE><DDMMMYY><STRIKE><CE|PE>` (`NIFTY28NOV2424000CE`, `VEDL25APR24292.5CE`),
  the strike written without a trailing `.0`, fractional strikes keeping their decimals.

A base may itself end in digits (`NIFTYNXT50`, `726GS2033`), so a symbol is read from the
right: the date is the last `DDMMMYY` that is followed only by a strike and a right (or
by `FUT`). Month names are English upper case whatever the process locale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTH_NUMBER = {name: number for number, name in enumerate(MONTHS, start=1)}
_MONTH_ALTERNATION = "|".join(MONTHS)

_FUTURE = re.compile(rf"(?P<base>.+)(?P<dd>\d\d)(?P<mon>{_MONTH_ALTERNATION})(?P<yy>\d\d)FUT")
_OPTION = re.compile(
    rf"(?P<base>.+)(?P<dd>\d\d)(?P<mon>{_MONTH_ALTERNATION})(?P<yy>\d\d)"
    r"(?P<strike>\d+(?:\.\d*[1-9])?)(?P<right>CE|PE)"
)
_EXPIRY = re.compile(rf"(?P<dd>\d\d)-?(?P<mon>{_MONTH_ALTERNATION})-?(?P<yy>\d\d)")


class SymbolError(ValueError):
    """A symbol or date that does not follow the OpenAlgo grammar."""


@dataclass(frozen=True, slots=True)
class ParsedSymbol:
    """The parts of an OpenAlgo symbol. `kind` is FUT, CE, PE, or None for a plain name."""

    base: str
    kind: str | None = None
    expiry: date | None = None
    strike: Decimal | None = None


def format_expiry(day: date) -> str:
    """`28NOV24`: the date inside symbols and in option requests."""
    return f"{day.day:02d}{MONTHS[day.month - 1]}{day.year % 100:02d}"


def format_listing_expiry(day: date | None) -> str:
    """`28-NOV-24`: the expiry in symbol, search, expiry and instruments replies; "" if none."""
    if day is None:
        return ""
    return f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year % 100:02d}"


def _date(dd: str, mon: str, yy: str, text: str) -> date:
    try:
        return date(2000 + int(yy), _MONTH_NUMBER[mon], int(dd))
    except ValueError:
        raise SymbolError(f"{text!r} holds no real date") from None


def parse_expiry(text: str) -> date:
    """`28NOV24` or `28-NOV-24` (any case) as a date."""
    match = _EXPIRY.fullmatch(text.strip().upper())
    if not match:
        raise SymbolError(f"expiry {text!r} is not DDMMMYY (e.g. 28NOV24)")
    return _date(match["dd"], match["mon"], match["yy"], text)


parse_listing_expiry = parse_expiry


def format_strike(strike: Decimal | int | str) -> str:
    """`24000`, `292.5`, `88.25`: no exponent, no trailing zeros, no trailing `.0`."""
    try:
        value = strike if isinstance(strike, Decimal) else Decimal(str(strike))
    except InvalidOperation:
        raise SymbolError(f"strike {strike!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise SymbolError(f"strike {strike!r} must be a positive number")
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def future_symbol(base: str, expiry: date) -> str:
    return f"{base}{format_expiry(expiry)}FUT"


def option_symbol(base: str, expiry: date, strike: Decimal | int | str, right: str) -> str:
    if right not in ("CE", "PE"):
        raise SymbolError(f"option right must be CE or PE, not {right!r}")
    return f"{base}{format_expiry(expiry)}{format_strike(strike)}{right}"


def parse_symbol(symbol: str) -> ParsedSymbol:
    """Split a symbol into base, kind, expiry and strike; a plain name keeps kind None."""
    match = _OPTION.fullmatch(symbol)
    if match:
        expiry = _date(match["dd"], match["mon"], match["yy"], symbol)
        return ParsedSymbol(match["base"], match["right"], expiry, Decimal(match["strike"]))
    match = _FUTURE.fullmatch(symbol)
    if match:
        expiry = _date(match["dd"], match["mon"], match["yy"], symbol)
        return ParsedSymbol(match["base"], "FUT", expiry, None)
    return ParsedSymbol(symbol)
