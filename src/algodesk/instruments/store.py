"""Saving, activating, loading and pruning master versions (blocking; run in a thread)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from ..storage import Database, utcnow
from .codec import FORMAT_VERSION, decode, encode
from .errors import MasterError
from .model import Instrument
from .tables import InstrumentChunk, InstrumentMaster, InstrumentRefresh


@dataclass(frozen=True, slots=True)
class MasterInfo:
    """An active master's metadata, without its instruments."""

    id: int
    created_at: datetime  # UTC
    source_url: str
    archive_bytes: int
    instrument_count: int
    format_version: int
    summary: dict[str, Any]


def ensure_tables(database: Database) -> None:
    """The schema is the migrations' (a no-op once the runtime has migrated); the
    `contracts` commands run without the runtime."""
    database.migrate()


def save_master(database: Database, instruments: list[Instrument], *, source_url: str,
                archive_sha256: str, archive_bytes: int, summary: dict[str, Any]) -> int:
    """Store a master and make it the active one, in one transaction. Returns its id.

    Until the commit, the previous master stays active and complete; on any error the
    transaction rolls back and nothing changes.
    """
    try:
        with database.session() as session:
            master = InstrumentMaster(
                created_at=utcnow(), source_url=source_url, archive_sha256=archive_sha256,
                archive_bytes=archive_bytes, instrument_count=len(instruments),
                format_version=FORMAT_VERSION, summary=json.dumps(summary), active=False)
            session.add(master)
            session.flush()
            rows = [{"master_id": master.id, "seq": seq, "count": count, "payload": payload}
                    for seq, (count, payload) in enumerate(encode(instruments))]
            session.execute(insert(InstrumentChunk), rows)
            session.execute(update(InstrumentMaster).where(InstrumentMaster.active.is_(True))
                            .values(active=False))
            master.active = True
            return master.id
    except MasterError:
        raise
    except Exception as exc:  # the database's own errors vary by backend
        raise MasterError("store", f"the database refused the new master: {exc}") from exc


def prune(database: Database) -> int:
    """Delete every inactive master and its chunks; returns how many masters went."""
    with database.session() as session:
        old = session.scalars(select(InstrumentMaster.id).where(
            InstrumentMaster.active.is_(False))).all()
        if old:
            session.execute(delete(InstrumentChunk).where(InstrumentChunk.master_id.in_(old)))
            session.execute(delete(InstrumentMaster).where(InstrumentMaster.id.in_(old)))
        return len(old)


def active_master(database: Database) -> MasterInfo | None:
    with database.session() as session:
        row = session.scalars(select(InstrumentMaster).where(
            InstrumentMaster.active.is_(True)).order_by(InstrumentMaster.id.desc())).first()
        if row is None:
            return None
        return MasterInfo(row.id, _aware(row.created_at), row.source_url, row.archive_bytes,
                          row.instrument_count, row.format_version, json.loads(row.summary))


def load_master(database: Database) -> tuple[MasterInfo, list[Instrument]] | None:
    """The active master and its instruments, or None when there is none we can read."""
    info = active_master(database)
    if info is None or info.format_version != FORMAT_VERSION:
        return None
    with database.session() as session:
        payloads = session.execute(
            select(InstrumentChunk.count, InstrumentChunk.payload)
            .where(InstrumentChunk.master_id == info.id).order_by(InstrumentChunk.seq)).all()
    instruments: list[Instrument] = []
    for count, payload in payloads:
        chunk = decode(payload)
        if len(chunk) != count:
            raise ValueError(f"master {info.id}: a chunk holds {len(chunk)} rows, not {count}")
        instruments.extend(chunk)
    if len(instruments) != info.instrument_count:
        raise ValueError(f"master {info.id}: {len(instruments)} instruments stored, "
                         f"{info.instrument_count} expected")
    return info, instruments


@dataclass(frozen=True, slots=True)
class Attempt:
    started_at: datetime
    finished_at: datetime
    trigger: str
    ok: bool
    stage: str
    message: str
    master_id: int | None
    instrument_count: int
    seconds: float


def record_attempt(database: Database, attempt: Attempt) -> None:
    with database.session() as session:
        session.add(InstrumentRefresh(
            started_at=attempt.started_at, finished_at=attempt.finished_at,
            trigger=attempt.trigger, ok=attempt.ok, stage=attempt.stage,
            message=attempt.message, master_id=attempt.master_id,
            instrument_count=attempt.instrument_count, seconds=attempt.seconds))


def recent_attempts(database: Database, limit: int = 5) -> list[Attempt]:
    with database.session() as session:
        rows = session.scalars(select(InstrumentRefresh).order_by(
            InstrumentRefresh.id.desc()).limit(limit)).all()
        return [Attempt(_aware(r.started_at), _aware(r.finished_at), r.trigger, r.ok, r.stage,
                        r.message, r.master_id, r.instrument_count, r.seconds) for r in rows]


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; ours are always stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
