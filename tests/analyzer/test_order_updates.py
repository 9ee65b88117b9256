"""Paper orders' updates on the WebSocket (openalgo-api.md §5, §6.7) against the
platform and the simulator: with analyzer mode on, a client subscribed with
`subscribe_orders` receives each state of a paper order in the same shape as a live
order's update, marked `mode: analyze` (and `broker: sandbox`, as the reference's
example); a resting paper limit that is cancelled reports `cancelled`; a refused paper
order has no order id and no update; and the simulator receives no order call.

The openalgo client 2.0.5 (through the tests/clients proxy) subscribes with
`subscribe_orders` and finds its paper order in `get_orders`; 1.0.47 has no order
updates, so it switches and places for the plain WebSocket client."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest

from tests.analyzer.conftest import quote, sim_orders, tick_size, toggle
from tests.clients.remote import RemoteOpenalgo
from tests.market.conftest import MarketDesk
from tests.stream.conftest import Socket, ws_port
from tests.stream.test_order_updates import completed_update, no_order_update, updates_of
from tests.web.platform import ADMIN


@pytest.fixture
def subscribed(desk: MarketDesk) -> Iterator[Socket]:
    sock = Socket(desk)  # type: ignore[arg-type]
    try:
        assert sock.authenticate(desk.apikey)["status"] == "success"
        assert sock.ask({"action": "subscribe_orders", "request_id": "paper"}) == {
            "type": "subscribe_orders", "status": "success",
            "message": "Subscribed to order updates", "request_id": "paper"}
        yield sock
    finally:
        sock.close()


def paper_order(desk: MarketDesk, **order: Any) -> str:
    reply = desk.client.placeorder(strategy="paper-ws", symbol="SBIN", exchange="NSE",
                                   product="CNC", **order)
    assert reply["status"] == "success" and reply["mode"] == "analyze", reply
    return str(reply["orderid"])


def test_paper_orders_updates_reach_a_subscribed_client(desk: MarketDesk,
                                                        subscribed: Socket) -> None:
    toggle(desk, True)
    try:
        before = sim_orders(desk)
        orderid = paper_order(desk, action="BUY", quantity=2, price_type="MARKET")
        updates = updates_of(subscribed, orderid)
        # Placed (open), then filled: the states a live market order is notified in.
        assert [u["order_status"] for u in updates] == ["open", "complete"]
        filled = updates[-1]
        average = filled.pop("average_price")
        assert average > 0
        assert filled == {
            "type": "order_update", "user_id": ADMIN, "mode": "analyze",
            "broker": "sandbox", "orderid": orderid, "symbol": "SBIN", "exchange": "NSE",
            "action": "BUY", "quantity": 2, "price": 0.0, "trigger_price": 0.0,
            "pricetype": "MARKET", "product": "CNC", "order_status": "complete",
            "filled_quantity": 2, "pending_quantity": 0, "rejection_reason": "",
            "strategy": "paper-ws"}
        # The same words as the paper order book's row for the order.
        book = desk.client.orderbook()
        assert book["mode"] == "analyze", book
        [row] = [r for r in book["data"]["orders"] if r["orderid"] == orderid]
        assert {k: row[k] for k in filled if k in row} == {
            k: v for k, v in filled.items() if k in row}
        assert row["average_price"] == average

        # A resting buy limit far below the market: open, then cancelled.
        tick = tick_size(desk, "SBIN", "NSE")
        far = (Decimal(str(quote(desk, "SBIN", "NSE")["ltp"])) * Decimal("0.8") / tick
               ).to_integral_value(ROUND_DOWN) * tick
        resting = paper_order(desk, action="BUY", quantity=1, price_type="LIMIT",
                              price=str(far))
        [placed] = updates_of(subscribed, resting, until_status="open")
        assert (placed["mode"], placed["pricetype"], placed["price"],
                placed["pending_quantity"]) == ("analyze", "LIMIT", float(far), 1)
        cancelled = desk.client.cancelorder(order_id=resting, strategy="paper-ws")
        assert cancelled["status"] == "success" and cancelled["mode"] == "analyze", cancelled
        [gone] = updates_of(subscribed, resting, until_status="cancelled")
        assert (gone["filled_quantity"], gone["strategy"]) == (0, "paper-ws")

        # A refused paper order gets no order id, so there is nothing to update.
        refused = desk.post("placeorder", {"strategy": "paper-ws", "symbol": "SBIN",
                                           "exchange": "NSE", "action": "BUY",
                                           "pricetype": "MARKET", "product": "CNC",
                                           "quantity": "1000000"})
        assert refused.status_code == 400 and refused.json()["mode"] == "analyze"
        assert refused.json()["message"].startswith("Insufficient funds.")
        assert no_order_update(subscribed, 0.5)
        assert sim_orders(desk) == before  # no order call reached the broker
    finally:
        toggle(desk, False)


def test_openalgo_2_finds_its_paper_order_in_get_orders(desk: MarketDesk,
                                                        openalgo2: RemoteOpenalgo) -> None:
    client = openalgo2.api(api_key=desk.apikey, host=desk.platform.base_url,
                           ws_port=ws_port(desk))  # type: ignore[arg-type]
    assert client.connect(), "the 2.0.5 client could not connect and authenticate"
    try:
        assert client.subscribe_orders()
        assert client.analyzertoggle(mode=True)["data"]["analyze_mode"] is True
        before = sim_orders(desk)
        # The client keeps no reply to wait for: give the subscription a moment to land.
        time.sleep(0.5)
        placed = client.placeorder(strategy="openalgo-2", symbol="SBIN", exchange="NSE",
                                   action="BUY", price_type="MARKET", product="CNC",
                                   quantity=1)
        assert placed["status"] == "success" and placed["mode"] == "analyze", placed
        update = completed_update(client, placed["orderid"])
        assert (update["mode"], update["symbol"], update["action"], update["product"],
                update["filled_quantity"], update["pricetype"], update["strategy"]) == (
            "analyze", "SBIN", "BUY", "CNC", 1, "MARKET", "openalgo-2")
        assert sim_orders(desk) == before
        assert client.unsubscribe_orders()
    finally:
        client.disconnect()
        assert desk.post("analyzer/toggle", {"mode": False}).status_code == 200
