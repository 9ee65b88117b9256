"""The simulated exchange over the wire: matching, partial fills, IOC, stop-loss
triggers, day expiry, and books that agree with each other."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from datetime import time as dt_time
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import IST, SimulatorProcess, ist_today
from tests.simulator.test_protocol import RawBreeze


@pytest.fixture
def raw(simulator: SimulatorProcess) -> RawBreeze:
    return RawBreeze(simulator)


def success(answer: Any) -> Any:
    body = answer.json()
    assert body["Status"] == 200, body
    return body["Success"]


def quote(raw: RawBreeze, code: str, exchange: str = "NSE") -> dict[str, Any]:
    rows = success(raw.call("GET", "quotes", {"stock_code": code, "exchange_code": exchange,
                                              "product_type": "cash"}))
    return rows[0] if exchange == "NSE" else rows[1]


def order(raw: RawBreeze, exchange: str, order_id: str) -> dict[str, Any]:
    return success(raw.call("GET", "order", {"exchange_code": exchange,
                                             "order_id": order_id}))[0]


def place(raw: RawBreeze, **fields: str) -> str:
    payload = {"stock_code": "ITC", "exchange_code": "NSE", "product": "cash",
               "action": "buy", "order_type": "limit", "quantity": "1", "price": "",
               "validity": "day", **fields}
    return success(raw.call("POST", "order", payload))["order_id"]


def tick_round(value: float) -> str:
    """Whole rupees sit on every equity tick grid (0.01 to 1)."""
    return f"{round(value):.2f}"


def test_large_order_fills_partially_then_completes_over_time(raw: RawBreeze) -> None:
    success(raw.call("POST", "funds", {"transaction_type": "credit", "amount": "4000000",
                                       "segment": "Equity"}))
    book = quote(raw, "ITC")
    size = int(book["best_offer_quantity"]) * 3  # more than the top of the book offers
    order_id = place(raw, stock_code="ITC", quantity=str(size),
                     price=tick_round(book["ltp"] * 1.05))
    first = order(raw, "NSE", order_id)
    assert first["status"] in ("Partially Executed", "Executed")
    deadline = time.monotonic() + 20
    row = first
    while row["status"] != "Executed" and time.monotonic() < deadline:
        time.sleep(0.5)
        row = order(raw, "NSE", order_id)
    assert row["status"] == "Executed" and row["pending_quantity"] == "0"
    fills = success(raw.call("GET", "trades", {"exchange_code": "NSE", "order_id": order_id}))
    assert sum(int(f["executed_quantity"]) for f in fills) == size
    assert len(fills) > 1  # it took more than one fill
    average = sum(Decimal(f["execution_price"]) * int(f["executed_quantity"])
                  for f in fills) / size
    assert Decimal(row["average_price"]) == average.quantize(Decimal("0.01"))


def test_ioc_away_from_market_is_cancelled_at_once(raw: RawBreeze) -> None:
    book = quote(raw, "ITC")
    order_id = place(raw, price=tick_round(book["ltp"] * 0.9), validity="ioc")
    row = order(raw, "NSE", order_id)
    assert row["status"] == "Cancelled" and row["validity"] == "IoC"
    assert row["cancelled_quantity"] == "1"


def test_stoploss_buy_triggers_when_price_rises_through(raw: RawBreeze) -> None:
    # The walk below stays within one IST day (a day order expires with it): it starts
    # at the next 09:30 IST, whatever the hour the test runs, and ends by 23:30.
    now = datetime.now(IST)
    start = datetime.combine(now.date(), dt_time(9, 30), IST)
    if start <= now:
        start += timedelta(days=1)
    morning = (start - now).total_seconds()
    raw.move_clock(morning)
    book = quote(raw, "INFTEC")
    trigger = Decimal(tick_round(book["ltp"] + 1))
    order_id = place(raw, stock_code="INFTEC", order_type="stoploss",
                     stoploss=str(trigger), price=str(trigger + 50))
    assert order(raw, "NSE", order_id)["status"] == "Ordered"
    # Walk the clock forward until the price path crosses the trigger.
    for half_hours in range(1, 29):
        raw.move_clock(morning + half_hours * 1800)
        row = order(raw, "NSE", order_id)
        if row["status"] != "Ordered":
            break
    assert row["status"] in ("Executed", "Partially Executed")
    assert Decimal(row["average_price"]) >= trigger - Decimal("0.05")


def test_stoploss_on_the_wrong_side_is_refused(raw: RawBreeze) -> None:
    book = quote(raw, "ITC")
    answer = raw.call("POST", "order", {
        "stock_code": "ITC", "exchange_code": "NSE", "product": "cash", "action": "buy",
        "order_type": "stoploss", "quantity": "1", "stoploss": tick_round(book["ltp"] * 0.9),
        "price": tick_round(book["ltp"] * 0.91), "validity": "day"}).json()
    assert answer["Status"] == 500
    assert "cannot be less than last traded price" in answer["Error"]


def test_day_order_expires_with_its_day(raw: RawBreeze) -> None:
    book = quote(raw, "ITC")
    order_id = place(raw, price=tick_round(book["ltp"] * 0.85))
    raw.move_clock(86400)
    row = order(raw, "NSE", order_id)
    assert row["status"] == "Expired"


def test_cash_sell_needs_holdings_and_moves_demat(raw: RawBreeze) -> None:
    holdings = {row["stock_code"]: int(row["quantity"])
                for row in success(raw.call("GET", "dematholdings"))}
    owned = holdings["INFTEC"]
    book = quote(raw, "INFTEC")
    too_many = raw.call("POST", "order", {
        "stock_code": "INFTEC", "exchange_code": "NSE", "product": "cash", "action": "sell",
        "order_type": "limit", "quantity": str(owned + 1000),
        "price": tick_round(book["ltp"]), "validity": "day"}).json()
    assert "Insufficient holdings" in too_many["Error"]
    funds_before = success(raw.call("GET", "funds"))["allocated_equity"]
    order_id = place(raw, stock_code="INFTEC", action="sell", quantity="2",
                     price=tick_round(book["ltp"] * 0.97))
    row = order(raw, "NSE", order_id)
    assert row["status"] == "Executed"
    after = {row["stock_code"]: int(row["quantity"])
             for row in success(raw.call("GET", "dematholdings"))}
    assert after.get("INFTEC", 0) == owned - 2
    funds_after = success(raw.call("GET", "funds"))["allocated_equity"]
    proceeds = float(row["average_price"]) * 2
    assert funds_after == pytest.approx(funds_before + proceeds, abs=0.05)


def test_bse_listing_quotes_and_orders(raw: RawBreeze) -> None:
    rows = success(raw.call("GET", "quotes", {"stock_code": "RELIND", "exchange_code": "BSE",
                                              "product_type": "cash"}))
    assert [r["exchange_code"] for r in rows] == ["NSE", "BSE"]
    bse = rows[1]
    order_id = place(raw, stock_code="RELIND", exchange_code="BSE",
                     price=tick_round(bse["ltp"] * 1.02))
    assert order_id[8] == "B"  # BSE equity ids carry a B where NSE's carry an N
    assert order(raw, "BSE", order_id)["exchange_code"] == "BSE"


def test_index_quote_has_no_bse_row(raw: RawBreeze) -> None:
    rows = success(raw.call("GET", "quotes", {"stock_code": "NIFTY", "exchange_code": "NSE",
                                              "product_type": "cash"}))
    assert rows[0]["exchange_code"] == "NSE" and rows[0]["ltp"] > 10000
    assert rows[1]["exchange_code"] == "NA" and rows[1]["ltp"] == 0.0


def test_futures_chain_and_history_over_a_range(raw: RawBreeze) -> None:
    futures = success(raw.call("GET", "optionchain", {
        "stock_code": "NIFTY", "exchange_code": "NFO", "product_type": "futures"}))
    assert len(futures) >= 2
    assert {f["product_type"] for f in futures} == {"Futures"}
    expiry = futures[0]["expiry_date"]
    # Yesterday (IST): a whole day of candles, whatever the hour (today may be seconds old).
    day = (ist_today() - timedelta(days=1)).strftime("%Y-%m-%d")
    candles = success(raw.call("GET", "historicalcharts", {
        "interval": "5minute", "from_date": f"{day}T00:00:00.000Z",
        "to_date": f"{day}T23:59:59.000Z", "stock_code": "NIFTY", "exchange_code": "NFO",
        "product_type": "futures", "expiry_date": expiry, "right": "others",
        "strike_price": "0"}))
    assert candles
    assert candles[0]["expiry_date"] == datetime.strptime(expiry, "%d-%b-%Y").strftime(
        "%d-%b-%y").upper()
    assert all(Decimal(c["low"]) <= Decimal(c["close"]) <= Decimal(c["high"]) for c in candles)
    stamps = [c["datetime"] for c in candles]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_funds_allocation_between_segments(raw: RawBreeze) -> None:
    before = success(raw.call("GET", "funds"))
    success(raw.call("POST", "funds", {"transaction_type": "credit", "amount": "1000",
                                       "segment": "Commodity"}))
    after = success(raw.call("GET", "funds"))
    assert after["allocated_commodity"] == before["allocated_commodity"] + 1000
    assert float(after["unallocated_balance"]) == float(before["unallocated_balance"]) - 1000
    too_much = raw.call("POST", "funds", {"transaction_type": "credit",
                                          "amount": "999999999999", "segment": "FNO"}).json()
    assert too_much["Error"] == "Wallet Amount is not sufficient to allocate "
    bad = raw.call("POST", "funds", {"transaction_type": "credit", "amount": "1e3",
                                     "segment": "FNO"}).json()
    assert bad["Error"] == "Amount should only contain digits"
