"""The exchanges' trading calendar: holidays, special sessions and daily timings.

The calendar is data shipped with the package (`algodesk/calendars/holidays.json`: the
published 2026 lists of NSE, BSE and MCX, and what is certain of 2027). The exchanges
publish next year's list in December and announce special sessions (Muhurat) shortly
before they happen, so the trader can add a newer file: `algodesk calendar import FILE`
validates it and writes `DATA_DIR/holidays.json`, whose years replace the shipped ones.
A running platform notices the new file on its next calendar request.

MCX's evening session follows US daylight saving: it closes at 23:30 IST while the US
is on summer time (second Sunday of March to first Sunday of November) and at 23:55
otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")
EXCHANGES = ("NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX")
# Index quotes follow their cash market's hours.
CALENDAR_EXCHANGE = {"NSE_INDEX": "NSE", "BSE_INDEX": "BSE"}
HOLIDAY_TYPES = ("TRADING_HOLIDAY", "SETTLEMENT_HOLIDAY", "SPECIAL_SESSION")
FILE_NAME = "holidays.json"
log = logging.getLogger(__name__)


class CalendarError(ValueError):
    """A calendar file that does not follow the format (message names the place)."""


@dataclass(frozen=True, slots=True)
class Session:
    exchange: str
    start: dt.datetime  # aware, IST
    end: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {"exchange": self.exchange, "start_time": _ms(self.start),
                "end_time": _ms(self.end)}


@dataclass(frozen=True, slots=True)
class Holiday:
    date: dt.date
    description: str
    holiday_type: str
    closed: tuple[str, ...]
    sessions: tuple[tuple[str, str, str | None], ...]  # exchange, start, end (None: regular)


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _clock(text: str, where: str) -> dt.time:
    try:
        hour, minute = text.split(":")
        return dt.time(int(hour), int(minute))
    except (ValueError, AttributeError):
        raise CalendarError(f"{where}: {text!r} is not a time HH:MM") from None


def _nth_sunday(year: int, month: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def us_summer_time(day: dt.date) -> bool:
    return _nth_sunday(day.year, 3, 2) <= day < _nth_sunday(day.year, 11, 1)


def validate(document: Any) -> dict[int, list[Holiday]]:
    """The years of a calendar document; raises CalendarError naming what is wrong."""
    if not isinstance(document, dict) or not isinstance(document.get("years"), dict):
        raise CalendarError("a calendar file is a JSON object with a 'years' object")
    years: dict[int, list[Holiday]] = {}
    for year_text, body in document["years"].items():
        if not (str(year_text).isdigit() and 2020 <= int(year_text) <= 2050):
            raise CalendarError(f"years: {year_text!r} is not a year 2020-2050")
        entries = body.get("holidays") if isinstance(body, dict) else None
        if not isinstance(entries, list):
            raise CalendarError(f"years.{year_text}: needs a 'holidays' list")
        holidays = []
        for number, entry in enumerate(entries):
            where = f"years.{year_text}.holidays[{number}]"
            holidays.append(_holiday(entry, int(year_text), where))
        years[int(year_text)] = sorted(holidays, key=lambda h: h.date)
    return years


def _holiday(entry: Any, year: int, where: str) -> Holiday:
    if not isinstance(entry, dict):
        raise CalendarError(f"{where}: expected an object")
    try:
        day = dt.date.fromisoformat(str(entry.get("date")))
    except ValueError:
        raise CalendarError(f"{where}: date {entry.get('date')!r} is not YYYY-MM-DD") from None
    if day.year != year:
        raise CalendarError(f"{where}: {day} is not in {year}")
    closed = entry.get("closed", [])
    sessions = entry.get("sessions", {})
    if not isinstance(closed, list) or any(e not in EXCHANGES for e in closed):
        raise CalendarError(f"{where}: 'closed' lists exchanges among {', '.join(EXCHANGES)}")
    if not isinstance(sessions, dict) or any(e not in EXCHANGES for e in sessions):
        raise CalendarError(f"{where}: 'sessions' maps exchanges to [start, end]")
    parsed = []
    for exchange, bounds in sessions.items():
        if not (isinstance(bounds, list) and len(bounds) == 2):
            raise CalendarError(f"{where}.sessions.{exchange}: expected [start, end]")
        _clock(bounds[0], f"{where}.sessions.{exchange}")
        if bounds[1] is not None:
            _clock(bounds[1], f"{where}.sessions.{exchange}")
        parsed.append((exchange, bounds[0], bounds[1]))
    kind = entry.get("type") or ("TRADING_HOLIDAY" if closed or not sessions
                                 else "SPECIAL_SESSION")
    if kind not in HOLIDAY_TYPES:
        raise CalendarError(f"{where}: type must be one of {', '.join(HOLIDAY_TYPES)}")
    return Holiday(day, str(entry.get("description", "")), kind, tuple(closed), tuple(parsed))


def _packaged() -> dict[str, Any]:
    text = resources.files("algodesk").joinpath("calendars", FILE_NAME).read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


class MarketCalendar:
    """Holidays and sessions from the shipped file, overlaid by DATA_DIR's file."""

    def __init__(self, override: Path | None = None) -> None:
        self.override = override
        document = _packaged()
        self._regular = {ex: (_clock(a, f"regular {ex}"), _clock(b, f"regular {ex}"))
                         for ex, (a, b) in document["regular_sessions"].items()}
        self._mcx_winter = _clock(document.get("mcx_winter_close", "23:55"), "mcx close")
        self._shipped = validate(document)
        self._shipped_meta = document["years"]
        self._stamp: tuple[float, int] | None = None
        self._years = dict(self._shipped)
        self._meta: dict[int, dict[str, Any]] = {int(k): v for k, v in
                                                 self._shipped_meta.items()}
        self._by_date: dict[dt.date, Holiday] = {}
        self._reindex()

    # -- loading ---------------------------------------------------------------------

    def _reindex(self) -> None:
        self._by_date = {h.date: h for holidays in self._years.values() for h in holidays}

    def refresh(self) -> None:
        """Pick up DATA_DIR/holidays.json when it appeared, changed or went away."""
        path = self.override
        try:
            stat = os.stat(path) if path is not None else None
        except OSError:
            stat = None
        stamp = (stat.st_mtime, stat.st_size) if stat is not None else None
        if stamp == self._stamp:
            return
        self._stamp = stamp
        self._years = dict(self._shipped)
        self._meta = {int(k): v for k, v in self._shipped_meta.items()}
        if path is not None and stat is not None:
            try:
                document = json.loads(path.read_text("utf-8"))
                self._years.update(validate(document))
                self._meta.update({int(k): v for k, v in document["years"].items()})
            except (OSError, ValueError) as exc:
                # A broken override must not take the calendar down: the shipped years stay.
                log.warning("ignoring %s: %s", path, exc)
        self._reindex()

    # -- questions -------------------------------------------------------------------

    def years(self) -> list[int]:
        self.refresh()
        return sorted(self._years)

    def year_info(self, year: int) -> dict[str, Any]:
        self.refresh()
        return dict(self._meta.get(year, {}))

    def holidays(self, year: int) -> list[Holiday]:
        self.refresh()
        return list(self._years.get(year, []))

    def holiday(self, day: dt.date) -> Holiday | None:
        self.refresh()
        return self._by_date.get(day)

    def regular_session(self, exchange: str, day: dt.date) -> tuple[dt.time, dt.time]:
        start, end = self._regular[CALENDAR_EXCHANGE.get(exchange, exchange)]
        if exchange == "MCX" and not us_summer_time(day):
            end = self._mcx_winter
        return start, end

    def _at(self, day: dt.date, clock: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, clock, IST)

    def holiday_sessions(self, holiday: Holiday) -> list[Session]:
        out = []
        for exchange, start, end in holiday.sessions:
            regular_end = self.regular_session(exchange, holiday.date)[1]
            out.append(Session(exchange, self._at(holiday.date, _clock(start, exchange)),
                               self._at(holiday.date, _clock(end, exchange) if end
                                        else regular_end)))
        return out

    def sessions(self, day: dt.date, exchanges: tuple[str, ...] = EXCHANGES) -> list[Session]:
        """The sessions of `day` (IST): none at weekends and full holidays; only the
        special session on a special-session day; the regular ones otherwise."""
        holiday = self.holiday(day)
        if holiday is not None and (holiday.closed or holiday.holiday_type == "SPECIAL_SESSION"):
            special = [s for s in self.holiday_sessions(holiday) if s.exchange in exchanges]
            open_too = [] if holiday.holiday_type == "SPECIAL_SESSION" else [
                ex for ex in exchanges
                if ex not in holiday.closed and ex not in {s.exchange for s in special}]
            regular = [self._regular_of(ex, day) for ex in open_too] if day.weekday() < 5 else []
            return sorted(special + regular, key=lambda s: exchanges.index(s.exchange))
        if day.weekday() >= 5:
            return []
        sessions = [self._regular_of(ex, day) for ex in exchanges]
        if holiday is not None:  # a partial day (e.g. MCX's evening closed)
            special = {s.exchange: s for s in self.holiday_sessions(holiday)}
            sessions = [special.get(s.exchange, s) for s in sessions]
        return sessions

    def _regular_of(self, exchange: str, day: dt.date) -> Session:
        start, end = self.regular_session(exchange, day)
        return Session(exchange, self._at(day, start), self._at(day, end))

    def trades_on(self, exchange: str, day: dt.date) -> bool:
        calendar_exchange = CALENDAR_EXCHANGE.get(exchange, exchange)
        return any(s.exchange == calendar_exchange
                   for s in self.sessions(day, (calendar_exchange,)))

    def in_session(self, exchanges: Iterable[str], at: dt.datetime) -> bool:
        """Whether any of the exchanges (OpenAlgo's names; an index follows its cash
        market) is in session at the instant `at` (aware)."""
        wanted = tuple(dict.fromkeys(CALENDAR_EXCHANGE.get(ex, ex) for ex in exchanges
                                     if CALENDAR_EXCHANGE.get(ex, ex) in EXCHANGES))
        if not wanted:
            return False
        moment = at.astimezone(IST)
        return any(s.start <= moment < s.end for s in self.sessions(moment.date(), wanted))


def install(source: Path, data_dir: Path) -> tuple[Path, list[int]]:
    """Validate a calendar file and write it as DATA_DIR/holidays.json, keeping the
    years of an existing one that the new file does not mention."""
    try:
        document = json.loads(source.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise CalendarError(f"{source}: {exc}") from None
    validate(document)
    target = data_dir / FILE_NAME
    merged: dict[str, Any] = {"format": 1, "years": {}}
    if target.exists():
        try:
            existing = json.loads(target.read_text("utf-8"))
            validate(existing)
            merged["years"].update(existing["years"])
        except (OSError, ValueError):
            pass  # an unreadable old override is simply replaced
    merged["years"].update(document["years"])
    data_dir.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(merged, indent=1) + "\n", "utf-8")
    temporary.replace(target)  # atomic: a running platform never reads half a file
    return target, sorted(int(y) for y in merged["years"])


__all__ = [
    "EXCHANGES",
    "CalendarError",
    "Holiday",
    "MarketCalendar",
    "Session",
    "install",
    "us_summer_time",
    "validate",
]
