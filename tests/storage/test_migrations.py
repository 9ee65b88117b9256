"""Schema migrations: an upgrade keeps every row of a database made before them, a fresh
start gets exactly the models' schema, and a database from a newer algodesk stops the
start without being touched."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from algodesk.access.apikeys import ApiKeyService
from algodesk.access.secretbox import SecretBox
from algodesk.access.users import UserStore
from algodesk.access.web_sessions import WebSessions
from algodesk.instruments.store import load_master
from algodesk.market.candle_store import CandleStore
from algodesk.storage import Database
from algodesk.storage.schema import (
    BASELINE,
    SchemaError,
    SchemaTooNew,
    alembic_config,
    head_revision,
    migration_connection,
    safe_url,
    state,
    upgrade,
)
from algodesk.tables import platform_metadata
from algodesk.trading.journal import JournalState, OrderJournal
from tests.conftest import SimulatorProcess
from tests.storage.previous_release import (
    BROKER_ORDER_ID,
    Written,
    a_row_everywhere,
    every_row,
    previous_release_database,
)
from tests.web.platform import (
    ADMIN,
    ADMIN_PASSWORD,
    PlatformProcess,
    env_file,
    simulator_env,
)

FUTURE_REVISION = "9999_from_a_newer_algodesk"


def algodesk(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`algodesk <args>` as the trader runs it, on workdir/data."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "DATABASE_URL")}
    env["DATA_DIR"] = "data"
    return subprocess.run([sys.executable, "-m", "algodesk.cli", *args], cwd=workdir,
                          env=env, capture_output=True, text=True, timeout=60)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def schema_differences(path: Path) -> list[object]:
    """What the models define that the database lacks, or the reverse (alembic's own
    comparison, as `algodesk db revision` makes it)."""
    with migration_connection(sqlite_url(path)) as connection:
        return list(compare_metadata(MigrationContext.configure(connection),
                                     platform_metadata()))


def stored_revision(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        revisions = [r for (r,) in db.execute("SELECT version_num FROM alembic_version")]
    db.close()
    return revisions


def assert_found_through_the_services(written: Written, data_dir: Path) -> None:
    """The platform's own code finds what the previous release wrote."""
    box = SecretBox.load_or_create(data_dir)
    database = Database(sqlite_url(written.path))
    try:
        account = UserStore(database, box).authenticate(ADMIN, ADMIN_PASSWORD)
        assert account is not None and account.id == written.admin_id
        assert ApiKeyService(database, box).verify_slow(written.api_key) == written.admin_id
        session = WebSessions(database, box).lookup(written.web_session)
        assert session is not None and session.user_id == written.admin_id
        journal = OrderJournal(database)
        try:
            entry = journal.get(written.journal_id)
        finally:
            journal.close()
        assert entry is not None and entry.state is JournalState.ACCEPTED
        assert entry.broker_order_id == BROKER_ORDER_ID and entry.strategy == "before-upgrade"
        # A row from before analyzer mode is the live venue's.
        assert journal.placement(BROKER_ORDER_ID) == entry
        assert journal.for_venue("analyze").placement(BROKER_ORDER_ID) is None
        store = CandleStore(database)
        assert store.series_id("NSE", "SBIN", "1minute", create=False) == written.series_id
        blocks = store.load(written.series_id, [written.block])
        assert (blocks[written.block].candles.matrix() == written.candles.matrix()).all()
        loaded = load_master(database)
        assert loaded is not None
        info, instruments = loaded
        assert (info.id, len(instruments)) == (written.master_id, written.instrument_count)
    finally:
        database.dispose()


def test_db_upgrade_keeps_every_row_of_a_database_made_by_create_all(tmp_path: Path) -> None:
    written = previous_release_database(tmp_path / "data")
    assert all(written.rows.values()), "a row in every table"

    shown = algodesk(tmp_path, "db", "current")
    assert shown.returncode == 0, shown.stderr
    assert "made before schema migrations" in shown.stdout

    upgraded = algodesk(tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"upgraded from made before migrations to {head_revision()}" in upgraded.stdout

    # Not one row lost or changed (a later revision may add tables and columns of its own).
    assert every_row(written.path, written.columns) == written.rows
    assert stored_revision(written.path) == [head_revision()]
    assert schema_differences(written.path) == []
    assert_found_through_the_services(written, tmp_path / "data")

    again = algodesk(tmp_path, "db", "current")
    assert (again.returncode, again.stdout.strip().endswith(f"{head_revision()} (head)")) \
        == (0, True), again.stdout


def test_the_platform_starts_on_a_database_made_by_create_all(
        tmp_path: Path, simulator: SimulatorProcess) -> None:
    """The start-up path: the old admin logs in with the old password, the old API key
    reads funds through the upgraded platform, the stored master contract serves, and
    the orders, candles and masters are what they were."""
    written = previous_release_database(tmp_path / "data")
    (tmp_path / ".env").write_text(env_file(simulator.app_key, simulator.app_secret,
                                            "http://127.0.0.1:5000/icici/callback"))
    platform = PlatformProcess(tmp_path, env={**simulator_env(simulator),
                                              "CONTRACTS_AUTO_REFRESH": "false"}).start()
    try:
        assert "adopting it at the baseline" in platform.output()
        browser = platform.browser()
        try:
            assert browser.get("/setup").status_code == 404  # the admin exists: no setup
            assert browser.login().status_code == 303  # the old password
            browser.start_connect()
            api_session = simulator.admin("api-session")["api_session"]
            assert browser.http.post("/icici/callback",
                                     data={"API_Session": api_session}).status_code == 303
        finally:
            browser.close()
        funds = platform.api("funds", {"apikey": written.api_key})  # the old key
        assert funds.status_code == 200, funds.text
        symbol = platform.api("symbol", {"apikey": written.api_key, "symbol": "SBIN",
                                         "exchange": "NSE"})  # the old master contract
        assert symbol.status_code == 200, symbol.text
    finally:
        stopped = platform.stop()
    assert stopped == 0
    assert stored_revision(written.path) == [head_revision()]
    after = every_row(written.path, written.columns)
    for table in ("order_journal", "market_candle_series", "market_candle_blocks",
                  "instrument_masters", "instrument_chunks", "instrument_refreshes"):
        assert after[table] == written.rows[table], table
    for table in ("access_users", "access_api_keys"):  # a login or a call updates them
        assert [row[0] for row in after[table]] == [row[0] for row in written.rows[table]]


def test_a_fresh_database_gets_exactly_the_models_schema(tmp_path: Path) -> None:
    """A model changed without a revision fails here: write one (`algodesk db revision`)."""
    path = tmp_path / "algodesk.db"
    assert state(sqlite_url(path)).describe().startswith("none (empty)")
    before = upgrade(sqlite_url(path))
    assert (before.current, before.legacy) == (None, False)
    assert schema_differences(path) == []
    with sqlite3.connect(path) as db:
        tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = "
                                           "'table' AND name NOT LIKE 'sqlite_%'")}
    db.close()
    assert tables == set(platform_metadata().tables) | {"alembic_version"}
    assert stored_revision(path) == [head_revision()]
    # One line of revisions from the baseline: two branches each adding a revision
    # (a merge) leave two heads, which must be joined by a merge revision.
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert [r.revision for r in script.walk_revisions()][-1] == BASELINE


def test_a_database_with_only_some_tables_is_completed(tmp_path: Path) -> None:
    """The previous release's `algodesk user create` made only the access tables (the
    command imported no other model module); the start after it adds the rest."""
    (tmp_path / "data").mkdir()
    path = tmp_path / "data" / "algodesk.db"
    box = SecretBox.load_or_create(tmp_path / "data")
    database = Database(sqlite_url(path))
    access = [t for name, t in platform_metadata().tables.items() if name.startswith("access_")]
    platform_metadata().create_all(database.engine, tables=access)
    UserStore(database, box).create(ADMIN, ADMIN_PASSWORD)
    database.dispose()

    database = Database(sqlite_url(path))
    try:
        assert database.migrate() is not None
        assert database.migrate() is None  # done once per process
        assert UserStore(database, box).authenticate(ADMIN, ADMIN_PASSWORD) is not None
    finally:
        database.dispose()
    assert schema_differences(path) == []


def test_a_database_from_a_newer_algodesk_stops_the_start_untouched(tmp_path: Path) -> None:
    path = tmp_path / "data" / "algodesk.db"
    path.parent.mkdir()
    upgrade(sqlite_url(path))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE alembic_version SET version_num = ?", (FUTURE_REVISION,))
        db.execute("DROP TABLE market_candle_blocks")  # as if the newer version had
    db.close()
    rows = every_row(path)

    with pytest.raises(SchemaTooNew, match="a newer algodesk has upgraded it"):
        upgrade(sqlite_url(path))
    refused = algodesk(tmp_path, "db", "upgrade")
    assert refused.returncode == 1
    assert FUTURE_REVISION in refused.stderr and "newer algodesk" in refused.stderr
    shown = algodesk(tmp_path, "db", "current")
    assert shown.returncode == 1 and "unknown to this algodesk" in shown.stdout
    for command_line in (("apikey", "create"), ("contracts", "status")):
        other = algodesk(tmp_path, *command_line)
        assert other.returncode == 1 and FUTURE_REVISION in other.stderr, other.stderr
        assert "Traceback" not in other.stderr

    platform = PlatformProcess(tmp_path, env={"CONTRACTS_AUTO_REFRESH": "false"})
    with pytest.raises(RuntimeError, match="platform exited"):
        platform.start()
    assert platform.process is not None and platform.process.returncode == 1
    output = platform.output()
    assert "cannot start" in output and FUTURE_REVISION in output
    assert "Traceback" not in output

    assert stored_revision(path) == [FUTURE_REVISION]
    assert every_row(path) == rows
    with sqlite3.connect(path) as db:  # nothing created behind the newer version's back
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE name = "
                          "'market_candle_blocks'").fetchone() == (0,)
    db.close()


LATER_REVISION = '''
"""A later revision altering a table other tables refer to (a test's own)."""
import sqlalchemy as sa
from alembic import op

revision = "later_alter_users"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("access_users") as batch:
        batch.add_column(sa.Column("nickname", sa.String(32), nullable=True))
        batch.alter_column("password_hash", existing_type=sa.String(256), type_=sa.Text())


def downgrade() -> None:
    pass
'''


def test_a_later_alter_on_sqlite_keeps_the_rows_referring_to_the_table(tmp_path: Path) -> None:
    """SQLite alters a table by copying it and dropping the original. The platform's
    connections enforce foreign keys, and dropping `access_users` there would delete
    every web session and API key (ON DELETE CASCADE); the migration connection must not."""
    (tmp_path / "data").mkdir()
    upgrade(sqlite_url(tmp_path / "data" / "algodesk.db"))
    written = a_row_everywhere(tmp_path / "data")
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "later_alter_users.py").write_text(LATER_REVISION.format(head=head_revision()))
    with migration_connection(sqlite_url(written.path)) as connection:
        config = alembic_config(connection)
        config.set_main_option("version_locations", os.pathsep.join(
            [ScriptDirectory.from_config(config).versions, str(versions)]))
        command.upgrade(config, "heads")
    assert stored_revision(written.path) == ["later_alter_users"]
    after = every_row(written.path)
    assert after["access_api_keys"] == written.rows["access_api_keys"]
    assert after["access_web_sessions"] == written.rows["access_web_sessions"]
    assert [row[:-1] for row in after["access_users"]] == written.rows["access_users"]
    with sqlite3.connect(written.path) as db:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.close()


def test_two_processes_upgrading_at_once_upgrade_one_after_the_other(tmp_path: Path) -> None:
    """A first `algodesk serve` and an `algodesk user create` started together on an
    empty DATA_DIR: the second waits for the first's transaction and finds the schema."""
    (tmp_path / "data").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "DATABASE_URL")}
    env["DATA_DIR"] = "data"
    runs = [subprocess.Popen([sys.executable, "-m", "algodesk.cli", "db", "upgrade"],
                             cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], results
    path = tmp_path / "data" / "algodesk.db"
    assert stored_revision(path) == [head_revision()]
    assert schema_differences(path) == []


def test_an_in_memory_database_is_refused_rather_than_left_empty() -> None:
    with pytest.raises(SchemaError, match="in-memory"):
        Database("sqlite://").migrate()


def test_messages_never_show_the_database_password() -> None:
    shown = safe_url("postgresql+psycopg://trader:s3cret-pw@db.local:5432/algodesk")
    assert "s3cret-pw" not in shown and shown.startswith("postgresql+psycopg://trader:")
