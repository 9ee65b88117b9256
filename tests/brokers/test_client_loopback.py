"""What the client puts on the wire and how it treats the transport, checked against a
tiny recording HTTP server on loopback (no simulator needed)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
from collections.abc import AsyncIterator
from decimal import Decimal
from urllib.parse import parse_qsl

import httpx
import pytest

from algodesk.brokers.icici import (
    AuthenticationFailed,
    BreezeClient,
    BrokerRejected,
    MalformedResponse,
    ResponseTimeout,
    SessionExpired,
    TransportError,
)
from algodesk.brokers.icici.signing import encode_session_token

from .conftest import Loopback

APP_KEY = "k+y=1!^#$~("
SECRET = "s3cr3t-value-XYZ"
USER, KEY = "AB123456", "87654321"
TOKEN = encode_session_token(USER, KEY)
NOW = dt.datetime(2025, 2, 5, 4, 0, 0, tzinfo=dt.UTC)  # 09:30 IST


class FakeClock:
    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class CountingTransport(httpx.AsyncHTTPTransport):
    """A real transport that counts how many times a request was attempted."""

    def __init__(self) -> None:
        super().__init__()
        self.attempts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.attempts += 1
        return await super().handle_async_request(request)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def client(loopback: Loopback) -> AsyncIterator[BreezeClient]:
    sent: list[str] = []
    breeze = BreezeClient(
        APP_KEY, SECRET, api_url=loopback.api_url, history_url=loopback.history_url,
        clock=FakeClock(), on_request=sent.append, timeout=2.0,
    )
    breeze.set_session(TOKEN)
    breeze.sent = sent  # type: ignore[attr-defined]
    async with breeze:
        yield breeze


def expected_checksum(timestamp: str, body: bytes) -> str:
    return "token " + hashlib.sha256(timestamp.encode() + body + SECRET.encode()).hexdigest()


async def test_place_order_body_is_the_sdk_key_order_and_signed_as_sent(
    client: BreezeClient, loopback: Loopback
) -> None:
    loopback.reply_json(
        {"Success": {"order_id": "20250205N300000001", "message": "ok", "user_remark": None},
         "Status": 200, "Error": None}
    )
    result = await client.place_order(
        stock_code="STABAN", exchange_code="nse", product="cash", action="buy",
        order_type="limit", quantity=1, price=Decimal("700.05"), user_remark="jrn42",
        disclosed_quantity=0,
    )
    assert result.order_id == "20250205N300000001"
    [request] = loopback.requests
    assert request.method == "POST" and request.path == "/breezeapi/api/v1/order"
    assert request.body == (
        b'{"stock_code":"STABAN","exchange_code":"NSE","product":"cash","action":"buy",'
        b'"order_type":"limit","quantity":"1","price":"700.05","validity":"day",'
        b'"settlement_id":"","order_segment_code":"","lots":"","user_remark":"jrn42",'
        b'"disclosed_quantity":"0"}'
    )
    headers = request.headers
    assert headers["content-type"] == "application/json"
    assert headers["x-timestamp"] == "2025-02-05T04:00:00.000Z"
    assert headers["x-checksum"] == expected_checksum(headers["x-timestamp"], request.body)
    assert headers["x-appkey"] == APP_KEY
    assert headers["x-sessiontoken"] == TOKEN
    assert client.sent == ["order.place"]  # type: ignore[attr-defined]


async def test_fno_order_appends_optional_keys_in_sdk_order(
    client: BreezeClient, loopback: Loopback
) -> None:
    loopback.reply_json({"Success": {"order_id": "1"}, "Status": 200, "Error": None})
    await client.place_order(
        stock_code="NIFTY", exchange_code="NFO", product="options", action="sell",
        order_type="stoploss", quantity=75, price="101.5", stoploss="100",
        expiry_date=dt.date(2025, 2, 27), right="call", strike_price=24000,
    )
    body = json.loads(loopback.requests[0].body)
    assert list(body)[-4:] == ["stoploss", "expiry_date", "right", "strike_price"]
    assert body["expiry_date"] == "2025-02-27T06:00:00.000Z"
    assert body["strike_price"] == "24000"


async def test_get_requests_carry_json_bodies_and_empty_is_braces(
    client: BreezeClient, loopback: Loopback
) -> None:
    loopback.reply_json({"Success": {"total_bank_balance": 1, "block_by_trade_balance": 0},
                         "Status": 200, "Error": None})
    loopback.reply_json({"Success": [], "Status": 200, "Error": None})
    await client.get_funds()
    await client.get_order_list(
        "NSE", dt.date(2025, 2, 5), dt.datetime(2025, 2, 5, 10, 0, tzinfo=dt.UTC)
    )
    funds, orders = loopback.requests
    assert (funds.method, funds.body) == ("GET", b"{}")
    assert funds.headers["x-checksum"] == expected_checksum(funds.headers["x-timestamp"], b"{}")
    assert orders.method == "GET"
    assert orders.body == (
        b'{"exchange_code":"NSE","from_date":"2025-02-05T00:00:00.000Z",'
        b'"to_date":"2025-02-05T15:30:00.000Z"}'
    )


async def test_modify_and_cancel_bodies(client: BreezeClient, loopback: Loopback) -> None:
    loopback.reply_json({"Success": {"order_id": "9", "message": "m"}, "Status": 200,
                         "Error": None})
    loopback.reply_json({"Success": {"order_id": "9", "message": "c"}, "Status": 200,
                         "Error": None})
    await client.modify_order("NSE", "9", price=Decimal("701"), quantity=2)
    await client.cancel_order("NSE", "9")
    modify, cancel = loopback.requests
    assert modify.method == "PUT"
    assert modify.body == b'{"order_id":"9","exchange_code":"NSE","quantity":"2","price":"701"}'
    assert cancel.method == "DELETE"
    assert cancel.body == b'{"exchange_code":"NSE","order_id":"9"}'


async def test_customerdetails_is_unsigned_and_stores_the_session(loopback: Loopback) -> None:
    token = encode_session_token("XY604721", "97347233")
    loopback.reply_json({"Success": {"idirect_userid": "XY604721", "session_token": token},
                         "Status": 200, "Error": None})
    async with BreezeClient(APP_KEY, SECRET, api_url=loopback.api_url,
                            history_url=loopback.history_url) as breeze:
        details = await breeze.customer_details("12345678")
        assert (breeze.user_id, breeze.session_key) == ("XY604721", "97347233")
        assert details.user_id == "XY604721" and breeze.session_state == "active"
    [request] = loopback.requests
    assert request.method == "GET" and request.path.endswith("/customerdetails")
    assert request.body == json.dumps(
        {"SessionToken": "12345678", "AppKey": APP_KEY}, separators=(",", ":")
    ).encode()
    assert not [name for name in request.headers if name.startswith("x-")]
    assert request.headers["content-type"] == "application/json"


async def test_history_v2_uses_query_parameters_and_no_checksum(
    client: BreezeClient, loopback: Loopback
) -> None:
    loopback.reply_json({"Error": None, "Status": 200, "Success": []})
    candles = await client.get_historical_v2(
        "1minute", dt.datetime(2025, 2, 3, 9, 15), dt.datetime(2025, 2, 3, 9, 30),
        "NIFTY", "NFO", product_type="options", expiry_date=dt.date(2025, 2, 6),
        strike_price=23200, right="call",
    )
    assert candles == []
    [request] = loopback.requests
    assert request.method == "GET" and request.path == "/api/v2/historicalcharts"
    assert request.body == b""
    assert parse_qsl(request.query) == [
        ("interval", "1minute"), ("from_date", "2025-02-03T09:15:00.000Z"),
        ("to_date", "2025-02-03T09:30:00.000Z"), ("stock_code", "NIFTY"),
        ("exch_code", "NFO"), ("product_type", "options"),
        ("expiry_date", "2025-02-06T06:00:00.000Z"), ("strike_price", "23200"),
        ("right", "call"),
    ]
    assert request.headers["x-sessiontoken"] == TOKEN
    assert request.headers["apikey"] == APP_KEY
    assert "x-checksum" not in request.headers and "x-timestamp" not in request.headers


async def test_history_v1_rewrites_sdk_intervals(client: BreezeClient, loopback: Loopback) -> None:
    loopback.reply_json({"Success": None, "Status": 200, "Error": "No Data Found"})
    assert await client.get_historical_v1(
        "1minute", dt.date(2025, 2, 3), dt.date(2025, 2, 3), "STABAN", "NSE",
        product_type="cash",
    ) == []
    body = json.loads(loopback.requests[0].body)
    assert body["interval"] == "minute"
    assert (body["from_date"], body["to_date"]) == (
        "2025-02-03T00:00:00.000Z", "2025-02-03T23:59:59.000Z"
    )


async def test_square_off_and_preview_send_every_key(
    client: BreezeClient, loopback: Loopback
) -> None:
    loopback.reply_json({"Success": {"order_id": "1"}, "Status": 200, "Error": None})
    loopback.reply_json({"Success": {"total_brokerage": 1}, "Status": 200, "Error": None})
    await client.square_off(stock_code="STABAN", exchange_code="NSE", product_type="cash",
                            action="sell", quantity=1, price="690")
    await client.preview_order(stock_code="STABAN", exchange_code="NSE", product="cash",
                               order_type="limit", action="buy", quantity=1, price="700")
    square, preview = (json.loads(r.body) for r in loopback.requests)
    assert list(square) == [
        "source_flag", "stock_code", "exchange_code", "quantity", "price", "action",
        "order_type", "validity", "stoploss_price", "disclosed_quantity",
        "protection_percentage", "settlement_id", "margin_amount", "open_quantity",
        "cover_quantity", "product_type", "expiry_date", "right", "strike_price",
        "validity_date", "alias_name", "trade_password", "order_reference",
        "position_exchange_code", "lots",
    ]
    assert list(preview) == [
        "stock_code", "exchange_code", "product", "order_type", "price", "action",
        "quantity", "expiry_date", "right", "strike_price", "specialflag", "stoploss",
        "order_rate_fresh",
    ]
    assert loopback.requests[1].method == "GET"


async def test_daily_expiry_stops_calls_before_sending(loopback: Loopback) -> None:
    clock = FakeClock(dt.datetime(2025, 2, 5, 18, 29, 0, tzinfo=dt.UTC))  # 23:59 IST
    sent: list[str] = []
    async with BreezeClient(APP_KEY, SECRET, api_url=loopback.api_url,
                            history_url=loopback.history_url, clock=clock,
                            on_request=sent.append) as breeze:
        breeze.set_session(TOKEN)
        assert breeze.session_expires_at == dt.datetime(2025, 2, 5, 18, 30, tzinfo=dt.UTC)
        clock.now += dt.timedelta(minutes=1)
        with pytest.raises(SessionExpired, match="daily expiry"):
            await breeze.get_funds()
        assert breeze.session_state == "expired"
    assert loopback.requests == [] and sent == []


async def test_no_session_is_refused_locally(loopback: Loopback) -> None:
    async with BreezeClient(APP_KEY, SECRET, api_url=loopback.api_url,
                            history_url=loopback.history_url) as breeze:
        with pytest.raises(SessionExpired, match="log in"):
            await breeze.get_portfolio_positions()
    assert loopback.requests == []


async def test_refused_session_is_dead_until_a_new_one(
    client: BreezeClient, loopback: Loopback
) -> None:
    loopback.reply_json({"Status": 5, "Error": "Authentication Fail :: Invalid Checksum."}, 401)
    with pytest.raises(AuthenticationFailed):
        await client.get_funds()
    with pytest.raises(SessionExpired):
        await client.get_funds()
    assert len(loopback.requests) == 1
    client.set_session(TOKEN)
    loopback.reply_json({"Success": [], "Status": 200, "Error": None})
    assert await client.get_portfolio_positions() == []


async def test_secrets_never_appear_in_repr_or_errors(
    client: BreezeClient, loopback: Loopback
) -> None:
    text = repr(client)
    for secret in (SECRET, TOKEN, KEY):
        assert secret not in text
    loopback.reply_json({"Success": None, "Status": 500,
                         "Error": f"echo {SECRET} {TOKEN} {KEY}"})
    with pytest.raises(BrokerRejected) as info:
        await client.get_funds()
    for secret in (SECRET, TOKEN, KEY):
        assert secret not in str(info.value) and secret not in repr(info.value)
        assert secret not in (info.value.broker_error or "")


async def test_connection_refused_is_not_sent_and_reads_retry_once() -> None:
    port = closed_port()
    transport = CountingTransport()
    sent: list[str] = []
    async with httpx.AsyncClient(transport=transport) as http:
        breeze = BreezeClient(APP_KEY, SECRET, api_url=f"http://127.0.0.1:{port}/v1/",
                              history_url=f"http://127.0.0.1:{port}/v2/", http=http,
                              on_request=sent.append)
        breeze.set_session(TOKEN)
        with pytest.raises(TransportError, match="not sent") as info:
            await breeze.get_funds()
        assert not info.value.outcome_unknown
        assert transport.attempts == 2
        with pytest.raises(TransportError):
            await breeze.place_order(stock_code="STABAN", exchange_code="NSE",
                                     product="cash", action="buy", order_type="limit",
                                     quantity=1, price="700")
        assert transport.attempts == 3
        with pytest.raises(TransportError):
            await breeze.cancel_order("NSE", "1")
        assert transport.attempts == 4
    assert sent == []


async def test_silence_is_a_response_timeout_never_retried(loopback: Loopback) -> None:
    sent: list[str] = []
    async with BreezeClient(APP_KEY, SECRET, api_url=loopback.api_url,
                            history_url=loopback.history_url, timeout=0.3,
                            on_request=sent.append) as breeze:
        breeze.set_session(TOKEN)
        loopback.reply_hang()
        with pytest.raises(ResponseTimeout) as info:
            await breeze.place_order(stock_code="STABAN", exchange_code="NSE",
                                     product="cash", action="buy", order_type="limit",
                                     quantity=1, price="700")
        assert info.value.outcome_unknown and "reconcile" in info.value.message
        loopback.reply_hang()
        with pytest.raises(ResponseTimeout):
            await breeze.get_funds()
    assert len(loopback.requests) == 2
    assert sent == ["order.place", "funds.get"]


async def test_dropped_connection_is_an_unknown_outcome(
    client: BreezeClient, loopback: Loopback
) -> None:
    loopback.reply_close()
    with pytest.raises(ResponseTimeout):
        await client.cancel_order("NSE", "1")
    assert len(loopback.requests) == 1


async def test_html_answer_to_an_order_is_malformed_with_unknown_outcome(
    client: BreezeClient, loopback: Loopback
) -> None:
    loopback.reply_raw(b"<html><title>Maintenance</title></html>", 503)
    with pytest.raises(MalformedResponse) as info:
        await client.place_order(stock_code="STABAN", exchange_code="NSE", product="cash",
                                 action="buy", order_type="limit", quantity=1, price="700")
    assert info.value.outcome_unknown and info.value.http_status == 503
    loopback.reply_raw(b"<html><title>Maintenance</title></html>", 503)
    with pytest.raises(MalformedResponse) as info:
        await client.get_funds()
    assert not info.value.outcome_unknown


async def test_on_request_failure_does_not_lose_the_answer(loopback: Loopback) -> None:
    def broken(_: str) -> None:
        raise RuntimeError("counter broke")

    async with BreezeClient(APP_KEY, SECRET, api_url=loopback.api_url,
                            history_url=loopback.history_url, on_request=broken) as breeze:
        breeze.set_session(TOKEN)
        loopback.reply_json({"Success": {"order_id": "77"}, "Status": 200, "Error": None})
        placed = await breeze.place_order(stock_code="STABAN", exchange_code="NSE",
                                          product="cash", action="buy", order_type="limit",
                                          quantity=1, price="700")
    assert placed.order_id == "77"
    assert breeze.requests_sent == 1


async def test_keep_alive_reuses_one_connection(client: BreezeClient, loopback: Loopback) -> None:
    for _ in range(3):
        loopback.reply_json({"Success": [], "Status": 200, "Error": None})
        await client.get_portfolio_positions()
    assert len(loopback.requests) == 3
    assert len(loopback._tasks) == 1  # one server-side connection handled all three


def test_redaction_spares_order_ids_that_contain_the_session_key() -> None:
    err = BrokerRejected(f"order 20250205N3{KEY}0 refused; key {KEY}; secret {SECRET}.")
    err.redact((SECRET, KEY, "s"))
    assert err.message == f"order 20250205N3{KEY}0 refused; key ***; secret ***."


async def test_client_from_settings() -> None:
    from pydantic import SecretStr

    from algodesk.config import Settings

    settings = Settings(
        broker_api_key=SecretStr(APP_KEY), broker_api_secret=SecretStr(SECRET),
        breeze_api_url="http://127.0.0.1:1/breezeapi/api/v1", breeze_timeout_seconds=3,
    )
    async with BreezeClient.from_settings(settings) as breeze:
        assert SECRET not in repr(breeze)
        assert "127.0.0.1:1/breezeapi/api/v1/" in repr(breeze)
