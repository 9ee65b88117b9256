"""The newest openalgo client (2.0.5, through the tests/clients proxy) places, lists,
modifies and cancels a SINGLE and an OCO GTT on an NFO option; every value is checked at
the simulator (its admin state: legs, prices, actions, statuses), not at the platform.
Triggers are far from the price, so nothing fires while the test runs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.clients.remote import RemoteOpenalgo
from tests.gtt.conftest import nifty_call, on_tick, option_ltp, sim_gtt, sim_legs
from tests.orders.conftest import Desk


@pytest.fixture
def newest(desk: Desk, openalgo2: RemoteOpenalgo) -> Any:
    assert openalgo2.about()["openalgo"] == "2.0.5"
    return openalgo2.api(api_key=desk.apikey, host=desk.platform.base_url, timeout=60)


def book_entry(api: Any, trigger_id: str, status: str = "active") -> dict[str, Any] | None:
    answer = api.gttorderbook(status=status)
    assert answer["status"] == "success", answer
    return next((row for row in answer["data"] if row["trigger_id"] == trigger_id), None)


def test_single_gtt_placed_listed_modified_and_cancelled(desk: Desk, newest: Any) -> None:
    call = nifty_call(desk)
    symbol, lot = call["symbol"], call["lotsize"]
    ltp = option_ltp(desk, symbol)
    trigger, price = on_tick(ltp * Decimal("0.4")), on_tick(ltp * Decimal("0.35"))
    placed = newest.placegttorder(strategy="gtt-single", symbol=symbol, action="SELL",
                                  exchange="NFO", trigger_type="SINGLE", product="NRML",
                                  quantity=lot, price_type="LIMIT", price=float(price),
                                  triggerprice_sl=float(trigger))
    assert placed["status"] == "success" and placed["broker"] == "icici", placed
    trigger_id = placed["trigger_id"]
    at_sim = sim_gtt(desk, trigger_id)
    assert (at_sim["gtt_type"], at_sim["exchange_code"], at_sim["quantity"],
            at_sim["status"]) == ("single", "NFO", lot, "Active")
    assert sim_legs(desk, trigger_id) == {None: (trigger, price, "sell", "Active")}

    entry = book_entry(newest, trigger_id)
    assert entry is not None
    assert {k: entry[k] for k in ("trigger_type", "status", "symbol", "exchange",
                                  "trigger_prices")} == {
        "trigger_type": "single", "status": "active", "symbol": symbol, "exchange": "NFO",
        "trigger_prices": [float(trigger)]}
    assert entry["legs"] == [{"action": "SELL", "quantity": lot, "price": float(price),
                              "pricetype": "LIMIT", "product": "NRML"}]
    assert entry["last_price"] > 0 and entry["created_at"]

    new_trigger, new_price = trigger - Decimal("1"), price - Decimal("1")
    modified = newest.modifygttorder(trigger_id=trigger_id, strategy="gtt-single",
                                     symbol=symbol, action="SELL", exchange="NFO",
                                     trigger_type="SINGLE", product="NRML", quantity=lot,
                                     price_type="LIMIT", price=float(new_price),
                                     triggerprice_sl=float(new_trigger))
    assert modified == {"status": "success", "broker": "icici", "trigger_id": trigger_id}
    assert sim_legs(desk, trigger_id) == {None: (new_trigger, new_price, "sell", "Active")}

    cancelled = newest.cancelgttorder(trigger_id=trigger_id, strategy="gtt-single")
    assert cancelled == {"status": "success", "broker": "icici", "trigger_id": trigger_id}
    assert sim_gtt(desk, trigger_id)["status"] == "Cancelled"
    assert book_entry(newest, trigger_id) is None  # the book lists active GTTs
    assert book_entry(newest, trigger_id, "all")["status"] == "cancelled"  # type: ignore[index]


def test_oco_gtt_placed_listed_modified_and_cancelled(desk: Desk, newest: Any) -> None:
    call = nifty_call(desk)
    symbol, lot = call["symbol"], call["lotsize"]
    ltp = option_ltp(desk, symbol)
    sl, stoploss = on_tick(ltp * Decimal("0.4")), on_tick(ltp * Decimal("0.35"))
    tg, target = on_tick(ltp * 3), on_tick(ltp * Decimal("3.05"))
    fields = {"strategy": "gtt-oco", "symbol": symbol, "action": "SELL", "exchange": "NFO",
              "trigger_type": "OCO", "product": "NRML", "quantity": lot,
              "price_type": "LIMIT", "price": 0}
    placed = newest.placegttorder(**fields, triggerprice_sl=float(sl), stoploss=float(stoploss),
                                  triggerprice_tg=float(tg), target=float(target))
    assert placed["status"] == "success", placed
    trigger_id = placed["trigger_id"]
    assert sim_gtt(desk, trigger_id)["gtt_type"] == "oco"
    # A SELL's stop-loss is below the market and its target above.
    assert sim_legs(desk, trigger_id) == {
        "stoploss": (sl, stoploss, "sell", "Active"),
        "target": (tg, target, "sell", "Active")}

    entry = book_entry(newest, trigger_id)
    assert entry is not None
    assert (entry["trigger_type"], entry["trigger_prices"]) == ("two-leg", [float(sl), float(tg)])
    assert [leg["price"] for leg in entry["legs"]] == [float(stoploss), float(target)]

    modified = newest.modifygttorder(trigger_id=trigger_id, **fields,
                                     triggerprice_sl=float(sl - 1), stoploss=float(stoploss - 1),
                                     triggerprice_tg=float(tg + 1), target=float(target + 1))
    assert modified["status"] == "success", modified
    assert sim_legs(desk, trigger_id) == {
        "stoploss": (sl - 1, stoploss - 1, "sell", "Active"),
        "target": (tg + 1, target + 1, "sell", "Active")}

    # Breeze keeps a GTT's quantity: a full replacement that changes it is refused, and
    # nothing changes at the simulator.
    refused = newest.modifygttorder(trigger_id=trigger_id, **{**fields, "quantity": 2 * lot},
                                    triggerprice_sl=float(sl), stoploss=float(stoploss),
                                    triggerprice_tg=float(tg), target=float(target))
    assert refused["status"] == "error" and "quantity" in refused["message"], refused
    assert sim_legs(desk, trigger_id)["stoploss"][0] == sl - 1

    cancelled = newest.cancelgttorder(trigger_id=trigger_id, strategy="gtt-oco")
    assert cancelled["status"] == "success", cancelled
    assert {leg[3] for leg in sim_legs(desk, trigger_id).values()} == {"Cancelled"}
    again = newest.cancelgttorder(trigger_id=trigger_id, strategy="gtt-oco")
    assert again["status"] == "error" and "only active GTTs" in again["message"], again


def test_unknown_trigger_id_is_404(desk: Desk) -> None:
    answer = desk.post("cancelgttorder", {"strategy": "gtt", "trigger_id": "2020010100000001"})
    assert answer.status_code == 404, answer.text
    assert answer.json()["message"] == "GTT 2020010100000001 not found"
