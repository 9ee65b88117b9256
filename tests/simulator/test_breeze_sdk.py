"""ICICI's official `breeze-connect` SDK, unmodified, against our simulator.

Only the SDK's host constants are pointed at the simulator. The SDK is an independent
client: if it works, the simulator speaks the real protocol (signing, envelopes, field
names, value formats).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import IST, SimulatorProcess, ist_today

pytestmark = pytest.mark.timeout(300)


def _load_sdk(sim: SimulatorProcess, workdir: Path) -> Any:
    """Import the SDK with its URLs redirected. Its `config` module is imported as a
    top-level module, and the SecurityMaster download happens at import time, so the
    constants must be changed before `breeze_connect.breeze_connect` is imported."""
    # Importing the package runs the download, so load its `config` by path first.
    package = importlib.util.find_spec("breeze_connect")
    assert package and package.submodule_search_locations
    config_path = Path(package.submodule_search_locations[0]) / "config.py"
    spec = importlib.util.spec_from_file_location("config", config_path)
    assert spec and spec.loader
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    sys.modules["config"] = config  # what the SDK's `import config` will find

    config.API_URL = sim.api_url
    config.BREEZE_NEW_URL = sim.history_url
    config.SECURITY_MASTER_URL = sim.security_master_url
    config.LIVE_FEEDS_URL = config.LIVE_STREAM_URL = config.LIVE_OHLC_STREAM_URL = sim.base_url
    cwd = os.getcwd()
    os.chdir(workdir)  # the SDK writes a logs/ folder into the working directory
    try:
        from breeze_connect.breeze_connect import BreezeConnect
    finally:
        os.chdir(cwd)
    return BreezeConnect


@pytest.fixture(scope="module")
def sdk_class(simulator: SimulatorProcess, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _load_sdk(simulator, tmp_path_factory.mktemp("sdk"))


@pytest.fixture(scope="module")
def breeze(sdk_class: Any, simulator: SimulatorProcess) -> Any:
    client = sdk_class(api_key=simulator.app_key)
    client.generate_session(api_secret=simulator.app_secret,
                            session_token=simulator.new_api_session())
    return client


def ok(response: dict[str, Any]) -> Any:
    assert response["Status"] == 200, response
    assert response["Error"] is None, response
    return response["Success"]


def iso(day: date) -> str:
    return f"{day:%Y-%m-%d}T06:00:00.000Z"


def today_iso() -> str:
    return f"{ist_today():%Y-%m-%d}T10:00:00.000Z"


def nfo_contracts(breeze: Any) -> list[str]:
    """Contract names the SDK built from the SecurityMaster it downloaded."""
    return list(breeze.stock_script_dict_list[4].keys())


def nearest_nifty_future(breeze: Any) -> date:
    expiries = sorted(
        datetime.strptime(name.split("-", 2)[2], "%d-%b-%Y").date()
        for name in nfo_contracts(breeze) if name.startswith("FUT-NIFTY-")
    )
    assert expiries, "no NIFTY futures in the SecurityMaster the SDK downloaded"
    return expiries[0]


def nifty_option(breeze: Any, expiry: date | None = None) -> tuple[date, str]:
    """The nearest NIFTY expiry with options, and its at-the-money strike."""
    names = [n for n in nfo_contracts(breeze) if n.startswith("OPT-NIFTY-")]
    by_expiry: dict[date, list[str]] = {}
    for name in names:
        _, _, rest = name.split("-", 2)
        day_text = "-".join(rest.split("-")[:3])
        strike = rest.split("-")[3]
        by_expiry.setdefault(datetime.strptime(day_text, "%d-%b-%Y").date(), []).append(strike)
    chosen = expiry or min(by_expiry)
    spot = ok(breeze.get_quotes(stock_code="NIFTY", exchange_code="NSE",
                                product_type="cash", expiry_date="", right="",
                                strike_price=""))[0]["ltp"]
    strike = min(by_expiry[chosen], key=lambda s: abs(float(s) - spot))
    return chosen, strike


def test_generate_session_downloads_master_and_customer_details(
        breeze: Any, simulator: SimulatorProcess) -> None:
    assert breeze.user_id == simulator.user_id
    assert breeze.session_key and breeze.session_key.isdigit()
    assert "STABAN" in breeze.stock_script_dict_list[1]  # NSE cash from SecurityMaster
    assert nfo_contracts(breeze)
    details = ok(breeze.get_customer_details(api_session=simulator.new_api_session()))
    assert details["idirect_userid"] == simulator.user_id
    assert "session_token" not in details  # the SDK strips it; the server sent it
    assert set(details["segments_allowed"]) >= {"Equity", "Derivatives"}


def test_funds_holdings_and_portfolio(breeze: Any) -> None:
    funds = ok(breeze.get_funds())
    assert isinstance(funds["bank_account"], str)
    assert isinstance(funds["unallocated_balance"], str)
    assert funds["total_bank_balance"] > 0
    demat = ok(breeze.get_demat_holdings())
    assert {row["stock_code"] for row in demat} >= {"ITC", "STABAN"}
    holdings = ok(breeze.get_portfolio_holdings(exchange_code="NSE", from_date="",
                                                to_date="", stock_code="", portfolio_type=""))
    itc = next(row for row in holdings if row["stock_code"] == "ITC")
    assert int(itc["quantity"]) >= 1
    assert Decimal(itc["current_market_price"]) > 0


def _cash_ltp(breeze: Any, code: str) -> float:
    rows = ok(breeze.get_quotes(stock_code=code, exchange_code="NSE", product_type="cash",
                                expiry_date="", right="", strike_price=""))
    assert rows[0]["exchange_code"] == "NSE"
    assert len(rows) == 2  # cash quotes answer NSE first, then BSE
    return rows[0]["ltp"]


def test_marketable_limit_buy_fills_and_moves_books(breeze: Any) -> None:
    before = ok(breeze.get_funds())["allocated_equity"]
    ltp = _cash_ltp(breeze, "STABAN")
    limit = f"{round(ltp * 1.02, 1):.2f}"
    placed = ok(breeze.place_order(stock_code="STABAN", exchange_code="NSE", product="cash",
                                   action="buy", order_type="limit", quantity="3", price=limit,
                                   validity="day", user_remark="sdktest"))
    order_id = placed["order_id"]
    assert len(order_id) == 18 and order_id[8] == "N"
    detail = ok(breeze.get_order_detail(exchange_code="NSE", order_id=order_id))
    assert detail[0]["status"] == "Executed"
    assert detail[0]["user_remark"] == "sdktest"
    average = Decimal(detail[0]["average_price"])
    assert 0 < average <= Decimal(limit)

    listed = ok(breeze.get_order_list(exchange_code="NSE", from_date=today_iso(),
                                      to_date=today_iso()))
    assert order_id in {row["order_id"] for row in listed}
    trades = ok(breeze.get_trade_list(from_date=today_iso(), to_date=today_iso(),
                                      exchange_code="NSE", product_type="", action="",
                                      stock_code=""))
    trade = next(row for row in trades if row["order_id"] == order_id)
    assert trade["quantity"] == "3" and trade["action"] == "Buy"
    fills = ok(breeze.get_trade_detail(exchange_code="NSE", order_id=order_id))
    assert sum(int(f["executed_quantity"]) for f in fills) == 3
    assert {f["action"] for f in fills} == {"B"}

    positions = ok(breeze.get_portfolio_positions())
    staban = next(p for p in positions if p["stock_code"] == "STABAN")
    assert staban["action"] == "Buy" and int(staban["quantity"]) >= 3
    after = ok(breeze.get_funds())["allocated_equity"]
    assert after == pytest.approx(before - float(average) * 3, abs=0.05)


def test_resting_limit_modify_and_cancel(breeze: Any) -> None:
    ltp = _cash_ltp(breeze, "RELIND")
    low = f"{round(ltp * 0.85, 1):.2f}"
    order_id = ok(breeze.place_order(stock_code="RELIND", exchange_code="NSE", product="cash",
                                     action="buy", order_type="limit", quantity="2", price=low,
                                     validity="day"))["order_id"]
    assert ok(breeze.get_order_detail("NSE", order_id))[0]["status"] == "Ordered"
    lower = f"{round(ltp * 0.84, 1):.2f}"
    modified = ok(breeze.modify_order(order_id=order_id, exchange_code="NSE",
                                      order_type="limit", stoploss="", quantity="4",
                                      price=lower, validity="day", disclosed_quantity="",
                                      validity_date=""))
    assert modified["order_id"] == order_id
    row = ok(breeze.get_order_detail("NSE", order_id))[0]
    assert (row["quantity"], row["price"]) == ("4", lower)
    cancelled = ok(breeze.cancel_order(exchange_code="NSE", order_id=order_id))
    assert cancelled["order_id"] == order_id
    row = ok(breeze.get_order_detail("NSE", order_id))[0]
    assert row["status"] == "Cancelled" and row["cancelled_quantity"] == "4"
    # The SDK's own status check refuses to modify a cancelled order.
    again = breeze.modify_order(order_id=order_id, exchange_code="NSE", order_type="limit",
                                stoploss="", quantity="4", price=lower, validity="day",
                                disclosed_quantity="", validity_date="")
    assert again["Status"] == 500


def test_stoploss_sell_waits_for_trigger(breeze: Any) -> None:
    ltp = _cash_ltp(breeze, "ITC")
    trigger = round(ltp * 0.9, 1)
    order_id = ok(breeze.place_order(
        stock_code="ITC", exchange_code="NSE", product="cash", action="sell",
        order_type="stoploss", stoploss=f"{trigger:.2f}", quantity="1",
        price=f"{trigger - 0.5:.2f}", validity="day"))["order_id"]
    row = ok(breeze.get_order_detail("NSE", order_id))[0]
    assert row["order_type"] == "StopLoss" and row["status"] == "Ordered"
    assert row["stoploss"] == f"{trigger:.2f}"
    ok(breeze.cancel_order(exchange_code="NSE", order_id=order_id))


def test_futures_and_options_orders_and_square_off(breeze: Any) -> None:
    expiry = nearest_nifty_future(breeze)
    future = ok(breeze.get_quotes(stock_code="NIFTY", exchange_code="NFO", product_type="futures",
                                  expiry_date=iso(expiry), right="others", strike_price="0"))[0]
    assert future["product_type"] == "Future" and future["right"] == "*"
    price = f"{round(future['ltp'] * 1.01):.2f}"  # whole rupees sit on every tick grid
    fut_id = ok(breeze.place_order(stock_code="NIFTY", exchange_code="NFO", product="futures",
                                   action="buy", order_type="limit", quantity="65",
                                   price=price, validity="day", expiry_date=iso(expiry),
                                   right="others", strike_price="0"))["order_id"]
    assert len(fut_id) == 18 and fut_id.isdigit()
    assert ok(breeze.get_order_detail("NFO", fut_id))[0]["status"] == "Executed"

    opt_expiry, strike = nifty_option(breeze)
    opt_id = ok(breeze.place_order(stock_code="NIFTY", exchange_code="NFO", product="options",
                                   action="buy", order_type="market", quantity="65", price="",
                                   validity="day", expiry_date=iso(opt_expiry), right="call",
                                   strike_price=strike))["order_id"]
    row = ok(breeze.get_order_detail("NFO", opt_id))[0]
    assert row["product_type"] == "Options" and row["right"] == "Call"
    assert row["order_type"] == "Limit"  # the SDK turned `market` into an aggressive limit
    assert row["status"] in ("Executed", "Partially Executed")

    positions = ok(breeze.get_portfolio_positions())
    nifty_future = next(p for p in positions
                        if p["product_type"] == "Futures" and p["stock_code"] == "NIFTY")
    assert nifty_future["action"] == "Buy" and nifty_future["quantity"] == "65"
    fno = ok(breeze.get_portfolio_holdings(exchange_code="NFO", from_date="", to_date="",
                                           stock_code="", portfolio_type=""))
    assert any(row["product_type"] == "Futures" and row["quantity"] == "65" for row in fno)

    closed = ok(breeze.square_off(
        source_flag="", stock_code="NIFTY", exchange_code="NFO", quantity="65", price="",
        action="sell", order_type="market", validity="day", stoploss="",
        disclosed_quantity="0", protection_percentage="", settlement_id="", margin_amount="",
        open_quantity="", cover_quantity="", product="futures", expiry_date=iso(expiry),
        right="others", strike_price="0", validity_date="", trade_password="",
        alias_name="", order_reference="", position_exchange_code="", lots=""))
    assert closed["order_id"][8:10] == "25"
    positions = ok(breeze.get_portfolio_positions())
    nifty_future = next(p for p in positions
                        if p["product_type"] == "Futures" and p["stock_code"] == "NIFTY")
    assert nifty_future["action"] == "NA" and nifty_future["quantity"] == "0"


def test_option_chain_and_put_call_parity(breeze: Any) -> None:
    expiry, _ = nifty_option(breeze)
    calls = ok(breeze.get_option_chain_quotes(stock_code="NIFTY", exchange_code="NFO",
                                              product_type="options", expiry_date=iso(expiry),
                                              right="call", strike_price=""))
    puts = ok(breeze.get_option_chain_quotes(stock_code="NIFTY", exchange_code="NFO",
                                             product_type="options", expiry_date=iso(expiry),
                                             right="put", strike_price=""))
    assert len(calls) > 5 and len(calls) == len(puts)
    assert {row["right"] for row in calls} == {"Call"}
    assert "chnge_oi" in calls[0]
    spot = float(calls[0]["spot_price"])
    days = max((expiry - ist_today()).days, 0) + 0.5
    discount = 2.718281828 ** (-0.07 * days / 365)
    for call, put in zip(calls, puts, strict=True):
        strike = call["strike_price"]
        assert put["strike_price"] == strike
        if abs(strike - spot) > spot * 0.03:
            continue
        # C - P = S - K e^(-rT), within a few ticks and the drift of one second
        assert call["ltp"] - put["ltp"] == pytest.approx(spot - strike * discount,
                                                         abs=spot * 0.002)


def test_historical_data_v1_and_v2(breeze: Any) -> None:
    # Breeze reads the digits as IST wall-clock time (the Z is ignored).
    end = datetime.now(IST).replace(second=0, microsecond=0, tzinfo=None) - timedelta(minutes=1)
    start = end - timedelta(minutes=30)
    fmt = "%Y-%m-%dT%H:%M:%S.000Z"
    v1 = ok(breeze.get_historical_data(interval="1minute", from_date=start.strftime(fmt),
                                       to_date=end.strftime(fmt), stock_code="STABAN",
                                       exchange_code="NSE", product_type="cash"))
    v2 = ok(breeze.get_historical_data_v2(interval="1minute", from_date=start.strftime(fmt),
                                          to_date=end.strftime(fmt), stock_code="STABAN",
                                          exchange_code="NSE", product_type="cash"))
    assert v1 and v2
    assert isinstance(v1[0]["open"], str) and isinstance(v1[0]["count"], int)
    assert isinstance(v2[0]["open"], float)
    assert list(v2[0]) == sorted(v2[0])  # v2 keys come sorted
    by_time = {row["datetime"]: row for row in v2}
    for row in v1:
        assert Decimal(row["close"]) == Decimal(str(by_time[row["datetime"]]["close"]))


def test_preview_order_and_margin_calculator(breeze: Any) -> None:
    preview = ok(breeze.preview_order(stock_code="ITC", exchange_code="NSE", product="cash",
                                      order_type="limit", price="440", action="buy",
                                      quantity="10", specialflag="N"))
    assert preview["total_brokerage"] == pytest.approx(
        preview["brokerage"] + preview["total_other_charges"], abs=0.011)
    expiry = nearest_nifty_future(breeze)
    margin = ok(breeze.margin_calculator([{
        "strike_price": "0", "quantity": "65", "right": "others", "product": "futures",
        "action": "buy", "price": "24000", "expiry_date": expiry.strftime("%d-%b-%Y"),
        "stock_code": "NIFTY", "cover_order_flow": "N", "fresh_order_type": "N",
        "cover_limit_rate": "0", "cover_sltp_price": "0", "fresh_limit_rate": "0",
        "open_quantity": "0"}], exchange_code="NFO"))
    assert Decimal(margin["span_margin_required"]) > 0
    assert margin["margin_calulation"][0]["product"] == "Futures"


def _gtt_book(breeze: Any) -> dict[str, dict[str, Any]]:
    day = today_iso()
    rows = ok(breeze.gtt_order_book(exchange_code="NFO", from_date=day, to_date=day))
    return {row["order_details"][0]["gtt_order_id"]: row for row in rows}


def _leg_statuses(row: dict[str, Any]) -> dict[str | None, str]:
    return {leg["gtt_leg_type"]: leg["status"] for leg in row["order_details"]}


def test_gtt_single_oco_and_cover_oco_through_the_sdk(breeze: Any) -> None:
    expiry, strike = nifty_option(breeze)
    contract = {"exchange_code": "NFO", "stock_code": "NIFTY", "product": "options",
                "quantity": "65", "expiry_date": f"{expiry:%Y-%m-%d}T06:00:00.00Z",
                "right": "call", "strike_price": strike, "index_or_stock": "index",
                "trade_date": f"{ist_today():%Y-%m-%d}T06:00:00.00Z"}
    ltp = ok(breeze.get_quotes(stock_code="NIFTY", exchange_code="NFO", product_type="options",
                               expiry_date=iso(expiry), right="call",
                               strike_price=strike))[0]["ltp"]

    def price(factor: float) -> str:
        return f"{round(ltp * factor * 20) / 20:.2f}"

    single = ok(breeze.gtt_single_leg_place_order(**contract, gtt_type="single", order_details=[
        {"action": "sell", "limit_price": price(0.45), "trigger_price": price(0.5)}]))
    assert single["message"] == "Your GTT Order Request Placed Successfully"
    oco = ok(breeze.gtt_three_leg_place_order(**contract, gtt_type="oco", order_details=[
        {"gtt_leg_type": "target", "action": "sell", "limit_price": price(2),
         "trigger_price": price(2)},
        {"gtt_leg_type": "stoploss", "action": "sell", "limit_price": price(0.45),
         "trigger_price": price(0.5)}]))
    cover = ok(breeze.gtt_three_leg_place_order(
        **contract, gtt_type="cover_oco", fresh_order_action="buy",
        fresh_order_price=price(0.6), fresh_order_type="limit", order_details=[
            {"gtt_leg_type": "target", "action": "sell", "limit_price": price(2),
             "trigger_price": price(2)},
            {"gtt_leg_type": "stoploss", "action": "sell", "limit_price": price(0.45),
             "trigger_price": price(0.5)}]))
    book = _gtt_book(breeze)
    single_row = book[single["gtt_order_id"]]
    assert single_row["gtt_type"] == "Single" and single_row["fresh_order_id"] is None
    assert single_row["order_details"][0]["trigger_price"] == float(price(0.5))
    assert single_row["strike_price"] == float(strike) and single_row["quantity"] == 65
    assert book[oco["gtt_order_id"]]["gtt_type"] == "OCO"
    assert _leg_statuses(book[oco["gtt_order_id"]]) == {"Target": "Active",
                                                        "Stoploss": "Active"}
    cover_row = book[cover["gtt_order_id"]]
    assert cover_row["gtt_type"] == "Cover OCO"
    assert ok(breeze.get_order_detail("NFO", cover_row["fresh_order_id"]))[0]["status"] == \
        "Ordered"  # a fresh buy well below the price rests; its legs wait for it
    assert _leg_statuses(cover_row) == {"Target": "Pending", "Stoploss": "Pending"}

    modified = ok(breeze.gtt_single_leg_modify_order(
        exchange_code="NFO", gtt_order_id=single["gtt_order_id"], gtt_type="single",
        order_details=[{"action": "sell", "limit_price": price(0.35),
                        "trigger_price": price(0.4)}]))
    assert modified == {"gtt_order_id": single["gtt_order_id"],
                        "message": "Order Modified Successfully"}
    ok(breeze.gtt_three_leg_modify_order(
        exchange_code="NFO", gtt_order_id=oco["gtt_order_id"], gtt_type="oco",
        order_details=[{"gtt_leg_type": "stoploss", "action": "sell",
                        "limit_price": price(0.35), "trigger_price": price(0.4)}]))
    book = _gtt_book(breeze)
    assert book[single["gtt_order_id"]]["order_details"][0]["trigger_price"] == float(price(0.4))
    stoploss = next(leg for leg in book[oco["gtt_order_id"]]["order_details"]
                    if leg["gtt_leg_type"] == "Stoploss")
    assert stoploss["limit_price"] == float(price(0.35))

    for cancel, gtt_id in ((breeze.gtt_single_leg_cancel_order, single["gtt_order_id"]),
                           (breeze.gtt_three_leg_cancel_order, oco["gtt_order_id"]),
                           (breeze.gtt_three_leg_cancel_order, cover["gtt_order_id"])):
        cancelled = ok(cancel(exchange_code="NFO", gtt_order_id=gtt_id))
        assert cancelled["gtt_order_id"] == gtt_id
    book = _gtt_book(breeze)
    for gtt_id in (single["gtt_order_id"], oco["gtt_order_id"], cover["gtt_order_id"]):
        assert set(_leg_statuses(book[gtt_id]).values()) == {"Cancelled"}


def test_gtt_the_simulator_does_not_take_is_refused_by_name(breeze: Any) -> None:
    answer = breeze.gtt_single_leg_place_order(
        exchange_code="NSE", stock_code="ITC", product="cash", quantity="1",
        expiry_date=f"{ist_today():%Y-%m-%d}T06:00:00.00Z", right="", strike_price="",
        gtt_type="single", index_or_stock="stock", trade_date="",
        order_details=[{"action": "sell", "limit_price": "100", "trigger_price": "100"}])
    assert answer == {"Success": None, "Status": 500,
                      "Error": "GTT orders are accepted for Exchange-Code 'nfo' only"}


def test_wrong_secret_is_refused_like_icici(sdk_class: Any, simulator: SimulatorProcess) -> None:
    client = sdk_class(api_key=simulator.app_key)
    client.generate_session(api_secret="not-the-secret", session_token=simulator.new_api_session())
    answer = client.get_funds()
    assert answer == {"Status": 5, "Error": "Authentication Fail :: Invalid Checksum."}


def test_unknown_app_key_and_bad_api_session(sdk_class: Any, simulator: SimulatorProcess) -> None:
    with pytest.raises(Exception, match=r"(?i)api key"):
        sdk_class(api_key="no-such-key").generate_session(
            api_secret=simulator.app_secret, session_token=simulator.new_api_session())
    with pytest.raises(Exception, match=r"(?i)session key"):
        sdk_class(api_key=simulator.app_key).generate_session(
            api_secret=simulator.app_secret, session_token="11111111")


def test_login_page_refuses_bad_credentials_and_unknown_key(simulator: SimulatorProcess) -> None:
    with httpx.Client(base_url=simulator.base_url, timeout=10) as client:
        unknown = client.get("/apiuser/login", params={"api_key": "nobody"})
        assert unknown.status_code == 400 and "Invalid API key" in unknown.text
        wrong = client.post("/apiuser/login", data={
            "api_key": simulator.app_key, "user_id": simulator.user_id,
            "password": "wrong", "otp": simulator.otp})
        assert wrong.status_code == 401
        assert "API_Session" not in wrong.text and simulator.redirect_url not in wrong.text
