"""Order updates on the WebSocket (openalgo-api.md §6.7) against the platform and the
simulator: the simulator fills an order and a plain WebSocket client subscribed with
`subscribe_orders` receives each of its states, in the reference's shape, with the
order book's names (the client's MARKET and CNC, the strategy from the journal); a
client that did not subscribe, or unsubscribed, receives none.

The openalgo client 2.0.5 (through the tests/clients proxy) subscribes with
`subscribe_orders` and finds the filled order in `get_orders`; 1.0.47, in the project's
venv, has no order updates."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.clients.remote import RemoteOpenalgo
from tests.market.conftest import MarketDesk
from tests.stream.conftest import Socket, ws_port
from tests.web.platform import ADMIN

OpenSocket = Callable[..., Socket]


@pytest.fixture
def subscribed(feed_desk: MarketDesk, socket_of: OpenSocket) -> Socket:
    sock = socket_of()
    assert sock.authenticate(feed_desk.apikey)["status"] == "success"
    assert sock.ask({"action": "subscribe_orders", "request_id": "orders-1"}) == {
        "type": "subscribe_orders", "status": "success",
        "message": "Subscribed to order updates", "request_id": "orders-1"}
    return sock


def place_market_buy(desk: MarketDesk, strategy: str, quantity: int = 1) -> str:
    reply = desk.post("placeorder", {
        "strategy": strategy, "symbol": "SBIN", "exchange": "NSE", "action": "BUY",
        "pricetype": "MARKET", "product": "CNC", "quantity": str(quantity)})
    assert reply.status_code == 200, reply.text
    return str(reply.json()["orderid"])


def updates_of(sock: Socket, orderid: str, until_status: str = "complete",
               timeout: float = 10.0) -> list[dict[str, Any]]:
    """The order's updates, up to the one in `until_status`."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while not found or found[-1]["order_status"] != until_status:
        frame = sock.reply(lambda f: f.get("type") == "order_update"
                           and f.get("orderid") == orderid,
                           max(0.01, deadline - time.monotonic()))
        found.append(frame)
    return found


def no_order_update(sock: Socket, seconds: float) -> bool:
    """Whether `sock` receives no order update within `seconds`."""
    try:
        sock.reply(lambda f: f.get("type") == "order_update", seconds)
    except TimeoutError:
        return True
    return False


def completed_update(client: Any, orderid: str, timeout: float = 10.0) -> dict[str, Any]:
    """The order's `complete` update as the 2.0.5 client keeps it (`get_orders`)."""

    def filled() -> list[dict[str, Any]]:
        return [o for o in client.get_orders()["orders"]
                if o["orderid"] == orderid and o["order_status"] == "complete"]

    deadline = time.monotonic() + timeout
    while not filled():
        assert time.monotonic() < deadline, client.get_orders()
        time.sleep(0.1)
    [update] = filled()
    return update


def test_a_filled_order_reaches_a_subscribed_client(feed_desk: MarketDesk,
                                                    subscribed: Socket) -> None:
    orderid = place_market_buy(feed_desk, "ws-orders", quantity=2)
    updates = updates_of(subscribed, orderid)
    # Each state the simulator notified, once and in order: placed (open), then filled.
    assert [u["order_status"] for u in updates] == ["open", "complete"]
    filled = updates[-1]
    average = filled.pop("average_price")
    assert average > 0
    assert filled == {
        "type": "order_update", "user_id": ADMIN, "mode": "live", "broker": "icici",
        "orderid": orderid, "symbol": "SBIN", "exchange": "NSE", "action": "BUY",
        "quantity": 2, "price": 0.0, "trigger_price": 0.0, "pricetype": "MARKET",
        "product": "CNC", "order_status": "complete", "filled_quantity": 2,
        "pending_quantity": 0, "rejection_reason": "", "strategy": "ws-orders"}
    # The same words as the order book's row for the order.
    book = feed_desk.post("orderbook", {})
    assert book.status_code == 200, book.text
    [row] = [r for r in book.json()["data"]["orders"] if r["orderid"] == orderid]
    assert {k: row[k] for k in filled if k in row} == {k: v for k, v in filled.items()
                                                      if k in row}
    assert row["average_price"] == average


def test_only_subscribed_clients_receive_updates(feed_desk: MarketDesk, subscribed: Socket,
                                                 socket_of: OpenSocket) -> None:
    bystander = socket_of()
    assert bystander.authenticate(feed_desk.apikey)["status"] == "success"
    leaving = socket_of()
    assert leaving.authenticate(feed_desk.apikey)["status"] == "success"
    assert leaving.ask({"action": "subscribe_orders"})["status"] == "success"
    assert leaving.ask({"action": "unsubscribe_orders"}) == {
        "type": "unsubscribe_orders", "status": "success",
        "message": "Unsubscribed from order updates"}
    # Both idempotent: a second subscribe of a subscribed client changes nothing.
    assert subscribed.ask({"action": "subscribe_orders"})["status"] == "success"
    orderid = place_market_buy(feed_desk, "ws-orders")
    assert [u["order_status"] for u in updates_of(subscribed, orderid)] == [
        "open", "complete"]
    # The subscribed client has had both; the others had the same time, and got none.
    assert no_order_update(bystander, 0.5)
    assert no_order_update(leaving, 0.1)


def test_a_client_that_disconnects_leaves_the_others_subscribed(
        feed_desk: MarketDesk, subscribed: Socket, socket_of: OpenSocket) -> None:
    gone = socket_of()
    assert gone.authenticate(feed_desk.apikey)["status"] == "success"
    assert gone.ask({"action": "subscribe_orders"})["status"] == "success"
    gone.close()
    with pytest.raises(ConnectionClosed):
        gone.recv(1)
    orderid = place_market_buy(feed_desk, "ws-orders")
    assert updates_of(subscribed, orderid)[-1]["filled_quantity"] == 1


def test_openalgo_2_finds_a_filled_order_in_get_orders(feed_desk: MarketDesk,
                                                       openalgo2: RemoteOpenalgo) -> None:
    client = openalgo2.api(api_key=feed_desk.apikey, host=feed_desk.platform.base_url,
                           ws_port=ws_port(feed_desk))
    assert client.connect(), "the 2.0.5 client could not connect and authenticate"
    try:
        assert client.subscribe_orders()
        # The client keeps no reply to wait for: give the subscription a moment to land
        # before the order's first update (the placement's) is sent.
        time.sleep(0.5)
        orderid = place_market_buy(feed_desk, "openalgo-2")
        update = completed_update(client, orderid)
        assert (update["symbol"], update["exchange"], update["action"], update["quantity"],
                update["filled_quantity"], update["pricetype"], update["strategy"]) == (
            "SBIN", "NSE", "BUY", 1, 1, "MARKET", "openalgo-2")
        assert client.unsubscribe_orders()
    finally:
        client.disconnect()
