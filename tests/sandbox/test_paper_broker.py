"""The paper broker through the `Broker` protocol alone: fills at the given quote,
working orders, cancels, positions and cash — no Breeze anywhere."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from algodesk.brokers.base import Broker, OrderRefused
from algodesk.domain.market import Quote
from algodesk.domain.orders import OrderIntent, OrderStatus, PriceType, Product, Side
from algodesk.sandbox.broker import PaperBroker
from algodesk.sandbox.store import PaperStore
from algodesk.storage import Database

D = Decimal


def sbin(last: str, bid: str, ask: str) -> Quote:
    return Quote("SBIN", "NSE", D(last), bid=D(bid), ask=D(ask), at=dt.datetime.now(dt.UTC))


@pytest.fixture
def paper(tmp_path: Path) -> PaperBroker:
    database = Database(f"sqlite:///{tmp_path / 'paper.db'}")
    database.migrate()
    broker = PaperBroker(PaperStore(database), capital=D("100000"))
    broker.set_quote(sbin("800.00", "799.95", "800.05"))
    return broker


async def send(broker: Broker, intent: OrderIntent) -> str:
    return (await broker.place_order(await broker.prepare_order(intent))).order_id


async def test_it_is_a_broker(paper: PaperBroker) -> None:
    assert isinstance(paper, Broker) and paper.connected() and paper.session() is not None


async def test_a_market_buy_fills_at_the_ask_and_moves_cash_and_position(
        paper: PaperBroker) -> None:
    order_id = await send(paper, OrderIntent("SBIN", "NSE", Side.BUY, 10, tag="j1",
                                             product=Product.CNC))
    order = await paper.order(order_id, "NSE")
    assert order is not None and order.status is OrderStatus.COMPLETE
    assert (order.filled_quantity, order.average_price, order.tag) == (10, D("800.05"), "j1")
    assert (await paper.funds()).available_cash == D("100000") - D("8000.50")
    [position] = await paper.positions()
    assert (position.quantity, position.average_price) == (10, D("800.05"))


async def test_a_limit_below_the_ask_works_until_a_quote_crosses_it(paper: PaperBroker) -> None:
    order_id = await send(paper, OrderIntent("SBIN", "NSE", Side.BUY, 1, PriceType.LIMIT,
                                             price=D("790.00")))
    assert (await paper.order(order_id, "NSE")).status is OrderStatus.OPEN  # type: ignore[union-attr]
    paper.set_quote(sbin("789.90", "789.85", "789.95"))
    filled = await paper.order(order_id, "NSE")
    assert filled is not None and filled.status is OrderStatus.COMPLETE
    # A resting order is filled at its own price when the ask comes down to it.
    assert filled.average_price == D("790.00")
    assert "resting limit buy filled at its limit 790.00" in filled.note


async def test_a_working_order_cancels_once(paper: PaperBroker) -> None:
    order_id = await send(paper, OrderIntent("SBIN", "NSE", Side.SELL, 1, PriceType.LIMIT,
                                             price=D("900.00")))
    await paper.cancel_order(order_id, "NSE")
    assert (await paper.order(order_id, "NSE")).status is OrderStatus.CANCELLED  # type: ignore[union-attr]
    with pytest.raises(OrderRefused, match="Cannot cancel order in cancelled status"):
        await paper.cancel_order(order_id, "NSE")


async def test_refusals_are_the_protocols(paper: PaperBroker) -> None:
    with pytest.raises(OrderRefused, match="price must be greater than 0"):
        await paper.prepare_order(OrderIntent("SBIN", "NSE", Side.BUY, 1, PriceType.LIMIT))
    with pytest.raises(OrderRefused) as unpriced:
        await paper.prepare_order(OrderIntent("INFY", "NSE", Side.BUY, 1))
    assert unpriced.value.status == 404
