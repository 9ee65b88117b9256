"""One script, run live and then in analyzer mode with the unmodified `openalgo` client:
every reply has the same shape, analyzer replies say `"mode": "analyze"`, and the
simulator (playing ICICI) receives not one order from the analyzer run."""

from __future__ import annotations

import json
from decimal import ROUND_DOWN, Decimal
from typing import Any

from tests.analyzer.conftest import quote, sim_orders, tick_size, toggle
from tests.market.conftest import MarketDesk, upcoming_expiries

STRATEGY = "script"
#: The replies that carry the venue (openalgo-api.md §1.6); the others are market data.
ROUTED = {"placeorder", "modifyorder", "orderstatus", "cancelorder", "placesmartorder",
          "openposition", "basketorder", "splitorder", "cancelallorder", "orderbook",
          "tradebook", "positionbook", "holdings", "funds", "closeposition", "optionsorder",
          "optionsmultiorder"}


def shape(value: Any, *, top: bool = False) -> Any:
    """What a client can rely on in a reply: the keys, and the kind of each value (a
    list: the distinct shapes of its items). The top-level `mode` is the venue's mark."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items() if not (top and key == "mode")}
    if isinstance(value, list):
        return sorted({json.dumps(shape(item), sort_keys=True) for item in value})
    if isinstance(value, bool) or value is None:
        return type(value).__name__
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def same_shape(first: Any, second: Any) -> bool:
    """Equal shapes, where an empty list fits any list (it shows no items' shape)."""
    if isinstance(first, dict) and isinstance(second, dict):
        return first.keys() == second.keys() and all(
            same_shape(first[key], second[key]) for key in first)
    if isinstance(first, list) and isinstance(second, list):
        return not first or not second or first == second
    return bool(first == second)


def run_script(desk: MarketDesk) -> list[tuple[str, dict[str, Any]]]:
    """Every order action and every book, as a strategy would call them."""
    client = desk.client
    replies: list[tuple[str, dict[str, Any]]] = []

    def call(name: str, **arguments: Any) -> dict[str, Any]:
        reply = getattr(client, name)(**arguments)
        replies.append((name, reply))
        assert reply.get("status") == "success", (name, reply)
        return dict(reply)

    tick = tick_size(desk, "SBIN", "NSE")
    far_below = (Decimal(str(quote(desk, "SBIN", "NSE")["ltp"])) * Decimal("0.9") / tick
                 ).to_integral_value(ROUND_DOWN) * tick
    sbin = {"strategy": STRATEGY, "symbol": "SBIN", "exchange": "NSE", "product": "CNC"}
    call("placeorder", **sbin, action="BUY", price_type="MARKET", quantity=2)
    resting = call("placeorder", **sbin, action="BUY", price_type="LIMIT", quantity=1,
                   price=str(far_below))["orderid"]
    call("modifyorder", **sbin, order_id=resting, action="BUY", price_type="LIMIT",
         quantity=2, price=str(far_below))
    call("orderstatus", order_id=resting, strategy=STRATEGY)
    call("cancelorder", order_id=resting, strategy=STRATEGY)
    call("placesmartorder", **sbin, action="BUY", price_type="MARKET", quantity=1,
         position_size=3)
    call("openposition", strategy=STRATEGY, symbol="SBIN", exchange="NSE", product="CNC")
    call("basketorder", strategy=STRATEGY, orders=[
        {"symbol": "SBIN", "exchange": "NSE", "action": "BUY", "quantity": 1,
         "pricetype": "MARKET", "product": "CNC"},
        {"symbol": "ITC", "exchange": "NSE", "action": "BUY", "quantity": 1,
         "pricetype": "MARKET", "product": "CNC"}])
    call("splitorder", **sbin, action="BUY", quantity=3, splitsize=2, price_type="MARKET")
    call("placeorder", **sbin, action="BUY", price_type="LIMIT", quantity=1,
         price=str(far_below))
    call("cancelallorder", strategy=STRATEGY)
    expiry = upcoming_expiries(desk)[0]
    lot = desk.post("symbol", {"symbol": desk.client.optionsymbol(
        underlying="NIFTY", exchange="NSE_INDEX", expiry_date=expiry, offset="ATM",
        option_type="CE")["symbol"], "exchange": "NFO"}).json()["data"]["lotsize"]
    call("optionsorder", strategy=STRATEGY, underlying="NIFTY", exchange="NSE_INDEX",
         expiry_date=expiry, offset="ATM", option_type="CE", action="BUY", quantity=lot,
         price_type="MARKET", product="NRML")
    call("optionsmultiorder", strategy=STRATEGY, underlying="NIFTY", exchange="NSE_INDEX",
         expiry_date=expiry, legs=[
             {"offset": "OTM1", "option_type": "CE", "action": "BUY", "quantity": lot,
              "pricetype": "MARKET", "product": "NRML"},
             {"offset": "OTM1", "option_type": "PE", "action": "BUY", "quantity": lot,
              "pricetype": "MARKET", "product": "NRML"}])
    for book in ("orderbook", "tradebook", "positionbook", "holdings", "funds"):
        call(book)
    call("closeposition", strategy=STRATEGY)
    return replies


def test_the_same_script_live_then_in_analyzer_mode(desk: MarketDesk) -> None:
    status = desk.client.analyzerstatus()
    assert (status["data"]["analyze_mode"], status["data"]["mode"]) == (False, "live"), status
    logs_before = status["data"]["total_logs"]
    live = run_script(desk)
    assert all("mode" not in reply for _, reply in live)  # live replies as before
    at_broker = sim_orders(desk)

    switched = toggle(desk, True)
    assert switched["data"]["mode"] == "analyze"
    assert switched["data"]["message"] == "Analyzer mode switched to analyze"
    paper = run_script(desk)
    assert sim_orders(desk) == at_broker, "an analyzer-mode order reached the broker"

    assert [name for name, _ in paper] == [name for name, _ in live]
    for (name, live_reply), (_, paper_reply) in zip(live, paper, strict=True):
        assert same_shape(shape(paper_reply, top=True), shape(live_reply, top=True)), (
            name, paper_reply, live_reply)
        assert paper_reply.get("mode") == ("analyze" if name in ROUTED else None), name
    legs = dict(paper)["optionsmultiorder"]["results"]
    assert {leg["mode"] for leg in legs} == {"analyze"}
    assert {leg["mode"] for leg in dict(live)["optionsmultiorder"]["results"]} == {"live"}
    # The paper books are the paper orders': ids YYMMDD + eight digits, none of ICICI's.
    paper_ids = {row["orderid"] for row in dict(paper)["orderbook"]["data"]["orders"]}
    live_ids = {row["orderid"] for row in dict(live)["orderbook"]["data"]["orders"]}
    assert paper_ids and not paper_ids & live_ids
    assert all(len(orderid) == 14 and orderid.isdigit() for orderid in paper_ids)
    # The paper orders of this run (others may be in the book from earlier runs today).
    placed = {reply["orderid"] for name, reply in paper if name == "placeorder"}
    assert placed <= paper_ids
    assert desk.client.analyzerstatus()["data"]["total_logs"] - logs_before > len(placed)

    toggle(desk, False)
    again = desk.client.orderbook()
    assert "mode" not in again
    assert {row["orderid"] for row in again["data"]["orders"]} >= live_ids
    assert not {row["orderid"] for row in again["data"]["orders"]} & paper_ids
