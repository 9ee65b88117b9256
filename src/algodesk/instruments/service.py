"""InstrumentService: the live SymbolIndex, its daily refresh, and its status.

The app wires one of these in:

    service = InstrumentService(settings, database)
    await service.start()          # load today's master from the database, refresh if stale
    service.index.get("SBIN", "NSE")
    await service.refresh()        # manual trigger (single flight)
    service.status()               # progress and last result, JSON-ready
    await service.stop()

`index` is replaced whole after each successful refresh; hold the reference for the
duration of one request rather than across awaits that may span a refresh.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from ..background import stop_tasks
from ..config import Settings
from ..storage import Database, utcnow
from .absent import NoMasterIndex
from .errors import MasterContractUnavailable
from .index import IndexInfo, SymbolIndex
from .refresh import NONE_YET, Progress, RefreshOutcome, paused_gc, refresh_master
from .schedule import IST, is_stale, next_due, parse_refresh_time
from .store import active_master, ensure_tables, load_master, recent_attempts

log = logging.getLogger("algodesk.instruments")

#: How often the scheduler wakes to check for due refreshes and for masters stored by
#: another process (`algodesk contracts update` while the platform runs).
POLL_SECONDS = 60.0


@dataclass(frozen=True)
class InstrumentStatus:
    """What the platform shows about the master contract."""

    # ready or refreshing (a master serves); loading, failed or empty (none yet)
    state: str
    instrument_count: int
    counts: dict[str, int]
    master_id: int | None
    downloaded_at: datetime | None
    source_url: str
    stale: bool
    next_refresh_at: datetime | None  # UTC
    progress: dict[str, Any]
    last_result: dict[str, Any] | None
    load_seconds: float | None
    next_try_at: datetime | None = None  # UTC: the retry after a failed refresh
    failures: int = 0  # failed refreshes in a row
    warnings: tuple[str, ...] = ()  # the live master's import report

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state, "instrument_count": self.instrument_count,
            "counts": self.counts, "master_id": self.master_id,
            "downloaded_at": self.downloaded_at.isoformat() if self.downloaded_at else None,
            "downloaded_at_ist": (self.downloaded_at.astimezone(IST).isoformat()
                                  if self.downloaded_at else None),
            "source_url": self.source_url, "stale": self.stale,
            "next_refresh_at": self.next_refresh_at.isoformat() if self.next_refresh_at else None,
            "progress": self.progress, "last_result": self.last_result,
            "load_seconds": self.load_seconds,
            "next_try_at": self.next_try_at.isoformat() if self.next_try_at else None,
            "failures": self.failures, "warnings": list(self.warnings),
        }


class InstrumentService:
    """Owns the live SymbolIndex and keeps it current."""

    def __init__(self, settings: Settings, database: Database, *,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.database = database
        self._clock = clock
        self._refresh_at = parse_refresh_time(settings.contracts_refresh_time)
        self._index: SymbolIndex = NoMasterIndex(self.unavailable)
        self._progress = Progress()
        self._last: RefreshOutcome | None = None
        self._failures = 0  # in a row; the retry waits grow with them
        self._next_try_at: datetime | None = None
        self._inflight: asyncio.Task[RefreshOutcome] | None = None
        self._scheduler: asyncio.Task[None] | None = None
        self._load_seconds: float | None = None
        self._started = False

    @property
    def index(self) -> SymbolIndex:
        """The live index. Until a master is loaded, a `NoMasterIndex` whose OpenAlgo
        lookups raise `MasterContractUnavailable` (see `unavailable`)."""
        return self._index

    def unavailable(self) -> MasterContractUnavailable:
        """Why there is no master contract, in words for a trader: loading, or which
        stage failed how, and when the next try is."""
        now = self._clock()
        refreshing = self._inflight is not None and not self._inflight.done()
        failed_before = self._last is not None and not self._last.ok
        if (refreshing and not failed_before) or (
                self._last is None and self.settings.contracts_auto_refresh):
            phase = self._progress.phase
            doing = ("downloading SecurityMaster.zip" if phase in ("idle", "downloading")
                     else f"{phase} SecurityMaster.zip")
            return MasterContractUnavailable(
                f"The master contract is loading ({doing}); symbols and orders work once "
                "it is in. Try again in a few seconds.", 5)
        reason = (f"the last try failed at {self._last.stage}: "
                  f"{self._last.message.removesuffix(f' ({NONE_YET})')}" if self._last
                  else "no download has been tried")
        if refreshing:
            wait, when = 5, "Trying again now"
        elif self._next_try_at is not None:
            wait = max(1, int((self._next_try_at - now).total_seconds() + 0.999))
            when = (f"The next try is at {self._next_try_at.astimezone(IST):%H:%M:%S} IST "
                    f"(in {wait} s)")
        else:
            wait = 60
            when = "Automatic refresh is off: run `algodesk contracts update`"
        return MasterContractUnavailable(
            f"No master contract yet, so symbols cannot be looked up ({reason}). {when}.",
            wait)

    # -- life cycle ---------------------------------------------------------------------

    async def start(self, *, wait: bool = False) -> None:
        """Load the stored master; refresh in the background when none or stale.

        With `wait=True` a needed start-up refresh is awaited (the CLI and tests use it);
        the app should not wait, so a slow download never delays its start.
        """
        if self._started:
            return
        self._started = True
        await asyncio.to_thread(ensure_tables, self.database)
        await self._load_from_database()
        if self.settings.contracts_auto_refresh:
            if self._stale():
                task = self._start_refresh("startup")
                if wait:
                    await asyncio.shield(task)
            self._scheduler = asyncio.create_task(self._schedule(), name="contracts-schedule")
        elif wait and not len(self._index):
            await self.refresh(manual=False)

    async def stop(self) -> None:
        await stop_tasks(self._scheduler, self._inflight)
        self._scheduler = self._inflight = None
        self._started = False

    async def refresh(self, manual: bool = True) -> RefreshOutcome:
        """Download and swap in a new master now. Joins a refresh already running."""
        return await asyncio.shield(self._start_refresh("manual" if manual else "scheduled"))

    async def wait_idle(self) -> RefreshOutcome | None:
        """Wait for a refresh in flight, if any; returns its outcome."""
        task = self._inflight
        if task is None:
            return None
        return await asyncio.shield(task)

    # -- status -------------------------------------------------------------------------

    def status(self) -> InstrumentStatus:
        index = self._index
        refreshing = self._inflight is not None and not self._inflight.done()
        if len(index):
            state = "refreshing" if refreshing else "ready"
        elif refreshing:
            state = "loading"
        else:
            state = "failed" if self._last is not None and not self._last.ok else "empty"
        return InstrumentStatus(
            state=state, instrument_count=len(index), counts=index.counts(),
            master_id=index.info.master_id, downloaded_at=index.info.downloaded_at,
            source_url=index.info.source_url, stale=self._stale(),
            next_refresh_at=(next_due(self._clock(), self._refresh_at)
                             if self.settings.contracts_auto_refresh else None),
            progress=self._progress.as_dict(),
            last_result=self._last.as_dict() if self._last else None,
            load_seconds=self._load_seconds, next_try_at=self._next_try_at,
            failures=self._failures, warnings=index.info.warnings)

    def recent_attempts(self, limit: int = 5) -> list[dict[str, Any]]:
        """Recent refresh attempts from the database (blocking; short)."""
        return [asdict(a) for a in recent_attempts(self.database, limit)]

    # -- internals ----------------------------------------------------------------------

    def _stale(self) -> bool:
        return is_stale(self._index.info.downloaded_at if len(self._index) else None,
                        self._clock(), self._refresh_at)

    def _start_refresh(self, trigger: str) -> asyncio.Task[RefreshOutcome]:
        if self._inflight is None or self._inflight.done():
            self._inflight = asyncio.create_task(self._run_refresh(trigger),
                                                 name=f"contracts-refresh-{trigger}")
        return self._inflight

    async def _run_refresh(self, trigger: str) -> RefreshOutcome:
        outcome = await refresh_master(self.settings, self.database, trigger=trigger,
                                       progress=self._progress,
                                       today=self._clock().astimezone(IST).date())
        if outcome.ok and outcome.index is not None:
            self._index = outcome.index  # the swap: one reference, readers never wait
            outcome.index = None  # the outcome outlives the index; do not pin it
            _keep_out_of_gc_passes()
            self._failures, self._next_try_at = 0, None
        else:
            self._failures += 1
            self._next_try_at = None
            # Retried only while the master in service is stale (or there is none): a
            # failed manual refresh of today's master leaves it serving, nothing to chase.
            if self.settings.contracts_auto_refresh and self._stale():
                delay = self.retry_delay(self._failures)
                self._next_try_at = self._clock() + timedelta(seconds=delay)
                log.warning("master contract: next try in %.0f s", delay)
        self._last = outcome
        return outcome

    def retry_delay(self, failures: int) -> float:
        """Seconds before the next try after `failures` failed refreshes in a row: the
        first retry comes quickly (a broker or simulator still starting), then the waits
        double up to the cap (a long outage is not hammered)."""
        first = self.settings.contracts_retry_seconds
        cap = max(first, self.settings.contracts_retry_max_seconds)
        return float(min(cap, first * 2 ** min(max(failures - 1, 0), 30)))

    async def _load_from_database(self) -> bool:
        """Install the stored active master (if readable and not already live)."""
        started = time.perf_counter()
        try:
            loaded = await asyncio.to_thread(_load_index, self.database)
        except Exception:
            log.exception("the stored master contract cannot be read; a download will "
                          "replace it")
            return False
        if loaded is None:
            return False
        self._index = loaded
        self._failures, self._next_try_at = 0, None
        _keep_out_of_gc_passes()
        self._load_seconds = time.perf_counter() - started
        log.info("master contract %s loaded from the database: %s instruments in %.2f s",
                 loaded.info.master_id, f"{len(loaded):,}", self._load_seconds)
        return True

    async def _schedule(self) -> None:
        while True:
            if self._inflight is not None and not self._inflight.done():
                # A start-up refresh in flight: its outcome sets the next try.
                await asyncio.wait({self._inflight})
            now = self._clock()
            wake = min(next_due(now, self._refresh_at), now + timedelta(seconds=POLL_SECONDS))
            if self._next_try_at is not None and self._stale():
                wake = min(wake, self._next_try_at)
            await asyncio.sleep(max(1.0, (wake - now).total_seconds()))
            try:
                await self._tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # the scheduler must outlive any one bad tick
                log.exception("master contract scheduler tick failed")

    async def _tick(self) -> None:
        if self._inflight is not None and not self._inflight.done():
            return
        stored = await asyncio.to_thread(active_master, self.database)
        if stored is not None and stored.id != self._index.info.master_id:
            await self._load_from_database()  # another process stored a newer master
        if self._stale() and (self._next_try_at is None or self._clock() >= self._next_try_at):
            await asyncio.shield(self._start_refresh("retry" if self._failures else "scheduled"))


def _keep_out_of_gc_passes() -> None:
    """Move what is alive now (the index above all: with the full master, some 240,000
    objects) out of the garbage collector's reach. A full collection over them takes
    ~100 ms, a pause any order in flight would wait for; the index lives until the next
    swap and is freed by reference counting. The one full pass here, which drops the
    previous index, comes at start-up or at a refresh (daily, before the market opens).
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _load_index(database: Database) -> SymbolIndex | None:
    with paused_gc():
        stored = load_master(database)
        if stored is None:
            return None
        info, instruments = stored
        return SymbolIndex(instruments, IndexInfo(info.id, info.created_at, info.source_url,
                                                  tuple(info.summary.get("warnings", ()))))
