"""OpenAlgo → Breeze order mapping: products, price types, aggressive limits, statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from algodesk.brokers.icici.mapping import (
    MappingError,
    PriceDecision,
    aggressive_limit,
    breeze_product,
    decide_price,
    openalgo_status,
    place_order_fields,
)


@dataclass
class Inst:
    symbol: str = "SBIN"
    stock_code: str = "STABAN"
    breeze_exchange: str = "NSE"
    product: str = "cash"
    right: str = ""
    expiry: date | None = None
    lot_size: int = 1
    tick_size: Decimal = Decimal("0.05")
    index: bool = False
    strike: str = ""

    @property
    def is_index(self) -> bool:
        return self.index

    @property
    def breeze_strike(self) -> str:
        return self.strike


@dataclass
class Quote:
    ltp: Decimal
    upper_circuit: Decimal | None = None
    lower_circuit: Decimal | None = None


OPTION = Inst(symbol="NIFTY28NOV2424000CE", stock_code="NIFTY", breeze_exchange="NFO",
              product="options", right="call", expiry=date(2024, 11, 28), lot_size=75,
              strike="24000")


@pytest.mark.parametrize(("side", "ltp", "low", "high", "expected"), [
    ("BUY", "100", "95", "105", "105.00"),  # README worked example: 10% clamped to DPR
    ("SELL", "100", "95", "105", "95.00"),
    ("BUY", "40", "34", "46", "45.00"),  # 10% = 4 < 5: the minimum distance wins
    ("SELL", "40", "34", "46", "35.00"),
])
def test_aggressive_limit_matches_the_sdk_readme(side: str, ltp: str, low: str, high: str,
                                                 expected: str) -> None:
    price = aggressive_limit(side, Decimal(ltp), "options", Decimal("0.05"), Decimal(low),
                             Decimal(high))
    assert price == Decimal(expected)


def test_aggressive_limit_for_cash_rounds_to_tick_and_never_reaches_zero() -> None:
    assert aggressive_limit("BUY", Decimal("812.37"), "cash", Decimal("0.05")) == \
        Decimal("836.75")  # 812.37 * 1.03 = 836.74 -> 836.75
    assert aggressive_limit("SELL", Decimal("0.05"), "options", Decimal("0.05")) == \
        Decimal("0.05")


def test_products() -> None:
    assert breeze_product(Inst(), "CNC") == "cash"
    assert breeze_product(OPTION, "NRML") == "options"
    assert breeze_product(OPTION, "MIS") == "options"
    with pytest.raises(MappingError, match="prohibits"):
        breeze_product(Inst(), "MIS")
    assert breeze_product(Inst(), "MIS", equity_mis_as_cash=True) == "cash"
    with pytest.raises(MappingError, match="use CNC"):
        breeze_product(Inst(), "NRML")
    with pytest.raises(MappingError, match="NRML"):
        breeze_product(OPTION, "CNC")
    with pytest.raises(MappingError, match="index"):
        breeze_product(Inst(symbol="NIFTY", index=True), "CNC")


def test_price_types() -> None:
    quote = Quote(Decimal("800"), Decimal("880"), Decimal("720"))
    assert decide_price(Inst(), "cash", "BUY", "LIMIT", Decimal("799.950"), Decimal(0),
                        None) == PriceDecision("limit", Decimal("799.95"), Decimal(0))
    # A trader's price off the tick is refused, never rounded either way.
    with pytest.raises(MappingError, match=r"price 799.97 is not a multiple of the tick "
                                           r"size 0.05 of .*: send 799.95 or 800.00"):
        decide_price(Inst(), "cash", "BUY", "LIMIT", Decimal("799.97"), Decimal(0), None)
    with pytest.raises(MappingError, match=r"trigger_price 795\.01 is not a multiple"):
        decide_price(Inst(), "cash", "SELL", "SL", Decimal("790"), Decimal("795.01"), None)
    with pytest.raises(MappingError, match=r"trigger_price 780\.02 is not a multiple"):
        decide_price(Inst(), "cash", "SELL", "SL-M", Decimal(0), Decimal("780.02"), quote)
    sl = decide_price(Inst(), "cash", "SELL", "SL", Decimal("790"), Decimal("795"), None)
    assert (sl.order_type, sl.price, sl.trigger) == ("stoploss", Decimal("790.00"),
                                                      Decimal("795.00"))
    market = decide_price(Inst(), "cash", "BUY", "MARKET", Decimal(0), Decimal(0), quote)
    assert market.order_type == "limit" and market.price == Decimal("824.00")
    assert "aggressive limit" in market.note
    slm = decide_price(Inst(), "cash", "SELL", "SL-M", Decimal(0), Decimal("780"), quote)
    assert slm.order_type == "stoploss" and slm.trigger == Decimal("780.00")
    assert slm.price == Decimal("756.60")  # 780 - 3%
    with pytest.raises(MappingError, match="needs a quote"):
        decide_price(Inst(), "cash", "BUY", "MARKET", Decimal(0), Decimal(0), None)
    with pytest.raises(MappingError, match="greater than 0"):
        decide_price(Inst(), "cash", "BUY", "LIMIT", Decimal(0), Decimal(0), None)


def test_option_fields_carry_the_contract() -> None:
    decision = PriceDecision("limit", Decimal("120.05"), Decimal(0))
    fields = place_order_fields(OPTION, breeze_product_="options", action="BUY",
                                quantity=75, decision=decision)
    assert fields["stock_code"] == "NIFTY" and fields["exchange_code"] == "NFO"
    assert (fields["right"], fields["strike_price"]) == ("call", "24000")
    assert fields["expiry_date"] == date(2024, 11, 28)
    assert fields["action"] == "buy" and fields["quantity"] == "75"
    assert "stoploss" not in fields


@pytest.mark.parametrize(("status", "order_type", "expected"), [
    ("Ordered", "Limit", "open"),
    ("Ordered", "StopLoss", "trigger pending"),
    ("Partially Executed", "Limit", "open"),
    ("Executed", "Limit", "complete"),
    ("Cancelled", "Limit", "cancelled"),
    ("Partially Executed And Cancelled", "Limit", "cancelled"),
    ("Expired", "Limit", "cancelled"),
    ("Rejected", "Limit", "rejected"),
    ("Something New", "Limit", "something new"),
])
def test_status_mapping(status: str, order_type: str, expected: str) -> None:
    assert openalgo_status(status, order_type) == expected
