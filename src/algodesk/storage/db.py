"""The database: engine, sessions, and the SQLite settings that keep data safe.

SQLite runs in WAL mode so readers never block the writer, with `synchronous=FULL` so a
committed row (an order journal entry above all) survives a crash or power loss. Times
are stored in UTC; what a trader sees is converted to IST at the edges.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from ..config import Settings
from . import schema

log = logging.getLogger(__name__)

class Base(DeclarativeBase):
    """Every table of the platform derives from this."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def database_url(settings: Settings) -> str:
    """`DATABASE_URL` when set, else a SQLite file in the data folder."""
    if settings.database_url:
        return settings.database_url
    folder = Path(settings.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(folder / 'algodesk.db').resolve()}"


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class SqliteWriter:
    """The one SQLite connection the order path's writers share: the order journal and
    the paper store.

    One page cache for both: SQLite drops a connection's cached pages whenever another
    connection has written, so two writers taking turns would each read their pages
    again on every commit (here that tripled what a paper order's writes cost). Taken
    from the pool for good (detached), with the engine's pragmas (WAL, synchronous
    FULL), and never checkpointing inside a commit (that syncs the database file: tens
    of milliseconds; the journal's thread runs checkpoints beside the order path). Each
    commit says whether it must reach the disk (`durable`: FULL) or may wait for the
    next sync (NORMAL); switching costs a statement of no I/O. Hold `lock` around every
    use of `connection()`. Writers that need not wait for a commit of their own (the
    paper venue's) queue their statements for one commit per turn of the event loop
    (`defer`).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.lock = threading.Lock()
        self._connection: Any = None
        self._durable = True
        self._queue: list[tuple[str, Any]] = []  # statements of the next group commit
        self._done: asyncio.Future[None] | None = None  # that commit's future

    @property
    def current(self) -> Any:
        """The connection, or None before the first write (and after `close`)."""
        return self._connection

    def connection(self, *, durable: bool) -> Any:
        """The connection, set to sync the next commit to disk (`durable`) or not."""
        connection = self._connection
        if connection is None:
            connection = self.engine.raw_connection()
            connection.detach()
            connection.cursor().execute("PRAGMA wal_autocheckpoint=0")
            self._connection, self._durable = connection, True
        if durable != self._durable:
            connection.cursor().execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self._durable = durable
        return connection

    # -- group commit ----------------------------------------------------------------

    def defer(self, statements: Iterable[tuple[str, Any]]) -> asyncio.Future[None] | None:
        """Queue statements (SQL, parameters or a list of them) for the next group
        commit: everything queued in one turn of the event loop is committed together,
        in the order queued, not synced to disk (NORMAL). Returns the commit's future
        (None: committed now, outside a running loop). Whoever reads or writes at once
        calls `flush` first, so nothing overtakes what is queued."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            with self.lock:
                self._commit(list(statements))
            return None
        self._queue.extend(statements)
        if self._done is None:
            self._done = loop.create_future()
            # A failure nobody awaits is logged by `flush`, not left unretrieved.
            self._done.add_done_callback(lambda f: f.cancelled() or f.exception())
            loop.call_soon(self._flush_soon)
        return self._done

    def _flush_soon(self) -> None:
        try:
            self.flush()
        except Exception:
            log.exception("a group commit failed")

    def flush(self) -> None:
        """Commit what is queued, now (the caller must not hold `lock`)."""
        if not self._queue and self._done is None:
            return
        with self.lock:
            batch, self._queue = self._queue, []
            done, self._done = self._done, None
            try:
                if batch:
                    self._commit(batch)
            except Exception as exc:
                if done is not None:
                    done.set_exception(exc)
                raise
            if done is not None:
                done.set_result(None)

    def run(self, statements: Iterable[tuple[str, Any]], query: str | None = None,
            params: Any = ()) -> list[tuple[Any, ...]]:
        """Statements committed now (after what is queued), not synced to disk; then
        `query`'s rows, when given."""
        self.flush()
        with self.lock:
            return self._commit(list(statements), query, params)

    def _commit(self, statements: list[tuple[str, Any]], query: str | None = None,
                query_params: Any = ()) -> list[tuple[Any, ...]]:
        """The statements (SQL, parameters or a list of them) in one transaction, then
        `query`'s rows (the caller holds `lock`)."""
        connection = self.connection(durable=False)
        cursor = connection.cursor()
        try:
            for sql, params in statements:
                if isinstance(params, list):
                    cursor.executemany(sql, params)
                else:
                    cursor.execute(sql, params)
            rows = cursor.execute(query, query_params).fetchall() if query else []
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        return [tuple(row) for row in rows]

    def close(self) -> None:
        self.flush()
        with self.lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


class Database:
    """An engine and a session factory. Calls are short; bulk work runs in a thread."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False}
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _tune_sqlite)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        #: SQLite: the connection the order path's writers share (None elsewhere).
        self.writer = SqliteWriter(self.engine) if url.startswith("sqlite") else None
        self._schema_lock = threading.Lock()
        self._schema_ready = False

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(database_url(settings))

    def migrate(self) -> schema.SchemaState | None:
        """Bring the schema to this code's head revision (see `schema.upgrade`); returns
        where it was, or None when this object had already done so: the parts that need
        tables call it at their start, and only the first call does the work."""
        with self._schema_lock:
            if self._schema_ready:
                return None
            before = schema.upgrade(self.url)
            self._schema_ready = True
            return before

    def create_all(self) -> None:
        """The name `migrate` had before migrations, kept for its callers. It no longer
        creates tables from the models: a model change needs a revision."""
        self.migrate()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
