"""The simulator's gateway behaviour over raw HTTP: signing, sessions, limits, faults.

These tests sign requests with a few lines of their own (not the platform's client), so
the simulator is checked against the reference, not against our other code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.conftest import SimulatorProcess, ist_today

INVALID = {"Status": 5, "Error": "Authentication Fail :: Invalid Checksum."}


class RawBreeze:
    """A minimal independent Breeze caller for protocol tests."""

    def __init__(self, sim: SimulatorProcess, secret: str | None = None) -> None:
        self.sim = sim
        self.secret = sim.app_secret if secret is None else secret
        self.offset = 0.0  # the simulator's clock offset, mirrored in our timestamps
        self.login()

    def login(self) -> None:
        answer = self.customer_details(self.sim.new_api_session())
        self.token = answer.json()["Success"]["session_token"]

    def move_clock(self, offset_seconds: float) -> None:
        """Move the simulator's clock, follow it, and log in again (a day's move
        crosses the daily session expiry)."""
        self.sim.admin("clock", {"offset_seconds": offset_seconds})
        self.offset = offset_seconds
        self.login()

    def customer_details(self, api_session: str, app_key: str | None = None) -> httpx.Response:
        body = json.dumps({"SessionToken": api_session, "AppKey": app_key or self.sim.app_key},
                          separators=(",", ":"))
        return httpx.request("GET", self.sim.api_url + "customerdetails", content=body,
                             headers={"Content-Type": "application/json"}, timeout=10)

    def headers(self, body: str, *, timestamp: str | None = None) -> dict[str, str]:
        moment = datetime.fromtimestamp(time.time() + self.offset, UTC)
        stamp = timestamp or moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        digest = hashlib.sha256((stamp + body + self.secret).encode()).hexdigest()
        return {"Content-Type": "application/json", "X-Checksum": f"token {digest}",
                "X-Timestamp": stamp, "X-AppKey": self.sim.app_key,
                "X-SessionToken": self.token}

    def call(self, method: str, endpoint: str, payload: dict[str, Any] | None = None,
             *, timeout: float = 10, **header_options: Any) -> httpx.Response:
        body = json.dumps(payload or {}, separators=(",", ":"))
        return httpx.request(method, self.sim.api_url + endpoint, content=body,
                             headers=self.headers(body, **header_options), timeout=timeout)


@pytest.fixture
def raw(simulator: SimulatorProcess) -> RawBreeze:
    return RawBreeze(simulator)


def test_session_token_is_base64_user_and_key(raw: RawBreeze, simulator: SimulatorProcess) -> None:
    user_id, _, key = base64.b64decode(raw.token).decode().partition(":")
    assert user_id == simulator.user_id
    assert key.isdigit() and len(key) == 8


def test_signed_get_with_json_body(raw: RawBreeze) -> None:
    answer = raw.call("GET", "funds")
    assert answer.status_code == 200
    assert list(answer.json()) == ["Success", "Status", "Error"]


def test_checksum_covers_exact_body_bytes(raw: RawBreeze) -> None:
    body = '{"exchange_code":"NSE"}'
    headers = raw.headers(body)
    spaced = '{"exchange_code": "NSE"}'  # same JSON, other bytes
    answer = httpx.request("GET", raw.sim.api_url + "margin", content=spaced, headers=headers)
    assert answer.status_code == 401 and answer.json() == INVALID
    answer = httpx.request("GET", raw.sim.api_url + "margin", content=body, headers=headers)
    assert answer.json()["Status"] == 200


def test_signing_an_empty_string_instead_of_braces_fails(raw: RawBreeze) -> None:
    headers = raw.headers("")  # a known client bug: signing "" for an empty request
    answer = httpx.request("GET", raw.sim.api_url + "funds", content=b"", headers=headers)
    assert (answer.status_code, answer.json()) == (401, INVALID)


def test_wrong_secret_stale_timestamp_and_unknown_token(raw: RawBreeze,
                                                        simulator: SimulatorProcess) -> None:
    wrong = RawBreeze(simulator, secret="wrong")
    answer = wrong.call("GET", "funds")
    assert (answer.status_code, answer.json()) == (401, INVALID)
    stale = raw.call("GET", "funds", timestamp="2020-01-01T00:00:00.000Z")
    assert (stale.status_code, stale.json()) == (401, INVALID)
    raw.token = base64.b64encode(f"{simulator.user_id}:99999999".encode()).decode()
    assert raw.call("GET", "funds").json() == INVALID


def test_customer_details_errors(raw: RawBreeze, simulator: SimulatorProcess) -> None:
    unknown_key = raw.customer_details(simulator.new_api_session(), app_key="nobody").json()
    assert unknown_key == {"Success": None, "Status": 500, "Error": "Public Key does not exist."}
    unknown = raw.customer_details("12345").json()
    assert unknown["Error"] == "Invalid session."
    post = httpx.post(simulator.api_url + "customerdetails", content="{}",
                      headers={"Content-Type": "application/json"})
    assert post.status_code == 405


def test_daily_expiry_kills_sessions_and_api_sessions(raw: RawBreeze,
                                                      simulator: SimulatorProcess) -> None:
    api_session = simulator.new_api_session()
    assert raw.call("GET", "funds").json()["Status"] == 200
    simulator.admin("clock", {"offset_seconds": 86400})
    # The timestamp must still be fresh for the server's (moved) clock.
    moved = datetime.fromtimestamp(time.time() + 86400, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert raw.call("GET", "funds", timestamp=moved).json() == INVALID
    expired = raw.customer_details(api_session).json()
    assert expired == {"Success": None, "Status": 500, "Error": "Resource not available."}


def test_forced_expiry(raw: RawBreeze, simulator: SimulatorProcess) -> None:
    simulator.admin("faults", {"expire_sessions": True})
    assert raw.call("GET", "funds").json() == INVALID


def test_rate_limit_per_minute_then_per_day(raw: RawBreeze, simulator: SimulatorProcess) -> None:
    simulator.admin("limits", {"calls_per_minute": 3})
    answers = [raw.call("GET", "funds") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 401]
    assert answers[-1].content == (
        b'{"Status":5,"Error":"Limit exceed: API call per minute:Try after some time"}')
    assert len(answers[-1].content) == 76
    simulator.admin("limits", {"calls_per_minute": 100, "calls_per_day": 0})
    assert raw.call("GET", "funds").json()["Error"].startswith("Limit exceed: API call per day:")


def test_faults_html_malformed_error_latency(raw: RawBreeze, simulator: SimulatorProcess) -> None:
    simulator.admin("faults", {"html_rate": 1.0})
    page = raw.call("GET", "funds")
    assert page.status_code == 503 and page.text.lstrip().startswith("<html")
    simulator.admin("faults", {"html_rate": 0.0, "malformed_rate": 1.0})
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw.call("GET", "funds").text)
    simulator.admin("faults", {"malformed_rate": 0.0, "error_rate": 1.0})
    assert raw.call("GET", "funds").json()["Error"].startswith("Error while calling service")
    simulator.admin("faults", {"error_rate": 0.0, "latency_ms": 300})
    started = time.perf_counter()
    assert raw.call("GET", "funds").json()["Status"] == 200
    assert time.perf_counter() - started >= 0.3


def test_timeout_fault_still_does_the_work(raw: RawBreeze, simulator: SimulatorProcess) -> None:
    """A lost response: the order exists even though its answer never came."""
    ltp = raw.call("GET", "quotes", {"stock_code": "ITC", "exchange_code": "NSE",
                                     "product_type": "cash"}).json()["Success"][0]["ltp"]
    simulator.admin("faults", {"timeout_rate": 1.0})
    with pytest.raises(httpx.ReadTimeout):
        raw.call("POST", "order", {
            "stock_code": "ITC", "exchange_code": "NSE", "product": "cash", "action": "buy",
            "order_type": "limit", "quantity": "1", "price": f"{round(ltp * 0.9, 1):.2f}",
            "validity": "day", "user_remark": "lost-1"}, timeout=1.0)
    simulator.admin("faults", {"timeout_rate": 0.0})
    today = ist_today().strftime("%Y-%m-%dT10:00:00.000Z")
    rows = raw.call("GET", "order", {"exchange_code": "NSE", "from_date": today,
                                     "to_date": today}).json()["Success"]
    assert any(row["user_remark"] == "lost-1" for row in rows)


def test_reject_next_order(raw: RawBreeze, simulator: SimulatorProcess) -> None:
    simulator.admin("faults", {"reject_next_order": "Order rejected by RMS: test"})
    payload = {"stock_code": "ITC", "exchange_code": "NSE", "product": "cash",
               "action": "buy", "order_type": "limit", "quantity": "1", "price": "1.00",
               "validity": "day"}
    assert raw.call("POST", "order", payload).json() == {
        "Success": None, "Status": 500, "Error": "Order rejected by RMS: test"}


@pytest.mark.parametrize(("change", "message"), [
    ({"order_type": "market"}, "Order-type should be either 'limit' or 'stoploss'"),
    ({"action": "hold"}, "Action should be either 'buy', or 'sell'"),
    ({"stock_code": ""}, "Stock-Code cannot be empty"),
    ({"validity": "gtc"}, "Validity should be either 'day', 'ioc', or 'vtc'"),
    ({"product": "margin"}, "not permitted"),
    ({"product": "mtf", "action": "sell"}, "SELL action is not allowed for MTF product type."),
    ({"quantity": "abc"}, "Quantity should be a number"),
    ({"exchange_code": "XYZ"}, "Exchange-Code should be either"),
    ({"stock_code": "NOSUCH"}, "not listed"),
    ({"stock_code": "NIFTY"}, "index"),
    ({"price": "1e400"}, "Price should be a number"),  # beyond a Decimal's digits
])
def test_order_validation_messages(raw: RawBreeze, change: dict[str, str], message: str) -> None:
    payload = {"stock_code": "ITC", "exchange_code": "NSE", "product": "cash",
               "action": "buy", "order_type": "limit", "quantity": "1", "price": "100.00",
               "validity": "day"}
    payload.update(change)
    answer = raw.call("POST", "order", payload)
    assert answer.status_code == 200
    body = answer.json()
    assert body["Status"] == 500 and body["Success"] is None
    assert message in body["Error"]


def test_v2_history_needs_session_and_app_key(raw: RawBreeze, simulator: SimulatorProcess) -> None:
    params = {"interval": "1minute", "from_date": "2025-02-03T09:20:00.000Z",
              "to_date": "2025-02-03T09:30:00.000Z", "stock_code": "ITC", "exch_code": "NSE"}
    url = simulator.history_url + "historicalcharts"
    good = httpx.get(url, params=params, headers={"X-SessionToken": raw.token,
                                                  "apikey": simulator.app_key})
    assert good.status_code == 200 and list(good.json()) == ["Error", "Status", "Success"]
    bad = httpx.get(url, params=params, headers={"X-SessionToken": raw.token, "apikey": "x"})
    assert bad.status_code == 401
