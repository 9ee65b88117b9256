"""Analyzer mode's switch: live or analyze, one flag for the whole platform, persisted.

OpenAlgo's analyzer mode (openalgo-api.md §3.4, §5) is one application-wide flag, not
per key. Each order and account request reads it once, when it is accepted, and is then
served by that venue's order stack to the end (`Venue`); a toggle while it runs changes
only the requests accepted after it. The flag is written to the database before it
changes in memory, so a restart comes back in the mode the trader left.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, Integer
from sqlalchemy.orm import Mapped, mapped_column

from ..storage import Base, Database, utcnow


class Venue(StrEnum):
    """Where an order goes: the broker (live), or the paper broker (analyze). The value
    is OpenAlgo's `mode` as the replies spell it."""

    LIVE = "live"
    ANALYZE = "analyze"


class AnalyzerModeRow(Base):
    """The switch's one row (id 1); absent until the first toggle (live)."""

    __tablename__ = "analyzer_mode"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    analyze: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AnalyzerSwitch:
    """The persisted flag; `venue` is a plain attribute read (it is read on every order)."""

    def __init__(self, database: Database, *,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.database = database
        self.clock = clock
        self._lock = threading.Lock()
        with database.session() as session:
            row = session.get(AnalyzerModeRow, 1)
            self.venue = Venue.ANALYZE if row is not None and row.analyze else Venue.LIVE
            self.changed_at: datetime | None = row.changed_at if row is not None else None

    @property
    def analyze(self) -> bool:
        return self.venue is Venue.ANALYZE

    def set(self, analyze: bool) -> Venue:
        """Switch (stored first, then in force); returns the venue now in force."""
        venue = Venue.ANALYZE if analyze else Venue.LIVE
        with self._lock:
            now = self.clock()
            with self.database.session() as session:
                row = session.get(AnalyzerModeRow, 1)
                if row is None:
                    session.add(AnalyzerModeRow(id=1, analyze=analyze, changed_at=now))
                else:
                    row.analyze, row.changed_at = analyze, now
            self.venue, self.changed_at = venue, now
        return venue


__all__ = ["AnalyzerModeRow", "AnalyzerSwitch", "Venue"]
