"""The OpenAlgo WebSocket protocol as the reference spells it (openalgo-api.md §6),
spoken by hand over a plain WebSocket: authentication, the auth grace period, single and
batch (un)subscriptions with their replies, modes by number and name, the error codes,
the per-connection subscription cap, ping/pong."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.market.conftest import MarketDesk
from tests.stream.conftest import (
    AUTH_GRACE_SECONDS,
    MAX_SUBSCRIPTIONS,
    Socket,
    nearest_future,
    option_symbols,
    rest_quote,
)

OpenSocket = Callable[..., Socket]


@pytest.fixture
def authed(feed_desk: MarketDesk, socket_of: OpenSocket) -> Socket:
    sock = socket_of()
    assert sock.authenticate(feed_desk.apikey)["status"] == "success"
    return sock


def market_data(symbol: str, mode: int) -> Callable[[dict[str, Any]], bool]:
    return lambda f: (f.get("type"), f.get("symbol"), f.get("mode")) == ("market_data", symbol,
                                                                        mode)


def test_authentication(feed_desk: MarketDesk, socket_of: OpenSocket) -> None:
    sock = socket_of()
    assert sock.authenticate("0" * 64) == {"status": "error", "code": "AUTHENTICATION_ERROR",
                                           "message": "Invalid API key"}
    assert sock.ask({"action": "authenticate"})["code"] == "AUTHENTICATION_ERROR"
    # Upstream's spellings are accepted too: "auth", and "apikey" for the key.
    reply = sock.ask({"action": "auth", "apikey": feed_desk.apikey})
    assert reply == {"type": "auth", "status": "success",
                     "message": "Authentication successful", "broker": "icici",
                     "user_id": "trader",
                     "supported_features": {"ltp": True, "quote": True, "depth": True}}
    info = sock.ask({"action": "get_broker_info"})
    assert info.pop("adapter_status") in ("idle", "connecting", "connected", "reconnecting")
    assert info == {"type": "broker_info", "status": "success", "broker": "icici",
                    "user_id": "trader"}


def test_before_authentication(socket_of: OpenSocket) -> None:
    sock = socket_of()
    for action in ("subscribe", "unsubscribe", "unsubscribe_all", "get_broker_info",
                   "subscribe_orders", "unsubscribe_orders"):
        assert sock.ask({"action": action, "symbol": "SBIN", "exchange": "NSE"}) == {
            "status": "error", "code": "NOT_AUTHENTICATED",
            "message": "You must authenticate first"}
    pong = sock.ask({"action": "ping", "timestamp": 1234, "_pingId": 7})
    assert (pong["type"], pong["status"], pong["client_timestamp"], pong["_pingId"]) == (
        "pong", "success", 1234, 7)
    assert abs(pong["server_timestamp"] / 1000 - time.time()) < 60
    assert sock.ask({"action": "get_supported_brokers"}) == {
        "type": "supported_brokers", "status": "success", "brokers": ["icici"], "count": 1}


def test_an_unauthenticated_socket_is_closed_after_the_grace_period(
        socket_of: OpenSocket) -> None:
    sock = socket_of()
    began = time.monotonic()
    with pytest.raises(ConnectionClosed) as closed:
        sock.recv(timeout=AUTH_GRACE_SECONDS + 10)
    assert time.monotonic() - began >= AUTH_GRACE_SECONDS - 0.5
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "auth timeout")


def test_bad_messages_get_the_reference_error_codes(authed: Socket) -> None:
    def code(message: dict[str, Any] | str) -> tuple[str, str]:
        authed.send(message)
        reply = authed.reply(lambda f: f.get("type") != "market_data")
        assert reply["status"] == "error", reply
        return reply["code"], reply["message"]

    assert code("{not json") == ("INVALID_JSON", "Invalid JSON message")
    assert code("[1, 2]")[0] == "INVALID_JSON"
    assert code({"symbol": "SBIN"})[0] == "INVALID_ACTION"
    assert code({"action": "fly"}) == ("INVALID_ACTION", "Unsupported action: fly")
    assert code({"action": "subscribe", "symbol": "SBIN", "exchange": "NSE",
                 "mode": 4})[0] == "INVALID_MODE"
    assert code({"action": "subscribe", "symbol": "SBIN", "exchange": "NSE",
                 "mode": "candles"})[0] == "INVALID_MODE"
    assert code({"action": "subscribe", "symbols": []}) == (
        "INVALID_PARAMETERS", "At least one symbol must be specified")
    assert code({"action": "subscribe", "symbol": "SBIN"})[0] == "INVALID_PARAMETERS"
    # An error echoes the request's id like any reply.
    authed.send({"action": "fly", "request_id": "r-9"})
    assert authed.reply(lambda f: f.get("type") != "market_data")["request_id"] == "r-9"


def test_batch_subscribe_and_unsubscribe(feed_desk: MarketDesk, authed: Socket) -> None:
    future = nearest_future(feed_desk)
    reply = authed.ask({"action": "subscribe", "mode": "LTP", "request_id": "b1", "symbols": [
        {"symbol": "INFY", "exchange": "NSE"}, {"symbol": future, "exchange": "NFO"},
        {"symbol": "NOSUCH", "exchange": "NSE"}]})
    assert reply == {
        "type": "subscribe", "status": "partial", "request_id": "b1",
        "message": "Subscription processing complete", "broker": "icici",
        "subscriptions": [
            {"symbol": "INFY", "exchange": "NSE", "status": "success", "mode": "LTP",
             "depth": 5, "broker": "icici"},
            {"symbol": future, "exchange": "NFO", "status": "success", "mode": "LTP",
             "depth": 5, "broker": "icici"},
            {"symbol": "NOSUCH", "exchange": "NSE", "status": "error",
             "message": "NOSUCH is not an instrument of NSE", "broker": "icici"}]}
    for symbol, exchange in (("INFY", "NSE"), (future, "NFO")):
        frame = authed.reply(market_data(symbol, 1), timeout=10)
        assert frame["exchange"] == exchange and frame["broker"] == "icici"
        assert set(frame["data"]) == {"ltp", "ltt", "timestamp", "symbol", "exchange"}

    reply = authed.ask({"action": "unsubscribe", "symbols": [
        {"symbol": "INFY", "exchange": "NSE", "mode": 1},
        {"symbol": future, "exchange": "NFO", "mode": 2}]})
    assert reply == {
        "type": "unsubscribe", "status": "partial",
        "message": "Unsubscription processing complete", "broker": "icici",
        "successful": [{"symbol": "INFY", "exchange": "NSE", "status": "success",
                        "broker": "icici"}],
        "failed": [{"symbol": future, "exchange": "NFO", "status": "error",
                    "message": "not subscribed in mode 2", "broker": "icici"}]}
    reply = authed.ask({"action": "unsubscribe_all"})
    assert (reply["type"], reply["status"], [i["symbol"] for i in reply["successful"]]) == (
        "unsubscribe_all", "success", [future])
    time.sleep(0.5)  # frames already sent may still arrive
    with pytest.raises(TimeoutError):
        authed.reply(lambda f: f.get("type") == "market_data", timeout=2.0)


def test_a_depth_subscriber_gets_the_quote_fields_and_the_rest_book(
        feed_desk: MarketDesk, authed: Socket) -> None:
    reply = authed.ask({"action": "subscribe", "symbol": "TCS", "exchange": "NSE",
                        "mode": "depth"})
    assert reply["subscriptions"][0]["mode"] == "Depth"
    frames = [authed.reply(market_data("TCS", 3), timeout=10)]
    rest = rest_quote(feed_desk, "TCS", "NSE")

    def of_rest_instant(f: dict[str, Any]) -> bool:  # same cumulative volume and last price
        return (f["data"]["volume"], f["data"]["ltp"]) == (rest["volume"], rest["ltp"])

    def with_rest_book(f: dict[str, Any]) -> bool:
        depth = f["data"]["depth"]
        return (depth["buy"][0]["price"], depth["sell"][0]["price"]) == (rest["bid"],
                                                                         rest["ask"])

    # Collect until the frame of REST's instant with that instant's book: the quote and
    # the book stream separately (and, the simulator spreading its rounds, at different
    # moments), so the instant's tick may first go out with the book before it (a mode
    # 3 frame carries the latest of each).
    deadline = time.monotonic() + 5
    while not any(of_rest_instant(f) and with_rest_book(f) for f in frames):
        assert time.monotonic() < deadline, (rest, [f for f in frames if of_rest_instant(f)])
        frames.append(authed.reply(market_data("TCS", 3), timeout=5))
    data = next(f for f in frames if of_rest_instant(f) and with_rest_book(f))["data"]
    # A depth frame serves a quote reader too: the day's prices come with the book.
    assert (data["open"], data["high"], data["low"], data["close"]) == (
        rest["open"], rest["high"], rest["low"], rest["prev_close"])
    assert data["upper_circuit"] > data["ltp"] > data["lower_circuit"] > 0
    reply = authed.ask({"action": "subscribe", "symbol": "TCS", "exchange": "NSE", "mode": 3,
                        "depth": 20})
    assert reply["status"] == "partial"
    assert "depth level 20 is not supported" in reply["subscriptions"][0]["message"]


def test_the_subscription_cap(feed_desk: MarketDesk, authed: Socket) -> None:
    symbols = option_symbols(feed_desk, MAX_SUBSCRIPTIONS + 1)
    reply = authed.ask({"action": "subscribe", "mode": 1, "symbols": [
        {"symbol": s, "exchange": "NFO"} for s in symbols]})
    assert reply["status"] == "partial"
    statuses = [item["status"] for item in reply["subscriptions"]]
    assert statuses == ["success"] * MAX_SUBSCRIPTIONS + ["error"]
    assert reply["subscriptions"][-1]["message"] == (
        f"subscription limit reached: at most {MAX_SUBSCRIPTIONS} per connection; "
        "unsubscribe some first")
    # The same instrument again is no new subscription; another mode of it is.
    again = authed.ask({"action": "subscribe", "symbol": symbols[0], "exchange": "NFO",
                        "mode": 1})
    assert again["status"] == "success"
    other = authed.ask({"action": "subscribe", "symbol": symbols[0], "exchange": "NFO",
                        "mode": 2})
    assert other["status"] == "partial"
    reply = authed.ask({"action": "unsubscribe_all"})
    assert len(reply["successful"]) == MAX_SUBSCRIPTIONS
