"""The order journal: every order action is written here before it is sent.

Breeze has no idempotency key, so a place-order whose answer was lost may still have
reached the exchange. The journal makes that safe: the intent is committed first, the
broker order carries the journal's tag in `user_remark`, and any row whose outcome is
unknown (a timeout, a malformed answer, a crash between commit and answer) is settled
by finding that tag in the broker's order list — never by sending again.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from types import SimpleNamespace
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..storage import Base, Database, utcnow

log = logging.getLogger(__name__)

TAG_PREFIX = "ad"  # short: Breeze keeps about 20 characters of user_remark


class JournalState(StrEnum):
    PENDING = "pending"  # committed; the broker may or may not have it yet
    ACCEPTED = "accepted"  # the broker answered with an order id
    REJECTED = "rejected"  # the broker answered with an error: nothing exists
    IN_DOUBT = "in_doubt"  # sent, no usable answer: reconcile before trusting
    NOT_PLACED = "not_placed"  # reconciled: the broker never got it

    @property
    def settled(self) -> bool:
        return self not in (JournalState.PENDING, JournalState.IN_DOUBT)


class JournalRow(Base):
    __tablename__ = "order_journal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tag: Mapped[str | None] = mapped_column(String(20), unique=True, index=True)
    kind: Mapped[str] = mapped_column(String(10))  # place, modify, cancel
    group_id: Mapped[int | None] = mapped_column(Integer, index=True)  # basket/split parent
    requested_by: Mapped[str] = mapped_column(String(40))
    strategy: Mapped[str] = mapped_column(String(100), default="")
    exchange: Mapped[str] = mapped_column(String(10))  # Breeze exchange code
    openalgo_request: Mapped[str] = mapped_column(Text)
    broker_request: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), index=True, default=JournalState.PENDING)
    broker_order_id: Mapped[str | None] = mapped_column(String(40), index=True)
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)
    #: live (sent to the broker) or analyze (the paper broker's); rows from before
    #: analyzer mode are live.
    venue: Mapped[str] = mapped_column(String(8), default="live", server_default="live")


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A journal row as the rest of the platform sees it (detached from the session)."""

    id: int
    tag: str
    kind: str
    group_id: int | None
    requested_by: str
    strategy: str
    exchange: str
    openalgo_request: dict[str, Any]
    broker_request: dict[str, Any]
    state: JournalState
    broker_order_id: str | None
    message: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of_values(cls, values: dict[str, Any]) -> JournalEntry:
        """From a table row's values (Core statements, no ORM object)."""
        return cls._build(SimpleNamespace(**values))

    @classmethod
    def of(cls, row: JournalRow) -> JournalEntry:
        return cls._build(row)

    @classmethod
    def _build(cls, row: Any) -> JournalEntry:
        return cls(
            id=row.id, tag=row.tag or "", kind=row.kind, group_id=row.group_id,
            requested_by=row.requested_by, strategy=row.strategy, exchange=row.exchange,
            openalgo_request=json.loads(row.openalgo_request),
            broker_request=json.loads(row.broker_request or "{}"),
            state=JournalState(row.state), broker_order_id=row.broker_order_id,
            message=row.message, created_at=_utc(row.created_at),
            updated_at=_utc(row.updated_at or row.created_at),
        )


def _utc(moment: datetime) -> datetime:
    """SQLite gives stored times back without their zone; they are stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# Never journal credentials, whatever a client put in its request.
_SECRET_KEYS = frozenset({"apikey", "api_key", "password", "token", "secret"})


_COLUMNS = tuple(column.name for column in JournalRow.__table__.columns)
_INSERT_INTENT = (f"INSERT INTO order_journal ({', '.join(_COLUMNS)}) "
                  f"VALUES ({', '.join('?' for _ in _COLUMNS)})")


_ACCEPT_ORDER = ("state", "broker_order_id", "message", "updated_at", "id")
_ACCEPT = ("UPDATE order_journal SET state = ?, broker_order_id = ?, message = ?, "
           "updated_at = ? WHERE id = ?")


#: Journal writes between two WAL checkpoints (a write adds about five 4 KiB pages; SQLite
#: would checkpoint at 1,000 pages by itself, inside whichever commit crossed it).
CHECKPOINT_EVERY = 100


def _clean(request: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in request.items() if k.lower() not in _SECRET_KEYS},
                      default=str, sort_keys=True)


class _Writer:
    """What the journals of every venue share: the lock of their writes (on SQLite the
    database's shared writer connection's, `storage.SqliteWriter`), the id counter (ids
    and tags are unique across venues), the checkpoint thread."""

    def __init__(self, database: Database) -> None:
        #: Bumped on every write by this process, so readers can cache what they derive.
        self.version = 0
        self.sqlite = database.writer
        self.lock = self.sqlite.lock if self.sqlite is not None else threading.Lock()
        self.next_id: int | None = None
        self.queued_max = 0  # past the highest id queued for a group commit
        self.writes_since_checkpoint = 0
        self.checkpoint_due = threading.Event()
        self.checkpointer: threading.Thread | None = None
        self.closing = False


class OrderJournal:
    """Journal-first bookkeeping of order actions; every write is its own commit.

    On SQLite the writes go through a connection of the journal's own, as plain SQL,
    fully synced (intents, rejections, doubts) or relaxed (accepted outcomes): the
    intent's commit is on every order's critical path, and SQLAlchemy's statement
    machinery would cost more than the fsync itself. The intent's id is chosen
    here, so its tag is known before the single INSERT. One lock serialises the writes,
    so they never wait on SQLite's busy timeout. Reads use the ORM.

    A journal belongs to one venue (`live`: the broker; `analyze`: the paper broker):
    it writes its venue on every row and reads only its venue's rows, so the two order
    stacks never see (reconcile, label, locate) each other's orders. `for_venue` gives
    a second venue's journal on the same connection and id counter. The paper venue's
    intents are not synced (`durable_intents=False`): its broker is in this process and
    writes to the same database after the intent (SQLite's log keeps that order), so
    nothing can exist at the paper broker that the journal lost.
    """

    def __init__(self, database: Database, *,
                 clock: Callable[[], datetime] = utcnow, venue: str = "live",
                 durable_intents: bool = True) -> None:
        self.database = database
        self.clock = clock  # stamps the rows (UTC-aware); tests pin it
        self.venue = venue
        self.durable_intents = durable_intents
        #: Not synced intents go with the writer's group commit (`SqliteWriter.defer`).
        self.deferred_intents = not durable_intents
        self._w = _Writer(database)
        dialect = database.engine.dialect
        self._sqlite = dialect.name == "sqlite"
        when = JournalRow.__table__.c.created_at.type.dialect_impl(dialect)
        self._stored_time = when.bind_processor(dialect) or (lambda v: v)
        self._read_time = when.result_processor(dialect, None) or (lambda v: v)

    def for_venue(self, venue: str, *, durable_intents: bool = True) -> OrderJournal:
        """The journal of another venue, sharing this one's connection and id counter."""
        sibling = OrderJournal(self.database, clock=self.clock, venue=venue,
                               durable_intents=durable_intents)
        sibling._w = self._w
        return sibling

    @property
    def version(self) -> int:
        """Bumped on every write by this process (any venue), so readers can cache what
        they derive."""
        return self._w.version

    @property
    def _connection(self) -> Any:
        assert self._w.sqlite is not None
        return self._w.sqlite.current

    def record_intent(self, *, kind: str, exchange: str, requested_by: str, strategy: str,
                      openalgo_request: dict[str, Any], broker_request: dict[str, Any],
                      group_id: int | None = None) -> JournalEntry:
        """Commit the intent (fully synced) and give it its tag. The caller then sends
        `broker_request` with `user_remark` set to `entry.tag` (place) — in that order."""
        now = self.clock()
        values: dict[str, Any] = {
            "kind": kind, "exchange": exchange, "requested_by": requested_by,
            "strategy": strategy[:100], "group_id": group_id,
            "openalgo_request": _clean(openalgo_request),
            "state": JournalState.PENDING.value, "broker_order_id": None, "message": None,
            "venue": self.venue,
            "created_at": now, "updated_at": now}
        deferred = self.deferred_intents and self._w.sqlite is not None
        with self._w.lock:
            while True:
                row_id = self._allocate_id()
                tag = f"{TAG_PREFIX}{row_id}"
                request = dict(broker_request)
                if kind == "place":
                    request["user_remark"] = tag
                values.update(id=row_id, tag=tag, broker_request=_clean(request))
                if deferred:  # committed with this turn's group commit, queued in order
                    self._w.next_id = self._w.queued_max = row_id + 1
                    break
                try:
                    self._insert(values)
                except (IntegrityError, sqlite3.IntegrityError):
                    # Another process took the id (a second platform on the same file):
                    # read the highest id again. Nothing was written, nothing was sent.
                    self._w.next_id = None
                    continue
                self._w.next_id = row_id + 1
                break
            self._w.version += 1
        if deferred:
            assert self._w.sqlite is not None
            self._w.sqlite.defer([(_INSERT_INTENT,
                                   tuple(self._bind(values[name]) for name in _COLUMNS))])
        return JournalEntry.of_values(values)

    def _allocate_id(self) -> int:
        if self._w.next_id is None:
            with self.database.engine.connect() as connection:
                highest = connection.execute(select(func.max(JournalRow.id))).scalar()
            # Ids of intents still queued for a group commit are taken too.
            self._w.next_id = max(int(highest or 0) + 1, self._w.queued_max)
        return self._w.next_id

    def _settle(self) -> None:
        """Commit what the group commit still holds, before reading or writing at once."""
        if self._w.sqlite is not None:
            self._w.sqlite.flush()

    def _insert(self, values: dict[str, Any]) -> None:
        if not self._sqlite:
            with self.database.engine.begin() as connection:
                connection.execute(insert(JournalRow.__table__).values(**values))
            return
        self._execute(_INSERT_INTENT, [self._bind(values[name]) for name in _COLUMNS],
                      durable=self.durable_intents)

    def _update(self, entry_id: int, *, durable: bool | None = None,
                **values: Any) -> JournalEntry:
        """One row changed; `durable` as the venue's intents unless said."""
        if durable is None:
            durable = self.durable_intents
        self._settle()
        values = {"updated_at": self.clock(), **values}
        with self._w.lock:
            if self._sqlite:
                assignments = ", ".join(f"{name} = ?" for name in values)
                rows = self._execute(
                    f"UPDATE order_journal SET {assignments} WHERE id = ? RETURNING "
                    f"{', '.join(_COLUMNS)}",
                    [*(self._bind(v) for v in values.values()), entry_id], durable=durable)
                row = dict(zip(_COLUMNS, rows[0], strict=True)) if rows else None
                if row is not None:
                    row["created_at"] = self._read_time(row["created_at"])
                    row["updated_at"] = self._read_time(row["updated_at"])
            else:
                table = JournalRow.__table__
                with self.database.engine.begin() as connection:
                    found = connection.execute(
                        update(table).where(table.c.id == entry_id).values(**values)
                        .returning(*table.c)).mappings().first()
                row = dict(found) if found is not None else None
            if row is None:
                raise KeyError(f"no journal entry {entry_id}")
            self._w.version += 1
        return JournalEntry.of_values(row)

    def _bind(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return self._stored_time(value)
        return value.value if isinstance(value, JournalState) else value

    def _execute(self, sql: str, params: list[Any], *, durable: bool,
                 many: bool = False) -> list[Any]:
        """One statement in its own transaction on the journal's SQLite connection
        (`many`: `params` is a list of parameter lists, one transaction for all)."""
        # The connection the order path's writers share (one page cache: see
        # `storage.SqliteWriter`), set to sync this commit to disk or not. The caller
        # holds its lock.
        assert self._w.sqlite is not None
        connection = self._w.sqlite.connection(durable=durable)
        try:
            cursor = connection.cursor()
            if many:
                cursor.executemany(sql, params)
                rows = []
            else:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        self._w.writes_since_checkpoint += 1
        if self._w.writes_since_checkpoint >= CHECKPOINT_EVERY:
            self._w.writes_since_checkpoint = 0
            self._request_checkpoint()
        return rows

    def _request_checkpoint(self) -> None:
        """Wake the checkpoint thread (started once, the first time). Not a thread per
        checkpoint: starting one waits for it to run, and it then holds the interpreter
        while it sets up — a spike of milliseconds in whichever order wrote last."""
        if self._w.checkpointer is None:
            self._w.checkpointer = threading.Thread(target=self._checkpoint_loop,
                                                  name="journal-checkpoint", daemon=True)
            self._w.checkpointer.start()
        self._w.checkpoint_due.set()

    def _checkpoint_loop(self) -> None:
        """Copy the WAL into the database file, beside the order path (PASSIVE: never
        waits for, nor blocks, a writer), whenever asked; on a raw connection of this
        thread's own, so a pass is one statement that runs outside the interpreter lock."""
        connection = None
        while True:
            self._w.checkpoint_due.wait()
            self._w.checkpoint_due.clear()
            if self._w.closing:
                break
            try:
                if connection is None:
                    connection = self.database.engine.raw_connection()
                    connection.detach()
                connection.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception as exc:
                log.warning("journal: WAL checkpoint failed (%s); the next one retries", exc)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        """Stop the checkpoint thread and close the writer connection (at shutdown)."""
        self._w.closing = True
        self._w.checkpoint_due.set()
        if self._w.checkpointer is not None:
            self._w.checkpointer.join(timeout=5)
        if self._w.sqlite is not None:
            self._w.sqlite.close()

    def accepted(self, entry_id: int, broker_order_id: str,
                 message: str | None = None) -> JournalEntry:
        """The broker's order id. Written without waiting for the disk: should the
        machine lose power before the next synced write, the row is pending again and
        reconciliation finds the order by its tag — the intent is what must survive."""
        return self._update(entry_id, durable=False, state=JournalState.ACCEPTED,
                            broker_order_id=broker_order_id, message=message)

    def accepted_many(self, outcomes: list[tuple[int, str]]) -> None:
        """Several broker order ids (journal id, order id) in one transaction, not
        waiting for the disk (as `accepted`)."""
        if not outcomes:
            return
        now = self.clock()
        params = [{"state": JournalState.ACCEPTED.value, "broker_order_id": orderid,
                   "message": None, "updated_at": now, "id": entry_id}
                  for entry_id, orderid in outcomes]
        if self.deferred_intents and self._w.sqlite is not None:
            self._w.version += 1
            self._w.sqlite.defer([(_ACCEPT, [[self._bind(p[k]) for k in _ACCEPT_ORDER]
                                             for p in params])])
            return
        with self._w.lock:
            if self._sqlite:
                self._execute(_ACCEPT, [[self._bind(p[k]) for k in _ACCEPT_ORDER]
                                        for p in params], durable=False, many=True)
            else:
                table = JournalRow.__table__
                with self.database.engine.begin() as connection:
                    for values in params:
                        connection.execute(update(table).where(table.c.id == values["id"])
                                           .values({k: v for k, v in values.items()
                                                    if k != "id"}))
            self._w.version += 1

    def rejected(self, entry_id: int, message: str) -> JournalEntry:
        return self._update(entry_id, state=JournalState.REJECTED, message=message)

    def in_doubt(self, entry_id: int, message: str) -> JournalEntry:
        return self._update(entry_id, state=JournalState.IN_DOUBT, message=message)

    def not_placed(self, entry_id: int, message: str) -> JournalEntry:
        return self._update(entry_id, state=JournalState.NOT_PLACED, message=message)

    def get(self, entry_id: int) -> JournalEntry | None:
        self._settle()
        with self.database.session() as session:
            row = session.get(JournalRow, entry_id)
            return JournalEntry.of(row) if row else None

    def unsettled(self) -> list[JournalEntry]:
        """Rows whose outcome is unknown: reconcile these before accepting orders."""
        self._settle()
        with self.database.session() as session:
            rows = session.scalars(
                select(JournalRow)
                .where(JournalRow.state.in_([JournalState.PENDING, JournalState.IN_DOUBT]),
                       JournalRow.venue == self.venue)
                .order_by(JournalRow.id)
            )
            return [JournalEntry.of(row) for row in rows]

    def strategies(self, broker_order_ids: Iterable[str]) -> dict[str, str]:
        """Strategy names by broker order id, to label the broker's order book."""
        ids = list(broker_order_ids)
        if not ids:
            return {}
        self._settle()
        with self.database.session() as session:
            rows = session.execute(
                select(JournalRow.broker_order_id, JournalRow.strategy)
                .where(JournalRow.broker_order_id.in_(ids), JournalRow.kind == "place",
                       JournalRow.venue == self.venue)
            )
            return {order_id: strategy for order_id, strategy in rows if order_id}

    def actions_since(self, since: datetime, *, changed_since: datetime | None = None
                      ) -> list[JournalEntry]:
        """Accepted placements and modifications written since `since` (UTC), oldest
        first: what the platform knows of today's orders beyond what Breeze keeps
        (strategy, OpenAlgo product and price type, the aggressive-limit note).
        `changed_since`: only rows updated since then (to refresh a copy kept in memory)."""
        query = (select(JournalRow)
                 .where(JournalRow.kind.in_(("place", "modify")),
                        JournalRow.created_at >= since,
                        JournalRow.state == JournalState.ACCEPTED,
                        JournalRow.venue == self.venue)
                 .order_by(JournalRow.id))
        if changed_since is not None:
            query = query.where(JournalRow.updated_at >= changed_since)
        self._settle()
        with self.database.session() as session:
            return [JournalEntry.of(row) for row in session.scalars(query)]

    def placement(self, broker_order_id: str, *, kind: str = "place") -> JournalEntry | None:
        """The accepted placement that produced this broker order, if it was placed here
        (`kind`: `gtt_place` for a GTT's id)."""
        self._settle()
        with self.database.session() as session:
            row = session.scalars(
                select(JournalRow)
                .where(JournalRow.broker_order_id == broker_order_id,
                       JournalRow.kind == kind, JournalRow.venue == self.venue)
                .order_by(JournalRow.id.desc()).limit(1)).first()
            return JournalEntry.of(row) if row else None

    def broker_ids(self, kind: str) -> set[str]:
        """The broker ids rows of `kind` were settled with (GTT ids of `gtt_place`): what
        a lost placement's look-up must not claim again."""
        self._settle()
        with self.database.session() as session:
            rows = session.scalars(
                select(JournalRow.broker_order_id)
                .where(JournalRow.kind == kind, JournalRow.venue == self.venue,
                       JournalRow.broker_order_id.is_not(None)))
            return {row for row in rows if row}

    def count(self) -> int:
        """How many order actions this venue has journaled (analyzer mode's `total_logs`)."""
        self._settle()
        with self.database.session() as session:
            return int(session.scalar(select(func.count(JournalRow.id))
                                      .where(JournalRow.venue == self.venue)) or 0)

    def next_group_id(self) -> int:
        """A new id tying the children of one basket or split together."""
        self._settle()
        with self.database.session() as session:
            highest = session.scalar(select(func.max(JournalRow.group_id)))
            return int(highest or 0) + 1

    def tags_to_entries(self, tags: Iterable[str]) -> dict[str, JournalEntry]:
        wanted = [t for t in tags if t and t.startswith(TAG_PREFIX)]
        if not wanted:
            return {}
        self._settle()
        with self.database.session() as session:
            rows = session.scalars(select(JournalRow).where(JournalRow.tag.in_(wanted),
                                                            JournalRow.venue == self.venue))
            return {row.tag or "": JournalEntry.of(row) for row in rows}
