"""modifyorder, cancelorder and orderstatus through the `openalgo` client, including an
order placed outside algodesk (straight at the broker) and the refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from algodesk.brokers.icici.formats import IST
from tests.orders.conftest import Desk
from tests.orders.helpers import NOTE, below_market, expected_limit, order_of

TICK = Decimal("0.05")


@pytest.fixture()
def resting(desk: Desk) -> dict[str, Any]:
    """A resting SBIN limit buy placed through the platform."""
    ltp = desk.ltp("STABAN", "NSE").ltp
    price = below_market(ltp, TICK, "0.9")
    answer = desk.client.placeorder(strategy="modify-test", symbol="SBIN", action="BUY",
                                    exchange="NSE", price_type="LIMIT", product="CNC",
                                    quantity=2, price=str(price))
    assert answer["status"] == "success", answer
    return {"orderid": answer["orderid"], "price": price, "ltp": ltp}


def sim_row(desk: Desk, orderid: str, exchange: str = "NSE") -> Any:
    return desk.direct(lambda c: c.get_order_detail(exchange, orderid))[0]


def test_modify_price_and_quantity(desk: Desk, resting: dict[str, Any]) -> None:
    new_price = resting["price"] - Decimal("1.00")
    answer = desk.client.modifyorder(order_id=resting["orderid"], strategy="modify-test",
                                     symbol="SBIN", action="BUY", exchange="NSE",
                                     price_type="LIMIT", product="CNC", quantity=5,
                                     price=str(new_price))
    assert answer == {"status": "success", "broker": "icici", "orderid": resting["orderid"]}
    row = order_of(desk, resting["orderid"])
    assert (row["price"], row["quantity"], row["order_status"], row["pricetype"]) == (
        float(new_price), 5, "open", "LIMIT")
    at_broker = sim_row(desk, resting["orderid"])
    assert (at_broker.price, at_broker.quantity, at_broker.modification_number) == (
        new_price, 5, "1")


def test_modify_to_market_goes_as_an_aggressive_limit(desk: Desk,
                                                      resting: dict[str, Any]) -> None:
    answer = desk.client.modifyorder(order_id=resting["orderid"], symbol="SBIN",
                                     action="BUY", exchange="NSE", price_type="MARKET",
                                     product="CNC", quantity=2, price="0")
    assert answer["status"] == "success", answer
    row = order_of(desk, resting["orderid"])
    match = NOTE.fullmatch(row["note"])
    assert match and row["pricetype"] == "MARKET", row
    assert Decimal(match[1]) == expected_limit("BUY", Decimal(match[2]), "cash", TICK)
    assert row["order_status"] == "complete"
    assert sim_row(desk, resting["orderid"]).price == Decimal(match[1])


def test_modify_refuses_another_symbol_action_or_product(desk: Desk,
                                                         resting: dict[str, Any]) -> None:
    base = {"orderid": resting["orderid"], "strategy": "x", "symbol": "SBIN",
            "exchange": "NSE", "action": "BUY", "product": "CNC", "pricetype": "LIMIT",
            "quantity": "2", "price": str(resting["price"]), "trigger_price": "0",
            "disclosed_quantity": "0"}
    for change, words in (({"symbol": "ITC"}, "cannot be modified"),
                          ({"action": "SELL"}, "cannot be modified"),
                          ({"exchange": "BSE"}, "cannot be modified")):
        answer = desk.post("modifyorder", {**base, **change})
        assert answer.status_code == 400, answer.text
        assert words in answer.json()["message"]
    missing = desk.post("modifyorder", {k: v for k, v in base.items() if k != "price"})
    assert missing.status_code == 400 and "price" in missing.json()["message"]
    unknown = desk.post("modifyorder", {**base, "orderid": "20990101N300000001"})
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "Order 20990101N300000001 not found"
    assert order_of(desk, resting["orderid"])["price"] == float(resting["price"])


def test_cancel_and_the_refusals(desk: Desk, resting: dict[str, Any]) -> None:
    answer = desk.client.cancelorder(order_id=resting["orderid"], strategy="modify-test")
    assert answer == {"status": "success", "broker": "icici", "orderid": resting["orderid"]}
    row = order_of(desk, resting["orderid"])
    assert (row["order_status"], row["pending_quantity"]) == ("cancelled", 0)
    assert sim_row(desk, resting["orderid"]).status == "Cancelled"
    again = desk.client.cancelorder(order_id=resting["orderid"])
    assert again["status"] == "error" and again["code"] == 400
    assert "Cancelled" in again["message"]  # the broker's own words
    modify = desk.client.modifyorder(order_id=resting["orderid"], symbol="SBIN",
                                     action="BUY", exchange="NSE", price_type="LIMIT",
                                     product="CNC", quantity=2, price=str(resting["price"]))
    assert modify["status"] == "error" and "cannot be modified" in modify["message"]
    unknown = desk.client.cancelorder(order_id="nope")
    assert unknown["code"] == 404 and "Order nope not found" in unknown["message"]


def test_orderstatus_of_an_unknown_order_is_404(desk: Desk) -> None:
    answer = desk.post("orderstatus", {"orderid": "12345", "strategy": "x"})
    assert answer.status_code == 404
    assert answer.json()["message"] == "Order 12345 not found"
    # strategy is optional (only a label)
    assert desk.post("orderstatus", {"orderid": "12345"}).status_code == 404


def test_an_order_placed_outside_algodesk_shows_and_can_be_cancelled(desk: Desk) -> None:
    ltp = desk.ltp("ITC", "NSE").ltp
    price = below_market(ltp, Decimal("0.05"), "0.85")
    outside = desk.direct(lambda c: c.place_order(
        stock_code="ITC", exchange_code="NSE", product="cash", action="buy",
        order_type="limit", quantity="4", price=str(price), validity="day"))
    # An order action on NSE through the platform refreshes its view of NSE's orders.
    mine = desk.client.placeorder(symbol="ITC", action="BUY", exchange="NSE",
                                  price_type="LIMIT", product="CNC", quantity=1,
                                  price=str(price))
    book = {o["orderid"]: o for o in desk.client.orderbook()["data"]["orders"]}
    row = book[outside.order_id]
    assert (row["symbol"], row["quantity"], row["price"], row["pricetype"], row["product"],
            row["strategy"], row["order_status"]) == (
        "ITC", 4, float(price), "LIMIT", "CNC", "", "open")
    assert book[mine["orderid"]]["strategy"] == "Python"
    assert desk.client.cancelorder(order_id=outside.order_id)["status"] == "success"
    assert desk.client.cancelorder(order_id=mine["orderid"])["status"] == "success"
    assert order_of(desk, outside.order_id)["order_status"] == "cancelled"


def test_order_timestamps_are_ist(desk: Desk, resting: dict[str, Any]) -> None:
    row = order_of(desk, resting["orderid"])
    stamp = dt.datetime.strptime(row["timestamp"], "%d-%b-%Y %H:%M:%S").replace(tzinfo=IST)
    assert abs((dt.datetime.now(IST) - stamp).total_seconds()) < 120
    desk.client.cancelorder(order_id=resting["orderid"])
