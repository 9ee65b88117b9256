"""The database foundation: SQLite in WAL mode with full sync, units of work."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import String, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from algodesk.config import Settings
from algodesk.storage import Database, database_url


class ProbeBase(DeclarativeBase):
    """Not the platform's `Base`: a test table must not join the platform's schema."""


class Probe(ProbeBase):
    __tablename__ = "storage_probe"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20))


def test_sqlite_file_in_data_dir_with_wal(tmp_path: Path) -> None:
    url = database_url(Settings(data_dir=str(tmp_path / "data"), database_url=""))
    assert url.endswith("/data/algodesk.db")
    db = Database(url)
    ProbeBase.metadata.create_all(db.engine)
    with db.session() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        session.add(Probe(name="kept"))
    with db.session() as session:
        assert [p.name for p in session.query(Probe)] == ["kept"]


def test_failed_unit_of_work_rolls_back(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    ProbeBase.metadata.create_all(db.engine)
    with pytest.raises(RuntimeError), db.session() as session:
        session.add(Probe(name="lost"))
        session.flush()
        raise RuntimeError("boom")
    with db.session() as session:
        assert session.query(Probe).count() == 0


def test_explicit_database_url_wins(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    assert database_url(Settings(database_url=url)) == url
