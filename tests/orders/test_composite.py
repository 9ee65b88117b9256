"""basketorder, splitorder, cancelallorder and closeposition through the `openalgo`
client, checked in the books and at the simulator."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.conftest import ist_today
from tests.orders.conftest import Desk
from tests.orders.helpers import below_market, future, order_of


def sequence(orderid: str) -> int:
    """The simulator numbers orders in the order they arrive (the last 8 digits)."""
    return int(orderid[-8:])


def test_basket_places_buys_before_sells_and_legs_fail_alone(desk: Desk) -> None:
    resting = below_market(desk.ltp("TCS", "NSE").ltp, Decimal("0.10"), "0.9")
    legs = [
        {"symbol": "ITC", "exchange": "NSE", "action": "SELL", "quantity": 2,
         "pricetype": "MARKET", "product": "CNC"},
        {"symbol": "SBIN", "exchange": "NSE", "action": "buy", "quantity": 1,
         "pricetype": "MARKET", "product": "CNC"},
        {"symbol": "TCS", "exchange": "NSE", "action": "BUY", "quantity": "1",
         "pricetype": "LIMIT", "product": "CNC", "price": str(resting)},
        {"symbol": "TCS", "exchange": "NSE", "action": "SELL", "quantity": 1,
         "pricetype": "MARKET", "product": "CNC"},  # no TCS in the account: refused
        {"symbol": "NIFTY", "exchange": "NSE_INDEX", "action": "BUY", "quantity": 1,
         "pricetype": "MARKET", "product": "CNC"},  # an index: refused here
    ]
    answer = desk.client.basketorder(strategy="basket-test", orders=legs)
    assert answer["status"] == "success", answer
    results = answer["results"]
    assert [r["symbol"] for r in results] == ["ITC", "SBIN", "TCS", "TCS", "NIFTY"]
    assert [r["status"] for r in results] == ["success", "success", "success", "error",
                                              "error"]
    assert "Insufficient holdings" in results[3]["message"]
    assert "indices" in results[4]["message"]
    sell, buy, limit = (results[i]["orderid"] for i in range(3))
    assert max(sequence(buy), sequence(limit)) < sequence(sell)  # buys went first
    assert order_of(desk, sell)["action"] == "SELL"
    assert order_of(desk, limit)["order_status"] == "open"
    assert {order_of(desk, o)["strategy"] for o in (sell, buy, limit)} == {"basket-test"}


def test_basket_with_an_invalid_leg_is_refused_whole(desk: Desk) -> None:
    before = len(desk.client.orderbook()["data"]["orders"])
    answer = desk.post("basketorder", {"strategy": "x", "orders": [
        {"symbol": "SBIN", "exchange": "NSE", "action": "BUY", "quantity": 1,
         "product": "CNC"},
        {"symbol": "SBIN", "exchange": "NSE", "action": "BUY", "quantity": "one",
         "product": "CNC"}]})
    assert answer.status_code == 400
    assert "orders.1.quantity" in answer.json()["message"]
    assert len(desk.client.orderbook()["data"]["orders"]) == before


def test_split_order_in_chunks_with_a_remainder(desk: Desk) -> None:
    answer = desk.client.splitorder(strategy="split-test", symbol="SBIN", action="BUY",
                                    exchange="NSE", quantity=105, splitsize=20,
                                    price_type="MARKET", product="CNC")
    assert answer["status"] == "success", answer
    assert (answer["split_size"], answer["total_quantity"]) == (20, 105)
    results = answer["results"]
    assert [(r["order_num"], r["quantity"], r["status"]) for r in results] == [
        (1, 20, "success"), (2, 20, "success"), (3, 20, "success"), (4, 20, "success"),
        (5, 20, "success"), (6, 5, "success")]
    ids = [r["orderid"] for r in results]
    assert ids == sorted(ids, key=sequence)  # sent one after another, in order
    at_broker = {o.order_id: o for o in desk.direct(
        lambda c: c.get_order_list("NSE", ist_today(), ist_today()))}
    assert [at_broker[i].quantity for i in ids] == [20, 20, 20, 20, 20, 5]


def test_split_of_futures_in_lots_and_the_limits(desk: Desk) -> None:
    fut = future(desk, "NFO", "NIFTY")
    lot = fut["lotsize"]
    answer = desk.client.splitorder(symbol=fut["symbol"], action="SELL", exchange="NFO",
                                    quantity=3 * lot, splitsize=lot, price_type="MARKET",
                                    product="NRML")
    assert [r["quantity"] for r in answer["results"]] == [lot, lot, lot], answer
    one = desk.client.splitorder(symbol="SBIN", action="BUY", exchange="NSE", quantity=3,
                                 splitsize=10, price_type="MARKET", product="CNC")
    assert [(r["order_num"], r["quantity"]) for r in one["results"]] == [(1, 3)], one
    too_many = desk.post("splitorder", {"strategy": "x", "symbol": "SBIN", "exchange": "NSE",
                                        "action": "BUY", "quantity": 101, "splitsize": 1,
                                        "product": "CNC"})
    assert too_many.status_code == 400
    assert too_many.json()["message"] == ("Total number of orders would exceed maximum "
                                          "limit of 100")


def working(desk: Desk) -> list[dict[str, Any]]:
    return [o for o in desk.client.orderbook()["data"]["orders"]
            if o["order_status"] in ("open", "trigger pending")]


def test_cancel_all_cancels_every_working_order(desk: Desk) -> None:
    sbin = desk.ltp("STABAN", "NSE").ltp
    fut = future(desk, "NFO", "NIFTY")
    fut_ltp = desk.ltp("NIFTY", "NFO", product_type="futures", expiry_date=fut["expiry"],
                       right="others").ltp
    placed = [
        desk.client.placeorder(symbol="SBIN", action="BUY", exchange="NSE", product="CNC",
                               price_type="LIMIT", quantity=1,
                               price=str(below_market(sbin, Decimal("0.05"))))["orderid"],
        desk.client.placeorder(symbol="SBIN", action="BUY", exchange="NSE", product="CNC",
                               price_type="SL", quantity=1,
                               trigger_price=str(below_market(sbin, Decimal("0.05"), "1.1")),
                               price=str(below_market(sbin, Decimal("0.05"), "1.12")))["orderid"],
        # 5% below: an index future's band is ±10% of the previous close, so 10% below
        # the market falls outside it whenever the day is down (issue 14's "band" refusal)
        desk.client.placeorder(symbol=fut["symbol"], action="BUY", exchange="NFO",
                               product="NRML", price_type="LIMIT", quantity=fut["lotsize"],
                               price=str(below_market(fut_ltp, Decimal(str(fut["tick_size"])),
                                                      "0.95")))["orderid"],
    ]
    assert {o["orderid"] for o in working(desk)} >= set(placed)
    answer = desk.client.cancelallorder(strategy="cleanup")
    assert answer["status"] == "success", answer
    assert set(placed) <= set(answer["canceled_orders"])
    assert answer["failed_cancellations"] == []
    assert answer["message"] == (f"Canceled {len(answer['canceled_orders'])} orders. "
                                 "Failed to cancel 0 orders.")
    assert working(desk) == []
    assert {order_of(desk, o)["order_status"] for o in placed} == {"cancelled"}
    again = desk.client.cancelallorder()
    assert (again["message"], again["canceled_orders"]) == ("No open orders to cancel", [])


def test_close_position_squares_off_everything(desk: Desk) -> None:
    # Positions of its own: the test runs once with each client, and each run closes all.
    # The simulator margins a closing futures buy in full, and the split test's shorts are
    # there twice (once per client): room for them in the F&O allocation.
    desk.direct(lambda c: c.set_funds("credit", "2000000", "FNO"))
    fut = future(desk, "NFO", "NIFTY")
    for order in ({"symbol": "SBIN", "exchange": "NSE", "action": "BUY", "quantity": 1,
                   "product": "CNC"},
                  {"symbol": "ITC", "exchange": "NSE", "action": "SELL", "quantity": 1,
                   "product": "CNC"},
                  {"symbol": fut["symbol"], "exchange": "NFO", "action": "SELL",
                   "quantity": fut["lotsize"], "product": "NRML"}):
        placed = desk.client.placeorder(strategy="to-close", price_type="MARKET", **order)
        assert placed["status"] == "success", placed
    before = [p for p in desk.client.positionbook()["data"] if int(p["quantity"])]
    assert len(before) >= 3  # SBIN and ITC (cash), the NIFTY future short
    answer = desk.client.closeposition(strategy="anything")
    assert answer["status"] == "success", answer
    assert answer["message"] == "All Open Positions Squared Off"
    closed = {(c["symbol"], c["exchange"], c["product"]): c for c in answer["closed_positions"]}
    for row in before:
        net = int(row["quantity"])
        item = closed[(row["symbol"], row["exchange"], row["product"])]
        assert (item["action"], item["quantity"]) == ("SELL" if net > 0 else "BUY", abs(net))
        order = order_of(desk, item["orderid"])
        assert (order["strategy"], order["pricetype"], order["order_status"]) == (
            "Squareoff", "MARKET", "complete")
    assert all(int(p["quantity"]) == 0 for p in desk.client.positionbook()["data"])
    again = desk.client.closeposition()
    assert (again["status"], again["message"]) == ("success", "No open positions to close")
