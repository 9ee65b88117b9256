"""Picking instruments from the platform's own instrument list, and the rules the
platform must follow, written out independently of its code."""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from algodesk.brokers.icici.formats import IST
from tests.orders.conftest import Desk

# Aggressive limit (breeze-api.md §12.3): percent of LTP and minimum distance, by product.
RULE = {"cash": (Decimal(3), Decimal("0.05")), "futures": (Decimal("1.5"), Decimal("0.05")),
        "options": (Decimal(10), Decimal(5))}
NOTE = re.compile(r"MARKET sent as aggressive limit ([\d.]+) \(LTP ([\d.]+)\)")


def expected_limit(side: str, ltp: Decimal, product: str, tick: Decimal,
                   lower: Decimal | None = None, upper: Decimal | None = None) -> Decimal:
    percent, minimum = RULE[product]
    delta = max(ltp * percent / 100, minimum)
    price = ltp + delta if side == "BUY" else ltp - delta
    if upper:
        price = min(price, upper)
    if lower:
        price = max(price, lower)
    return ((price / tick).to_integral_value(ROUND_HALF_EVEN) * tick).quantize(tick)


def instruments(desk: Desk, exchange: str) -> list[dict[str, Any]]:
    answer = desk.get("/api/v1/instruments", apikey=desk.apikey, exchange=exchange)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


def _expiry(row: dict[str, Any]) -> dt.date:
    return dt.datetime.strptime(row["expiry"], "%d-%b-%y").date()


def future(desk: Desk, exchange: str, name: str) -> dict[str, Any]:
    """The nearest future that does not expire today (a contract expiring at 15:30 IST
    could expire in the middle of a test)."""
    today = dt.datetime.now(IST).date()
    rows = [r for r in instruments(desk, exchange)
            if r["name"] == name and r["instrumenttype"] == "FUT" and _expiry(r) > today]
    return min(rows, key=_expiry)


def option(desk: Desk, exchange: str, name: str, kind: str, spot: Decimal) -> dict[str, Any]:
    """The option of the nearest later expiry whose strike is nearest `spot`."""
    today = dt.datetime.now(IST).date()
    rows = [r for r in instruments(desk, exchange)
            if r["name"] == name and r["instrumenttype"] == kind and _expiry(r) > today]
    nearest = min(_expiry(r) for r in rows)
    return min((r for r in rows if _expiry(r) == nearest),
               key=lambda r: abs(Decimal(str(r["strike"])) - spot))


def order_of(desk: Desk, orderid: str) -> dict[str, Any]:
    answer = desk.client.orderstatus(order_id=orderid)
    assert answer["status"] == "success", answer
    return answer["data"]


def wait_for(condition: Any, timeout: float = 10.0, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def position(desk: Desk, symbol: str, exchange: str, product: str) -> int:
    answer = desk.client.openposition(symbol=symbol, exchange=exchange, product=product)
    assert answer["status"] == "success", answer
    return int(answer["quantity"])


def below_market(ltp: Decimal, tick: Decimal, fraction: str = "0.9") -> Decimal:
    """A limit buy price that rests: `fraction` of the LTP on the tick grid."""
    return ((ltp * Decimal(fraction)) / tick).to_integral_value() * tick


def refused(desk: Desk, endpoint: str, body: dict[str, Any], status: int = 400) -> Any:
    """The error message of a request the platform refuses with `status`."""
    answer = desk.post(endpoint, body)
    assert answer.status_code == status, answer.text
    payload = answer.json()
    assert payload["status"] == "error" and payload["broker"] == "icici", payload
    return payload["message"]
