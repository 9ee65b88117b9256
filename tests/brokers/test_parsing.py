"""Every documented sample response parsed into wire schemas, and every documented
error answer mapped to its typed error — fed straight to the parsing functions."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from algodesk.brokers.icici import parsing
from algodesk.brokers.icici.errors import (
    AuthenticationFailed,
    BreezeError,
    BrokerOutage,
    BrokerRejected,
    InvalidAppKey,
    MalformedResponse,
    RateLimited,
    SessionExpired,
)
from algodesk.brokers.icici.formats import IST
from algodesk.brokers.icici.parsing import parse_envelope

FIXTURES = Path(__file__).parent / "fixtures"


def sample(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def envelope(document: Any, endpoint: str = "test", http_status: int = 200) -> parsing.Envelope:
    body = json.dumps(document).encode()
    return parse_envelope(body, http_status=http_status, endpoint=endpoint)


def ok(success: Any) -> dict[str, Any]:
    return {"Success": success, "Status": 200, "Error": None}


# ------------------------------------------------------------------ samples → schemas


def test_customer_details_sample() -> None:
    details = parsing.parse_customer_details(envelope(sample("customerdetails"), "customer_details"))
    assert details.idirect_userid == "XY604721"
    assert details.user_id == "XY604721"
    assert details.session_key == "97347233"
    assert details.session_token == "WFk2MDQ3MjE6OTczNDcyMzM="
    assert details.exg_trade_date is not None and details.exg_trade_date["NSE"] == "04-Feb-2025"
    assert details.idirect_ord_typ == "N"
    assert "97347233" not in repr(details)
    assert "WFk2MDQ3MjE6OTczNDcyMzM=" not in repr(details)


def test_funds_sample_mixes_numbers_and_strings() -> None:
    funds = parsing.parse_funds(envelope(sample("funds_get")))
    assert funds.total_bank_balance == Decimal("800000000.0")
    assert funds.block_by_trade_fno == Decimal("12500000.53")
    assert funds.block_by_trade_balance == Decimal(15500000)
    assert funds.unallocated_balance == Decimal("87500000")
    assert funds.bank_account == "123456789012"


def test_funds_allocation() -> None:
    result = parsing.parse_funds_allocation(envelope(ok({"status": "Success"})))
    assert result.status == "Success"


def test_demat_holdings_sample() -> None:
    [row] = parsing.parse_demat_holdings(envelope(sample("dematholdings")))
    assert row.stock_code == "UNITEC"
    assert row.stock_isin == "INE694A01020"
    assert row.quantity == 1 and row.demat_avail_quantity == 0


def test_portfolio_holdings_fno_sample_and_equity_nulls() -> None:
    document = sample("portfolioholdings_nfo")
    [row] = parsing.parse_portfolio_holdings(envelope(document))
    assert row.stock_code == "NIFTY" and row.exchange_code == "NFO"
    assert row.realized_profit == Decimal("-349.26")
    assert row.strike_price == Decimal("25200")
    assert row.booked_profit_loss is None
    short = copy.deepcopy(document)
    short["Success"][0].update({"quantity": "-40", "action": "Sell"})
    assert parsing.parse_portfolio_holdings(envelope(short))[0].quantity == -40
    equity = copy.deepcopy(document)
    equity["Success"][0].update(
        {key: None for key in ("product_type", "expiry_date", "strike_price", "right",
                               "category_index_per_stock", "action")}
        | {"exchange_code": "NSE", "stock_code": "STABAN", "quantity": "10"}
    )
    [eq] = parsing.parse_portfolio_holdings(envelope(equity))
    assert eq.strike_price is None and eq.action is None and eq.quantity == 10


def test_positions_sample() -> None:
    [row] = parsing.parse_positions(envelope(sample("portfoliopositions")))
    assert row.segment == "fno" and row.action == "NA" and row.quantity == 0
    assert row.ltp == Decimal("29.95") and row.price == Decimal("28.85")
    assert row.strike_price == Decimal("24800")
    assert row.order_id == "" and row.pnl is None


def test_no_positions_is_an_empty_list() -> None:
    document = {"Status": 200, "Success": None, "Error": "No Positions available."}
    assert parsing.parse_positions(envelope(document, "portfolio_positions")) == []


@pytest.mark.parametrize("name", ["order_place_fno", "order_place_equity"])
def test_order_placement_samples(name: str) -> None:
    result = parsing.parse_order_placement(envelope(sample(name), "order.place"))
    assert result.order_id in {"202502051400001234", "20250205N300001234"}
    assert result.message


def test_order_row_sample() -> None:
    [row] = parsing.parse_orders(envelope(ok([sample("order_row")])))
    assert row.order_id == "20250205N300001234"
    assert row.status == "Ordered" and row.action == "Buy" and row.order_type == "Limit"
    assert row.price == Decimal("420.00") and row.quantity == 1
    assert row.strike_price == Decimal("0.0") and row.pending_quantity == 1
    assert row.sltp_price is None and row.initial_sltp is None and row.ltp is None
    assert row.validity_date == ""


def test_order_row_fno_capture_variant() -> None:
    raw = sample("order_row") | {
        "product_type": "Options", "expiry_date": "21-Aug-2024", "right": "Call",
        "strike_price": 49000, "exchange_order_id": "1100000012345678", "stoploss": "0",
        "parent_order_id": "", "validity_date": None, "order_datetime": "16-Aug-2024 13:07:26",
        "SLTP_price": "12.5", "intial_sltp": "11", "LTP": "101.25",
        "status": "Cancelled", "cancelled_quantity": "15", "pending_quantity": "15",
    }
    [row] = parsing.parse_orders(envelope(ok([raw])))
    assert row.strike_price == Decimal(49000)
    assert row.sltp_price == Decimal("12.5") and row.initial_sltp == Decimal(11)
    assert row.ltp == Decimal("101.25")
    assert row.cancelled_quantity == 15


def test_order_modify_and_cancel_samples() -> None:
    modified = parsing.parse_order_modification(envelope(sample("order_modify")))
    assert modified.order_id == "202502051400012345"
    cancelled = parsing.parse_order_cancellation(envelope(sample("order_cancel")))
    assert cancelled.order_id == "20250205N300001234"


def test_trade_list_rows_equity_and_fno() -> None:
    equity = sample("trades_list_row")
    fno = equity | {
        key: None for key in ("segment", "settlement_code", "dp_id", "client_id",
                              "eatm_withheld_amount", "cash_withheld_amount", "order_type")
    } | {"product_type": "Options", "expiry_date": "16-Aug-2024", "right": "Call",
         "strike_price": "80500", "brokerage_amount": "0", "total_taxes": "0",
         "exchange_code": "BFO"}
    rows = parsing.parse_trades(envelope(ok([equity, fno])))
    assert rows[0].average_cost == Decimal("452.20") and rows[0].quantity == 1
    assert rows[0].strike_price is None
    assert rows[1].strike_price == Decimal("80500") and rows[1].segment is None


def test_trade_detail_sample() -> None:
    [fill] = parsing.parse_trade_fills(envelope(sample("trades_detail")))
    assert fill.action == "B"
    assert fill.execution_price == Decimal("452.2") and fill.executed_quantity == 1
    assert fill.exchange_trade_time == "05-Feb-2025 10:41:24"


def test_future_quote_sample() -> None:
    [quote] = parsing.parse_quotes(envelope(sample("quotes_future")))
    assert quote.product_type == "Future" and quote.right == "*"
    assert quote.ltp == Decimal("23832.85")
    assert quote.best_bid_quantity == 1500 and quote.spot_price == Decimal("23783.7")
    assert quote.upper_circuit == Decimal("26163.95")


def test_cash_quote_two_rows_nse_first() -> None:
    base = sample("quotes_future")["Success"][0]
    cash = base | {"product_type": "", "expiry_date": None, "right": None,
                   "strike_price": 0.0, "spot_price": None, "stock_code": "STABAN"}
    rows = [cash | {"exchange_code": "NSE"}, cash | {"exchange_code": "BSE"}]
    nse, bse = parsing.parse_quotes(envelope(ok(rows)))
    assert (nse.exchange_code, bse.exchange_code) == ("NSE", "BSE")
    assert nse.spot_price is None and nse.product_type == ""


def test_option_chain_row_sample() -> None:
    [row] = parsing.parse_option_chain(envelope(ok([sample("optionchain_row")])))
    assert row.strike_price == Decimal("760.0") and row.right == "Call"
    assert row.ltt == "" and row.change_oi == Decimal("0.0")
    assert row.spot_price == Decimal("1424.4")


def test_historical_v1_row_sample() -> None:
    raw = sample("historical_v1_row")
    equity = raw | {key: None for key in ("product_type", "expiry_date", "right",
                                          "strike_price", "open_interest")}
    future, cash = parsing.parse_candles_v1(envelope(ok([raw, equity])))
    assert future.datetime == dt.datetime(2025, 2, 3, 9, 21, tzinfo=IST)
    assert future.open == Decimal("23346.6") and future.close == Decimal("23338.6")
    assert future.volume == 81600 and future.open_interest == 17543475 and future.count == 6
    assert cash.open_interest is None and cash.strike_price is None


def test_historical_v2_sample_and_empty() -> None:
    [candle] = parsing.parse_candles_v2(envelope(sample("historical_v2"), "historical.v2"))
    assert candle.close == Decimal("201.85") and candle.volume == 207825
    assert candle.strike_price == Decimal("23200.0")
    assert candle.datetime.hour == 9 and candle.datetime.minute == 20
    empty = {"Error": None, "Status": 200, "Success": []}
    assert parsing.parse_candles_v2(envelope(empty, "historical.v2")) == []


def test_no_data_found_is_empty_for_list_endpoints() -> None:
    for status in (200, 500):
        document = {"Success": None, "Status": status, "Error": "No Data Found"}
        assert parsing.parse_candles_v1(envelope(document, "historical.v1")) == []
        assert parsing.parse_option_chain(envelope(document, "option_chain")) == []


def test_margin_sample() -> None:
    margin = parsing.parse_margin(envelope(sample("margin_get")))
    assert margin.cash_limit == Decimal("1000000.0") and margin.limit_list == ()
    with_limits = ok({"limit_list": [{"amount": "10"}], "cash_limit": 1})
    assert parsing.parse_margin(envelope(with_limits)).limit_list[0]["amount"] == "10"


def test_square_off_sample() -> None:
    result = parsing.parse_square_off(envelope(sample("squareoff"), "squareoff"))
    assert result.order_id == "202502052500001234" and result.indicator == "0"


def test_preview_sample() -> None:
    preview = parsing.parse_order_preview(envelope(sample("preview_order")))
    assert preview.total_brokerage == Decimal("0.89") and preview.stt == Decimal("0.44")
    assert preview.brokerage + preview.total_other_charges == preview.total_brokerage  # type: ignore[operator]


def test_margin_calculator_sample() -> None:
    result = parsing.parse_margin_calculation(envelope(sample("margincalculator")))
    assert result.span_margin_required == Decimal("493011.26")
    assert result.trade_margin is None
    [leg] = result.legs
    assert leg.stock_code == "CNXBAN" and leg.quantity == 30 and leg.price == Decimal("49500")


# ------------------------------------------------------------------ error mapping


def error_for(document: Any, *, http_status: int = 200, endpoint: str = "funds.get",
              raw: bytes | None = None) -> BreezeError:
    body = raw if raw is not None else json.dumps(document).encode()
    with pytest.raises(BreezeError) as info:
        parse_envelope(body, http_status=http_status, endpoint=endpoint)
    return info.value


def test_invalid_checksum_is_authentication_failed_and_says_why() -> None:
    err = error_for({"Status": 5, "Error": "Authentication Fail :: Invalid Checksum."},
                    http_status=401)
    assert isinstance(err, AuthenticationFailed) and isinstance(err, SessionExpired)
    assert (err.breeze_status, err.http_status, err.endpoint) == (5, 401, "funds.get")
    assert err.status == 403  # what the platform answers: log in again
    for cause in ("secret", "checksum", "session"):
        assert cause in err.message
    assert err.broker_error == "Authentication Fail :: Invalid Checksum."


def test_rate_limit_per_minute_exact_body() -> None:
    raw = b'{"Status":5,"Error":"Limit exceed: API call per minute:Try after some time"}'
    assert len(raw) == 76
    err = error_for(None, raw=raw, http_status=401)
    assert isinstance(err, RateLimited) and err.scope == "minute"


@pytest.mark.parametrize("text", ["Limit exceed: API call per day:", "Limit exceed: API call per day: "])
def test_rate_limit_per_day(text: str) -> None:
    err = error_for({"Status": 5, "Error": text}, http_status=401)
    assert isinstance(err, RateLimited) and err.scope == "day"


def test_customerdetails_errors() -> None:
    expired = error_for({"Success": None, "Status": 500, "Error": "Resource not available."},
                        endpoint="customer_details")
    assert type(expired) is SessionExpired
    invalid = error_for({"Success": None, "Status": 500, "Error": "Invalid session."},
                        endpoint="customer_details")
    assert type(invalid) is SessionExpired
    key = error_for({"Success": None, "Status": 500, "Error": "Public Key does not exist."},
                    endpoint="customer_details")
    assert isinstance(key, InvalidAppKey)


def test_resource_not_available_elsewhere_is_a_rejection() -> None:
    err = error_for({"Success": None, "Status": 500, "Error": "Resource not available"},
                    endpoint="squareoff")
    assert type(err) is BrokerRejected and err.message == "Resource not available"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Currently, We are not able to process your request. Please try  after some time",
         BrokerOutage),
        ("Wallet Amount is not sufficient to allocate ", BrokerRejected),
        ("Error while calling service, Please contact admin (T2:154)", BrokerOutage),
        ("Historical Data Fail", BrokerRejected),
        ("Invalid User Details", BrokerRejected),
        ("Order-type should be either 'limit' or 'stoploss'", BrokerRejected),
    ],
)
def test_business_errors_are_rejections_with_the_broker_text(
        text: str, kind: type[BrokerRejected]) -> None:
    """Refusals keep the broker's words; its outage words make a `BrokerOutage` (still a
    `BrokerRejected`), which the platform answers as 502 rather than 400."""
    err = error_for({"Success": None, "Status": 500, "Error": text})
    assert type(err) is kind and isinstance(err, BrokerRejected)
    assert err.message == text and err.broker_error == text and err.breeze_status == 500
    assert err.status == (502 if kind is BrokerOutage else 400)


def test_an_http_5xx_refusal_is_an_outage() -> None:
    err = error_for({"Success": None, "Status": 500, "Error": "Service down"}, http_status=503)
    assert type(err) is BrokerOutage and err.http_status == 503


def test_unknown_gateway_error_is_a_rejection() -> None:
    err = error_for({"Status": 5, "Error": "Something else"}, http_status=401)
    assert type(err) is BrokerRejected and err.breeze_status == 5


def test_html_page_is_malformed() -> None:
    html = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    err = error_for(None, raw=html, http_status=502)
    assert isinstance(err, MalformedResponse)
    assert "HTML" in err.message and "502 Bad Gateway" in err.message
    assert err.http_status == 502


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", "empty"),
        (b'{"Success": {', "non-JSON"),
        (b"[1, 2]", "object"),
        (b'{"Success": {}, "Error": null}', "Status"),
        (b'{"Success": {}, "Status": 200}', "Error"),
        (b'{"Status": 200, "Error": null}', "Success"),
        (b'{"Success": {}, "Status": "ok", "Error": null}', "Status"),
    ],
)
def test_broken_envelopes_are_malformed(raw: bytes, words: str) -> None:
    err = error_for(None, raw=raw)
    assert isinstance(err, MalformedResponse) and words in err.message


def test_missing_required_row_key_names_the_key() -> None:
    row = sample("order_row")
    del row["order_id"]
    with pytest.raises(MalformedResponse, match="BreezeOrder: required key 'order_id'"):
        parsing.parse_orders(envelope(ok([row]), "order.list"))


def test_unusable_value_names_the_key() -> None:
    row = sample("order_row") | {"price": "abc"}
    with pytest.raises(MalformedResponse, match="'price'"):
        parsing.parse_orders(envelope(ok([row]), "order.list"))


def test_wrong_success_shape_is_malformed() -> None:
    with pytest.raises(MalformedResponse, match="array"):
        parsing.parse_orders(envelope(ok({"order_id": "1"})))
    with pytest.raises(MalformedResponse, match="object"):
        parsing.parse_funds(envelope(ok([])))


def test_extra_keys_are_ignored() -> None:
    row = sample("order_row") | {"brand_new_key": {"nested": True}}
    assert parsing.parse_orders(envelope(ok([row])))[0].order_id == "20250205N300001234"


def test_string_status_is_tolerated() -> None:
    document = {"Success": {"status": "Success"}, "Status": "200", "Error": None}
    assert parsing.parse_funds_allocation(envelope(document)).status == "Success"
