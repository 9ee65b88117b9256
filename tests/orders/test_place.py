"""placeorder through the official `openalgo` client: every price type, every exchange the
simulator lists, equity, futures and options — checked in the platform's books and at
the far side (the simulator's own order rows, read through a session of our own)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.orders.conftest import Desk
from tests.orders.helpers import (
    NOTE,
    below_market,
    expected_limit,
    future,
    option,
    order_of,
    position,
)


def sim_order(desk: Desk, exchange: str, orderid: str) -> Any:
    rows = desk.direct(lambda c: c.get_order_detail(exchange, orderid))
    assert len(rows) == 1
    return rows[0]


def aggressive_fill(desk: Desk, orderid: str, breeze_exchange: str, product: str,
                    tick: Decimal, side: str = "BUY") -> dict[str, Any]:
    """A MARKET order: complete, priced by the aggressive-limit rule from the LTP the
    platform saw (its note), and that price is what the broker got."""
    row = order_of(desk, orderid)
    assert (row["pricetype"], row["price"], row["order_status"]) == ("MARKET", 0.0, "complete")
    match = NOTE.fullmatch(row["note"])
    assert match, row["note"]
    limit, ltp = Decimal(match[1]), Decimal(match[2])
    assert limit == expected_limit(side, ltp, product, tick)
    at_broker = sim_order(desk, breeze_exchange, orderid)
    # Order rows show prices with two decimals (a ₹0.0025 currency tick is rounded there).
    assert (at_broker.order_type.lower(), at_broker.price) == (
        "limit", limit.quantize(Decimal("0.01")))
    assert row["broker_price"] == float(at_broker.price)
    assert (at_broker.user_remark or "").startswith("ad")  # the journal's tag
    assert row["average_price"] > 0 and row["filled_quantity"] == row["quantity"]
    return row


def test_market_buy_on_nse_goes_as_aggressive_limit_and_fills(desk: Desk) -> None:
    symbol = desk.client.symbol(symbol="SBIN", exchange="NSE")["data"]
    held = position(desk, "SBIN", "NSE", "CNC")  # the test runs once with each client
    answer = desk.client.placeorder(strategy="place-test", symbol="SBIN", action="BUY",
                                    exchange="NSE", price_type="MARKET", product="CNC",
                                    quantity=2)
    assert answer["status"] == "success", answer
    row = aggressive_fill(desk, answer["orderid"], "NSE", "cash",
                          Decimal(str(symbol["tick_size"])))
    assert (row["symbol"], row["exchange"], row["action"], row["quantity"], row["product"],
            row["strategy"]) == ("SBIN", "NSE", "BUY", 2, "CNC", "place-test")
    assert position(desk, "SBIN", "NSE", "CNC") == held + 2


def test_limit_order_rests_at_its_price(desk: Desk) -> None:
    ltp = desk.ltp("STABAN", "NSE").ltp
    price = below_market(ltp, Decimal("0.05"))
    answer = desk.client.placeorder(symbol="SBIN", action="BUY", exchange="NSE",
                                    price_type="LIMIT", product="CNC", quantity=3,
                                    price=str(price))
    row = order_of(desk, answer["orderid"])
    assert (row["pricetype"], row["price"], row["order_status"], row["pending_quantity"],
            row["filled_quantity"], row["note"]) == ("LIMIT", float(price), "open", 3, 0, "")
    at_broker = sim_order(desk, "NSE", answer["orderid"])
    assert (at_broker.order_type, at_broker.price, at_broker.quantity) == ("Limit", price, 3)


def test_sl_buy_waits_as_trigger_pending(desk: Desk) -> None:
    ltp = desk.ltp("STABAN", "NSE").ltp
    trigger = below_market(ltp, Decimal("0.05"), "1.08")
    price = trigger + Decimal("1.00")
    answer = desk.client.placeorder(symbol="SBIN", action="BUY", exchange="NSE",
                                    price_type="SL", product="CNC", quantity=1,
                                    price=str(price), trigger_price=str(trigger))
    row = order_of(desk, answer["orderid"])
    assert (row["pricetype"], row["order_status"], row["price"], row["trigger_price"]) == (
        "SL", "trigger pending", float(price), float(trigger))
    at_broker = sim_order(desk, "NSE", answer["orderid"])
    assert (at_broker.order_type, at_broker.stoploss, at_broker.price) == (
        "StopLoss", trigger, price)


def test_sl_m_sell_gets_a_protective_limit_from_its_trigger(desk: Desk) -> None:
    ltp = desk.ltp("ITC", "NSE").ltp  # the account holds ITC shares
    tick = Decimal(str(desk.client.symbol(symbol="ITC", exchange="NSE")["data"]["tick_size"]))
    trigger = below_market(ltp, tick, "0.92")
    answer = desk.client.placeorder(symbol="ITC", action="SELL", exchange="NSE",
                                    price_type="SL-M", product="CNC", quantity=5,
                                    trigger_price=str(trigger))
    assert answer["status"] == "success", answer
    row = order_of(desk, answer["orderid"])
    limit = expected_limit("SELL", trigger, "cash", tick)
    assert (row["pricetype"], row["order_status"], row["price"], row["trigger_price"]) == (
        "SL-M", "trigger pending", 0.0, float(trigger))
    assert row["note"].startswith(f"SL-M sent as stop-loss limit {limit}")
    at_broker = sim_order(desk, "NSE", answer["orderid"])
    assert (at_broker.order_type, at_broker.stoploss, at_broker.price) == (
        "StopLoss", trigger, limit)


def test_bse_equity(desk: Desk) -> None:
    answer = desk.client.placeorder(symbol="RELIANCE", action="BUY", exchange="BSE",
                                    price_type="MARKET", product="CNC", quantity=1)
    assert answer["status"] == "success", answer
    tick = Decimal(str(desk.client.symbol(symbol="RELIANCE", exchange="BSE")["data"]
                       ["tick_size"]))
    row = aggressive_fill(desk, answer["orderid"], "BSE", "cash", tick)
    assert (row["symbol"], row["exchange"]) == ("RELIANCE", "BSE")
    assert "B" in answer["orderid"]  # a BSE cash order id at ICICI


def test_nfo_future_nrml_and_lot_size(desk: Desk) -> None:
    fut = future(desk, "NFO", "NIFTY")
    lot = fut["lotsize"]
    held = position(desk, fut["symbol"], "NFO", "NRML")
    wrong = desk.client.placeorder(symbol=fut["symbol"], action="BUY", exchange="NFO",
                                   price_type="MARKET", product="NRML", quantity=lot + 1)
    assert wrong["status"] == "error" and f"lot size {lot}" in wrong["message"], wrong
    answer = desk.client.placeorder(symbol=fut["symbol"], action="BUY", exchange="NFO",
                                    price_type="MARKET", product="NRML", quantity=lot)
    assert answer["status"] == "success", answer
    row = aggressive_fill(desk, answer["orderid"], "NFO", "futures",
                          Decimal(str(fut["tick_size"])))
    assert (row["symbol"], row["product"], row["quantity"]) == (fut["symbol"], "NRML", lot)
    assert sim_order(desk, "NFO", answer["orderid"]).product_type == "Futures"
    assert position(desk, fut["symbol"], "NFO", "NRML") == held + lot


def test_nfo_option_market_uses_the_options_rule(desk: Desk) -> None:
    fut = future(desk, "NFO", "NIFTY")
    spot = desk.ltp("NIFTY", "NFO", product_type="futures",
                    expiry_date=fut["expiry"], right="others").ltp
    opt = option(desk, "NFO", "NIFTY", "CE", spot)
    answer = desk.client.placeorder(symbol=opt["symbol"], action="BUY", exchange="NFO",
                                    price_type="MARKET", product="NRML",
                                    quantity=opt["lotsize"])
    assert answer["status"] == "success", answer
    row = aggressive_fill(desk, answer["orderid"], "NFO", "options",
                          Decimal(str(opt["tick_size"])))
    assert row["symbol"] == opt["symbol"]
    at_broker = sim_order(desk, "NFO", answer["orderid"])
    assert (at_broker.product_type, at_broker.right, at_broker.strike_price) == (
        "Options", "Call", Decimal(str(opt["strike"])))


def test_nfo_future_mis_is_carried_as_futures_and_shown_as_mis(desk: Desk) -> None:
    fut = future(desk, "NFO", "BANKNIFTY")
    held = position(desk, fut["symbol"], "NFO", "MIS")
    answer = desk.client.placeorder(symbol=fut["symbol"], action="SELL", exchange="NFO",
                                    price_type="MARKET", product="MIS",
                                    quantity=fut["lotsize"])
    assert answer["status"] == "success", answer
    row = aggressive_fill(desk, answer["orderid"], "NFO", "futures",
                          Decimal(str(fut["tick_size"])), side="SELL")
    assert row["product"] == "MIS"
    assert sim_order(desk, "NFO", answer["orderid"]).product_type == "Futures"
    assert position(desk, fut["symbol"], "NFO", "MIS") == held - fut["lotsize"]


def test_bfo_future_limit(desk: Desk) -> None:
    fut = future(desk, "BFO", "SENSEX")
    tick = Decimal(str(fut["tick_size"]))
    ltp = desk.ltp("BSESEN", "BFO", product_type="futures", expiry_date=fut["expiry"],
                   right="others").ltp
    price = below_market(ltp, tick, "0.95")
    answer = desk.client.placeorder(symbol=fut["symbol"], action="BUY", exchange="BFO",
                                    price_type="LIMIT", product="NRML",
                                    quantity=fut["lotsize"], price=str(price))
    assert answer["status"] == "success", answer
    row = order_of(desk, answer["orderid"])
    assert (row["exchange"], row["order_status"], row["price"]) == ("BFO", "open", float(price))
    assert sim_order(desk, "BFO", answer["orderid"]).price == price


@pytest.mark.parametrize(("exchange", "name", "segment", "stock_code"),
                         [("MCX", "CRUDEOIL", "Commodity", "CRUDEOIL"),
                          ("CDS", "USDINR", "Currency", "USDINR")])
def test_commodity_and_currency_futures(desk: Desk, exchange: str, name: str, segment: str,
                                        stock_code: str) -> None:
    # The simulated account starts with nothing allocated to these segments.
    desk.direct(lambda c: c.set_funds("credit", "1000000", segment))
    fut = future(desk, exchange, name)
    breeze_exchange = "NDX" if exchange == "CDS" else exchange
    answer = desk.client.placeorder(symbol=fut["symbol"], action="BUY", exchange=exchange,
                                    price_type="MARKET", product="NRML",
                                    quantity=fut["lotsize"])
    assert answer["status"] == "success", answer
    row = aggressive_fill(desk, answer["orderid"], breeze_exchange, "futures",
                          Decimal(str(fut["tick_size"])))
    assert (row["symbol"], row["exchange"], row["quantity"]) == (
        fut["symbol"], exchange, fut["lotsize"])
    assert sim_order(desk, breeze_exchange, answer["orderid"]).stock_code == stock_code


def test_broker_rejection_comes_back_with_the_brokers_words(desk: Desk) -> None:
    # A cash sell needs shares in the demat account; the account holds no TCS.
    answer = desk.post("placeorder", {"strategy": "x", "symbol": "TCS", "exchange": "NSE",
                                      "action": "SELL", "pricetype": "MARKET",
                                      "product": "CNC", "quantity": "1"})
    assert answer.status_code == 400, answer.text
    assert "Insufficient holdings" in answer.json()["message"]
    book = desk.client.orderbook()["data"]["orders"]
    assert not any(r["symbol"] == "TCS" for r in book)  # nothing reached the book
