"""The instrument tables: master versions, their instruments in column chunks, attempts.

Why chunks and not one row per instrument: on this project's 2-core machine SQLite took
0.5-1.7 s to insert and 0.65 s to read back 156,000 fifteen-column rows, which alone
breaks the 2 s refresh and 1 s start-up budgets. The index is the only reader, so each
chunk holds a few thousand instruments as zlib-compressed JSON columns (see codec.py):
writing a full master takes ~0.1 s and reading it ~0.05 s.

Versioning keeps the previous master whole until the new one is complete: a refresh
inserts a new `instrument_masters` row and its chunks, then flips `active`, all in one
transaction. Old versions are pruned afterwards, in a separate transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..storage import Base, utcnow


class InstrumentMaster(Base):
    """One imported SecurityMaster: where it came from and what it held."""

    __tablename__ = "instrument_masters"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source_url: Mapped[str] = mapped_column(String(500))
    archive_sha256: Mapped[str] = mapped_column(String(64))
    archive_bytes: Mapped[int] = mapped_column(Integer)
    instrument_count: Mapped[int] = mapped_column(Integer)
    format_version: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="{}")  # JSON: counts, units, warnings
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class InstrumentChunk(Base):
    """A few thousand instruments of one master, as compressed JSON columns."""

    __tablename__ = "instrument_chunks"

    id: Mapped[int] = mapped_column(primary_key=True)
    master_id: Mapped[int] = mapped_column(
        ForeignKey("instrument_masters.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class InstrumentRefresh(Base):
    """Every refresh attempt, kept so `contracts status` can say what last failed."""

    __tablename__ = "instrument_refreshes"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    trigger: Mapped[str] = mapped_column(String(20))  # manual, scheduled, startup, cli
    ok: Mapped[bool] = mapped_column(Boolean)
    stage: Mapped[str] = mapped_column(String(20), default="")  # where it failed
    message: Mapped[str] = mapped_column(Text, default="")
    master_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    instrument_count: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(default=0.0)
