"""A database as the last release without migrations left it, with a row in every table.

That release made its schema with `Database.create_all`, which was
`Base.metadata.create_all(engine)` after the runtime had imported every model module; no
`alembic_version` table. `previous_release.sql` is what that emitted, frozen (the models
will move on; that release's databases will not). The rows are written the way that
release wrote them: through the platform's own services (an admin, a web session, an
API key, an order in the journal (as SQL: today's journal writes the later `venue`
column), a candle block, the day's Breeze calls, a master
contract and its refresh; the ended broker session as the connection stores it). Should
a later revision change one of these tables so that today's services cannot write to
the old one, write that table's row here as SQL instead.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from algodesk.access.apikeys import ApiKeyService
from algodesk.access.broker import BrokerSessionStore
from algodesk.access.models import BrokerConnectionRow
from algodesk.access.secretbox import SecretBox
from algodesk.access.users import UserStore
from algodesk.access.web_sessions import WebSessions
from algodesk.brokers.base import SavedCalls
from algodesk.brokers.icici.budget import CallBudget
from algodesk.brokers.icici.calls import CallsToSave, CallUsageLog
from algodesk.instruments.refresh import import_archive
from algodesk.instruments.store import Attempt, record_attempt, save_master
from algodesk.market.candle_store import CandleStore, StoredBlock, block_of
from algodesk.market.candles import Candles, from_rows
from algodesk.simulator.market import Market
from algodesk.storage import Database, utcnow
from tests.web.platform import ADMIN, ADMIN_PASSWORD

#: 09:15 IST on 2026-11-24, as epoch seconds.
SESSION_OPEN = 1_795_491_900
BROKER_ORDER_ID = "20261124N300012345"
CALLS_TODAY = 1234


@dataclass(frozen=True)
class Written:
    """What the previous release wrote, to be found again after the upgrade."""

    path: Path
    admin_id: int
    api_key: str
    web_session: str
    journal_id: int
    series_id: int
    block: int
    candles: Candles
    master_id: int
    instrument_count: int
    rows: dict[str, list[tuple[object, ...]]]  # every table, every row
    columns: dict[str, list[str]]  # every table's columns, in the order of `rows`


def columns_of(path: Path) -> dict[str, list[str]]:
    """Every table's columns (alembic's own aside)."""
    with sqlite3.connect(path) as db:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = "
                                          "'table' AND name NOT LIKE 'sqlite_%'")]
        columns = {name: [c[1] for c in db.execute(f'PRAGMA table_info("{name}")')]
                   for name in names if name != "alembic_version"}
    db.close()
    return columns


def every_row(path: Path, columns: dict[str, list[str]] | None = None
              ) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (alembic's own aside), in a stable order; with
    `columns`, those tables' rows with those columns only (what a release wrote, after a
    revision added columns of its own)."""
    wanted = columns or columns_of(path)
    with sqlite3.connect(path) as db:
        rows = {name: sorted(db.execute(
            f"SELECT {', '.join(chr(34) + c + chr(34) for c in names)} FROM \"{name}\""
        ).fetchall(), key=repr) for name, names in wanted.items()}
    db.close()
    return rows


PREVIOUS_RELEASE_DDL = Path(__file__).with_name("previous_release.sql")


def previous_release_database(data_dir: Path) -> Written:
    """The database the last release without migrations made and filled."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(data_dir / "algodesk.db") as db:
        db.executescript(PREVIOUS_RELEASE_DDL.read_text())
    db.close()
    return a_row_everywhere(data_dir)


def a_row_everywhere(data_dir: Path) -> Written:
    """A row in every table of DATA_DIR's database (whose schema exists), written
    through the platform's services."""
    path = data_dir / "algodesk.db"
    box = SecretBox.load_or_create(data_dir)
    database = Database(f"sqlite:///{path}")
    try:
        admin = UserStore(database, box).create(ADMIN, ADMIN_PASSWORD)
        web_session = WebSessions(database, box).create(admin.id)
        api_key = ApiKeyService(database, box).create(admin.id)
        with database.session() as s:  # a broker session that has ended, as the connection keeps it
            s.add(BrokerConnectionRow(
                id=1, state="expired", credentials_digest=box.digest("app key", "credentials"),
                user_id="DE123456", user_name="Demo Trader", connected_at=utcnow(),
                ended_at=utcnow(), ended_reason="the daily session expiry"))

        # Today's journal writes `venue` (revision 0002): the release's row as SQL.
        with sqlite3.connect(path) as db:
            written_at = utcnow().strftime("%Y-%m-%d %H:%M:%S.%f")
            journal_id = db.execute(
                "INSERT INTO order_journal (id, tag, kind, group_id, requested_by, strategy, "
                "exchange, openalgo_request, broker_request, state, broker_order_id, "
                "message, created_at, updated_at) VALUES (1, 'ad1', 'place', NULL, 'api', "
                "'before-upgrade', 'NSE', ?, ?, 'accepted', ?, NULL, ?, ?)",
                ('{"quantity": "1", "symbol": "SBIN"}',
                 '{"quantity": "1", "stock_code": "STABAN", "user_remark": "ad1"}',
                 BROKER_ORDER_ID, written_at, written_at)).lastrowid
        db.close()

        store = CandleStore(database)
        series_id = store.series_id("NSE", "SBIN", "1minute", create=True)
        assert series_id is not None
        candles = from_rows([(SESSION_OPEN + 60 * i, Decimal("812.35"), Decimal("813"),
                              Decimal("812.1"), Decimal("812.9"), 1000 + i, 0)
                             for i in range(5)])
        block = block_of(SESSION_OPEN, daily=False)
        store.save(series_id, {block: StoredBlock(SESSION_OPEN + 300, candles)})

        budget = CallBudget()
        CallUsageLog(budget).save(BrokerSessionStore(database, box), CallsToSave(1, SavedCalls(
            "2026-11-24", CALLS_TODAY, (1_795_491_901.5, 1_795_491_902.25))))

        day = date(2026, 11, 24)
        instruments, _summary = import_archive(
            Market(seed=7, size="small", today=day).security_master_zip(), 0.001)
        master_id = save_master(database, instruments, source_url="http://sim/SecurityMaster.zip",
                                archive_sha256="0" * 64, archive_bytes=1, summary={"counts": {}})
        now = utcnow()
        record_attempt(database, Attempt(now - timedelta(seconds=2), now, "startup", True, "",
                                         "", master_id, len(instruments), 2.0))
    finally:
        database.dispose()
    return Written(path=path, admin_id=admin.id, api_key=api_key, web_session=web_session,
                   journal_id=journal_id or 0, series_id=series_id, block=block, candles=candles,
                   master_id=master_id, instrument_count=len(instruments), rows=every_row(path),
                   columns=columns_of(path))


__all__ = ["BROKER_ORDER_ID", "Written", "a_row_everywhere", "columns_of", "every_row",
           "previous_release_database"]
