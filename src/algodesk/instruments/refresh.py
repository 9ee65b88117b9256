"""One refresh: download, parse, map, index, store. Never half-done.

The order is what makes it safe: everything that can fail (download, archive, members,
rows, building the index) happens before the single database transaction that stores
the new master and makes it active; the caller swaps the live index only after that
commit. A failure at any point leaves the previous master active in the database and
serving in memory, and the outcome says which stage failed and why.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..config import Settings
from ..storage import Database, utcnow
from .carryover import SkippedMember, carry_over
from .download import download
from .errors import MasterError
from .index import IndexInfo, SymbolIndex
from .mapping import map_members, natural_order
from .model import Instrument
from .schedule import IST
from .security_master import (
    IGNORED_MEMBERS,
    MEMBERS,
    MemberData,
    new_caches,
    open_archive,
    parse_member,
    read_member,
)
from .store import (
    Attempt,
    active_master,
    ensure_tables,
    prune,
    record_attempt,
    save_master,
)

log = logging.getLogger("algodesk.instruments")

#: Failures of an optional member that skip it instead of failing the import: the file
#: is there but unusable. A member that cannot be extracted means a damaged archive.
SKIPPABLE_STAGES = ("member", "rows")
PREVIOUS_KEPT = "the previous master stays in service"
NONE_YET = "no master contract yet"

_gc_lock = threading.Lock()
_gc_holders = 0


@contextmanager
def paused_gc() -> Iterator[None]:
    """Hold off the cyclic collector while ~1M objects are built.

    Each full collection would walk every live object, and building an index triggers
    several: pausing them halves the import and start-up times. Nothing built here
    forms reference cycles, so nothing is left for the collector to find afterwards.
    """
    global _gc_holders
    with _gc_lock:
        _gc_holders += 1
        if _gc_holders == 1:
            gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0:
                gc.enable()


@dataclass
class Progress:
    """What a refresh is doing now; written by the refresh, read by status().

    `listener`, when set, is called after every change (the CLI's progress bar); it may
    be called from the worker thread.
    """

    phase: str = "idle"  # idle, downloading, parsing, mapping, indexing, storing, done, failed
    trigger: str = ""
    started_at: datetime | None = None
    bytes_done: int = 0
    bytes_total: int | None = None
    listener: Callable[[Progress], None] | None = field(default=None, repr=False)

    def start(self, trigger: str) -> None:
        self.trigger, self.started_at = trigger, utcnow()
        self.bytes_done, self.bytes_total = 0, None
        self.set_phase("downloading")

    def set_phase(self, phase: str) -> None:
        self.phase = phase
        if self.listener:
            self.listener(self)

    def on_bytes(self, done: int, total: int | None) -> None:
        self.bytes_done, self.bytes_total = done, total
        if self.listener:
            self.listener(self)

    def as_dict(self) -> dict[str, Any]:
        return {"phase": self.phase, "trigger": self.trigger,
                "started_at": self.started_at.isoformat() if self.started_at else None,
                "bytes_done": self.bytes_done, "bytes_total": self.bytes_total}


@dataclass
class RefreshOutcome:
    """How a refresh ended. On failure `stage` and `message` say exactly what failed."""

    ok: bool
    trigger: str
    started_at: datetime
    finished_at: datetime
    seconds: float
    message: str
    stage: str = ""
    master_id: int | None = None
    instrument_count: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    index: SymbolIndex | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "trigger": self.trigger, "stage": self.stage,
                "message": self.message, "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat(), "seconds": round(self.seconds, 3),
                "master_id": self.master_id, "instrument_count": self.instrument_count}


def import_archive(data: bytes, tolerance: float, progress: Progress | None = None
                   ) -> tuple[list[Instrument], dict[str, Any]]:
    """Archive bytes -> instruments and a summary. CPU-bound; raises MasterError.

    A required member that is missing or unusable fails the import; an optional one that
    is empty, header-only, without usable rows or with too many bad ones is skipped and
    listed in `summary["skipped"]` (file -> exchange, reason)."""
    members = open_archive(data)
    caches = new_caches()
    parsed: list[MemberData] = []
    summary: dict[str, Any] = {"members": {}, "warnings": [], "skipped": {}}
    for spec in MEMBERS:
        info = members.get(spec.file_name.lower())
        if info is None:
            if spec.required:
                present = ", ".join(sorted(i.filename for i in members.values())) or "nothing"
                raise MasterError("member", f"{spec.file_name} is missing from the archive "
                                  f"(it holds: {present})")
            summary["warnings"].append(f"{spec.file_name} not in the archive: no "
                                       f"{spec.breeze_exchange} instruments")
            continue
        try:
            member = parse_member(spec, read_member(data, info), caches)
            member.check_tolerance(tolerance)
        except MasterError as exc:
            if spec.required or exc.stage not in SKIPPABLE_STAGES:
                raise
            summary["skipped"][spec.file_name] = {"exchange": spec.breeze_exchange,
                                                  "reason": exc.message}
            summary["warnings"].append(f"{exc.message}: skipped")
            continue
        parsed.append(member)
        summary["members"][spec.file_name] = {
            "lines": member.data_lines, "rows": len(member.rows), "skipped": len(member.bad),
            "tick_unit": member.tick_unit,
            "skipped_examples": [f"line {b.line}: {b.reason}" for b in member.bad[:5]]}
        if member.bad:
            summary["warnings"].append(f"{spec.file_name}: skipped {len(member.bad)} malformed "
                                       f"row(s), e.g. line {member.bad[0].line}: "
                                       f"{member.bad[0].reason}")
    known = {s.file_name.lower() for s in MEMBERS} | {n.lower() for n in IGNORED_MEMBERS}
    unknown = sorted(i.filename for name, i in members.items() if name not in known)
    if unknown:
        summary["warnings"].append(f"unknown member file(s) ignored: {', '.join(unknown)}")
    if progress:
        progress.set_phase("mapping")
    mapped = map_members(parsed)
    if not mapped.instruments:
        raise MasterError("rows", "the archive holds no usable instruments")
    if mapped.duplicate_count:
        summary["warnings"].append(f"left out {mapped.duplicate_count} duplicate(s), e.g. "
                                   f"{mapped.duplicates[0]}")
    summary["duplicates"] = mapped.duplicate_count
    summary["duplicate_examples"] = mapped.duplicates
    summary["counts"] = dict(Counter(str(i.exchange) for i in mapped.instruments))
    return mapped.instruments, summary


def build_and_store(data: bytes, database: Database, source_url: str, tolerance: float,
                    progress: Progress | None = None, *, today: date | None = None
                    ) -> tuple[SymbolIndex, int, dict[str, Any]]:
    """Import, index and store in one go (run in a worker thread). Raises MasterError.

    `today` (IST) decides which carried-over contracts have expired (see carryover.py).
    """
    timings: dict[str, float] = {}
    with paused_gc():
        started = time.perf_counter()
        if progress:
            progress.set_phase("parsing")
        instruments, summary = import_archive(data, tolerance, progress)
        if summary["skipped"]:
            instruments = _with_carried_over(instruments, summary, database,
                                             today or utcnow().astimezone(IST).date())
        timings["parse"] = time.perf_counter() - started
        if progress:
            progress.set_phase("indexing")
        mark = time.perf_counter()
        index = SymbolIndex(instruments)
        timings["index"] = time.perf_counter() - mark
        if progress:
            progress.set_phase("storing")
        mark = time.perf_counter()
        summary["timings"] = {k: round(v, 3) for k, v in timings.items()}
        master_id = save_master(database, instruments, source_url=source_url,
                                archive_sha256=hashlib.sha256(data).hexdigest(),
                                archive_bytes=len(data), summary=summary)
        timings["store"] = time.perf_counter() - mark
    summary["timings"] = {k: round(v, 3) for k, v in timings.items()}
    index.info = IndexInfo(master_id, utcnow(), source_url, tuple(summary["warnings"]))
    return index, master_id, summary


def _with_carried_over(instruments: list[Instrument], summary: dict[str, Any],
                       database: Database, today: date) -> list[Instrument]:
    skipped = {name: SkippedMember(name, entry["exchange"], entry["reason"])
               for name, entry in summary["skipped"].items()}
    kept, report = carry_over(database, skipped, today)
    plain = {f"{member.reason}: skipped" for member in skipped.values()}
    summary["warnings"] = ([w for w in summary["warnings"] if w not in plain]
                           + [entry.pop("warning") for entry in report.values()])
    summary["skipped"] = report
    if not kept:
        return instruments
    combined = instruments + kept
    combined.sort(key=natural_order)
    summary["counts"] = dict(Counter(str(i.exchange) for i in combined))
    return combined


async def refresh_master(settings: Settings, database: Database, *, trigger: str,
                         progress: Progress | None = None, today: date | None = None
                         ) -> RefreshOutcome:
    """Download and install a new master; the outcome carries the new index on success.

    Never raises for a bad download or archive: that is a failed outcome, recorded in
    `instrument_refreshes`, with the previous master untouched. `today` (IST) is for
    carried-over rows (default: the wall clock's date).
    """
    progress = progress or Progress()
    progress.start(trigger)
    started_at, clock = utcnow(), time.perf_counter()
    url = settings.security_master_url
    await asyncio.to_thread(ensure_tables, database)  # refresh() may come before start()
    try:
        data = await download(url, deadline=settings.contracts_download_timeout_seconds,
                              on_progress=progress.on_bytes)
        downloaded = time.perf_counter() - clock
        index, master_id, summary = await asyncio.to_thread(
            build_and_store, data, database, url, settings.contracts_bad_row_tolerance,
            progress, today=today)
        summary["timings"]["download"] = round(downloaded, 3)
    except MasterError as exc:
        progress.set_phase("failed")
        kept = await asyncio.to_thread(active_master, database) is not None
        outcome = RefreshOutcome(False, trigger, started_at, utcnow(),
                                 time.perf_counter() - clock,
                                 f"{exc.message} ({PREVIOUS_KEPT if kept else NONE_YET})",
                                 exc.stage)
        log.warning("master contract refresh failed at %s: %s", exc.stage, exc.message)
    else:
        progress.set_phase("done")
        counts = ", ".join(f"{ex} {n:,}" for ex, n in summary["counts"].items())
        outcome = RefreshOutcome(
            True, trigger, started_at, utcnow(), time.perf_counter() - clock,
            f"{len(index):,} instruments ({counts})", "", master_id, len(index), summary,
            index)
        log.info("master contract refreshed: %s", outcome.message)
        for warning in summary["warnings"]:
            log.warning("master contract: %s", warning)
    await asyncio.to_thread(_record, database, outcome)
    return outcome


def _record(database: Database, outcome: RefreshOutcome) -> None:
    """Log the attempt and drop superseded masters; bookkeeping must not undo a refresh."""
    try:
        record_attempt(database, Attempt(
            outcome.started_at, outcome.finished_at, outcome.trigger, outcome.ok,
            outcome.stage, outcome.message, outcome.master_id, outcome.instrument_count,
            outcome.seconds))
        if outcome.ok:
            prune(database)
    except Exception:  # the refresh itself is already committed or already failed
        log.exception("could not record the master contract refresh")
