"""The switch: its replies, orders routed by the mode in force when each was accepted
(under concurrency and across a toggle; the simulator counts what reached it), and the
mode and the paper account surviving a restart."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.analyzer.conftest import sim_orders, toggle
from tests.market.conftest import MarketDesk

CLIENTS = 16
ORDERS_PER_WAVE = 32
BUY = {"strategy": "switch", "symbol": "SBIN", "exchange": "NSE", "action": "BUY",
       "quantity": 1, "pricetype": "MARKET", "product": "CNC"}


def test_status_toggle_and_their_refusals(desk: MarketDesk) -> None:
    logs = desk.post("analyzer", {}).json()["data"]["total_logs"]  # 0 on a first run
    assert desk.post("analyzer", {}).json() == {
        "status": "success", "broker": "icici",
        "data": {"analyze_mode": False, "mode": "live", "total_logs": logs}}
    on = desk.post("analyzer/toggle", {"mode": True})
    assert (on.status_code, on.json()["data"]) == (200, {
        "analyze_mode": True, "mode": "analyze", "total_logs": logs,
        "message": "Analyzer mode switched to analyze"})
    assert desk.client.analyzerstatus()["data"]["analyze_mode"] is True
    for page in ("/", "/broker", "/apikey"):  # the badge on every page while it is on
        assert 'id="analyzer-banner"' in desk.admin.get(page).text, page
    missing = desk.post("analyzer/toggle", {})
    assert (missing.status_code, missing.json()["message"]) == (
        400, {"mode": ["Missing data for required field."]})
    assert desk.post("analyzer/toggle", {"mode": "sometimes"}).status_code == 400
    wrong_key = httpx.post(f"{desk.platform.base_url}/api/v1/analyzer/toggle",
                           json={"apikey": "0" * 64, "mode": False}, timeout=30)
    assert wrong_key.status_code == 403
    assert desk.client.analyzerstatus()["data"]["analyze_mode"] is True  # unchanged
    # An order endpoint's refusal in analyzer mode says so too (§1.3).
    refused = desk.post("placeorder", {**BUY, "quantity": 0})
    assert refused.status_code == 400 and refused.json()["mode"] == "analyze"
    unknown = desk.post("orderstatus", {"orderid": "99999999999999", "strategy": "x"})
    assert (unknown.status_code, unknown.json()) == (404, {
        "status": "error", "message": "Order 99999999999999 not found", "broker": "icici",
        "mode": "analyze"})
    pnl = desk.post("pnl/symbols", {})
    assert (pnl.status_code, pnl.json()["mode"]) == (200, "analyze")
    assert pnl.json()["total_pnl"] == round(sum(row["pnl"] for row in pnl.json()["data"]), 2)
    toggle(desk, False)
    assert 'id="analyzer-banner"' not in desk.admin.get("/").text
    live_refusal = desk.post("placeorder", {**BUY, "quantity": 0})
    assert live_refusal.status_code == 400 and "mode" not in live_refusal.json()
    live_pnl = desk.post("pnl/symbols", {})
    assert (live_pnl.status_code, live_pnl.json()["message"]) == (
        400, "P&L by symbol is available in analyzer mode only")


def test_the_dashboard_switch(desk: MarketDesk) -> None:
    """The dashboard's form sets the switch the API's toggle sets, under the web forms'
    rules: a signed-in session and its CSRF token."""
    assert desk.post("analyzer", {}).json()["data"]["analyze_mode"] is False
    page = desk.admin.get("/").text
    assert 'data-mode="live"' in page and 'name="mode" value="analyze"' in page
    on = desk.admin.submit("/analyzer/switch", {"mode": "analyze"}, token_from="/")
    assert (on.status_code, on.headers["location"]) == (303, "/?m=analyzer_analyze")
    status = desk.post("analyzer", {}).json()["data"]
    assert (status["analyze_mode"], status["mode"]) == (True, "analyze")
    page = desk.admin.get("/?m=analyzer_analyze").text
    assert 'data-mode="analyze"' in page and 'id="analyzer-banner"' in page
    assert "Analyzer mode is on: new orders go to the paper account." in page
    assert 'name="mode" value="live"' in page
    # Sent twice (a double click): it names the mode it wants, so it stays on.
    again = desk.admin.submit("/analyzer/switch", {"mode": "analyze"}, token_from="/")
    assert again.status_code == 303
    assert desk.post("analyzer", {}).json()["data"]["analyze_mode"] is True
    # Refused: a mode it does not know, a form without the token, no signed-in session.
    bad = desk.admin.submit("/analyzer/switch", {"mode": "sometimes"}, token_from="/")
    assert bad.status_code == 400 and "Form refused" in bad.text
    forged = desk.admin.http.post("/analyzer/switch", data={"mode": "live",
                                                            "csrf_token": "0" * 64})
    assert forged.status_code == 403
    stranger = httpx.post(f"{desk.platform.base_url}/analyzer/switch",
                          data={"mode": "live"}, timeout=30)
    assert (stranger.status_code, stranger.headers["location"]) == (303, "/login")
    assert desk.post("analyzer", {}).json()["data"]["analyze_mode"] is True  # unchanged
    off = desk.admin.submit("/analyzer/switch", {"mode": "live"}, token_from="/")
    assert (off.status_code, off.headers["location"]) == (303, "/?m=analyzer_live")
    assert desk.post("analyzer", {}).json()["data"]["analyze_mode"] is False
    page = desk.admin.get("/").text
    assert 'data-mode="live"' in page and 'id="analyzer-banner"' not in page


def _place(desk: MarketDesk, http: httpx.Client) -> dict[str, Any]:
    answer = http.post("/api/v1/placeorder", json={"apikey": desk.apikey, **BUY})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_each_order_goes_where_the_mode_was_when_it_was_accepted(desk: MarketDesk) -> None:
    toggle(desk, True)
    before = sim_orders(desk)
    replies: list[dict[str, Any]] = []
    with httpx.Client(base_url=desk.platform.base_url, timeout=60,
                      limits=httpx.Limits(max_connections=CLIENTS)) as http, \
            ThreadPoolExecutor(CLIENTS) as pool:
        first = [pool.submit(_place, desk, http) for _ in range(ORDERS_PER_WAVE)]
        # Switch while the first wave is in flight: some of it is accepted before.
        replies.append(first[0].result())
        toggle(desk, False)
        second = [pool.submit(_place, desk, http) for _ in range(ORDERS_PER_WAVE)]
        replies += [f.result() for f in first[1:] + second]
    paper = {r["orderid"] for r in replies if r.get("mode") == "analyze"}
    live = {r["orderid"] for r in replies if "mode" not in r}
    assert len(paper) + len(live) == 2 * ORDERS_PER_WAVE
    assert paper and len(live) >= ORDERS_PER_WAVE  # the second wave is all live
    # Exactly the live-mode orders reached the broker; none of the paper ones.
    assert sim_orders(desk) - before == len(live)
    live_book = {row["orderid"] for row in desk.client.orderbook()["data"]["orders"]}
    assert live <= live_book and not paper & live_book
    toggle(desk, True)
    paper_book = {row["orderid"] for row in desk.client.orderbook()["data"]["orders"]}
    assert paper <= paper_book and not live & paper_book
    toggle(desk, False)


def test_the_mode_and_the_paper_account_survive_a_restart(desk: MarketDesk) -> None:
    toggle(desk, True)
    placed = desk.client.placeorder(**BUY | {"price_type": "MARKET"})
    assert placed["status"] == "success" and placed["mode"] == "analyze", placed
    book = desk.client.orderbook()["data"]["orders"]
    funds = desk.client.funds()["data"]
    positions = desk.client.positionbook()["data"]
    desk.platform.stop()
    desk.platform.start()
    assert desk.client.analyzerstatus()["data"]["analyze_mode"] is True
    assert desk.client.orderbook()["data"]["orders"] == book
    assert desk.client.funds()["data"]["availablecash"] == funds["availablecash"]
    assert [(p["symbol"], p["quantity"], p["average_price"])
            for p in desk.client.positionbook()["data"]] == [
        (p["symbol"], p["quantity"], p["average_price"]) for p in positions]
    toggle(desk, False)
    assert desk.client.analyzerstatus()["data"]["analyze_mode"] is False
