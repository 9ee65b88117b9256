"""The platform's intraday square-off: MIS positions closed at `MIS_SQUAREOFF_TIME` IST.

Breeze has no intraday product the API may use, so MIS orders go to the broker as
delivery (equity, when `EQUITY_MIS_AS_CASH` is on) or carry-forward (futures and
options). Nothing at ICICI squares them off; this does, every day at that time (on a
day without trading there is simply nothing to do): first it cancels working MIS orders
(so none fills into a new position afterwards), then it closes every position the books
label MIS with a MARKET order the other way. Analyzer mode's paper venue squares off
each exchange at its own time (openalgo-api.md §5: NSE/BSE/NFO/BFO 15:15, CDS/BCD 16:45,
MCX 23:30), one `MisSquareOff` per time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from ..background import sleep_until, stop_tasks
from ..domain.values import IST
from .composite import CompositeOrders

log = logging.getLogger(__name__)


def next_run(after: dt.datetime, at: dt.time) -> dt.datetime:
    """The first `at` IST strictly after `after` (aware)."""
    local = after.astimezone(IST)
    moment = dt.datetime.combine(local.date(), at, tzinfo=IST)
    if moment <= local:
        moment = dt.datetime.combine(local.date() + dt.timedelta(days=1), at, tzinfo=IST)
    return moment


def parse_time(text: str) -> dt.time:
    """`HH:MM` or `HH:MM:SS`."""
    return dt.time(*(int(part) for part in text.strip().split(":")))


def parse_times(text: str) -> dict[str, dt.time]:
    """`NSE=15:15,CDS=16:45,…`: a square-off time per exchange."""
    times: dict[str, dt.time] = {}
    for item in text.split(","):
        if item.strip():
            exchange, _, at = item.partition("=")
            times[exchange.strip().upper()] = parse_time(at)
    return times


class MisSquareOff:
    """Cancel working MIS orders and close MIS positions daily at `at` IST (only those
    of `exchanges`, when given)."""

    def __init__(self, composite: CompositeOrders, at: dt.time, *,
                 connected: Callable[[], bool],
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(IST),
                 exchanges: frozenset[str] | None = None) -> None:
        self.composite = composite
        self.at = at
        self.connected = connected
        self.clock = clock
        self.exchanges = exchanges
        self._task: asyncio.Task[None] | None = None
        self.last_report: dict[str, Any] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="mis-squareoff")

    async def stop(self) -> None:
        await stop_tasks(self._task)
        self._task = None

    async def _loop(self) -> None:
        while True:
            await sleep_until(next_run(self.clock(), self.at), self.clock)
            try:
                await self.run()
            except Exception:
                log.exception("MIS square-off at %s IST failed", self.at.strftime("%H:%M"))

    async def run(self) -> dict[str, Any]:
        """Cancel working MIS orders, then close MIS positions. Returns what was done."""
        if not self.connected():
            log.warning("MIS square-off skipped: the broker is not connected")
            self.last_report = {"skipped": "broker not connected"}
            return self.last_report
        cancelled = await self.composite.cancel_all(strategy="MIS square-off",
                                                    requested_by="squareoff",
                                                    products=("MIS",), exchanges=self.exchanges)
        closed = await self.composite.close_all(requested_by="squareoff", products=("MIS",),
                                                exchanges=self.exchanges)
        self.last_report = {"cancelled": cancelled.cancelled,
                            "cancel_failed": cancelled.failed,
                            "closed": closed.closed, "close_failed": closed.failed}
        level = logging.WARNING if cancelled.failed or closed.failed else logging.INFO
        log.log(level, "MIS square-off: %s", self.last_report)
        return self.last_report


__all__ = ["MisSquareOff", "next_run", "parse_time", "parse_times"]
