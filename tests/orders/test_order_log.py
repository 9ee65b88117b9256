"""What the trader's log shows of order actions: one line per action with its journal
tag and the broker's answer, and no access line per API call (pages keep theirs)."""

from __future__ import annotations

import time
from decimal import Decimal

from tests.orders.conftest import Desk
from tests.orders.helpers import below_market


def _log(desk: Desk) -> str:
    return (desk.platform.data_dir / "logs" / "algodesk.log").read_text()


def _wait_for(desk: Desk, text: str) -> str:
    """Log lines are written by a thread of their own: give it a moment."""
    deadline = time.monotonic() + 10
    while text not in (log := _log(desk)):
        assert time.monotonic() < deadline, f"{text!r} never logged:\n{log[-2000:]}"
        time.sleep(0.05)
    return log


def test_order_actions_are_logged_and_api_calls_are_not(desk: Desk) -> None:
    price = below_market(desk.ltp("ITC", "NSE").ltp, Decimal("0.05"))
    placed = desk.client.placeorder(strategy="log-test", symbol="ITC", action="BUY",
                                    exchange="NSE", price_type="LIMIT", product="CNC",
                                    quantity=3, price=str(price))
    assert placed["status"] == "success", placed
    orderid = placed["orderid"]
    log = _wait_for(desk, f"accepted, ICICI order {orderid}")
    line = next(x for x in log.splitlines() if f"ICICI order {orderid}" in x)
    assert "place ad" in line and "(api, log-test)" in line
    assert f"BUY 3 ITC NSE LIMIT {price}" in line and "CNC" in line

    cancelled = desk.client.cancelorder(order_id=orderid, strategy="log-test")
    assert cancelled["status"] == "success", cancelled
    _wait_for(desk, f"order {orderid}: accepted, ICICI order {orderid}")

    refused = desk.client.placeorder(strategy="log-test", symbol="ITC", action="BUY",
                                     exchange="NSE", price_type="LIMIT", product="CNC",
                                     quantity=1, price="1.00")  # outside the price band
    assert refused["status"] == "error"
    _wait_for(desk, "(api, log-test): BUY 1 ITC NSE LIMIT 1.00 CNC: not accepted: Price 1 is "
                    "outside the day's price band")

    assert desk.get("/login").status_code == 200  # a page: its access line is kept
    log = _wait_for(desk, '"GET /login HTTP/1.1" 200')
    assert "POST /api/v1/placeorder" not in log, "an access line for an API call"
