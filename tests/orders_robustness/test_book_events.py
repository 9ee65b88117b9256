"""The order book refreshes on the broker's order notifications, not by polling: counted
at the simulator, a client polling the order book of an exchange with orders costs no
order-list call while nothing changes, and a change made elsewhere (ICICI's own app)
shows at the next poll. With ORDER_UPDATES_ENABLED=false the same polling reads the
list every ACTIVE_TTL (2 s), and `subscribe_orders` says order updates are off."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from websockets.sync.client import connect

from tests.orders_robustness.stack import EXCHANGE, SYMBOL, Stack

# ICICI's real budget stretches the polling interval as the day goes (`CallBudget.
# polling_interval`): unlimited here, so what is measured is the cache, not the budget.
UNLIMITED = {"BREEZE_CALLS_PER_MINUTE": "1000000", "BREEZE_CALLS_PER_DAY": "100000000"}
SIM_UNLIMITED = ("--calls-per-minute", "100000000", "--calls-per-day", "100000000")
QUIET_SECONDS = 6.0
POLL_SECONDS = 0.25
# Long enough for an order's notifications to reach the platform (milliseconds here).
SETTLE_SECONDS = 1.0


def open_stack(stack_factory: Callable[..., Stack], **env: str) -> Stack:
    return stack_factory(sim_args=SIM_UNLIMITED, env={**UNLIMITED, **env})


def order_stream_sockets(stack: Stack) -> int:
    return int(stack.sim.admin("state")["streams"]["connections"])


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.05)


def order_book(stack: Stack) -> list[dict[str, Any]]:
    reply = stack.post("orderbook", {})
    assert reply.status_code == 200, reply.text
    return list(reply.json()["data"]["orders"])


def list_reads_while_polling(stack: Stack, seconds: float) -> int:
    """Order-list calls the platform made while a client polled its order book."""
    started = time.time()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        order_book(stack)
        time.sleep(POLL_SECONDS)
    return sum(1 for c in stack.platform_calls(started)
               if (c.method, c.endpoint) == ("GET", "order"))


def settle(stack: Stack) -> None:
    """The orders' notifications in, and the book read once: what they made stale is
    read again here, before a quiet window starts."""
    time.sleep(SETTLE_SECONDS)
    order_book(stack)


def rest_an_order(stack: Stack) -> str:
    reply = stack.place()
    assert reply.status_code == 200, reply.text
    return str(reply.json()["orderid"])


def place_elsewhere(stack: Stack) -> str:
    """An order of the account placed outside the platform (its own Breeze session)."""
    placed = stack.direct(lambda c: c.place_order(
        stock_code=SYMBOL, exchange_code=EXCHANGE, product="cash", action="buy",
        order_type="limit", quantity=1, price=stack.price))
    return str(placed.order_id)


def test_the_book_refreshes_on_events_not_polls(stack_factory: Callable[..., Stack]) -> None:
    stack = open_stack(stack_factory)
    # The books follow the order stream as soon as the broker session exists.
    wait_for(lambda: order_stream_sockets(stack) == 1, 15, "the order stream connecting")
    mine = rest_an_order(stack)  # NSE now has orders: without events it is polled
    settle(stack)
    assert mine in {r["orderid"] for r in order_book(stack)}
    assert list_reads_while_polling(stack, QUIET_SECONDS) == 0
    # A cancellation and a fill: the lists read after their events show them, so they
    # are kept by events again at once.
    cancelled = stack.post("cancelorder", {"orderid": mine, "strategy": "robustness"})
    assert cancelled.status_code == 200, cancelled.text
    filled = stack.place(pricetype="MARKET", price="0")
    assert filled.status_code == 200, filled.text
    settle(stack)
    states = {r["orderid"]: r["order_status"] for r in order_book(stack)}
    assert (states[mine], states[filled.json()["orderid"]]) == ("cancelled", "complete")
    assert list_reads_while_polling(stack, QUIET_SECONDS) == 0
    # A change the platform did not make arrives as a notification: the next poll has it.
    theirs = place_elsewhere(stack)
    wait_for(lambda: theirs in {r["orderid"] for r in order_book(stack)}, 2,
             "the order placed elsewhere in the book")


def test_without_order_updates_the_book_is_polled(
        stack_factory: Callable[..., Stack]) -> None:
    stack = open_stack(stack_factory, ORDER_UPDATES_ENABLED="false")
    rest_an_order(stack)
    settle(stack)
    # Read every ACTIVE_TTL (2 s): three times in six seconds, allowing for the edges.
    assert list_reads_while_polling(stack, QUIET_SECONDS) >= 2
    assert order_stream_sockets(stack) == 0
    with connect(f"ws://127.0.0.1:{stack.platform.env['WEBSOCKET_PORT']}",
                 open_timeout=5) as ws:
        ws.send(json.dumps({"action": "authenticate", "api_key": stack.apikey}))
        assert json.loads(ws.recv(timeout=5))["status"] == "success"
        ws.send(json.dumps({"action": "subscribe_orders"}))
        assert json.loads(ws.recv(timeout=5)) == {
            "type": "subscribe_orders", "status": "error",
            "message": "Order updates are turned off on this server (ORDER_UPDATES_ENABLED)"}
