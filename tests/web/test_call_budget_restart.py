"""Breeze's call budget survives a restart: the day's calls and the last minute's window.

The database each test starts from is one the previous version made: its
`access_broker_calls` table has no `recent` column (the DDL below is what that version's
`create_all` emitted), with a row counting calls made earlier today: the start-up
migration adopts it at the baseline, which adds the column.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from algodesk.access import models
from algodesk.access.broker import BrokerSessionStore
from algodesk.access.secretbox import SecretBox
from algodesk.brokers.base import BrokerState
from algodesk.brokers.icici import session as session_module
from algodesk.brokers.icici.budget import BudgetExhausted
from algodesk.brokers.icici.formats import IST
from algodesk.brokers.icici.session import IciciConnection
from algodesk.config import Settings
from algodesk.storage import Database
from tests.conftest import SimulatorProcess, wait_out_midnight
from tests.web.platform import PlatformProcess, env_file, first_run, simulator_env

PREVIOUS_VERSION_DDL = """
CREATE TABLE access_broker_calls (
	day VARCHAR(10) NOT NULL,
	calls INTEGER NOT NULL,
	PRIMARY KEY (day)
)"""
EARLIER_TODAY = 4700


def today() -> str:
    return dt.datetime.now(IST).strftime("%Y-%m-%d")


def previous_version_database(path: Path, calls: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute(PREVIOUS_VERSION_DDL)
        db.execute("INSERT INTO access_broker_calls (day, calls) VALUES (?, ?)",
                   (today(), calls))
    db.close()


def stored_row(path: Path) -> tuple[str, int, str | None]:
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT day, calls, recent FROM access_broker_calls "
                         "ORDER BY day DESC").fetchone()
    db.close()
    return row


@pytest.fixture(autouse=True)
def _one_ist_day() -> None:
    """Each test counts the calls of one IST day: none straddles midnight."""
    wait_out_midnight()


def settings_for(simulator: SimulatorProcess, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None, broker_api_key=SecretStr(simulator.app_key),
        broker_api_secret=SecretStr(simulator.app_secret), breeze_api_url=simulator.api_url,
        breeze_history_url=simulator.history_url, breeze_login_url=simulator.login_url,
        data_dir=str(tmp_path))


async def test_budget_carries_the_day_and_the_minute_over_a_restart(
        tmp_path: Path, simulator: SimulatorProcess) -> None:
    path = tmp_path / "algodesk.db"
    previous_version_database(path, EARLIER_TODAY)
    assert models.BrokerCallDay  # the tables are registered
    database = Database(f"sqlite:///{path}")
    database.migrate()  # as at start: adopted at the baseline, which adds the column
    settings = settings_for(simulator, tmp_path)
    store = BrokerSessionStore(database, SecretBox.load_or_create(tmp_path))

    first = IciciConnection(settings, store, mode="real")
    await first.start()
    try:
        assert first.budget.snapshot().day_used == EARLIER_TODAY  # the budget's own count
        assert first.status().usage.today == EARLIER_TODAY
        first.begin_connect()
        status = await first.complete_connect(
            {"apisession": simulator.admin("api-session")["api_session"]})
        assert status.state is BrokerState.CONNECTED
        for _ in range(3):
            await first.call(lambda client: client.get_funds())
        made = first.client.requests_sent
        assert made >= 4
        usage = first.status().usage
        assert (usage.today, usage.last_minute) == (EARLIER_TODAY + made, made)
        stamps = first.budget.recent()
    finally:
        await first.stop()

    # The old table got its column; the stop wrote the count and the minute's calls.
    day, calls, recent = stored_row(path)
    assert (day, calls) == (today(), EARLIER_TODAY + made)
    assert [float(t) for t in (recent or "").split()] == stamps

    second = IciciConnection(settings, store, mode="real")
    # As the runtime does: limits from the settings, set before the start. Here the
    # day has exactly the order reserve left, and the minute one call beyond those made.
    second.budget.per_day = EARLIER_TODAY + made + second.budget.reserve_per_day
    second.budget.per_minute = made + 1
    await second.start()
    try:
        usage = second.status().usage
        assert usage.today == EARLIER_TODAY + made  # counted once, not carried on top
        assert usage.last_minute == made
        assert second.budget.recent() == stamps
        with pytest.raises(BudgetExhausted, match="kept for order actions"):
            await second.budget.admit(order_action=False)
        await asyncio.wait_for(second.budget.admit(order_action=True), 1)
        await second.call(lambda client: client.get_funds())  # the order's call
        # The minute is now full: the next call waits for the oldest call of the
        # previous process to leave the window.
        wait = second.budget.seconds_until_free(reserve=0)
        assert wait == pytest.approx(stamps[0] + 60 - time.time(), abs=1.0)
        assert wait > 30
    finally:
        await second.stop()
    assert stored_row(path)[1] == EARLIER_TODAY + made + 1


async def test_the_background_flush_writes_the_minute_window_without_a_stop(
        tmp_path: Path, simulator: SimulatorProcess,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash keeps what the last periodic flush wrote (no stop needed)."""
    monkeypatch.setattr(session_module, "_FLUSH_SECONDS", 0.2)
    path = tmp_path / "algodesk.db"
    previous_version_database(path, 12)
    database = Database(f"sqlite:///{path}")
    database.migrate()
    broker = IciciConnection(settings_for(simulator, tmp_path), BrokerSessionStore(
        database, SecretBox.load_or_create(tmp_path)), mode="real")
    await broker.start()
    try:
        broker.begin_connect()
        await broker.complete_connect(
            {"apisession": simulator.admin("api-session")["api_session"]})
        await broker.call(lambda client: client.get_funds())
        made = broker.client.requests_sent
        stamps = broker.budget.recent()
        for _ in range(50):
            await asyncio.sleep(0.1)
            if stored_row(path)[1] == 12 + made:
                break
        day, calls, recent = stored_row(path)
        assert (day, calls) == (today(), 12 + made)
        assert [float(t) for t in (recent or "").split()] == stamps
    finally:
        await broker.stop()


def test_platform_restart_keeps_the_reserve_and_the_minute(
        tmp_path: Path, simulator: SimulatorProcess) -> None:
    """The real platform, from a database of the previous version: after a restart the
    call budget (shown by /ping) still holds the day's calls and the last minute's, and
    reads are refused once only the order reserve is left, while orders still go."""
    workdir = tmp_path / "platform"
    previous_version_database(workdir / "data" / "algodesk.db", EARLIER_TODAY)
    (workdir / ".env").write_text(env_file(simulator.app_key, simulator.app_secret,
                                           "http://127.0.0.1:5000/icici/callback"))
    platform = PlatformProcess(workdir, env=simulator_env(simulator)).start()
    try:
        key = first_run(platform, simulator)
        assert platform.api("funds", {"apikey": key}).status_code == 200
        before = platform.api("ping", {"apikey": key}).json()["data"]["budget"]
        assert before["day_used"] > EARLIER_TODAY and before["minute_used"] >= 2

        assert platform.stop() == 0
        platform.env["BREEZE_CALLS_PER_DAY"] = str(before["day_used"] + 200)
        platform.start()

        after = platform.api("ping", {"apikey": key}).json()["data"]["budget"]
        assert after["day_used"] == before["day_used"]
        assert after["minute_used"] == before["minute_used"]  # well within the minute
        assert after["day_left"] == 200

        # Only the order reserve is left: a read is refused (nothing cached to serve) ...
        funds = platform.api("funds", {"apikey": key})
        assert funds.status_code == 429, funds.text
        assert "kept for order actions" in funds.json()["message"]
        # ... and an order still goes (once the master contract has loaded).
        for _ in range(100):
            if platform.api("symbol", {"apikey": key, "symbol": "SBIN",
                                       "exchange": "NSE"}).status_code == 200:
                break
            time.sleep(0.1)
        # A MARKET order: its quote is read with the order's priority too.
        order = platform.api("placeorder", {
            "apikey": key, "strategy": "restart", "symbol": "SBIN", "exchange": "NSE",
            "action": "BUY", "pricetype": "MARKET", "product": "CNC", "quantity": "1"})
        assert order.status_code == 200 and order.json()["orderid"], order.text
        final = platform.api("ping", {"apikey": key}).json()["data"]["budget"]
        assert final["day_used"] > after["day_used"]
    finally:
        platform.stop()

