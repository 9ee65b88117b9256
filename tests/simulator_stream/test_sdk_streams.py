"""ICICI's official `breeze-connect` SDK, unmodified, on the simulator's socket.io streams.

The SDK's stream hosts are pointed at the simulator (as in tests/simulator/
test_breeze_sdk.py); its ws_connect / subscribe_feeds / unsubscribe_feeds /
ws_disconnect and its array parsing do the rest. Its `on_ticks` callback runs on the
socket.io client's thread, hence the Collector.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pytest

from tests.conftest import SimulatorProcess
from tests.simulator.test_breeze_sdk import nearest_nifty_future, ok
from tests.simulator_stream.streamkit import RELIND, Collector, stream_state, symbol, wait_until

pytestmark = pytest.mark.timeout(120)

RELIND_DEPTH = "4.2!2885"


def _snapshot(tick: dict[str, Any]) -> tuple[float, ...]:
    return tuple(float(tick[k]) for k in ("last", "bPrice", "sPrice", "open", "high", "low",
                                          "close"))


def _rest_snapshot(row: dict[str, Any]) -> tuple[float, ...]:
    return tuple(float(row[k]) for k in ("ltp", "best_bid_price", "best_offer_price", "open",
                                         "high", "low", "previous_close"))


def _assert_matches_rest(ticks: Collector, name: str, rest: Any) -> None:
    """A REST quote taken between two ticks equals one of them: the simulated instant
    of the call falls in the second of the tick before or of the tick after."""
    before = ticks.wait_for(symbol(name))[-1]
    called = time.monotonic()
    row = ok(rest())[0]
    after = ticks.wait_for(symbol(name), since=called)[0]
    assert _rest_snapshot(row) in (_snapshot(before), _snapshot(after)), (row, before, after)


def test_quote_ticks_by_token_equal_rest_quotes(breeze: Any, ticks: Collector) -> None:
    answer = breeze.subscribe_feeds(stock_token=RELIND)
    assert "subscribed" in answer["message"].lower()
    first = ticks.wait_for(symbol(RELIND))[0]
    assert first["exchange"] == "NSE Equity"  # the SDK tells NSE from NFO by the length
    assert first["stock_name"]  # looked up by the SDK in the SecurityMaster we served
    assert float(first["bPrice"]) < float(first["sPrice"])
    assert first["trend"] in ("", "+", "-") and first["ttv"][-1] in "CL"
    for _ in range(3):
        _assert_matches_rest(ticks, RELIND, lambda: breeze.get_quotes(
            stock_code="RELIND", exchange_code="NSE", product_type="cash", expiry_date="",
            right="", strike_price=""))


def test_quotes_and_depth_by_stock_code(breeze: Any, ticks: Collector) -> None:
    breeze.subscribe_feeds(exchange_code="NSE", stock_code="RELIND", product_type="cash",
                           get_exchange_quotes=True, get_market_depth=True)
    quote = ticks.wait_for(symbol(RELIND))[0]
    depth = ticks.wait_for(symbol(RELIND_DEPTH))[0]
    assert quote["quotes"] == "Quotes Data" and depth["quotes"] == "Market Depth"
    levels = depth["depth"]
    assert len(levels) == 5
    bids = [level[f"BestBuyRate-{n}"] for n, level in enumerate(levels, 1)]
    asks = [level[f"BestSellRate-{n}"] for n, level in enumerate(levels, 1)]
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks)
    assert bids[0] < asks[0]
    assert all(level[f"BestBuyQty-{n}"] > 0 for n, level in enumerate(levels, 1))


def test_future_ticks_carry_open_interest_and_equal_rest(breeze: Any, ticks: Collector) -> None:
    expiry = f"{nearest_nifty_future(breeze):%d-%b-%Y}"
    breeze.subscribe_feeds(exchange_code="NFO", stock_code="NIFTY", product_type="futures",
                           expiry_date=expiry, get_exchange_quotes=True,
                           get_market_depth=False)
    first = ticks.wait_for(lambda t: t.get("exchange") == "NSE Futures & Options")[0]
    name = first["symbol"]
    assert name.startswith("4.1!") and int(first["OI"]) > 0
    assert first["product_type"] == "Futures"
    _assert_matches_rest(ticks, name, lambda: breeze.get_quotes(
        stock_code="NIFTY", exchange_code="NFO", product_type="futures",
        expiry_date=f"{datetime.strptime(expiry, '%d-%b-%Y'):%Y-%m-%d}T06:00:00.000Z",
        right="others", strike_price="0"))


def test_unsubscribe_stops_delivery(breeze: Any, ticks: Collector) -> None:
    other = "4.1!NIFTY 50"
    breeze.subscribe_feeds(stock_token=RELIND)
    breeze.subscribe_feeds(stock_token=other)
    ticks.wait_for(symbol(RELIND))
    ticks.wait_for(symbol(other))
    breeze.unsubscribe_feeds(stock_token=RELIND)
    time.sleep(1.0)  # what was already on the wire
    quiet_from = time.monotonic()
    ticks.wait_for(symbol(other), since=quiet_from, count=3, timeout=10)
    assert ticks.items(symbol(RELIND), since=quiet_from) == []


def _order_events(ticks: Collector, order_id: str) -> Any:
    return lambda item: item.get("orderReference") == order_id


def test_order_notifications_for_every_state_change(breeze: Any, ticks: Collector) -> None:
    breeze.subscribe_feeds(get_order_notification=True)
    ltp = ok(breeze.get_quotes(stock_code="RELIND", exchange_code="NSE", product_type="cash",
                               expiry_date="", right="", strike_price=""))[0]["ltp"]
    low, lower = f"{round(ltp * 0.9, 1):.2f}", f"{round(ltp * 0.89, 1):.2f}"
    resting = ok(breeze.place_order(stock_code="RELIND", exchange_code="NSE", product="cash",
                                    action="buy", order_type="limit", quantity="2", price=low,
                                    validity="day"))["order_id"]
    ok(breeze.modify_order(order_id=resting, exchange_code="NSE", order_type="limit",
                           stoploss="", quantity="3", price=lower, validity="day",
                           disclosed_quantity="", validity_date=""))
    ok(breeze.cancel_order(exchange_code="NSE", order_id=resting))
    events = ticks.wait_for(_order_events(ticks, resting), count=3)
    assert [e["orderStatus"] for e in events] == ["Ordered", "Ordered", "Cancelled"]
    assert [e["orderQuantity"] for e in events] == ["2", "3", "3"]
    assert float(events[1]["orderLimitRate"]) == float(lower)
    assert events[2]["cancelledQuantity"] == "3"
    head = events[0]
    assert (head["userId"], head["messageType"], head["orderExchangeCode"]) == (
        breeze.user_id, "4", "NSE")
    assert (head["stockCode"], head["orderFlow"], head["productType"]) == (
        "RELIND", "Buy", "Cash")

    high = f"{round(ltp * 1.02, 1):.2f}"
    filled = ok(breeze.place_order(stock_code="RELIND", exchange_code="NSE", product="cash",
                                   action="buy", order_type="limit", quantity="1", price=high,
                                   validity="day"))["order_id"]
    done = ticks.wait_for(lambda e: _order_events(ticks, filled)(e)
                          and e["orderStatus"] == "Executed")[0]
    assert done["orderExecutedQuantity"] == "1" and float(done["averageExecutedRate"]) > 0
    assert [e["orderStatus"] for e in ticks.items(_order_events(ticks, filled))] == [
        "Ordered", "Executed"]
    detail = ok(breeze.get_order_detail("NSE", filled))[0]
    assert float(done["averageExecutedRate"]) == float(detail["average_price"])


def test_future_order_notifications_use_the_derivative_layout(
        breeze: Any, ticks: Collector) -> None:
    breeze.subscribe_feeds(get_order_notification=True)
    expiry = nearest_nifty_future(breeze)
    expiry_iso = f"{expiry:%Y-%m-%d}T06:00:00.000Z"
    ltp = ok(breeze.get_quotes(stock_code="NIFTY", exchange_code="NFO", product_type="futures",
                               expiry_date=expiry_iso, right="others",
                               strike_price="0"))[0]["ltp"]
    price = f"{round(ltp * 1.05):.2f}"  # a sell resting above the market; whole rupees
    order_id = ok(breeze.place_order(stock_code="NIFTY", exchange_code="NFO",
                                     product="futures", action="sell", order_type="limit",
                                     quantity="65", price=price, validity="day",
                                     expiry_date=expiry_iso, right="others",
                                     strike_price="0"))["order_id"]
    ok(breeze.cancel_order(exchange_code="NFO", order_id=order_id))
    events = ticks.wait_for(_order_events(ticks, order_id), count=2)
    assert [e["orderStatus"] for e in events] == ["Ordered", "Cancelled"]
    first = events[0]
    assert (first["messageType"], first["orderExchangeCode"], first["productType"]) == (
        "6", "NFO", "Futures")
    assert first["expiryDate"] == f"{expiry:%d-%b-%Y}"
    # Derivative notifications carry prices in paise, as ICICI's do.
    assert int(first["limitRate"]) == round(float(price) * 100)
    assert (first["orderFlow"], first["orderTotalQuantity"]) == ("Sell", "65")


def test_a_fired_gtt_leg_s_child_order_reaches_the_sdk_as_an_order_notification(
        breeze: Any, ticks: Collector, simulator: SimulatorProcess) -> None:
    breeze.subscribe_feeds(get_order_notification=True)
    expiry = nearest_nifty_future(breeze)
    expiry_iso = f"{expiry:%Y-%m-%d}T06:00:00.00Z"
    ltp = ok(breeze.get_quotes(stock_code="NIFTY", exchange_code="NFO", product_type="futures",
                               expiry_date=expiry_iso, right="others",
                               strike_price="0"))[0]["ltp"]
    # A buy stoploss fires at a price at or above its trigger: one below the price fires
    # at the next second's check. Whole rupees sit on the futures' tick grid.
    gtt_id = ok(breeze.gtt_three_leg_place_order(
        exchange_code="NFO", stock_code="NIFTY", product="futures", quantity="65",
        expiry_date=expiry_iso, right="others", strike_price="0", gtt_type="oco",
        index_or_stock="index", trade_date="", order_details=[
            {"gtt_leg_type": "target", "action": "buy", "limit_price": f"{round(ltp * 0.8)}",
             "trigger_price": f"{round(ltp * 0.8)}"},
            {"gtt_leg_type": "stoploss", "action": "buy", "limit_price": f"{round(ltp * 0.9)}",
             "trigger_price": f"{round(ltp * 0.95)}"}]))["gtt_order_id"]

    def child_id() -> str | None:
        gtt = next(g for g in simulator.admin("state")["gtts"] if g["gtt_order_id"] == gtt_id)
        return next(leg["child_order_id"] for leg in gtt["legs"]
                    if leg["leg_type"] == "stoploss")

    wait_until(lambda: child_id() is not None, 10, "the stoploss leg firing")
    child = child_id()
    first = ticks.wait_for(_order_events(ticks, child))[0]
    assert (first["orderStatus"], first["orderFlow"], first["productType"]) == (
        "Ordered", "Buy", "Futures")
    assert int(first["limitRate"]) == round(ltp * 0.9) * 100  # paise, as ICICI's
    ok(breeze.cancel_order(exchange_code="NFO", order_id=child))


def test_ohlcv_stream_candles_equal_history(breeze: Any, ticks: Collector) -> None:
    breeze.subscribe_feeds(stock_token=RELIND, interval="1second")
    candles = ticks.wait_for(lambda c: c.get("interval") == "1second", count=3)
    fmt = "%Y-%m-%dT%H:%M:%S.000Z"
    for candle in candles:
        assert (candle["exchange_code"], candle["stock_code"]) == ("NSE", "RELIND")
        at = datetime.strptime(candle["datetime"], "%Y-%m-%d %H:%M:%S")
        rows = ok(breeze.get_historical_data_v2(
            interval="1second", from_date=at.strftime(fmt), to_date=at.strftime(fmt),
            stock_code="RELIND", exchange_code="NSE", product_type="cash"))
        row = next(r for r in rows if r["datetime"] == candle["datetime"])
        assert [float(candle[k]) for k in ("low", "high", "open", "close")] == [
            row["low"], row["high"], row["open"], row["close"]]
        assert int(candle["volume"]) == row["volume"]
    breeze.unsubscribe_feeds(stock_token=RELIND, interval="1second")
    time.sleep(0.5)
    quiet_from = time.monotonic()
    time.sleep(2.5)
    assert ticks.items(lambda c: c.get("interval") == "1second", since=quiet_from) == []


def test_ws_disconnect_closes_the_sockets(breeze: Any, simulator: SimulatorProcess) -> None:
    collector = Collector()
    breeze.on_ticks = collector
    breeze.ws_connect()
    breeze.subscribe_feeds(stock_token=RELIND)
    breeze.subscribe_feeds(get_order_notification=True)
    collector.wait_for(symbol(RELIND))
    assert stream_state(simulator)["connections"] == 2
    answers = breeze.ws_disconnect()
    assert {"message": "Rate Refresh disconnected."} in answers or len(answers) == 3
    wait_until(lambda: stream_state(simulator)["connections"] == 0, 10, "sockets closed")
    time.sleep(0.3)
    quiet_from = time.monotonic()
    time.sleep(2.0)
    assert collector.items(since=quiet_from) == []


def test_partial_fill_notifications(breeze: Any, ticks: Collector) -> None:
    """A buy at the best offer for more than rests there fills that level only; what is
    left either fills later or is cancelled: each step is its own notification."""
    breeze.subscribe_feeds(get_order_notification=True)
    for _ in range(5):  # the book can move between the quote and the order
        row = ok(breeze.get_quotes(stock_code="RELIND", exchange_code="NSE",
                                   product_type="cash", expiry_date="", right="",
                                   strike_price=""))[0]
        resting = int(row["best_offer_quantity"])
        order_id = ok(breeze.place_order(
            stock_code="RELIND", exchange_code="NSE", product="cash", action="buy",
            order_type="limit", quantity=str(resting + 5),
            price=f"{row['best_offer_price']:.2f}", validity="day"))["order_id"]
        breeze.cancel_order(exchange_code="NSE", order_id=order_id)  # may be filled by now
        ticks.wait_for(lambda e, o=order_id: e.get("orderReference") == o and e[
            "orderStatus"] in ("Executed", "Partially Executed And Cancelled", "Cancelled"))
        statuses = [e["orderStatus"] for e in ticks.items(
            lambda e, o=order_id: e.get("orderReference") == o)]
        if "Partially Executed" in statuses:
            break
    else:
        pytest.fail("no order was partly filled in five tries")
    assert statuses[0] == "Ordered" and statuses[1] == "Partially Executed", statuses
    assert statuses[-1] in ("Executed", "Partially Executed And Cancelled"), statuses
    partial = next(e for e in ticks.items(lambda e: e.get("orderReference") == order_id)
                   if e["orderStatus"] == "Partially Executed")
    assert 0 < int(partial["orderExecutedQuantity"]) < resting + 5
