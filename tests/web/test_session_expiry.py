"""The daily session: refused by the broker, or reaching the scheduled expiry time."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from algodesk.access import models
from algodesk.access.broker import BrokerSessionStore
from algodesk.access.secretbox import SecretBox
from algodesk.brokers.base import BrokerConnection, BrokerState, BrokerUnavailable
from algodesk.brokers.icici.formats import IST
from algodesk.brokers.icici.session import IciciConnection
from algodesk.config import Settings
from algodesk.storage import Database
from tests.conftest import SimulatorProcess
from tests.web.conftest import RealSetup


def visible_text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def calls_today(page: str) -> int:
    return int(re.search(r'id="broker-calls">(\d+) of', page)[1])


def test_expired_session_answers_403_until_reconnected(real: RealSetup) -> None:
    platform = real.platform
    real.ensure_connected()
    key = platform.cli("apikey", "create").stdout.strip()
    assert platform.api("funds", {"apikey": key}).status_code == 200

    # Books are cached briefly, so the next call that surely reaches the broker is an
    # order action (for a symbol of the master contract, which loads in the background).
    order = {"apikey": key, "strategy": "x", "symbol": "SBIN", "exchange": "NSE",
             "action": "BUY", "pricetype": "LIMIT", "price": "1", "product": "CNC",
             "quantity": "1"}
    for _ in range(100):
        if platform.api("symbol", {"apikey": key, "symbol": "SBIN",
                                   "exchange": "NSE"}).status_code == 200:
            break
        time.sleep(0.1)
    stale_login = real.sim.admin("api-session")["api_session"]  # a login from before ...
    real.sim.admin("faults", {"expire_sessions": True})  # ... the broker's daily expiry
    reconnect = (f"broker session expired — log in again at {platform.base_url}/broker")
    first = platform.api("placeorder", order)
    assert first.status_code == 403
    assert first.json() == {"status": "error", "message": reconnect, "broker": "icici"}

    broker_page = real.admin.get("/broker").text
    assert re.search(r'id="broker-state">\s*expired', broker_page)
    assert "ICICI refused the session" in broker_page
    spent = calls_today(broker_page)
    # Every API error and page now says it, and no further call goes to the broker.
    for endpoint in ("funds", "ping", "funds"):
        again = platform.api(endpoint, {"apikey": key})
        assert (again.status_code, again.json()["message"]) == (403, reconnect)
    for path in ("/", "/apikey", "/security", "/broker"):
        assert reconnect in visible_text(real.admin.get(path).text), path
    assert calls_today(real.admin.get("/broker").text) == spent

    # An API_Session from before the expiry is refused by the broker, and said so.
    real.admin.start_connect()
    stale = real.admin.http.post("/icici/callback", data={"API_Session": stale_login})
    assert stale.status_code == 400
    assert "The login has expired" in stale.text and "Resource not available." in stale.text

    # Reconnecting needs only the Connect button.
    answer, _ = real.admin.connect(real.sim_user)
    assert answer.status_code == 303
    assert platform.api("funds", {"apikey": key}).status_code == 200
    assert "expired" not in real.admin.get("/").text


def test_valid_key_without_a_broker_session_gets_the_login_hint(
        spare_platform, simulator: SimulatorProcess) -> None:  # type: ignore[no-untyped-def]
    platform = spare_platform({"BREEZE_API_URL": simulator.api_url,
                               "BREEZE_LOGIN_URL": simulator.login_url,
                               "BROKER_API_KEY": simulator.app_key,
                               "BROKER_API_SECRET": simulator.app_secret,
                               "REDIRECT_URL": "http://127.0.0.1:1/icici/callback"})
    assert platform.cli("user", "create", "--username", "solo", "--password-stdin",
                        stdin="Another-Pass-77\n").returncode == 0
    key = platform.cli("apikey", "create").stdout.strip()
    answer = platform.api("ping", {"apikey": key})
    assert answer.status_code == 403
    assert answer.json()["message"] == (
        f"broker not connected — log in at {platform.base_url}/broker")
    # The mismatched REDIRECT_URL was reported at start-up, with the fix.
    output = platform.output()
    assert "REDIRECT_URL is 'http://127.0.0.1:1/icici/callback'" in output
    assert f"REDIRECT_URL = '{platform.base_url}/icici/callback'" in output


@pytest.fixture()
def database(tmp_path: Path) -> Database:
    assert models.User  # the tables are registered
    db = Database(f"sqlite:///{tmp_path / 'test.db'}")
    db.migrate()
    return db


async def test_scheduled_daily_expiry_ends_the_session(
        tmp_path: Path, database: Database, simulator: SimulatorProcess) -> None:
    expiry = (dt.datetime.now(IST) + dt.timedelta(seconds=4)).strftime("%H:%M:%S")
    settings = Settings(
        _env_file=None, broker_api_key=SecretStr(simulator.app_key),
        broker_api_secret=SecretStr(simulator.app_secret), breeze_api_url=simulator.api_url,
        breeze_history_url=simulator.history_url, breeze_login_url=simulator.login_url,
        data_dir=str(tmp_path), broker_session_expiry=expiry)
    broker = IciciConnection(settings, BrokerSessionStore(
        database, SecretBox.load_or_create(tmp_path)), mode="real")
    await broker.start()
    try:
        broker.begin_connect()
        status = await broker.complete_connect(
            {"apisession": simulator.admin("api-session")["api_session"]})
        assert status.state is BrokerState.CONNECTED
        assert status.expires_at is not None
        assert status.expires_at.astimezone(IST).strftime("%H:%M:%S") == expiry
        funds = await broker.call(lambda client: client.get_funds())
        assert funds.total_bank_balance > 0
        sent = broker.client.requests_sent

        # Wait for the scheduler, without asking for the status (which checks too).
        with database.session() as s:
            assert s.get(models.BrokerConnectionRow, 1).state == "connected"
        for _ in range(100):
            await asyncio.sleep(0.1)
            with database.session() as s:
                row = s.get(models.BrokerConnectionRow, 1)
                if row.state == "expired":
                    break
        assert row.state == "expired"
        assert row.token_ciphertext is None  # a dead token is not kept
        assert "daily session expiry" in (row.ended_reason or "")
        with pytest.raises(BrokerUnavailable, match="broker session expired — log in again"):
            await broker.call(lambda client: client.get_funds())
        assert broker.client.requests_sent == sent  # nothing was sent
    finally:
        await broker.stop()


async def test_disconnect_ends_the_session_here_and_a_restart_keeps_it_ended(
        tmp_path: Path, database: Database, simulator: SimulatorProcess) -> None:
    settings = Settings(
        _env_file=None, broker_api_key=SecretStr(simulator.app_key),
        broker_api_secret=SecretStr(simulator.app_secret), breeze_api_url=simulator.api_url,
        breeze_history_url=simulator.history_url, breeze_login_url=simulator.login_url,
        data_dir=str(tmp_path))
    store = BrokerSessionStore(database, SecretBox.load_or_create(tmp_path))
    first = IciciConnection(settings, store, mode="real")
    assert isinstance(first, BrokerConnection)  # what the pages and the API use
    await first.start()
    try:
        first.begin_connect()
        await first.complete_connect(
            {"apisession": simulator.admin("api-session")["api_session"]})
    finally:
        await first.stop()

    # A restart finds the stored session (its token decrypted) and uses it.
    second = IciciConnection(settings, store, mode="real")
    await second.start()
    try:
        assert second.status().connected and second.session_started() is not None
        assert (await second.funds_overview()).limit > 0
        sent = second.client.requests_sent
        second.disconnect()
        status = second.status()
        assert (status.state, status.ended_reason) == (BrokerState.NOT_CONNECTED,
                                                       "disconnected here")
        assert second.session_started() is None
        with pytest.raises(BrokerUnavailable, match="broker not connected — log in at"):
            await second.funds_overview()
        assert second.client.requests_sent == sent  # nothing was sent
    finally:
        await second.stop()
    with database.session() as s:
        row = s.get(models.BrokerConnectionRow, 1)
        assert (row.state, row.token_ciphertext) == ("not_connected", None)

    third = IciciConnection(settings, store, mode="real")
    await third.start()
    try:
        assert third.status().state is BrokerState.NOT_CONNECTED
    finally:
        await third.stop()
