"""Breeze's `gttorder` wire: the reference's book sample parsed, and OpenAlgo GTTs
mapped to Breeze's legs (reference §5.23)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest

from algodesk.brokers.icici.gtt_mapping import (
    check_gtt,
    gtt_of,
    order_details,
    place_gtt_fields,
)
from algodesk.brokers.icici.mapping import MappingError
from algodesk.brokers.icici.parsing import parse_envelope, parse_gtt_orders
from algodesk.domain.gtt import GttIntent, GttLeg, GttStatus, LegRole, TriggerType
from algodesk.domain.orders import PriceType, Product, Side
from algodesk.domain.values import IST

BOOK = {
    "Success": [{
        "order_details": [
            {"gtt_leg_type": "Target", "action": "Sell", "trigger_price": 11.5,
             "limit_price": 12.0, "status": "Cancelled", "gtt_order_id": "2025020500001234"},
            {"gtt_leg_type": "Stoploss", "action": "Sell", "trigger_price": 5.0,
             "limit_price": 4.0, "status": "Cancelled", "gtt_order_id": "2025020500001234"}],
        "exchange_code": "NFO", "product_type": "Options", "stock_code": "NIFTY",
        "expiry_date": "06-Feb-2025", "strike_price": 24000.0, "right": "Call",
        "quantity": 75, "index_or_stock": "Index", "gtt_type": "Cover OCO",
        "fresh_order_id": "202502052500001234", "order_datetime": "05-FEB-2025 11:14:38"}],
    "Status": 200, "Error": None}

OPTION = SimpleNamespace(symbol="NIFTY06FEB2524000CE", breeze_exchange="NFO", product="options",
                         stock_code="NIFTY", right="call", expiry=dt.date(2025, 2, 6),
                         breeze_strike="24000", tick_size=Decimal("0.05"), name="NIFTY")


def oco(side: Side = Side.SELL, **changes: object) -> GttIntent:
    fields: dict[str, object] = {
        "symbol": OPTION.symbol, "exchange": "NFO", "trigger_type": TriggerType.OCO,
        "side": side, "quantity": 75, "product": Product.NRML,
        "legs": (GttLeg(LegRole.STOPLOSS, Decimal("5"), Decimal("4")),
                 GttLeg(LegRole.TARGET, Decimal("11.5"), Decimal("12")))}
    fields.update(changes)
    return GttIntent(**fields)  # type: ignore[arg-type]


def test_the_references_book_sample_parses_to_one_gtt_with_its_legs_by_level() -> None:
    rows = parse_gtt_orders(parse_envelope(json.dumps(BOOK), http_status=200,
                                           endpoint="gtt.book"))
    gtt = gtt_of(rows[0], lambda row: ("NIFTY06FEB2524000CE", "NFO"))
    assert gtt.gtt_id == "2025020500001234"
    assert (gtt.trigger_type, gtt.status, gtt.side, gtt.quantity, gtt.product) == (
        TriggerType.OCO, GttStatus.CANCELLED, Side.SELL, 75, Product.NRML)
    assert [(leg.role, leg.trigger_price, leg.limit_price) for leg in gtt.legs] == [
        (LegRole.STOPLOSS, Decimal("5.0"), Decimal("4.0")),
        (LegRole.TARGET, Decimal("11.5"), Decimal("12.0"))]
    assert gtt.created_at == dt.datetime(2025, 2, 5, 11, 14, 38, tzinfo=IST)


def test_oco_legs_are_named_by_what_they_do_for_the_side() -> None:
    sell = {leg["gtt_leg_type"]: leg for leg in order_details(oco(Side.SELL))}
    assert (sell["stoploss"]["trigger_price"], sell["target"]["trigger_price"]) == ("5", "11.5")
    # A BUY closes a short: its stop-loss is the upper trigger, its target the lower one.
    buy = {leg["gtt_leg_type"]: leg for leg in order_details(oco(Side.BUY))}
    assert (buy["stoploss"]["trigger_price"], buy["target"]["trigger_price"]) == ("11.5", "5")
    assert all(leg["action"] == "buy" for leg in buy.values())


def test_place_fields_carry_the_contract_and_a_single_leg_without_leg_type() -> None:
    single = oco(trigger_type=TriggerType.SINGLE, side=Side.BUY,
                 legs=(GttLeg(LegRole.SINGLE, Decimal("8"), Decimal("7")),))
    fields = place_gtt_fields(OPTION, single, index=True, trade_date=dt.date(2025, 2, 5))
    assert fields["order_details"] == [{"action": "buy", "limit_price": "7",
                                        "trigger_price": "8"}]
    assert (fields["gtt_type"], fields["index_or_stock"], fields["product"],
            fields["exchange_code"], fields["stock_code"], fields["right"],
            fields["strike_price"], fields["quantity"]) == (
        "single", "index", "options", "NFO", "NIFTY", "call", "24000", "75")


@pytest.mark.parametrize(("change", "words"), [
    ({"product": Product.CNC}, "product CNC"),
    ({"price_type": PriceType.MARKET}, "pricetype MARKET"),
    ({"legs": (GttLeg(LegRole.STOPLOSS, Decimal("5.01"), Decimal("4")),
               GttLeg(LegRole.TARGET, Decimal("11.5"), Decimal("12")))}, "triggerprice_sl"),
])
def test_what_breezes_gtt_cannot_take_is_refused_naming_what_it_takes(
        change: dict[str, object], words: str) -> None:
    with pytest.raises(MappingError) as refused:
        check_gtt(OPTION, oco(**change))
    assert words in str(refused.value)


def test_equity_is_refused_with_what_is_accepted() -> None:
    equity = SimpleNamespace(**{**vars(OPTION), "breeze_exchange": "NSE", "product": "cash"})
    with pytest.raises(MappingError, match="NFO futures and options"):
        check_gtt(equity, oco(exchange="NSE", product=Product.CNC))
