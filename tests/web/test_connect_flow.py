"""End to end over real sockets: platform + simulator, the broker login both ways."""

from __future__ import annotations

import re

import pytest

from algodesk.brokers.icici import BreezeClient
from algodesk.web.common import inr
from tests.clients import api
from tests.web.conftest import RealSetup


async def simulator_funds(real: RealSetup):  # -> BreezeFunds
    """The simulator's funds, read independently of the platform (its own session)."""
    sim = real.sim
    async with BreezeClient(sim.app_key, sim.app_secret, api_url=sim.api_url,
                            history_url=sim.history_url) as client:
        await client.customer_details(sim.admin("api-session")["api_session"])
        return await client.get_funds()


def field_text(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', page)
    assert match, f"#{element_id} missing"
    return match.group(1).strip()


@pytest.mark.parametrize("variant", ["post", "get"])
async def test_connect_lands_on_dashboard_with_funds_and_name(real: RealSetup,
                                                              variant: str) -> None:
    login_url = real.admin.start_connect()
    # The app key carries `+`, `=` and `/`: it must arrive URL-encoded.
    assert login_url == f"{real.sim.login_url}?api_key=test%2Bapp%3Dkey%2F1"
    action, api_session = real.admin.broker_login(real.sim_user)
    assert action.startswith(f"{real.platform.base_url}/icici/callback?apisession=")
    answer = real.admin.finish_login(action, api_session, variant)  # type: ignore[arg-type]
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/?m=connected"

    dashboard = real.admin.get("/?m=connected")
    assert dashboard.status_code == 200
    assert "Broker connected." in dashboard.text
    assert field_text(dashboard.text, "customer-name") == "DEMO TRADER"
    assert field_text(dashboard.text, "customer-id") == real.sim.user_id
    funds = await simulator_funds(real)
    assert field_text(dashboard.text, "funds-limit") == inr(funds.total_bank_balance)
    assert field_text(dashboard.text, "funds-used") == inr(funds.block_by_trade_balance)
    # what cash orders can use: the equity allocation's free part, as the API says
    assert field_text(dashboard.text, "funds-available") == inr(
        funds.allocated_equity - funds.block_by_trade_equity)
    assert "DEMO MODE" not in dashboard.text  # real mode: no demo banner

    broker = real.admin.get("/broker").text
    assert f"connected as DEMO TRADER ({real.sim.user_id})" in broker
    assert "real — ICICI Direct" in broker
    calls = int(re.search(r'id="broker-calls">(\d+) of 5,000', broker)[1])
    assert calls >= 2  # customerdetails and the funds check at least


def test_api_answers_with_the_broker_behind_it(real: RealSetup) -> None:
    real.ensure_connected()
    created = real.platform.cli("apikey", "create")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    ping = real.platform.api("ping", {"apikey": key, "extra": "ignored"})
    assert ping.status_code == 200, ping.text
    pong = ping.json()
    budget = pong["data"].pop("budget")  # the Breeze call budget in use
    feed = pong["data"].pop("feed")  # the broker feed: idle, nothing subscribed
    assert (feed["status"], feed["subscriptions"], feed["reconnects_today"]) == ("idle", 0, 0)
    assert pong == {"status": "success", "broker": "icici",
                    "data": {"message": "pong", "broker": "icici"}}
    assert budget["day_limit"] == 5000 and budget["day_used"] >= 2
    funds = real.platform.api("funds", {"apikey": key})
    assert funds.status_code == 200, funds.text
    data = funds.json()["data"]
    assert funds.json()["broker"] == "icici"
    assert set(data) == {"availablecash", "collateral", "m2mrealized", "m2munrealized",
                         "utiliseddebits"}
    assert all(re.fullmatch(r"-?\d+\.\d\d", value) for value in data.values())
    assert float(data["availablecash"]) > 0

    # The official `openalgo` client, unmodified, against the platform.
    client = api(api_key=key, host=real.platform.base_url)
    answer = client.funds()
    assert answer["status"] == "success" and answer["data"] == data
    refused = api(api_key="0" * 64, host=real.platform.base_url).funds()
    assert refused["status"] == "error" and "Invalid openalgo apikey" in refused["message"]


def test_callback_without_a_pending_connect_is_refused(real: RealSetup) -> None:
    real.admin.get("/icici/callback", params={"apisession": "1"})  # closes any open window
    answer = real.admin.get("/icici/callback", params={"apisession": "12345678"})
    assert answer.status_code == 409
    assert "No login was started here" in answer.text
    assert "click Connect" in answer.text


def test_callback_without_api_session_says_what_to_do(real: RealSetup) -> None:
    real.admin.start_connect()
    answer = real.admin.get("/icici/callback")
    assert answer.status_code == 400
    assert "The broker sent no API_Session" in answer.text
    assert "redirect URL" in answer.text
    # The connect window is still open: a proper callback now still works.
    action, api_session = real.admin.broker_login(real.sim_user)
    assert real.admin.finish_login(action, api_session).status_code == 303


def test_reused_api_session_is_refused(real: RealSetup) -> None:
    action, api_session = real.admin.broker_login(real.sim_user)
    assert real.admin.finish_login(action, api_session).status_code == 303
    real.admin.start_connect()
    again = real.admin.finish_login(action, api_session)
    assert again.status_code == 400
    assert "This login was already used" in again.text
    # That attempt closed the Connect window: nothing more is accepted without a new one.
    assert real.admin.finish_login(action, api_session).status_code == 409
    # Still connected with the first login.
    assert "connected as DEMO TRADER" in real.admin.get("/broker").text


def test_unknown_api_session_is_explained(real: RealSetup) -> None:
    real.admin.start_connect()
    answer = real.admin.get("/icici/callback", params={"apisession": "99999999"})
    assert answer.status_code == 400
    assert "The login has expired" in answer.text
    assert "Invalid session." in answer.text
