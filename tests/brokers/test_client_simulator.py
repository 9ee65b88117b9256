"""`BreezeClient` against the real Breeze simulator over loopback: every route round-trips
and every error mapping is provoked with the simulator's fault injection."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import AsyncIterator
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any

import httpx
import pytest

from algodesk.brokers.icici import (
    AuthenticationFailed,
    BreezeClient,
    BrokerRejected,
    InvalidAppKey,
    MalformedResponse,
    RateLimited,
    ResponseTimeout,
    SessionExpired,
    TransportError,
    login_url,
)
from algodesk.brokers.icici.formats import IST, parse_response_date
from algodesk.brokers.icici.schemas import BreezeQuote

# A multiple of every NSE cash tick between 250 and 5000 (0.05 below 1000, 0.10 above).
TICK = Decimal("0.10")


def today_ist() -> dt.date:
    return dt.datetime.now(IST).date()


def tick_round(price: Decimal, direction: str) -> Decimal:
    steps = (price / TICK).quantize(Decimal(1), rounding=direction)
    return steps * TICK


def client_for(sim: Any, **kwargs: Any) -> BreezeClient:
    params: dict[str, Any] = {"api_url": sim.api_url, "history_url": sim.history_url,
                              "timeout": 10.0}
    params.update(kwargs)
    secret = params.pop("secret", sim.app_secret)
    key = params.pop("app_key", sim.app_key)
    return BreezeClient(key, secret, **params)


@pytest.fixture
async def breeze(simulator: Any) -> AsyncIterator[BreezeClient]:
    sent: list[str] = []
    client = client_for(simulator, on_request=sent.append)
    client.sent = sent  # type: ignore[attr-defined]
    async with client:
        await client.customer_details(simulator.new_api_session())
        yield client


async def nse_quote(breeze: BreezeClient) -> BreezeQuote:
    rows = await breeze.get_quotes("STABAN", "NSE", product_type="cash")
    assert rows, "cash quote returned no rows"
    assert rows[0].exchange_code == "NSE"
    return rows[0]


async def nearest_nifty_expiry(breeze: BreezeClient) -> dt.date:
    futures = await breeze.get_option_chain("NIFTY", "NFO", "futures")
    assert futures, "no NIFTY futures in the chain"
    expiries = sorted({parse_response_date(row.expiry_date or "") for row in futures})
    upcoming = [day for day in expiries if day >= today_ist()]
    assert upcoming, expiries
    return upcoming[0]


# ------------------------------------------------------------------ login and session


async def test_login_page_accepts_the_encoded_app_key(simulator: Any) -> None:
    async with httpx.AsyncClient() as http:
        page = await http.get(login_url(simulator.login_url, simulator.app_key))
    assert page.status_code == 200


async def test_customer_details_stores_the_session(simulator: Any) -> None:
    async with client_for(simulator) as client:
        details = await client.customer_details(simulator.new_api_session())
        assert details.idirect_userid == simulator.user_id
        assert client.user_id == details.user_id == simulator.user_id
        assert client.session_key and client.session_state == "active"
        assert client.session_key not in repr(client) and simulator.app_secret not in repr(client)


async def test_admin_minted_api_session_also_logs_in(simulator: Any) -> None:
    api_session = simulator.admin("api-session")["api_session"]
    async with client_for(simulator) as client:
        details = await client.customer_details(api_session)
        assert details.user_id == simulator.user_id


# ------------------------------------------------------------------ account


async def test_funds_margin_and_allocation(breeze: BreezeClient) -> None:
    funds = await breeze.get_funds()
    assert funds.total_bank_balance > 0
    allocation = await breeze.set_funds("credit", 100, "Equity")
    assert allocation.status
    after = await breeze.get_funds()
    assert after.allocated_equity is not None
    if funds.allocated_equity is not None:
        assert after.allocated_equity == funds.allocated_equity + 100
    margin = await breeze.get_margin("NSE")
    assert margin.cash_limit is not None


async def test_positions_and_holdings(breeze: BreezeClient) -> None:
    assert isinstance(await breeze.get_portfolio_positions(), list)
    assert isinstance(await breeze.get_demat_holdings(), list)
    assert isinstance(await breeze.get_portfolio_holdings("NSE"), list)
    holdings = await breeze.get_portfolio_holdings(
        "NFO", from_date=today_ist() - dt.timedelta(days=30), to_date=today_ist()
    )
    assert isinstance(holdings, list)


# ------------------------------------------------------------------ market data


async def test_cash_quotes_nse_then_bse(breeze: BreezeClient) -> None:
    rows = await breeze.get_quotes("STABAN", "NSE", product_type="cash")
    assert [row.exchange_code for row in rows][:1] == ["NSE"]
    assert len(rows) == 2, "cash quotes should return an NSE row and a BSE row"
    nse = rows[0]
    assert nse.stock_code == "STABAN" and nse.ltp > 0
    assert nse.lower_circuit is not None and nse.upper_circuit is not None
    assert nse.lower_circuit <= nse.ltp <= nse.upper_circuit


async def test_option_chain_for_the_nearest_nifty_expiry(breeze: BreezeClient) -> None:
    expiry = await nearest_nifty_expiry(breeze)
    calls = await breeze.get_option_chain("NIFTY", "NFO", "options",
                                          expiry_date=expiry, right="call")
    assert calls
    assert {row.right for row in calls} == {"Call"}
    assert {parse_response_date(row.expiry_date or "") for row in calls} == {expiry}
    strikes = [row.strike_price for row in calls]
    assert all(strike is not None and strike > 0 for strike in strikes)
    assert len(set(strikes)) == len(strikes)


async def test_future_quote_says_future_and_star(breeze: BreezeClient) -> None:
    expiry = await nearest_nifty_expiry(breeze)
    [row] = await breeze.get_quotes("NIFTY", "NFO", product_type="futures",
                                    expiry_date=expiry, right="others", strike_price=0)
    assert (row.product_type, row.right) == ("Future", "*")
    assert row.ltp > 0


async def test_history_v1_and_v2(breeze: BreezeClient) -> None:
    end = dt.datetime.now(IST).replace(microsecond=0)
    start = end - dt.timedelta(days=3)
    v1 = await breeze.get_historical_v1("5minute", start, end, "STABAN", "NSE",
                                        product_type="cash")
    v2 = await breeze.get_historical_v2("5minute", start, end, "STABAN", "NSE",
                                        product_type="cash")
    assert v1 and v2
    assert len(v2) <= 1000
    for candles in (v1, v2):
        times = [c.datetime for c in candles]
        assert times == sorted(times)
        for c in candles:
            assert c.low <= min(c.open, c.close) and c.high >= max(c.open, c.close)
    assert all(c.count is not None for c in v1)
    daily = await breeze.get_historical_v2("1day", today_ist() - dt.timedelta(days=10),
                                           today_ist(), "STABAN", "NSE", product_type="cash")
    assert daily


async def test_history_of_an_unknown_stock_is_empty_or_rejected(breeze: BreezeClient) -> None:
    end = dt.datetime.now(IST)
    assert await breeze.get_historical_v2(
        "1minute", end - dt.timedelta(hours=1), end, "NOSUCH", "NSE", product_type="cash"
    ) == []
    try:
        rows = await breeze.get_historical_v1(
            "1minute", end - dt.timedelta(hours=1), end, "NOSUCH", "NSE", product_type="cash"
        )
    except BrokerRejected as exc:
        assert exc.message == "Historical Data Fail"
    else:
        assert rows == []


# ------------------------------------------------------------------ orders


async def test_order_lifecycle_place_list_detail_modify_cancel(breeze: BreezeClient) -> None:
    quote = await nse_quote(breeze)
    resting = tick_round(max(quote.ltp * Decimal("0.95"), quote.lower_circuit or 0), ROUND_UP)
    placed = await breeze.place_order(
        stock_code="STABAN", exchange_code="NSE", product="cash", action="buy",
        order_type="limit", quantity=1, price=resting, validity="day", user_remark="lifecycle1",
    )
    assert placed.order_id

    [detail] = await breeze.get_order_detail("NSE", placed.order_id)
    assert detail.order_id == placed.order_id
    assert detail.status in {"Ordered", "Requested", "Queued"}
    assert (detail.stock_code, detail.action, detail.order_type) == ("STABAN", "Buy", "Limit")
    assert detail.price == resting and detail.quantity == 1
    assert detail.user_remark == "lifecycle1"

    listed = await breeze.get_order_list("NSE", today_ist(), today_ist())
    assert placed.order_id in {row.order_id for row in listed}

    new_price = resting - TICK
    modified = await breeze.modify_order("NSE", placed.order_id, price=new_price, quantity=2)
    assert modified.order_id == placed.order_id
    [after] = await breeze.get_order_detail("NSE", placed.order_id)
    assert after.price == new_price and after.quantity == 2

    cancelled = await breeze.cancel_order("NSE", placed.order_id)
    assert cancelled.order_id == placed.order_id
    [gone] = await breeze.get_order_detail("NSE", placed.order_id)
    assert gone.status == "Cancelled"


async def test_marketable_order_fills_trades_positions_and_square_off(
    breeze: BreezeClient,
) -> None:
    quote = await nse_quote(breeze)
    upper = quote.upper_circuit or quote.ltp * 2
    price = tick_round(min(quote.ltp * Decimal("1.03"), upper), ROUND_DOWN)
    placed = await breeze.place_order(
        stock_code="STABAN", exchange_code="NSE", product="cash", action="buy",
        order_type="limit", quantity=1, price=price, user_remark="fill1",
    )
    [detail] = await breeze.get_order_detail("NSE", placed.order_id)
    assert detail.status == "Executed", detail
    assert detail.average_price is not None and detail.average_price <= price

    trades = await breeze.get_trade_list("NSE", today_ist(), today_ist())
    [trade] = [t for t in trades if t.order_id == placed.order_id]
    assert trade.quantity == 1 and trade.action == "Buy" and trade.average_cost > 0
    fills = await breeze.get_trade_detail("NSE", placed.order_id)
    assert fills and sum(f.executed_quantity for f in fills) == 1
    assert {f.action for f in fills} == {"B"}
    filtered = await breeze.get_trade_list("NSE", today_ist(), today_ist(),
                                           action="buy", stock_code="STABAN")
    assert placed.order_id in {t.order_id for t in filtered}

    positions = await breeze.get_portfolio_positions()
    [long] = [p for p in positions if p.stock_code == "STABAN" and p.exchange_code == "NSE"]
    assert long.action == "Buy" and long.quantity >= 1

    fresh = await nse_quote(breeze)
    lower = fresh.lower_circuit or Decimal(0)
    sell_price = tick_round(max(fresh.ltp * Decimal("0.97"), lower), ROUND_UP)
    squared = await breeze.square_off(
        stock_code="STABAN", exchange_code="NSE", product_type="cash", action="sell",
        quantity=long.quantity, price=sell_price, order_type="limit",
    )
    assert squared.order_id
    [closing] = await breeze.get_order_detail("NSE", squared.order_id)
    assert closing.action == "Sell"


async def test_square_off_without_a_position_is_rejected(breeze: BreezeClient) -> None:
    with pytest.raises(BrokerRejected) as info:
        await breeze.square_off(stock_code="ITC", exchange_code="NSE", product_type="cash",
                                action="sell", quantity=5000, price="1", order_type="limit")
    assert info.value.message


async def test_preview_and_margin_calculator(breeze: BreezeClient) -> None:
    quote = await nse_quote(breeze)
    preview = await breeze.preview_order(
        stock_code="STABAN", exchange_code="NSE", product="cash", order_type="limit",
        action="buy", quantity=10, price=tick_round(quote.ltp, ROUND_DOWN),
    )
    assert preview.total_brokerage >= 0
    assert preview.brokerage is not None and preview.total_other_charges is not None
    assert preview.total_brokerage == preview.brokerage + preview.total_other_charges

    expiry = await nearest_nifty_expiry(breeze)
    [future] = await breeze.get_quotes("NIFTY", "NFO", product_type="futures",
                                       expiry_date=expiry, right="others", strike_price=0)
    margin = await breeze.margin_calculator(
        [{
            "strike_price": "0", "quantity": "75", "right": "others", "product": "futures",
            "action": "buy", "price": str(tick_round(future.ltp, ROUND_DOWN)),
            "expiry_date": expiry.strftime("%d-%b-%Y"), "stock_code": "NIFTY",
            "cover_order_flow": "N", "fresh_order_type": "N", "cover_limit_rate": "0",
            "cover_sltp_price": "0", "fresh_limit_rate": "0", "open_quantity": "0",
        }],
        "NFO",
    )
    assert margin.span_margin_required is not None and margin.span_margin_required > 0
    assert len(margin.legs) == 1 and (margin.legs[0].stock_code or "").strip() == "NIFTY"


async def test_every_sent_request_is_counted(breeze: BreezeClient) -> None:
    before = list(breeze.sent)  # type: ignore[attr-defined]
    assert before == ["customer_details"]
    await breeze.get_funds()
    await breeze.get_portfolio_positions()
    assert breeze.sent == ["customer_details", "funds.get", "portfolio_positions"]  # type: ignore[attr-defined]
    assert breeze.requests_sent == 3


# ------------------------------------------------------------------ error mappings


async def test_wrong_secret_is_authentication_failed(simulator: Any) -> None:
    async with client_for(simulator, secret="not-the-secret") as client:
        await client.customer_details(simulator.new_api_session())  # unsigned: works
        with pytest.raises(AuthenticationFailed) as info:
            await client.get_funds()
    err = info.value
    assert (err.breeze_status, err.http_status) == (5, 401)
    assert "not-the-secret" not in str(err) and simulator.app_secret not in str(err)


async def test_unknown_app_key_is_invalid_app_key(simulator: Any) -> None:
    async with client_for(simulator, app_key="no-such-key") as client:
        with pytest.raises(InvalidAppKey):
            await client.customer_details(simulator.new_api_session())


async def test_unknown_or_expired_api_session_is_session_expired(simulator: Any) -> None:
    api_session = simulator.new_api_session()
    async with client_for(simulator) as client:
        await client.customer_details(api_session)
        with pytest.raises(SessionExpired) as unknown:
            await client.customer_details("99999999")
        assert not isinstance(unknown.value, AuthenticationFailed)
        assert unknown.value.broker_error == "Invalid session."
        # A refused API_Session leaves the working session alone.
        assert client.session_state == "active"
        await client.get_funds()
        # Past the daily expiry the same API_Session is "Resource not available.".
        simulator.admin("clock", {"offset_seconds": 26 * 3600})
        with pytest.raises(SessionExpired) as expired:
            await client.customer_details(api_session)
        assert expired.value.broker_error == "Resource not available."


async def test_expired_sessions_are_refused_and_then_stopped_locally(
    simulator: Any, breeze: BreezeClient
) -> None:
    await breeze.get_funds()
    simulator.admin("faults", {"expire_sessions": True})
    with pytest.raises(SessionExpired) as info:
        await breeze.get_funds()
    assert isinstance(info.value, AuthenticationFailed)
    sent = len(breeze.sent)  # type: ignore[attr-defined]
    with pytest.raises(SessionExpired):
        await breeze.get_portfolio_positions()
    assert len(breeze.sent) == sent  # type: ignore[attr-defined]
    assert breeze.session_state == "expired"
    await breeze.customer_details(simulator.new_api_session())
    await breeze.get_funds()


async def test_per_minute_limit_is_rate_limited(simulator: Any, breeze: BreezeClient) -> None:
    simulator.admin("limits", {"calls_per_minute": 3})
    with pytest.raises(RateLimited) as info:
        for _ in range(10):
            await breeze.get_funds()
    assert info.value.scope == "minute"
    assert (info.value.breeze_status, info.value.http_status) == (5, 401)
    assert breeze.session_state == "active"


async def test_per_day_limit_is_rate_limited(simulator: Any, breeze: BreezeClient) -> None:
    simulator.admin("limits", {"calls_per_day": 1})
    with pytest.raises(RateLimited) as info:
        for _ in range(5):
            await breeze.get_funds()
    assert info.value.scope == "day"


async def test_malformed_json_is_malformed_response(simulator: Any, breeze: BreezeClient) -> None:
    simulator.admin("faults", {"malformed_rate": 1.0})
    with pytest.raises(MalformedResponse) as info:
        await breeze.get_funds()
    assert not info.value.outcome_unknown
    with pytest.raises(MalformedResponse) as order:
        await breeze.cancel_order("NSE", "20250205N300000001")
    assert order.value.outcome_unknown


async def test_maintenance_page_is_malformed_response(simulator: Any, breeze: BreezeClient) -> None:
    simulator.admin("faults", {"html_rate": 1.0})
    with pytest.raises(MalformedResponse, match="HTML") as info:
        await breeze.get_portfolio_positions()
    assert info.value.http_status == 503


async def test_backend_outage_is_broker_rejected(simulator: Any, breeze: BreezeClient) -> None:
    simulator.admin("faults", {"error_rate": 1.0})
    with pytest.raises(BrokerRejected, match="Error while calling service") as info:
        await breeze.get_funds()
    assert info.value.breeze_status == 500


async def test_lost_answer_is_response_timeout_and_order_is_reconciled(simulator: Any) -> None:
    sent: list[str] = []
    async with client_for(simulator, timeout=1.0, on_request=sent.append) as client:
        await client.customer_details(simulator.new_api_session())
        quote = await nse_quote(client)
        price = tick_round(quote.ltp * Decimal("0.9"), ROUND_UP)
        simulator.admin("faults", {"timeout_rate": 1.0})
        with pytest.raises(ResponseTimeout) as info:
            await client.place_order(
                stock_code="STABAN", exchange_code="NSE", product="cash", action="buy",
                order_type="limit", quantity=1, price=price, user_remark="lost-answer",
            )
        assert info.value.outcome_unknown
        assert sent.count("order.place") == 1  # never resent
        simulator.admin("faults", {"timeout_rate": 0.0})
        orders = await client.get_order_list("NSE", today_ist(), today_ist())
        matches = [o for o in orders if o.user_remark == "lost-answer"]
        assert len(matches) == 1, "the lost order exists exactly once at the broker"
        await client.cancel_order("NSE", matches[0].order_id)


async def test_closed_port_is_transport_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with BreezeClient("k", "s", api_url=f"http://127.0.0.1:{port}/breezeapi/api/v1/",
                            history_url=f"http://127.0.0.1:{port}/api/v2/",
                            timeout=2.0) as client:
        with pytest.raises(TransportError, match="not sent"):
            await client.customer_details("12345678")


async def test_reject_next_order_is_broker_rejected(simulator: Any, breeze: BreezeClient) -> None:
    quote = await nse_quote(breeze)
    simulator.admin("faults", {"reject_next_order": "Insufficient margin for the order"})
    with pytest.raises(BrokerRejected) as info:
        await breeze.place_order(
            stock_code="STABAN", exchange_code="NSE", product="cash", action="buy",
            order_type="limit", quantity=1, price=tick_round(quote.ltp * Decimal("0.9"), ROUND_UP),
        )
    assert info.value.message == "Insufficient margin for the order"
    assert info.value.breeze_status == 500


async def test_raw_market_order_is_rejected(breeze: BreezeClient) -> None:
    with pytest.raises(BrokerRejected, match="limit"):
        await breeze.place_order(stock_code="STABAN", exchange_code="NSE", product="cash",
                                 action="buy", order_type="market", quantity=1)
