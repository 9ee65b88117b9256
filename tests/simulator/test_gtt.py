"""GTT orders (`gttorder`, reference §5.23) on the simulator over raw HTTP: place,
modify, cancel and the book as ICICI spells them; Breeze-style refusals; triggers on the
simulator's price process placing child orders that stream like any order."""

from __future__ import annotations

import base64
import datetime as dt
import re
import time
from decimal import Decimal
from typing import Any

import httpx
import pytest
import socketio

from tests.conftest import IST, SimulatorProcess, ist_today
from tests.simulator.test_protocol import RawBreeze
from tests.simulator_stream.streamkit import Collector

pytestmark = pytest.mark.timeout(180)

ROW_KEYS = ["order_details", "exchange_code", "product_type", "stock_code", "expiry_date",
            "strike_price", "right", "quantity", "index_or_stock", "gtt_type",
            "fresh_order_id", "order_datetime"]
LEG_KEYS = ["gtt_leg_type", "action", "trigger_price", "limit_price", "status",
            "gtt_order_id"]


@pytest.fixture
def raw(simulator: SimulatorProcess) -> RawBreeze:
    return RawBreeze(simulator)


def success(answer: Any) -> Any:
    assert answer.status_code == 200
    body = answer.json()
    assert body["Status"] == 200 and body["Error"] is None, body
    return body["Success"]


def refusal(answer: Any) -> str:
    assert answer.status_code == 200
    body = answer.json()
    assert body["Status"] == 500 and body["Success"] is None, body
    return body["Error"]


def ticks(value: float) -> str:
    """A price on the options' 0.05 grid."""
    return f"{round(value * 20) / 20:.2f}"


def nifty_call(raw: RawBreeze) -> dict[str, Any]:
    """An at-the-money NIFTY call of the second expiry (a test that moves the clock a
    few hours never outlives it), with its quote."""
    spot = success(raw.call("GET", "quotes", {"stock_code": "NIFTY", "exchange_code": "NSE",
                                              "product_type": "cash"}))[0]["ltp"]
    strike = round(spot / 50) * 50
    rows = success(raw.call("GET", "optionchain", {
        "stock_code": "NIFTY", "exchange_code": "NFO", "product_type": "options",
        "right": "call", "strike_price": str(strike)}))
    expiries = sorted({row["expiry_date"] for row in rows},
                      key=lambda d: time.strptime(d, "%d-%b-%Y"))
    return next(row for row in rows if row["expiry_date"] == expiries[1])


def option_ltp(raw: RawBreeze, call: dict[str, Any]) -> float:
    return success(raw.call("GET", "quotes", contract(call, product_type="options")))[0]["ltp"]


def contract(call: dict[str, Any], **extra: str) -> dict[str, str]:
    return {"exchange_code": "NFO", "stock_code": "NIFTY", "expiry_date": call["expiry_date"],
            "right": "call", "strike_price": str(int(call["strike_price"])), **extra}


def gtt_body(call: dict[str, Any], gtt_type: str, legs: list[dict[str, str]],
             **extra: str) -> dict[str, Any]:
    return {**contract(call), "product": "options", "quantity": "65", "gtt_type": gtt_type,
            "index_or_stock": "index", "trade_date": f"{ist_today():%Y-%m-%d}T06:00:00.00Z",
            **extra, "order_details": legs}


def book(raw: RawBreeze) -> list[dict[str, Any]]:
    day = f"{ist_today():%Y-%m-%d}T06:00:00.000Z"
    return success(raw.call("GET", "gttorder", {"exchange_code": "NFO", "from_date": day,
                                                "to_date": day}))


def row_of(raw: RawBreeze, gtt_order_id: str) -> dict[str, Any]:
    rows = [r for r in book(raw) if r["order_details"][0]["gtt_order_id"] == gtt_order_id]
    assert len(rows) == 1
    return rows[0]


def statuses(row: dict[str, Any]) -> dict[str | None, str]:
    return {leg["gtt_leg_type"]: leg["status"] for leg in row["order_details"]}


def admin_gtt(sim: SimulatorProcess, gtt_order_id: str) -> dict[str, Any]:
    return next(g for g in sim.admin("state")["gtts"] if g["gtt_order_id"] == gtt_order_id)


def wait_for(condition: Any, what: str, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what} not seen within {timeout}s"
        time.sleep(0.2)


def test_single_gtt_place_book_modify_cancel(raw: RawBreeze) -> None:
    call = nifty_call(raw)
    ltp = option_ltp(raw, call)
    trigger, limit = ticks(ltp * 0.5), ticks(ltp * 0.45)
    placed = success(raw.call("POST", "gttorder", gtt_body(call, "single", [
        {"action": "sell", "limit_price": limit, "trigger_price": trigger}])))
    assert list(placed) == ["gtt_order_id", "message"]
    assert placed["message"] == "Your GTT Order Request Placed Successfully"
    gtt_id = placed["gtt_order_id"]
    assert re.fullmatch(rf"{ist_today():%Y%m%d}\d{{8}}", gtt_id)

    row = row_of(raw, gtt_id)
    assert list(row) == ROW_KEYS
    assert list(row["order_details"][0]) == LEG_KEYS
    assert row["order_details"] == [{
        "gtt_leg_type": None, "action": "Sell", "trigger_price": float(trigger),
        "limit_price": float(limit), "status": "Active", "gtt_order_id": gtt_id}]
    assert (row["exchange_code"], row["product_type"], row["stock_code"]) == (
        "NFO", "Options", "NIFTY")
    assert (row["expiry_date"], row["right"], row["index_or_stock"]) == (
        call["expiry_date"], "Call", "Index")
    assert row["strike_price"] == float(call["strike_price"])
    assert row["quantity"] == 65 and isinstance(row["quantity"], int)
    assert (row["gtt_type"], row["fresh_order_id"]) == ("Single", None)
    assert re.fullmatch(r"\d\d-[A-Z]{3}-\d{4} \d\d:\d\d:\d\d", row["order_datetime"])

    lower = ticks(ltp * 0.4)
    modified = success(raw.call("PUT", "gttorder", {
        "exchange_code": "NFO", "gtt_order_id": gtt_id, "gtt_type": "single",
        "order_details": [{"action": "sell", "limit_price": ticks(ltp * 0.35),
                           "trigger_price": lower}]}))
    assert modified == {"gtt_order_id": gtt_id, "message": "Order Modified Successfully"}
    leg = row_of(raw, gtt_id)["order_details"][0]
    assert (leg["trigger_price"], leg["limit_price"]) == (float(lower),
                                                          float(ticks(ltp * 0.35)))

    cancelled = success(raw.call("DELETE", "gttorder", {"exchange_code": "NFO",
                                                        "gtt_order_id": gtt_id}))
    assert cancelled == {"gtt_order_id": gtt_id, "message":
                         "Your request for order cancellation successfully submitted !"}
    assert statuses(row_of(raw, gtt_id)) == {None: "Cancelled"}
    again = raw.call("DELETE", "gttorder", {"exchange_code": "NFO", "gtt_order_id": gtt_id})
    assert refusal(again) == "GTT order cannot be cancelled as it is Cancelled"


def test_oco_place_modify_and_book(raw: RawBreeze, simulator: SimulatorProcess) -> None:
    call = nifty_call(raw)
    ltp = option_ltp(raw, call)
    # Listed stoploss first: the book still shows the target leg first.
    gtt_id = success(raw.call("POST", "gttorder", gtt_body(call, "oco", [
        {"gtt_leg_type": "stoploss", "action": "sell", "limit_price": ticks(ltp * 0.45),
         "trigger_price": ticks(ltp * 0.5)},
        {"gtt_leg_type": "target", "action": "sell", "limit_price": ticks(ltp * 2.05),
         "trigger_price": ticks(ltp * 2)}])))["gtt_order_id"]
    row = row_of(raw, gtt_id)
    assert row["gtt_type"] == "OCO" and row["fresh_order_id"] is None
    assert [(leg["gtt_leg_type"], leg["action"], leg["trigger_price"], leg["status"])
            for leg in row["order_details"]] == [
        ("Target", "Sell", float(ticks(ltp * 2)), "Active"),
        ("Stoploss", "Sell", float(ticks(ltp * 0.5)), "Active")]

    # One leg changes; the other keeps its prices.
    success(raw.call("PUT", "gttorder", {
        "exchange_code": "NFO", "gtt_order_id": gtt_id, "gtt_type": "oco",
        "order_details": [{"gtt_leg_type": "target", "action": "sell",
                           "limit_price": ticks(ltp * 3.05), "trigger_price": ticks(ltp * 3)}]}))
    legs = {leg["gtt_leg_type"]: leg for leg in row_of(raw, gtt_id)["order_details"]}
    assert legs["Target"]["trigger_price"] == float(ticks(ltp * 3))
    assert legs["Stoploss"]["trigger_price"] == float(ticks(ltp * 0.5))
    listed = admin_gtt(simulator, gtt_id)
    assert listed["status"] == "Active" and listed["gtt_type"] == "oco"
    assert {leg["fires"] for leg in listed["legs"]} == {"at or above", "at or below"}

    success(raw.call("DELETE", "gttorder", {"exchange_code": "NFO", "gtt_order_id": gtt_id}))
    assert statuses(row_of(raw, gtt_id)) == {"Target": "Cancelled", "Stoploss": "Cancelled"}
    simulator.reset()
    assert simulator.admin("state")["gtts"] == []  # a reset clears the GTT book
    # ... but never hands out an id again (a platform may still hold the old one).
    again = success(raw.call("POST", "gttorder", gtt_body(call, "single", [
        {"action": "sell", "limit_price": ticks(ltp * 0.45),
         "trigger_price": ticks(ltp * 0.5)}])))["gtt_order_id"]
    assert again > gtt_id


def _order_socket(raw: RawBreeze, sim: SimulatorProcess) -> tuple[socketio.Client, Collector]:
    user, _, key = base64.b64decode(raw.token).decode().partition(":")
    events = Collector()
    client = socketio.Client(reconnection=False)
    client.on("order", events)
    client.connect(sim.base_url, auth={"user": user, "token": key}, transports="websocket",
                   wait_timeout=5)
    return client, events


def test_oco_stoploss_crossed_places_child_streams_it_and_cancels_target(
        raw: RawBreeze, simulator: SimulatorProcess) -> None:
    call = nifty_call(raw)
    ltp = option_ltp(raw, call)
    client, events = _order_socket(raw, simulator)
    try:
        # A sell stoploss fires at a price at or below its trigger: one far above the
        # price is crossed at the next second's check.
        stop_trigger, stop_limit = ticks(ltp * 1.3), ticks(ltp * 0.8)
        gtt_id = success(raw.call("POST", "gttorder", gtt_body(call, "oco", [
            {"gtt_leg_type": "target", "action": "sell", "limit_price": ticks(ltp * 3),
             "trigger_price": ticks(ltp * 3)},
            {"gtt_leg_type": "stoploss", "action": "sell", "limit_price": stop_limit,
             "trigger_price": stop_trigger}])))["gtt_order_id"]
        row = wait_for(lambda: (r := row_of(raw, gtt_id))
                       and statuses(r)["Stoploss"] != "Active" and r, "the stoploss firing")
        assert statuses(row) == {"Target": "Cancelled", "Stoploss": "Triggered"}

        child_id = next(leg["child_order_id"] for leg in admin_gtt(simulator, gtt_id)["legs"]
                        if leg["leg_type"] == "stoploss")
        child = success(raw.call("GET", "order", {"exchange_code": "NFO",
                                                  "order_id": child_id}))[0]
        assert child["parent_order_id"] == gtt_id  # how a platform links the child
        assert (child["action"], child["order_type"], child["price"], child["quantity"]) == (
            "Sell", "Limit", stop_limit, "65")
        assert (child["product_type"], child["strike_price"]) == (
            "Options", float(call["strike_price"]))
        # The child's notifications on the order stream (derivative layout: the order
        # reference is element 26, the status letter 25).
        frames = events.wait_for(lambda frame: frame[26] == child_id)
        assert frames[0][25] == "O" and frames[0][13] == "NFO"

        # A triggered GTT can be neither modified nor cancelled.
        assert refusal(raw.call("DELETE", "gttorder", {"exchange_code": "NFO",
                                                       "gtt_order_id": gtt_id})) == \
            "GTT order cannot be cancelled as it is Triggered"
    finally:
        client.disconnect()


def test_single_gtt_fires_at_the_first_second_its_trigger_is_reached(
        raw: RawBreeze, simulator: SimulatorProcess) -> None:
    call = nifty_call(raw)
    ltp = option_ltp(raw, call)
    trigger = Decimal(ticks(ltp)) + 3  # above the price: fires at or above
    gtt_id = success(raw.call("POST", "gttorder", gtt_body(call, "single", [
        {"action": "buy", "limit_price": str(trigger + 5), "trigger_price": str(trigger)}],
    )))["gtt_order_id"]
    assert admin_gtt(simulator, gtt_id)["legs"][0]["fires"] == "at or above"
    # Walk the clock forward a minute at a time until the price reaches the trigger.
    for minutes in range(1, 240):
        raw.move_clock(minutes * 60)
        row = row_of(raw, gtt_id)
        if statuses(row)[None] != "Active":
            break
    assert statuses(row) == {None: "Triggered"}
    leg = admin_gtt(simulator, gtt_id)["legs"][0]
    fired = leg["triggered_at"]
    # The price at the firing second (1-second candles: the trade price of that second)
    # reached the trigger, and the second before it had not (it was checked, or it was
    # the second of placement, when the price stood below the trigger).
    candles = _seconds(raw, simulator, call, fired - 1, fired)
    assert [Decimal(str(c["close"])) >= trigger for c in candles] == [False, True]
    child = success(raw.call("GET", "order", {"exchange_code": "NFO",
                                              "order_id": leg["child_order_id"]}))[0]
    assert child["parent_order_id"] == gtt_id and child["action"] == "Buy"


def _seconds(raw: RawBreeze, sim: SimulatorProcess, call: dict[str, Any], first: float,
             last: float) -> list[dict[str, Any]]:
    fmt = "%Y-%m-%dT%H:%M:%S.000Z"
    answer = httpx.get(sim.history_url + "historicalcharts", params={
        "interval": "1second", "exch_code": "NFO", "stock_code": "NIFTY",
        "product_type": "options", "expiry_date": call["expiry_date"], "right": "call",
        "strike_price": str(int(call["strike_price"])),
        "from_date": dt.datetime.fromtimestamp(first, IST).strftime(fmt),
        "to_date": dt.datetime.fromtimestamp(last, IST).strftime(fmt)},
        headers={"X-SessionToken": raw.token, "apikey": sim.app_key}, timeout=10).json()
    assert answer["Status"] == 200, answer
    return answer["Success"]


def _valid_oco(call: dict[str, Any], ltp: float) -> dict[str, Any]:
    return gtt_body(call, "oco", [
        {"gtt_leg_type": "target", "action": "sell", "limit_price": ticks(ltp * 2),
         "trigger_price": ticks(ltp * 2)},
        {"gtt_leg_type": "stoploss", "action": "sell", "limit_price": ticks(ltp * 0.5),
         "trigger_price": ticks(ltp * 0.5)}])


PLACE_REFUSALS = [
    # The SDK's own checks, with its texts, in its order.
    ({"stock_code": ""}, "Stock-Code cannot be empty"),
    ({"exchange_code": ""}, "Exchange-Code cannot be empty"),
    ({"product": ""}, "Product cannot be empty"),
    ({"product": "margin"},
     "Product should be either 'futures', 'options', 'cash', 'btst' or 'mtf'"),
    ({"right": "straddle"}, "Right should be either 'call', 'put', or 'others'"),
    ({"quantity": ""}, "Quantity cannot be empty"),
    ({"expiry_date": ""}, "Expiry-Date cannot be empty for exchange-code 'nfo'"),
    # The server's: what the simulator's GTT takes, and well-formed legs.
    ({"exchange_code": "NSE", "stock_code": "ITC", "product": "cash"},
     "GTT orders are accepted for Exchange-Code 'nfo' only"),
    ({"exchange_code": "BFO"}, "GTT orders are accepted for Exchange-Code 'nfo' only"),
    ({"product": "cash"}, "Product should be either 'futures' or 'options' for GTT orders"),
    ({"gtt_type": ""}, "GTT-Type cannot be empty"),
    ({"gtt_type": "bracket"}, "type of GTT should be either 'single', 'oco' or 'cover_oco'. "),
    ({"strike_price": "1"}, "No contract found on NFO for NIFTY options expiring"),
    ({"quantity": "10"}, "Quantity should be a multiple of the lot size 65"),
    ({"quantity": "abc"}, "Quantity should be a number"),
    ({"index_or_stock": "stock"}, "Index-or-Stock should be 'index' for NIFTY"),
    ({"trade_date": "yesterday"}, "Trade-Date is not a valid date: 'yesterday'"),
    ({"order_details": []}, "Order-Details cannot be empty"),
    ({"order_details": "target"}, "Order-Details should be a list of legs"),
    ({"order_details": [{"gtt_leg_type": "target", "action": "sell", "limit_price": "10",
                         "trigger_price": "10"}]},
     "Order-Details should have a 'target' and a 'stoploss' leg for GTT type 'oco'"),
    ({"order_details": [{"gtt_leg_type": "entry", "action": "sell", "limit_price": "10",
                         "trigger_price": "10"}]},
     "GTT-Leg-Type should be either 'target' or 'stoploss'"),
    ({"order_details": [
        {"gtt_leg_type": "target", "action": "buy", "limit_price": "10", "trigger_price": "10"},
        {"gtt_leg_type": "stoploss", "action": "sell", "limit_price": "5",
         "trigger_price": "5"}]},
     "The target and stoploss legs should have the same action"),
    ({"order_details": [
        {"gtt_leg_type": "target", "action": "sell", "limit_price": "5", "trigger_price": "5"},
        {"gtt_leg_type": "stoploss", "action": "sell", "limit_price": "10",
         "trigger_price": "10"}]},
     "Stoploss trigger price should be less than the target trigger price for a Sell GTT"),
    ({"order_details": [
        {"gtt_leg_type": "target", "action": "buy", "limit_price": "10", "trigger_price": "10"},
        {"gtt_leg_type": "stoploss", "action": "buy", "limit_price": "5",
         "trigger_price": "5"}]},
     "Stoploss trigger price should be more than the target trigger price for a Buy GTT"),
    ({"order_details": [
        {"gtt_leg_type": "target", "action": "sell", "limit_price": "10", "trigger_price": ""},
        {"gtt_leg_type": "stoploss", "action": "sell", "limit_price": "5",
         "trigger_price": "5"}]}, "Trigger-Price cannot be empty"),
    ({"order_details": [
        {"gtt_leg_type": "target", "action": "sell", "limit_price": "10.03",
         "trigger_price": "10"},
        {"gtt_leg_type": "stoploss", "action": "sell", "limit_price": "5",
         "trigger_price": "5"}]}, "Limit-Price 10.03 is not a multiple of the tick size 0.05"),
    ({"order_details": [
        {"gtt_leg_type": "target", "action": "sell", "limit_price": "10", "trigger_price": "10"},
        {"gtt_leg_type": "stoploss", "action": "hold", "limit_price": "5",
         "trigger_price": "5"}]}, "Action should be either 'buy', or 'sell'"),
    ({"gtt_type": "single", "order_details": [
        {"action": "sell", "limit_price": "5", "trigger_price": "-5"}]},
     "Trigger-Price should be more than 0"),
    ({"gtt_type": "single", "order_details": [
        {"action": "sell", "limit_price": "5", "trigger_price": "5"},
        {"action": "sell", "limit_price": "6", "trigger_price": "6"}]},
     "Order-Details should have one leg for GTT type 'single'"),
    ({"gtt_type": "single", "order_details": [
        {"action": "sell", "limit_price": "1e400", "trigger_price": "5"}]},
     "Limit-Price should be a number"),
    ({"gtt_type": "cover_oco"}, "Fresh-Order-Action cannot be empty"),
    ({"gtt_type": "cover_oco", "fresh_order_action": "buy", "fresh_order_type": "market",
      "fresh_order_price": "10"}, "Fresh-Order-Type should be 'limit'"),
    ({"gtt_type": "cover_oco", "fresh_order_action": "sell", "fresh_order_type": "limit",
      "fresh_order_price": "10"},
     "The target and stoploss legs should be opposite to the fresh order's action"),
]


@pytest.mark.parametrize(("change", "message"), PLACE_REFUSALS,
                         ids=[m[:40] for _, m in PLACE_REFUSALS])
def test_place_refusals_are_breeze_errors(raw: RawBreeze, simulator: SimulatorProcess,
                                          change: dict[str, Any], message: str) -> None:
    call = nifty_call(raw)
    body = {**_valid_oco(call, option_ltp(raw, call)), **change}
    error = refusal(raw.call("POST", "gttorder", body))
    assert error.startswith(message), error
    assert simulator.admin("state")["gtts"] == []  # nothing was placed


def test_modify_cancel_and_book_refusals(raw: RawBreeze) -> None:
    call = nifty_call(raw)
    ltp = option_ltp(raw, call)
    gtt_id = success(raw.call("POST", "gttorder", _valid_oco(call, ltp)))["gtt_order_id"]
    leg = {"gtt_leg_type": "target", "action": "sell", "limit_price": "9",
           "trigger_price": "9"}
    cases = [
        ("DELETE", {"exchange_code": "NFO", "gtt_order_id": ""}, "Order-Id cannot be empty"),
        ("DELETE", {"exchange_code": "NFO", "gtt_order_id": "2025020500001234"},
         "Resource not available"),
        ("DELETE", {"exchange_code": "NSE", "gtt_order_id": gtt_id}, "Resource not available"),
        ("PUT", {"exchange_code": "NFO", "gtt_order_id": gtt_id, "gtt_type": "single",
                 "order_details": [leg]},
         f"type of GTT should be 'oco' for GTT order {gtt_id}"),
        ("PUT", {"exchange_code": "NFO", "gtt_order_id": gtt_id, "gtt_type": "oco",
                 "order_details": [{**leg, "action": "buy"}]},
         "Action of a GTT leg cannot be modified"),
        ("PUT", {"exchange_code": "NFO", "gtt_order_id": gtt_id, "gtt_type": "oco",
                 "order_details": [{**leg, "trigger_price": "0.10"}]},
         "Stoploss trigger price should be less than the target trigger price for a Sell GTT"),
        ("PUT", {"exchange_code": "NFO", "gtt_order_id": gtt_id, "gtt_type": "oco",
                 "order_details": [leg, leg]}, "Order-Details names the same leg twice"),
        ("GET", {"exchange_code": "NFO", "from_date": "", "to_date": ""},
         "From-Date cannot be empty"),
        ("GET", {"exchange_code": "", "from_date": "2025-02-05T06:00:00.000Z",
                 "to_date": "2025-02-05T06:00:00.000Z"}, "Exchange-Code cannot be empty"),
    ]
    for method, body, message in cases:
        assert refusal(raw.call(method, "gttorder", body)) == message, (method, body)
    # A refused modification changed nothing.
    legs = {leg["gtt_leg_type"]: leg for leg in row_of(raw, gtt_id)["order_details"]}
    assert legs["Target"]["trigger_price"] == float(ticks(ltp * 2))
    # Another day's book, and an exchange without GTTs, are empty lists.
    assert success(raw.call("GET", "gttorder", {
        "exchange_code": "NFO", "from_date": "2025-02-05T06:00:00.000Z",
        "to_date": "2025-02-05T06:00:00.000Z"})) == []
    day = f"{ist_today():%Y-%m-%d}T06:00:00.000Z"
    assert success(raw.call("GET", "gttorder", {"exchange_code": "NSE", "from_date": day,
                                                "to_date": day})) == []


def test_cover_oco_places_its_fresh_order_and_arms_the_legs_when_it_fills(
        raw: RawBreeze, simulator: SimulatorProcess) -> None:
    call = nifty_call(raw)
    ltp = option_ltp(raw, call)
    # A marketable fresh buy fills at once; its sell legs then watch the price.
    body = gtt_body(call, "cover_oco", [
        {"gtt_leg_type": "target", "action": "sell", "limit_price": ticks(ltp * 2),
         "trigger_price": ticks(ltp * 2)},
        {"gtt_leg_type": "stoploss", "action": "sell", "limit_price": ticks(ltp * 0.45),
         "trigger_price": ticks(ltp * 0.5)}],
        fresh_order_action="buy", fresh_order_price=ticks(ltp * 1.1), fresh_order_type="limit")
    gtt_id = success(raw.call("POST", "gttorder", body))["gtt_order_id"]
    row = row_of(raw, gtt_id)
    assert row["gtt_type"] == "Cover OCO"
    fresh_id = row["fresh_order_id"]
    assert re.fullmatch(rf"{ist_today():%Y%m%d}25\d{{8}}", fresh_id)
    fresh = success(raw.call("GET", "order", {"exchange_code": "NFO", "order_id": fresh_id}))[0]
    assert (fresh["action"], fresh["order_type"], fresh["status"]) == ("Buy", "Limit", "Executed")
    assert statuses(row) == {"Target": "Active", "Stoploss": "Active"}

    # A fresh order that rests keeps its legs pending; cancelling the GTT cancels it too.
    body["fresh_order_price"] = ticks(ltp * 0.6)
    resting_id = success(raw.call("POST", "gttorder", body))["gtt_order_id"]
    row = row_of(raw, resting_id)
    assert statuses(row) == {"Target": "Pending", "Stoploss": "Pending"}
    success(raw.call("DELETE", "gttorder", {"exchange_code": "NFO",
                                            "gtt_order_id": resting_id}))
    assert statuses(row_of(raw, resting_id)) == {"Target": "Cancelled", "Stoploss": "Cancelled"}
    fresh = success(raw.call("GET", "order", {"exchange_code": "NFO",
                                              "order_id": row["fresh_order_id"]}))[0]
    assert fresh["status"] == "Cancelled"


def test_fresh_order_cancelled_unfilled_cancels_the_legs(raw: RawBreeze) -> None:
    call = nifty_call(raw)
    ltp = option_ltp(raw, call)
    gtt_id = success(raw.call("POST", "gttorder", gtt_body(call, "cover_oco", [
        {"gtt_leg_type": "target", "action": "sell", "limit_price": ticks(ltp * 2),
         "trigger_price": ticks(ltp * 2)},
        {"gtt_leg_type": "stoploss", "action": "sell", "limit_price": ticks(ltp * 0.45),
         "trigger_price": ticks(ltp * 0.5)}],
        fresh_order_action="buy", fresh_order_price=ticks(ltp * 0.6),
        fresh_order_type="limit")))["gtt_order_id"]
    fresh_id = row_of(raw, gtt_id)["fresh_order_id"]
    success(raw.call("DELETE", "order", {"exchange_code": "NFO", "order_id": fresh_id}))
    assert statuses(row_of(raw, gtt_id)) == {"Target": "Cancelled", "Stoploss": "Cancelled"}


def test_gtt_actions_take_the_order_rejection_fault(raw: RawBreeze,
                                                   simulator: SimulatorProcess) -> None:
    call = nifty_call(raw)
    simulator.admin("faults", {"reject_next_order": "Order rejected by RMS"})
    answer = raw.call("POST", "gttorder", _valid_oco(call, option_ltp(raw, call)))
    assert refusal(answer) == "Order rejected by RMS"
    assert simulator.admin("state")["gtts"] == []


def test_futures_gtt_and_expiry_with_the_contract(raw: RawBreeze) -> None:
    futures = success(raw.call("GET", "optionchain", {
        "stock_code": "NIFTY", "exchange_code": "NFO", "product_type": "futures"}))
    future = futures[0]
    price = future["ltp"]
    gtt_id = success(raw.call("POST", "gttorder", {
        "exchange_code": "NFO", "stock_code": "NIFTY", "product": "futures", "quantity": "65",
        "expiry_date": future["expiry_date"], "right": "others", "strike_price": "0",
        "gtt_type": "single", "index_or_stock": "index", "trade_date": "",
        "order_details": [{"action": "buy", "limit_price": f"{round(price * 0.8)}.00",
                           "trigger_price": f"{round(price * 0.8)}.00"}]}))["gtt_order_id"]
    row = row_of(raw, gtt_id)
    assert (row["product_type"], row["right"], row["strike_price"]) == ("Futures", "Others", 0.0)
    assert row["expiry_date"] == future["expiry_date"]
    # Untouched until its contract expires, then expired with it.
    expiry = dt.datetime.strptime(future["expiry_date"], "%d-%b-%Y").date()
    raw.move_clock(((expiry - ist_today()).days + 1) * 86400)
    assert statuses(row_of(raw, gtt_id)) == {None: "Expired"}


def test_a_lost_answer_leaves_the_gtt_placed_and_in_the_book(
        raw: RawBreeze, simulator: SimulatorProcess) -> None:
    call = nifty_call(raw)
    body = _valid_oco(call, option_ltp(raw, call))
    simulator.admin("faults", {"timeout_rate": 1.0})
    with pytest.raises(httpx.TimeoutException):
        raw.call("POST", "gttorder", body, timeout=2)
    simulator.admin("faults", {"timeout_rate": 0.0})
    [listed] = simulator.admin("state")["gtts"]
    row = row_of(raw, listed["gtt_order_id"])  # what a client settles its doubt from
    assert row["gtt_type"] == "OCO" and row["quantity"] == 65
    assert statuses(row) == {"Target": "Active", "Stoploss": "Active"}


def test_checks_follow_the_clock_back(raw: RawBreeze, simulator: SimulatorProcess) -> None:
    call = nifty_call(raw)
    ltp = option_ltp(raw, call)
    gtt_id = success(raw.call("POST", "gttorder", _valid_oco(call, ltp)))["gtt_order_id"]
    raw.move_clock(3600)
    assert statuses(row_of(raw, gtt_id)) == {"Target": "Active", "Stoploss": "Active"}
    raw.move_clock(0)
    ltp = option_ltp(raw, call)
    # Crossed now: it fires at the next check, not an hour later when the clock would
    # reach the second last checked.
    success(raw.call("PUT", "gttorder", {
        "exchange_code": "NFO", "gtt_order_id": gtt_id, "gtt_type": "oco",
        "order_details": [{"gtt_leg_type": "stoploss", "limit_price": ticks(ltp * 0.8),
                           "trigger_price": ticks(ltp * 1.3)}]}))
    wait_for(lambda: statuses(row_of(raw, gtt_id))["Stoploss"] == "Triggered",
             "the stoploss firing after the clock went back")
