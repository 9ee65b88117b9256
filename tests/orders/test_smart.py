"""placesmartorder in every sizing case of the contract (openalgo-api.md §3.1.2), on a
NIFTY future (it can be short), in lots: the position is first set with plain orders,
then the smart order must place exactly the table's order and leave the target."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.orders.conftest import Desk
from tests.orders.helpers import future, order_of, position

# (action, qty, position_size, current) -> (action, qty) placed, or None: in lots.
TABLE = [
    # the documented decision table
    ("BUY", 1, 0, 0, ("BUY", 1)),
    ("BUY", 1, 1, -1, ("BUY", 2)),
    ("BUY", 1, 1, 1, None),
    ("BUY", 1, 2, 1, ("BUY", 1)),
    ("SELL", 1, 0, 0, ("SELL", 1)),
    ("SELL", 1, -1, 1, ("SELL", 2)),
    ("SELL", 1, -1, -1, None),
    ("SELL", 1, -2, -1, ("SELL", 1)),
    # the rest of the algorithm
    ("BUY", 1, 0, 2, ("SELL", 2)),  # exit a long whatever the request says
    ("SELL", 3, 0, -1, ("BUY", 1)),  # exit a short
    ("SELL", 3, 2, 0, ("BUY", 2)),  # from flat: quantity and action are ignored
    ("BUY", 0, 0, 0, None),  # nothing open, nothing asked
    ("BUY", 1, 1, 3, ("SELL", 2)),  # reduce a long
]


@pytest.fixture(scope="module")
def contract(desk: Desk) -> dict[str, Any]:
    return future(desk, "NFO", "NIFTY")


def set_position(desk: Desk, symbol: str, lots: int, lot: int) -> None:
    current = position(desk, symbol, "NFO", "NRML")
    difference = lots * lot - current
    if difference:
        answer = desk.client.placeorder(symbol=symbol, exchange="NFO", product="NRML",
                                        price_type="MARKET", quantity=abs(difference),
                                        action="BUY" if difference > 0 else "SELL")
        assert answer["status"] == "success", answer
    assert position(desk, symbol, "NFO", "NRML") == lots * lot


@pytest.mark.parametrize(("action", "qty", "target", "current", "placed"), TABLE)
def test_smart_order_sizing(desk: Desk, contract: dict[str, Any], action: str, qty: int,
                            target: int, current: int, placed: tuple[str, int] | None) -> None:
    symbol, lot = contract["symbol"], contract["lotsize"]
    set_position(desk, symbol, current, lot)
    answer = desk.client.placesmartorder(
        strategy="smart-test", symbol=symbol, action=action.lower(), exchange="NFO",
        price_type="MARKET", product="NRML", quantity=qty * lot, position_size=target * lot)
    assert answer["status"] == "success", answer
    if placed is None:
        assert answer["message"] == "Positions Already Matched. No Action needed."
        assert "orderid" not in answer
        assert position(desk, symbol, "NFO", "NRML") == current * lot
        return
    order = order_of(desk, answer["orderid"])
    assert (order["action"], order["quantity"], order["symbol"], order["strategy"],
            order["pricetype"], order["order_status"]) == (
        placed[0], placed[1] * lot, symbol, "smart-test", "MARKET", "complete")
    expected = target * lot if (target or current) else (
        qty * lot if action == "BUY" else -qty * lot)
    assert position(desk, symbol, "NFO", "NRML") == expected


def test_concurrent_smart_orders_on_one_position_are_serialised(
        desk: Desk, contract: dict[str, Any]) -> None:
    """An entry sent twice at once (a TradingView burst): the second sees the first's
    position and does nothing, instead of doubling it."""
    symbol, lot = contract["symbol"], contract["lotsize"]
    set_position(desk, symbol, 0, lot)
    answers: list[dict[str, Any]] = []

    def send() -> None:
        answers.append(desk.client.placesmartorder(
            strategy="burst", symbol=symbol, action="BUY", exchange="NFO",
            price_type="MARKET", product="NRML", quantity=lot, position_size=lot))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(a["status"] == "success" for a in answers), answers
    assert sum("orderid" in a for a in answers) == 1, answers
    assert position(desk, symbol, "NFO", "NRML") == lot


def test_fractional_position_size_is_truncated(desk: Desk, contract: dict[str, Any]) -> None:
    symbol, lot = contract["symbol"], contract["lotsize"]
    set_position(desk, symbol, 0, lot)
    answer = desk.post("placesmartorder", {
        "strategy": "x", "symbol": symbol, "exchange": "NFO", "action": "SELL",
        "pricetype": "MARKET", "product": "NRML", "quantity": 0,
        "position_size": f"-{lot}.7"})
    assert answer.status_code == 200, answer.text
    assert order_of(desk, answer.json()["orderid"])["quantity"] == lot
    assert position(desk, symbol, "NFO", "NRML") == -lot


def test_smart_order_refuses_a_bad_symbol_before_reading_positions(desk: Desk) -> None:
    answer = desk.post("placesmartorder", {
        "strategy": "x", "symbol": "NOSUCH", "exchange": "NSE", "action": "BUY",
        "product": "CNC", "quantity": 1, "position_size": 1})
    assert answer.status_code == 400 and "not found" in answer.json()["message"]
