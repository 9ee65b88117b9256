"""Settling journal rows whose outcome is unknown, against the broker's order list.

A row is unsettled while it is `pending` (committed, answer not yet recorded — or the
process died in between) or `in_doubt` (sent, answer lost or unreadable). GTT actions'
rows are settled against the broker's GTT book instead (`gtt_records.py`: a GTT carries
no tag, so a placement is recognised by its contract and legs). Brokers have
no idempotency key (Breeze has none), so such a row is never sent again: its tag (which
the adapter sends with the order; ICICI: `user_remark`) is looked for in the broker's
order list of the row's exchange, from the day it was written through today.

- Before the first order action of a broker session (after a start or a reconnect)
  every unsettled row not in flight right now is settled: found → accepted, not in the
  list → never placed. Orders wait for this (`ready`).
- While running, a background task settles rows that went in doubt; one still missing
  from the list `GRACE_SECONDS` after its answer was lost was never placed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Hashable
from datetime import date, datetime

from ..access.broker import BrokerUnavailable
from ..background import stop_tasks
from ..brokers.base import Broker, BrokerFailure, GttBroker
from ..domain.gtt import Gtt, GttStatus
from ..domain.orders import BrokerOrder, OrderStatus
from ..domain.values import IST
from .gtt_records import GTT_CANCEL, GTT_KINDS, GTT_MODIFY, GTT_PLACE, find_placement, has_legs
from .journal import JournalEntry, JournalState, OrderJournal
from .ports import OrderError

log = logging.getLogger(__name__)

GRACE_SECONDS = 10.0
LOOP_SECONDS = 3.0
_NOT_READY = object()


def _ist_day(moment: datetime) -> date:
    return moment.astimezone(IST).date()


def _now_ist() -> datetime:
    return datetime.now(IST)


class Reconciler:
    def __init__(self, broker: Broker, journal: OrderJournal, *,
                 clock: Callable[[], datetime] = _now_ist) -> None:
        self.broker = broker
        self.journal = journal
        self.clock = clock
        #: Journal ids being sent right now by this process: never settled under them.
        self.in_flight: set[int] = set()
        self._ready_for: Hashable | object = _NOT_READY
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        #: Rows may be in doubt (since the start-up pass): the background task looks.
        self._doubts = False

    # -- the gate before order actions ------------------------------------------------

    async def ready(self) -> None:
        """Return once the current broker session's start-up reconciliation is done."""
        session = self.broker.session()
        if session is not None and session == self._ready_for:
            return
        async with self._lock:
            session = self.broker.session()
            if session is not None and session == self._ready_for:
                return
            try:
                report = await self.reconcile(at_startup=True)
            except (BrokerUnavailable, OrderError):
                raise
            except BrokerFailure as exc:
                raise OrderError(503, "Orders are held until the journal's unsettled orders "
                                      "are checked against ICICI's order book, and that check "
                                      f"failed: {exc}. Try again shortly.") from None
            if any(report.values()):
                log.info("journal reconciled before accepting orders: %s", report)
            self._ready_for = session

    # -- settling ---------------------------------------------------------------------

    async def _orders(self, exchange: str, since: date) -> list[BrokerOrder]:
        """The exchange's orders from `since` through today, read now."""
        return await self.broker.orders(since, exchange=exchange, max_age=0.0)

    async def _gtts(self, exchange: str) -> list[Gtt]:
        """The exchange's GTTs, read now (a broker without GTT has none)."""
        if not isinstance(self.broker, GttBroker):
            return []
        return await self.broker.gtt_orders(exchange=exchange, max_age=0.0)

    def _gtt_placed(self, entry: JournalEntry, book: list[Gtt]) -> Gtt | None:
        return find_placement(book, entry.openalgo_request, entry.created_at,
                              self.journal.broker_ids(GTT_PLACE))

    async def settle_quietly(self, entry: JournalEntry) -> str | None:
        """One look for a placement whose answer was just lost; None when it is not
        (yet) visible or the look itself failed (the background task tries again)."""
        try:
            if entry.kind == GTT_PLACE:
                found = self._gtt_placed(entry, await self._gtts(entry.exchange))
                if found is None:
                    return None
                self.journal.accepted(entry.id, found.gtt_id, "found in the GTT book")
                log.info("journal %s reconciled: GTT %s", entry.tag, found.gtt_id)
                return found.gtt_id
            rows = await self._orders(entry.exchange, _ist_day(entry.created_at))
        except Exception as exc:
            log.warning("could not look for journal %s yet: %s", entry.tag, exc)
            return None
        for order in rows:
            if order.tag == entry.tag:
                self.journal.accepted(entry.id, order.order_id, "found by reconciliation")
                log.info("journal %s reconciled: broker order %s", entry.tag, order.order_id)
                return order.order_id
        return None

    async def reconcile(self, *, at_startup: bool = False) -> dict[str, int]:
        """Settle unsettled rows. At start-up every row not in flight; later only rows
        in doubt (a pending row is being sent right now)."""
        report = {"accepted": 0, "not_placed": 0, "still_in_doubt": 0}
        now = self.clock()
        entries = [e for e in self.journal.unsettled() if e.id not in self.in_flight and (
            at_startup or e.state is JournalState.IN_DOUBT)]
        lists: dict[tuple[str, date], list[BrokerOrder]] = {}
        books: dict[str, list[Gtt]] = {}
        for entry in entries:
            if entry.kind in GTT_KINDS:
                if entry.exchange not in books:
                    books[entry.exchange] = await self._gtts(entry.exchange)
                settled, reason = self._settle_gtt(entry, books[entry.exchange])
                if settled:
                    report["accepted"] += 1
                    continue
                self._give_up(entry, reason, now, at_startup, report)
                continue
            key = (entry.exchange, _ist_day(entry.created_at))
            if key not in lists:
                lists[key] = await self._orders(*key)
            rows = lists[key]
            if entry.kind == "place":
                match = next((o for o in rows if o.tag == entry.tag), None)
                if match is not None:
                    self.journal.accepted(entry.id, match.order_id, "found by reconciliation")
                    report["accepted"] += 1
                    continue
                reason = "not in the broker's order list"
            else:
                orderid = str(entry.broker_request.get("order_id", ""))
                order = next((o for o in rows if o.order_id == orderid), None)
                status = str(order.status) if order else ""
                if entry.kind == "cancel" and status == OrderStatus.CANCELLED:
                    self.journal.accepted(entry.id, orderid, "found cancelled by reconciliation")
                    report["accepted"] += 1
                    continue
                reason = f"outcome unknown; the order is {status or 'not listed'} now"
            self._give_up(entry, reason, now, at_startup, report)
        return report

    def _give_up(self, entry: JournalEntry, reason: str, now: datetime, at_startup: bool,
                 report: dict[str, int]) -> None:
        """Not found: never placed (or outcome unknown) once its grace is over."""
        waited = (now - entry.updated_at.astimezone(IST)).total_seconds()
        if at_startup or waited >= GRACE_SECONDS:
            self.journal.not_placed(entry.id, reason)
            report["not_placed"] += 1
        else:
            report["still_in_doubt"] += 1

    def _settle_gtt(self, entry: JournalEntry, book: list[Gtt]) -> tuple[bool, str]:
        """A GTT action's row against the exchange's GTT book: (settled, why not)."""
        if entry.kind == GTT_PLACE:
            found = self._gtt_placed(entry, book)
            if found is not None:
                self.journal.accepted(entry.id, found.gtt_id, "found in the GTT book")
                return True, ""
            return False, "not in the broker's GTT book"
        trigger_id = str(entry.openalgo_request.get("trigger_id", ""))
        gtt = next((g for g in book if g.gtt_id == trigger_id), None)
        if entry.kind == GTT_CANCEL and gtt is not None and gtt.status is GttStatus.CANCELLED:
            self.journal.accepted(entry.id, trigger_id, "found cancelled in the GTT book")
            return True, ""
        if entry.kind == GTT_MODIFY and gtt is not None and \
                has_legs(gtt, entry.openalgo_request):
            self.journal.accepted(entry.id, trigger_id, "found modified in the GTT book")
            return True, ""
        return False, (f"outcome unknown; the GTT is {gtt.status if gtt else 'not listed'} "
                       "now")

    # -- background -------------------------------------------------------------------

    def wake(self) -> None:
        """A row went in doubt: settle it soon (called after `journal.in_doubt`)."""
        self._doubts = True
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="journal-reconcile")

    async def stop(self) -> None:
        await stop_tasks(self._task)
        self._task = None

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), LOOP_SECONDS)
            self._wake.clear()
            try:
                await self._tick()
            except (BrokerUnavailable, BrokerFailure, OrderError) as exc:
                log.debug("reconciliation deferred: %s", exc)
            except Exception:
                log.exception("reconciliation failed")

    async def _tick(self) -> None:
        if self.broker.session() is None:
            return
        if self._ready_for != self.broker.session():
            await self.ready()  # also settles what a crash left behind, before any order
            return
        if not self._doubts:  # nothing went in doubt since the last look: no query
            return
        # Cleared before the pass: a row going in doubt while it runs (after its query)
        # sets it again, for the next pass.
        self._doubts = False
        try:
            async with self._lock:
                report = await self.reconcile()
        except BaseException:
            self._doubts = True  # this pass failed: look again next time
            raise
        if report["still_in_doubt"]:
            self._doubts = True
        if report["accepted"] or report["not_placed"]:
            log.info("journal rows in doubt settled: %s", report)


__all__ = ["GRACE_SECONDS", "Reconciler"]
