"""A GTT the simulator's price crosses: the simulator places its child order (a limit
order at the leg's price, linked to the GTT by `parent_order_id`), the order's update
reaches a WebSocket client subscribed with `subscribe_orders`, and an OCO's other leg is
cancelled; the platform's GTT book then shows it triggered.

A SELL's stop-loss fires at a price at or below its trigger: one set above the price
fires at the simulator's next second, without waiting for the market to move."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.gtt.conftest import gtt_body, nifty_call, on_tick, option_ltp, sim_gtt, sim_legs
from tests.orders.conftest import Desk
from tests.stream.conftest import Socket


@pytest.fixture
def subscribed(desk: Desk) -> Iterator[Socket]:
    sock = Socket(desk)  # type: ignore[arg-type]  (it needs only the platform's ports)
    try:
        assert sock.authenticate(desk.apikey)["status"] == "success"
        assert sock.ask({"action": "subscribe_orders"})["status"] == "success"
        yield sock
    finally:
        sock.close()


def wait_for(condition: Any, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.2)
    return found


def test_oco_stoploss_crossed_places_its_child_order_streams_it_and_cancels_the_target(
        desk: Desk, subscribed: Socket) -> None:
    call = nifty_call(desk)
    symbol, lot = call["symbol"], call["lotsize"]
    ltp = option_ltp(desk, symbol)
    sl, stoploss = on_tick(ltp * Decimal("1.3")), on_tick(ltp * Decimal("0.8"))
    tg, target = on_tick(ltp * 3), on_tick(ltp * Decimal("3.05"))
    placed = desk.post("placegttorder", gtt_body(
        symbol, lot, strategy="gtt-fires", trigger_type="OCO", price=0,
        triggerprice_sl=float(sl), stoploss=float(stoploss), triggerprice_tg=float(tg),
        target=float(target)))
    assert placed.status_code == 200, placed.text
    trigger_id = placed.json()["trigger_id"]

    legs = wait_for(lambda: (found := sim_legs(desk, trigger_id))["stoploss"][3] != "Active"
                    and found, 20, "the stop-loss leg firing")
    assert (legs["stoploss"][3], legs["target"][3]) == ("Triggered", "Cancelled")
    child = next(leg["child_order_id"] for leg in sim_gtt(desk, trigger_id)["legs"]
                 if leg["leg_type"] == "stoploss")
    assert child

    update = subscribed.reply(lambda f: f.get("type") == "order_update"
                              and f.get("orderid") == child, timeout=20)
    assert (update["symbol"], update["exchange"], update["action"], update["quantity"],
            update["price"], update["product"]) == (
        symbol, "NFO", "SELL", lot, float(stoploss), "NRML"), update

    book = desk.post("gttorderbook", {"status": "all"})
    assert book.status_code == 200, book.text
    [row] = [r for r in book.json()["data"] if r["trigger_id"] == trigger_id]
    assert row["status"] == "triggered"
    active = desk.post("gttorderbook", {}).json()["data"]
    assert trigger_id not in {r["trigger_id"] for r in active}
    orders = desk.post("orderbook", {}).json()["data"]["orders"]
    assert child in {o["orderid"] for o in orders}
