"""What the GTT endpoints refuse before anything reaches ICICI (openalgo-api.md §3.10):
OpenAlgo's trigger rules, what Breeze's GTT cannot take (named with what it takes), and
analyzer mode's 501. Over plain HTTP: client 1.0.47 has no GTT methods, and these are
the bodies any client may send."""

from __future__ import annotations

from typing import Any

import pytest

from tests.gtt.conftest import gtt_body, nifty_call
from tests.orders.conftest import Desk
from tests.orders.helpers import future, refused

GTT_ENDPOINTS = ("placegttorder", "modifygttorder", "cancelgttorder", "gttorderbook")


@pytest.fixture(scope="module")
def call(desk: Desk) -> dict[str, Any]:
    return nifty_call(desk)


@pytest.mark.parametrize(("fields", "words"), [
    ({"triggerprice_sl": 10.5, "triggerprice_tg": 30.0}, "exactly one of triggerprice_sl"),
    ({"triggerprice_sl": 0, "triggerprice_tg": 0}, "exactly one of triggerprice_sl"),
    ({"trigger_type": "OCO", "triggerprice_tg": 30.0, "stoploss": 10.0},
     "target: Required for OCO"),
    ({"trigger_type": "OCO", "triggerprice_sl": 30.0, "triggerprice_tg": 20.0,
      "stoploss": 29.0, "target": 21.0}, "triggerprice_sl < triggerprice_tg"),
])
def test_openalgo_trigger_rules_are_400s_naming_the_fields(
        desk: Desk, call: dict[str, Any], fields: dict[str, Any], words: str) -> None:
    message = refused(desk, "placegttorder", gtt_body(call["symbol"], call["lotsize"], **fields))
    assert words in message


def test_fields_outside_the_contract_are_named_with_what_is_accepted(
        desk: Desk, call: dict[str, Any]) -> None:
    body = gtt_body(call["symbol"], call["lotsize"])
    assert refused(desk, "placegttorder", {**body, "product": "MIS"}) == {
        "product": ["Must be one of: CNC, NRML."]}
    assert refused(desk, "placegttorder", {**body, "trigger_type": "TWO"}) == {
        "trigger_type": ["Must be one of: SINGLE, OCO."]}
    assert refused(desk, "placegttorder", {**body, "pricetype": "SL"}) == {
        "pricetype": ["Must be one of: LIMIT, MARKET."]}
    missing = refused(desk, "placegttorder", {"strategy": "gtt"})
    assert set(missing) == {"trigger_type", "exchange", "symbol", "action", "product",
                            "quantity", "price"}
    assert refused(desk, "cancelgttorder", {"strategy": "gtt"}) == {
        "trigger_id": ["Missing data for required field."]}


def test_what_breezes_gtt_cannot_take_is_refused_naming_what_it_takes(
        desk: Desk, call: dict[str, Any]) -> None:
    accepted = "NFO futures and options with product NRML"
    equity = refused(desk, "placegttorder", gtt_body("SBIN", 1, exchange="NSE", product="CNC",
                                                     price=500.0, triggerprice_sl=501.0))
    assert "NSE" in equity and accepted in equity
    market = refused(desk, "placegttorder", gtt_body(call["symbol"], call["lotsize"],
                                                     pricetype="MARKET", price=0))
    assert "pricetype MARKET" in market and "LIMIT" in market
    # OpenAlgo's own rules first: CNC is for equity
    assert "CNC is for NSE/BSE equity" in refused(
        desk, "placegttorder", gtt_body(call["symbol"], call["lotsize"], product="CNC"))


def test_lots_and_ticks_of_the_contract_are_checked(desk: Desk, call: dict[str, Any]) -> None:
    lot = call["lotsize"]
    assert f"not a multiple of the lot size {lot}" in refused(
        desk, "placegttorder", gtt_body(call["symbol"], lot + 1))
    off_tick = refused(desk, "placegttorder", gtt_body(call["symbol"], lot,
                                                       triggerprice_sl=10.51))
    assert "triggerprice_sl 10.51 is not a multiple of the tick size" in off_tick
    fut = future(desk, "NFO", "NIFTY")
    assert "greater than 0" in refused(desk, "placegttorder", gtt_body(
        fut["symbol"], fut["lotsize"], price=0))


def test_analyzer_mode_answers_501_on_every_gtt_endpoint(desk: Desk,
                                                         call: dict[str, Any]) -> None:
    bodies = {"placegttorder": gtt_body(call["symbol"], call["lotsize"]),
              "modifygttorder": {**gtt_body(call["symbol"], call["lotsize"]),
                                 "trigger_id": "2026010100000001"},
              "cancelgttorder": {"strategy": "gtt", "trigger_id": "2026010100000001"},
              "gttorderbook": {}}
    assert desk.post("analyzer/toggle", {"mode": True}).status_code == 200
    try:
        for endpoint in GTT_ENDPOINTS:
            answer = desk.post(endpoint, bodies[endpoint])
            assert answer.status_code == 501, answer.text
            assert answer.json() == {"status": "error", "broker": "icici", "mode": "analyze",
                                     "message": "Sandbox GTT support not yet implemented"}
    finally:
        assert desk.post("analyzer/toggle", {"mode": False}).status_code == 200
