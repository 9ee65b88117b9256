"""The database schema, kept by Alembic revisions (`migrations/versions/`).

`upgrade(url)` runs at every start (and from `algodesk db upgrade`): a fresh database is
built from empty, a database made before migrations existed (by `create_all`: tables but
no `alembic_version`) is adopted at the baseline, which creates only what it lacks, and
every later revision is applied in order. A database at a revision this code does not
know was upgraded by a newer algodesk: nothing is touched and `SchemaTooNew` says so.

Revisions run on a connection of their own. On SQLite it has foreign keys off (a batch
ALTER copies a table, drops the old one and renames the copy: with foreign keys on, the
drop would cascade into the rows referring to it; env.py checks the keys before commit)
and takes the write lock up front, so the whole upgrade is one transaction and two
processes starting together upgrade one after the other.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, MetaData, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

SCRIPTS = Path(__file__).with_name("migrations")
#: The schema of the last release made with `create_all`.
BASELINE = "0001"
VERSION_TABLE = "alembic_version"
# A long upgrade in another process holds the write lock; wait for it rather than fail.
_LOCK_WAIT_MS = 120_000


class SchemaError(RuntimeError):
    """The database cannot be brought to this code's schema."""


class SchemaTooNew(SchemaError):
    """The database was upgraded by a newer algodesk."""


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a database stands against this code's revisions."""

    current: str | None  # None: no alembic_version (fresh, or made before migrations)
    head: str
    legacy: bool  # tables made by `create_all` before migrations, not yet adopted
    known: bool  # `current` is one of this code's revisions (or None)

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head

    def describe(self) -> str:
        if not self.known:
            return (f"{self.current}: unknown to this algodesk (head {self.head}); the "
                    "database was upgraded by a newer version")
        if self.current is None:
            what = ("made before schema migrations: `algodesk db upgrade` (or a start) "
                    f"adopts it at {BASELINE}" if self.legacy else "empty")
            return f"none ({what}); head {self.head}"
        if self.up_to_date:
            return f"{self.current} (head)"
        return f"{self.current} (head is {self.head}: run `algodesk db upgrade`)"


def alembic_config(connection: Connection | None = None, *,
                   target_metadata: MetaData | None = None) -> Config:
    """Alembic's configuration, built in code: the scripts inside the package, the
    connection given (env.py takes no URL)."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.set_main_option("path_separator", "os")  # for version_locations, if ever set
    config.attributes["connection"] = connection
    config.attributes["target_metadata"] = target_metadata
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # only if the versions folder went missing from the install
        raise SchemaError(f"no schema revisions found in {SCRIPTS / 'versions'}")
    return head


def safe_url(url: str) -> str:
    """The URL for messages: a password in it is masked."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_for_migrations(dbapi_connection: Any, _record: Any) -> None:
    # The driver must not open transactions itself (it would not for DDL);
    # `_begin_immediate` opens each one, taking the write lock at once.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.execute(f"PRAGMA busy_timeout={_LOCK_WAIT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def migration_connection(url: str) -> Iterator[Connection]:
    """A connection of its own for reading and changing the schema (see the module's
    docstring for what it does differently on SQLite)."""
    sqlite = url.startswith("sqlite")
    if sqlite and make_url(url).database in (None, "", ":memory:"):
        # Each connection would see a database of its own: the platform's, never this one.
        raise SchemaError("an in-memory SQLite database cannot be migrated: use a file")
    engine = create_engine(url, poolclass=NullPool,
                           connect_args={"check_same_thread": False} if sqlite else {})
    if sqlite:
        event.listen(engine, "connect", _sqlite_for_migrations)
        event.listen(engine, "begin", _begin_immediate)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _state(connection: Connection, script: ScriptDirectory) -> SchemaState:
    head = script.get_current_head() or ""
    current = MigrationContext.configure(connection).get_current_revision()
    tables = set(inspect(connection).get_table_names())
    connection.rollback()  # end the read's transaction: the upgrade opens its own
    known = True
    if current is not None:
        try:
            script.get_revision(current)
        except CommandError:
            known = False
    legacy = current is None and bool(tables - {VERSION_TABLE})
    return SchemaState(current=current, head=head, legacy=legacy, known=known)


def state(url: str) -> SchemaState:
    script = ScriptDirectory.from_config(alembic_config())
    with migration_connection(url) as connection:
        return _state(connection, script)


def upgrade(url: str) -> SchemaState:
    """Bring the database at `url` to this code's head revision; returns where it was.

    Raises `SchemaTooNew` (nothing changed) when the database is at a revision this code
    does not know, `SchemaError` when a revision fails (rolled back where the database
    can roll DDL back, as SQLite and PostgreSQL can)."""
    script = ScriptDirectory.from_config(alembic_config())
    with migration_connection(url) as connection:
        before = _state(connection, script)
        if not before.known:
            raise SchemaTooNew(
                f"the database {safe_url(url)} is at schema revision {before.current}, "
                f"which this algodesk does not know (its newest is {before.head}): a newer "
                "algodesk has upgraded it. Run that newer version, or restore a backup of "
                "the database (DATA_DIR) made before that upgrade; nothing was changed.")
        if before.up_to_date:
            return before
        if before.legacy:
            log.info("database %s was made before schema migrations: adopting it at the "
                     "baseline %s (only missing tables and columns are added)",
                     safe_url(url), BASELINE)
        try:
            command.upgrade(alembic_config(connection), "head")
        except Exception as exc:
            raise SchemaError(f"upgrading the database {safe_url(url)} from "
                              f"{before.current or 'empty'} to {before.head} failed: {exc}") from exc
        log.info("database schema upgraded from %s to %s",
                 before.current or ("pre-migration" if before.legacy else "empty"), before.head)
        return before


__all__ = [
    "BASELINE",
    "SCRIPTS",
    "SchemaError",
    "SchemaState",
    "SchemaTooNew",
    "alembic_config",
    "head_revision",
    "migration_connection",
    "safe_url",
    "state",
    "upgrade",
]
