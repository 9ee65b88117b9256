"""The master contract as the dashboard and the broker page show it.

A trader whose orders are refused needs to see at a glance whether the symbol list is
in: loaded when and how many instruments, or loading, or failed — why, and when the
next try is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..instruments.service import InstrumentService


@dataclass(frozen=True, slots=True)
class MasterView:
    state: str  # ready, refreshing, loading, failed, empty
    instrument_count: int = 0
    counts: str = ""  # "NSE 2,345 · NFO 143,210 · …"
    downloaded_at: datetime | None = None
    problem: str = ""  # why there is none, or why the last refresh failed
    next_try_at: datetime | None = None
    warnings: tuple[str, ...] = field(default=())


def master_view(service: InstrumentService) -> MasterView:
    status = service.status()
    counts = " · ".join(f"{exchange} {n:,}" for exchange, n in status.counts.items())
    if status.instrument_count:
        last = status.last_result
        problem = (f"the last refresh failed at {last['stage']}: {last['message']}"
                   if last is not None and not last["ok"] else "")
        return MasterView(status.state, status.instrument_count, counts,
                          status.downloaded_at, problem,
                          status.next_try_at if problem else None, status.warnings)
    return MasterView(status.state, problem=service.unavailable().message,
                      next_try_at=status.next_try_at)
