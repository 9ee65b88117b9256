"""orderbook, tradebook, positionbook, holdings, funds, openposition and margin through the
`openalgo` client: values checked against the simulator's own account."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import ist_today
from tests.orders.conftest import Desk
from tests.orders.helpers import below_market, future, order_of, wait_for

MONEY = re.compile(r"-?\d+\.\d\d")


@pytest.fixture(scope="module")
def trades(desk: Desk) -> dict[str, str]:
    """A morning's trading: two fills, a resting limit and a stop-loss waiting."""
    c = desk.client
    sbin = desk.ltp("STABAN", "NSE").ltp
    ids = {
        "buy": c.placeorder(strategy="books", symbol="SBIN", action="BUY", exchange="NSE",
                            price_type="MARKET", product="CNC", quantity=3)["orderid"],
        "sell": c.placeorder(strategy="books", symbol="ITC", action="SELL", exchange="NSE",
                             price_type="MARKET", product="CNC", quantity=2)["orderid"],
        "rest": c.placeorder(strategy="books", symbol="SBIN", action="BUY", exchange="NSE",
                             price_type="LIMIT", product="CNC", quantity=1,
                             price=str(below_market(sbin, Decimal("0.05"))))["orderid"],
        "stop": c.placeorder(strategy="books", symbol="SBIN", action="BUY", exchange="NSE",
                             price_type="SL", product="CNC", quantity=1,
                             trigger_price=str(below_market(sbin, Decimal("0.05"), "1.1")),
                             price=str(below_market(sbin, Decimal("0.05"), "1.11")))["orderid"],
    }
    assert all(ids.values()), ids
    return ids


def test_orderbook_rows_and_statistics(desk: Desk, trades: dict[str, str]) -> None:
    answer = desk.client.orderbook()
    assert answer["status"] == "success"
    orders = {o["orderid"]: o for o in answer["data"]["orders"]}
    assert set(trades.values()) <= set(orders)
    states = {name: orders[i]["order_status"] for name, i in trades.items()}
    assert states == {"buy": "complete", "sell": "complete", "rest": "open",
                      "stop": "trigger pending"}
    assert {orders[i]["strategy"] for i in trades.values()} == {"books"}
    rows = list(orders.values())
    assert answer["data"]["statistics"] == {
        "total_buy_orders": sum(r["action"] == "BUY" for r in rows),
        "total_sell_orders": sum(r["action"] == "SELL" for r in rows),
        "total_completed_orders": sum(r["order_status"] == "complete" for r in rows),
        "total_open_orders": sum(r["order_status"] == "open" for r in rows),
        "total_rejected_orders": sum(r["order_status"] == "rejected" for r in rows),
        "total_trigger_pending_orders": sum(r["order_status"] == "trigger pending"
                                            for r in rows),
    }
    assert answer["data"]["statistics"]["total_sell_orders"] >= 1
    ids = [r["orderid"] for r in answer["data"]["orders"]]
    assert ids == sorted(ids, reverse=True)  # newest first


def test_tradebook_matches_the_broker(desk: Desk, trades: dict[str, str]) -> None:
    book = {t["orderid"]: t for t in desk.client.tradebook()["data"]}
    assert trades["rest"] not in book and trades["stop"] not in book
    today = ist_today()
    fills = {t.order_id: t for t in desk.direct(lambda c: c.get_trade_list("NSE", today,
                                                                           today))}
    for name, action, symbol, quantity in (("buy", "BUY", "SBIN", 3),
                                           ("sell", "SELL", "ITC", 2)):
        row, fill = book[trades[name]], fills[trades[name]]
        assert (row["action"], row["symbol"], row["exchange"], row["product"],
                row["quantity"]) == (action, symbol, "NSE", "CNC", quantity)
        assert row["average_price"] == float(fill.average_cost)
        assert row["trade_value"] == pytest.approx(quantity * float(fill.average_cost))


def test_positionbook_and_openposition(desk: Desk, trades: dict[str, str]) -> None:
    rows = {(p["symbol"], p["product"]): p for p in desk.client.positionbook()["data"]}
    broker = {p.stock_code: p for p in desk.direct(lambda c: c.get_portfolio_positions())}
    sbin, itc = rows[("SBIN", "CNC")], rows[("ITC", "CNC")]
    assert (sbin["quantity"], itc["quantity"]) == ("3", "-2")
    assert sbin["average_price"] == f"{broker['STABAN'].average_price:.2f}"
    for row in (sbin, itc):
        assert all(MONEY.fullmatch(row[k]) for k in ("average_price", "ltp", "pnl"))
        assert row["exchange"] == "NSE"
    assert desk.client.openposition(symbol="SBIN", exchange="NSE", product="CNC")[
        "quantity"] == 3
    assert desk.client.openposition(symbol="ITC", exchange="NSE", product="CNC")[
        "quantity"] == -2
    assert desk.client.openposition(symbol="SBIN", exchange="NSE", product="MIS")[
        "quantity"] == 0
    assert desk.client.openposition(symbol="INFY", exchange="NSE", product="CNC")[
        "quantity"] == 0


def test_holdings_include_todays_delivery_trades(desk: Desk, trades: dict[str, str]) -> None:
    answer = desk.client.holdings()
    holdings = {h["symbol"]: h for h in answer["data"]["holdings"]}
    broker = {h.stock_code: h for h in desk.direct(lambda c: c.get_portfolio_holdings("NSE"))}
    # The simulated account starts with 50 SBIN and 100 ITC in its demat account.
    assert (holdings["SBIN"]["quantity"], holdings["ITC"]["quantity"]) == (53, 98)
    for symbol, code in (("SBIN", "STABAN"), ("ITC", "ITC"), ("INFY", "INFTEC")):
        row, at_broker = holdings[symbol], broker[code]
        assert row["average_price"] == float(at_broker.average_price)
        assert row["quantity"] == at_broker.quantity
        # Prices move between the platform's (cached) read and ours: within 1%.
        assert row["ltp"] == pytest.approx(float(at_broker.current_market_price), rel=0.01)
        assert row["pnl"] == pytest.approx(
            (row["ltp"] - row["average_price"]) * row["quantity"], abs=0.01)
        assert (row["exchange"], row["product"]) == ("NSE", "CNC")
    stats = answer["data"]["statistics"]
    assert stats["totalinvvalue"] == pytest.approx(
        sum(h["average_price"] * h["quantity"] for h in holdings.values()), abs=0.05)
    assert stats["totalprofitandloss"] == pytest.approx(
        stats["totalholdingvalue"] - stats["totalinvvalue"], abs=0.02)


def test_funds_against_the_broker(desk: Desk, trades: dict[str, str]) -> None:
    data = desk.client.funds()["data"]
    assert set(data) == {"availablecash", "collateral", "m2mrealized", "m2munrealized",
                         "utiliseddebits"}
    assert all(MONEY.fullmatch(v) for v in data.values()), data
    funds = desk.direct(lambda c: c.get_funds())
    # The equity allocation is what cash orders draw on (Breeze's segments, §5.2-5.3).
    assert Decimal(data["utiliseddebits"]) == funds.block_by_trade_equity.quantize(
        Decimal("0.01"))
    assert Decimal(data["availablecash"]) == (
        funds.allocated_equity - funds.block_by_trade_equity).quantize(Decimal("0.01"))
    assert funds.block_by_trade_equity > 0  # the resting buy blocks cash
    assert Decimal(data["availablecash"]) < funds.total_bank_balance  # not the bank balance

    def m2m_matches_positions() -> bool:
        # Both come from the same cached positions; a refresh between the two calls
        # (prices move) is the only way they differ, so ask again then.
        m2m = Decimal(desk.client.funds()["data"]["m2munrealized"])
        positions = desk.client.positionbook()["data"]
        return m2m == sum(Decimal(p["unrealized_pnl"]) for p in positions)

    assert wait_for(m2m_matches_positions, timeout=10)


def test_margin_from_the_brokers_calculator(desk: Desk) -> None:
    price = desk.ltp("STABAN", "NSE").ltp
    single = desk.client.margin(positions=[{
        "symbol": "SBIN", "exchange": "NSE", "action": "BUY", "product": "CNC",
        "pricetype": "LIMIT", "quantity": "10", "price": str(price)}])
    assert single["status"] == "success", single
    assert single["data"]["total_margin_required"] == pytest.approx(float(price * 10))

    fut = future(desk, "NFO", "NIFTY")
    legs: list[dict[str, Any]] = [
        {"symbol": fut["symbol"], "exchange": "NFO", "action": "BUY", "product": "NRML",
         "pricetype": "MARKET", "quantity": fut["lotsize"]},
        {"symbol": "SBIN", "exchange": "NSE", "action": "BUY", "product": "CNC",
         "pricetype": "LIMIT", "quantity": 1, "price": str(price)}]
    basket = desk.client.margin(positions=legs)
    assert basket["status"] == "success", basket
    data = basket["data"]
    assert data["total_margin_required"] == pytest.approx(
        data["span_margin"] + data["exposure_margin"])
    expiry = dt.datetime.strptime(fut["expiry"], "%d-%b-%y").strftime("%d-%b-%Y")
    ltp = desk.ltp("NIFTY", "NFO", product_type="futures", expiry_date=fut["expiry"],
                   right="others").ltp
    direct = desk.direct(lambda c: c.margin_calculator([{
        "strike_price": "0", "quantity": str(fut["lotsize"]), "right": "others",
        "product": "futures", "action": "buy", "price": str(ltp), "expiry_date": expiry,
        "stock_code": "NIFTY"}], "NFO"))
    # The future's figure moves with its price between the two calls: within 1%.
    assert data["span_margin"] == pytest.approx(
        float(direct.span_margin_required) + float(price), rel=0.01)


def test_margin_validation(desk: Desk) -> None:
    leg = {"symbol": "SBIN", "exchange": "NSE", "action": "BUY", "product": "CNC",
           "pricetype": "MARKET", "quantity": "1"}
    for positions in ([], [leg] * 51):
        answer = desk.post("margin", {"positions": positions})
        assert answer.status_code == 400
        assert answer.json()["message"] == "Positions must contain 1 to 50 items."
    bad = desk.post("margin", {"positions": [{**leg, "product": "BO"}]})
    assert bad.status_code == 400
    assert bad.json()["message"] == {"positions.0.product": ["Must be one of: MIS, NRML, CNC."]}
    unknown = desk.post("margin", {"positions": [{**leg, "symbol": "NOSUCH"}]})
    assert unknown.status_code == 400 and "not found" in unknown.json()["message"]


def test_an_order_sized_to_availablecash_is_accepted(desk: Desk) -> None:
    """A strategy sizing a CNC buy from `availablecash` is not refused for funds, and one
    beyond it is."""
    available = Decimal(desk.client.funds()["data"]["availablecash"])
    # Below the market, so the order rests and blocks its cash rather than filling.
    price = below_market(desk.ltp("STABAN", "NSE").ltp, Decimal("0.05"))
    fits = int(available // price)
    assert fits * price > available - price and fits > 1_000  # (almost) all the cash

    # 2% beyond: a resting buy filling below its limit meanwhile frees a little cash.
    beyond = desk.post("placeorder", {
        "strategy": "sizing", "symbol": "SBIN", "exchange": "NSE", "action": "BUY",
        "pricetype": "LIMIT", "product": "CNC", "quantity": str(int(fits * 1.02) + 1),
        "price": str(price)})
    assert beyond.status_code == 400, beyond.text
    assert "Insufficient funds" in beyond.json()["message"]

    placed = desk.client.placeorder(strategy="sizing", symbol="SBIN", exchange="NSE",
                                    action="BUY", price_type="LIMIT", product="CNC",
                                    quantity=fits, price=str(price))
    assert placed["status"] == "success", placed
    try:
        assert order_of(desk, placed["orderid"])["order_status"] == "open"
        # now that cash is blocked, the platform says so
        assert wait_for(lambda: Decimal(desk.client.funds()["data"]["availablecash"])
                        < available - (fits - 1) * price)
    finally:
        assert desk.client.cancelorder(order_id=placed["orderid"])["status"] == "success"
