"""What the API accepts and refuses (numbers as strings, case, unknown fields, the 400s
naming fields and accepted values, index and MIS equity orders), the symbol endpoints
(symbol, search, expiry, instruments) and the documentation at /docs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import httpx
import pytest

from tests.orders.conftest import Desk
from tests.orders.helpers import instruments, order_of, refused

ORDER = {"strategy": "requests", "symbol": "SBIN", "exchange": "NSE", "action": "BUY",
         "pricetype": "MARKET", "product": "CNC", "quantity": "1"}
ALL_EXCHANGES = "NSE, BSE, NFO, BFO, CDS, BCD, MCX, NSE_INDEX, BSE_INDEX"


# -- lenient where clients differ ---------------------------------------------------------

def test_numbers_as_strings_or_numbers_lower_case_action_and_unknown_fields(desk: Desk) -> None:
    for body in ({**ORDER, "quantity": "1.0", "action": "buy"},
                 {**ORDER, "quantity": 1, "price": 0, "disclosed_quantity": "0"},
                 {**ORDER, "target": "900", "stoploss": "800", "trailing_sl": "5",
                  "anything": {"nested": True}}):
        answer = desk.post("placeorder", body)
        assert answer.status_code == 200, answer.text
        row = order_of(desk, answer.json()["orderid"])
        assert (row["action"], row["quantity"], row["symbol"]) == ("BUY", 1, "SBIN")
    slash = desk.post("placeorder/", ORDER)
    assert slash.status_code == 200 and slash.json()["orderid"], slash.text
    # optional fields take their defaults: MARKET and MIS (refused for equity by default)
    defaults = refused(desk, "placeorder", {k: v for k, v in ORDER.items()
                                            if k not in ("pricetype", "product")})
    assert "MIS" in defaults


# -- strict everywhere else ----------------------------------------------------------------

def test_missing_fields_are_named(desk: Desk) -> None:
    message = refused(desk, "placeorder", {"strategy": "x"})
    assert message == {name: ["Missing data for required field."]
                       for name in ("symbol", "exchange", "action", "quantity")}
    assert refused(desk, "placeorder", {k: v for k, v in ORDER.items() if k != "strategy"}
                   ) == {"strategy": ["Missing data for required field."]}


@pytest.mark.parametrize(("field", "value", "text"), [
    ("exchange", "NSX", f"Must be one of: {ALL_EXCHANGES}."),
    ("action", "HOLD", "Must be one of: BUY, SELL."),
    ("pricetype", "market", "Must be one of: MARKET, LIMIT, SL, SL-M."),
    ("product", "BO", "Must be one of: MIS, NRML, CNC."),
    ("quantity", "1.5", "Fractional quantity (1.5) is not allowed for non-crypto exchanges."),
    ("quantity", "0", "Input should be greater than 0"),
    ("quantity", "ten", "Must be a number, not 'ten'."),
    ("price", "-1", "Must be greater than or equal to 0."),
    ("trigger_price", True, "Must be a number."),
])
def test_bad_values_name_the_field_and_what_is_accepted(desk: Desk, field: str, value: Any,
                                                        text: str) -> None:
    assert refused(desk, "placeorder", {**ORDER, field: value}) == {field: [text]}


def test_openalgo_client_sees_the_400(desk: Desk) -> None:
    answer = desk.client.placeorder(symbol="SBIN", action="BUY", exchange="NSX",
                                    price_type="MARKET", product="CNC", quantity=1)
    assert answer["status"] == "error" and answer["code"] == 400
    assert "exchange" in answer["message"] and "NSE_INDEX" in answer["message"]


def test_index_orders_are_refused_clearly(desk: Desk) -> None:
    for exchange, symbol in (("NSE_INDEX", "NIFTY"), ("BSE_INDEX", "SENSEX")):
        message = refused(desk, "placeorder", {**ORDER, "exchange": exchange, "symbol": symbol})
        assert "indices" in message and "not traded" in message


def test_equity_mis_is_refused_by_default_with_the_reason_and_the_way_out(desk: Desk) -> None:
    message = refused(desk, "placeorder", {**ORDER, "product": "MIS"})
    assert "prohibits" in message and "CNC" in message and "EQUITY_MIS_AS_CASH" in message


def test_business_rules(desk: Desk) -> None:
    assert "not found for exchange" in refused(desk, "placeorder", {**ORDER,
                                                                    "symbol": "NOSUCH"})
    assert "price must be greater than 0" in refused(
        desk, "placeorder", {**ORDER, "pricetype": "LIMIT"})
    assert "trigger_price > 0" in refused(
        desk, "placeorder", {**ORDER, "pricetype": "SL", "price": "500"})
    assert "NRML is for futures and options" in refused(
        desk, "placeorder", {**ORDER, "product": "NRML"})


def test_keys_and_bodies(desk: Desk) -> None:
    wrong = desk.post("placeorder", {**ORDER, "apikey": "0" * 64}, key=False)
    assert wrong.status_code == 403
    assert wrong.json() == {"status": "error", "message": "Invalid openalgo apikey"}
    # The key is checked before the body: a stranger learns nothing about the fields.
    stranger = desk.post("placeorder", {"apikey": "0" * 64, "quantity": "many"}, key=False)
    assert stranger.status_code == 403 and stranger.json() == wrong.json()
    missing = desk.post("placeorder", ORDER, key=False)
    assert missing.status_code == 400
    assert missing.json()["message"] == {"apikey": ["Missing data for required field."]}
    with httpx.Client(base_url=desk.platform.base_url) as http:
        broken = http.post("/api/v1/placeorder", content=b"{nope",
                           headers={"content-type": "application/json"})
    assert broken.status_code == 400 and broken.json()["status"] == "error"
    assert broken.json()["message"] == {"body": ["Invalid JSON body."]}
    # Alert tools cannot always set the content type: a JSON body is read whatever it says.
    with httpx.Client(base_url=desk.platform.base_url) as http:
        plain = http.post("/api/v1/placeorder", headers={"content-type": "text/plain"},
                          content=json.dumps({**ORDER, "apikey": desk.apikey}))
    assert plain.status_code == 200, plain.text
    assert order_of(desk, plain.json()["orderid"])["symbol"] == "SBIN"
    listed = desk.post("placeorder", [ORDER], key=False)
    assert listed.status_code == 400
    assert listed.json()["message"] == {"body": ["Expected a JSON object."]}


# -- symbols -------------------------------------------------------------------------------

def test_symbol(desk: Desk) -> None:
    answer = desk.client.symbol(symbol="SBIN", exchange="NSE")
    assert answer["status"] == "success"
    data = answer["data"]
    assert {k: data[k] for k in ("symbol", "exchange", "brsymbol", "brexchange", "expiry",
                                 "lotsize", "instrumenttype", "tick_size", "strike")} == {
        "symbol": "SBIN", "exchange": "NSE", "brsymbol": "STABAN", "brexchange": "NSE",
        "expiry": "", "lotsize": 1, "instrumenttype": "EQ", "tick_size": 0.05, "strike": 0.0}
    assert data["name"] and data["token"]
    option = next(r for r in instruments(desk, "NFO") if r["instrumenttype"] == "PE")
    detail = desk.client.symbol(symbol=option["symbol"], exchange="NFO")["data"]
    assert {k: detail[k] for k in option} == option
    assert detail["brsymbol"].startswith("OPT-") and detail["brsymbol"].endswith("-PE")
    missing = desk.client.symbol(symbol="NOSUCH", exchange="NSE")
    assert missing["code"] == 404 and "Symbol NOSUCH not found in exchange NSE" in \
        missing["message"]


def test_search(desk: Desk) -> None:
    answer = desk.client.search(query="nifty fut", exchange="NFO")
    assert answer["status"] == "success"
    rows = answer["data"]
    assert rows and answer["message"] == f"Found {len(rows)} matching symbols"
    assert all(r["instrumenttype"] == "FUT" and "NIFTY" in r["symbol"] for r in rows)
    assert {r["name"] for r in rows} >= {"NIFTY", "BANKNIFTY"}
    exact = desk.client.search(query="SBIN")["data"]
    assert exact[0]["symbol"] == "SBIN"  # exact symbol first, any exchange
    assert {r["exchange"] for r in exact} >= {"NSE"}
    none = desk.client.search(query="ZZZZQQQ")
    assert (none["status"], none["message"], none["data"]) == (
        "success", "No matching symbols found", [])
    assert refused(desk, "search", {"query": "  "}) == \
        "Query parameter is required and cannot be empty"


def test_expiry(desk: Desk) -> None:
    listed = instruments(desk, "NFO")
    for kind, types in (("futures", {"FUT"}), ("options", {"CE", "PE"})):
        answer = desk.client.expiry(symbol="NIFTY", exchange="NFO", instrumenttype=kind)
        days = sorted({dt.datetime.strptime(r["expiry"], "%d-%b-%y").date() for r in listed
                       if r["name"] == "NIFTY" and r["instrumenttype"] in types})
        assert answer["data"] == [d.strftime("%d-%b-%y").upper() for d in days]
        assert answer["message"] == f"Found {len(days)} expiry dates for NIFTY {kind} in NFO"
    none = desk.client.expiry(symbol="NOSUCH", exchange="NFO", instrumenttype="futures")
    assert (none["status"], none["data"]) == ("success", [])
    assert none["message"].startswith("No expiry dates found")
    bad = refused(desk, "expiry", {"symbol": "NIFTY", "exchange": "NSE",
                                   "instrumenttype": "FUTURES"})
    assert set(bad) == {"exchange", "instrumenttype"}


def test_instruments_json_csv_and_keys(desk: Desk) -> None:
    frame = desk.client.instruments(exchange="NSE")
    assert list(frame.columns) == ["symbol", "brsymbol", "name", "exchange", "brexchange",
                                   "token", "expiry", "strike", "lotsize", "instrumenttype",
                                   "tick_size"]
    assert "SBIN" in set(frame["symbol"]) and set(frame["exchange"]) == {"NSE"}
    everything = desk.client.instruments()  # nine calls, one per exchange, concatenated
    counts = everything["exchange"].value_counts().to_dict()
    assert counts["NSE"] == len(frame) and counts["NSE_INDEX"] >= 1 and counts["MCX"] >= 1

    answer = desk.get("/api/v1/instruments", apikey=desk.apikey, exchange="BSE",
                      format="csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == "attachment; filename=instruments_BSE.csv"
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == counts["BSE"] and rows[0].keys() == set(frame.columns)

    no_key = desk.get("/api/v1/instruments", exchange="NSE")
    assert (no_key.status_code, no_key.json()) == (
        401, {"status": "error", "message": "API key is required"})
    assert desk.get("/api/v1/instruments", apikey="0" * 64).status_code == 403
    bad = desk.get("/api/v1/instruments", apikey=desk.apikey, exchange="XYZ")
    assert bad.status_code == 400 and "NSE_INDEX" in str(bad.json()["message"])
    empty = desk.get("/api/v1/instruments", apikey=desk.apikey, exchange="BCD").json()
    assert (empty["message"], empty["data"]) == ("No instruments found", [])


# -- documentation -------------------------------------------------------------------------

ENDPOINTS = ("placeorder", "placesmartorder", "basketorder", "splitorder", "modifyorder",
             "cancelorder", "cancelallorder", "closeposition", "orderstatus", "openposition",
             "orderbook", "tradebook", "positionbook", "holdings", "funds", "margin", "ping",
             "symbol", "search", "expiry", "instruments")


def test_openapi_documents_the_whole_api(desk: Desk) -> None:
    document = desk.get("/openapi.json").json()
    assert {f"/api/v1/{name}" for name in ENDPOINTS} <= set(document["paths"])
    assert not [p for p in document["paths"] if not p.startswith("/api/v1/")]
    place = document["paths"]["/api/v1/placeorder"]["post"]
    assert "400" in place["responses"] and "422" not in place["responses"]
    page = desk.get("/docs")
    assert page.status_code == 200 and "<script" not in page.text
    for name in ENDPOINTS:
        assert f"/api/v1/{name}</code>" in page.text
    assert "PlaceOrderRequest" in page.text and "position_size" in page.text
