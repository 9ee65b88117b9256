"""Domain values keep money exact and instants in UTC, whoever builds them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from algodesk.domain.market import Candle, Quote
from algodesk.domain.orders import BrokerOrder, OrderIntent, OrderStatus, PriceType, Product, Side
from algodesk.domain.stream import Tick

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


def test_prices_are_exact_decimals_and_floats_are_refused() -> None:
    intent = OrderIntent("SBIN", "NSE", Side.BUY, 1, PriceType.LIMIT, Product.CNC, "812.35")  # type: ignore[arg-type]
    assert intent.price == Decimal("812.35") and isinstance(intent.price, Decimal)
    with pytest.raises(TypeError, match="float"):
        OrderIntent("SBIN", "NSE", Side.BUY, 1, PriceType.LIMIT, price=812.35)  # type: ignore[arg-type]


def test_an_intent_needs_a_positive_quantity() -> None:
    with pytest.raises(ValueError, match="quantity"):
        OrderIntent("SBIN", "NSE", Side.SELL, 0)


def test_instants_are_stored_in_utc_and_naive_ones_are_refused() -> None:
    at_open = dt.datetime(2026, 12, 7, 9, 15, tzinfo=IST)
    candle = Candle(at_open, Decimal(1), Decimal(2), Decimal(1), Decimal(2))
    assert candle.start == dt.datetime(2026, 12, 7, 3, 45, tzinfo=dt.UTC)
    assert candle.start.utcoffset() == dt.timedelta(0)
    with pytest.raises(ValueError, match="no time zone"):
        Tick("SBIN", "NSE", Decimal(1), 1, 1, dt.datetime(2026, 12, 7, 9, 15))
    order = BrokerOrder("1", "SBIN", "NSE", Side.BUY, 1, 0, PriceType.LIMIT, Product.CNC,
                        Decimal(1), Decimal(0), Decimal(0), OrderStatus.OPEN, at_open)
    assert order.placed_at is not None and order.placed_at.hour == 3


def test_optional_prices_stay_absent() -> None:
    quote = Quote("NIFTY", "NSE_INDEX", "24000.05")  # type: ignore[arg-type]
    assert quote.last_price == Decimal("24000.05") and quote.bid is None
