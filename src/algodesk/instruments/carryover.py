"""An optional member skipped today: its exchange's rows from the previous master stay.

ICICI ships some member files (FOBSE, CDNSE, MCX) empty or header-only on some days.
Losing a whole exchange for a day because of that would be worse than serving
yesterday's list of its contracts, so the rows the active master holds for that Breeze
exchange are copied into the new one — minus contracts that have expired since, which
can no longer trade. The import report says what was kept and from which master.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..storage import Database
from .model import Instrument
from .schedule import IST
from .store import load_master


@dataclass(frozen=True, slots=True)
class SkippedMember:
    """An optional member file left out of today's import, and why."""

    file_name: str
    breeze_exchange: str
    reason: str


def carry_over(database: Database, skipped: Mapping[str, SkippedMember], today: date
               ) -> tuple[list[Instrument], dict[str, Any]]:
    """The previous master's live rows for each skipped member's exchange, and a report
    per member file: `{file: {"exchange", "reason", "kept", "expired", "from_master",
    "from_downloaded_at", "warning"}}`. Blocking (reads the database)."""
    if not skipped:
        return [], {}
    stored = load_master(database)
    wanted = {member.breeze_exchange for member in skipped.values()}
    by_exchange: dict[str, list[Instrument]] = {exchange: [] for exchange in wanted}
    if stored is not None:
        for inst in stored[1]:
            if inst.breeze_exchange in wanted:
                by_exchange[inst.breeze_exchange].append(inst)
    kept: list[Instrument] = []
    report: dict[str, Any] = {}
    for file_name, member in skipped.items():
        earlier = by_exchange[member.breeze_exchange]
        live = [i for i in earlier if i.expiry is None or i.expiry >= today]
        kept.extend(live)
        entry: dict[str, Any] = {"exchange": member.breeze_exchange, "reason": member.reason,
                                 "kept": len(live), "expired": len(earlier) - len(live),
                                 "from_master": None, "from_downloaded_at": None}
        if stored is not None and earlier:
            info = stored[0]
            entry["from_master"] = info.id
            entry["from_downloaded_at"] = info.created_at.isoformat()
            when = info.created_at.astimezone(IST).strftime("%Y-%m-%d %H:%M IST")
            entry["warning"] = (
                f"{member.reason}: skipped; kept {len(live):,} {member.breeze_exchange} "
                f"instrument(s) from master {info.id} (downloaded {when})"
                + (f", left out {entry['expired']:,} expired since" if entry["expired"]
                   else ""))
        else:
            entry["warning"] = (f"{member.reason}: skipped; no earlier "
                                f"{member.breeze_exchange} instruments to keep, so there "
                                f"are none until a later download has them")
        report[file_name] = entry
    return kept, report
