"""`IciciBroker` against the real simulator, spoken to only through the `Broker` protocol:
domain types in and out, Breeze's rules (aggressive limits, tags, failures) behind it."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from algodesk.brokers.base import Broker, NotSent, OrderRefused, OutcomeUnknown
from algodesk.brokers.icici import BreezeClient
from algodesk.brokers.icici.adapter import IciciBroker
from algodesk.brokers.icici.budget import CallBudget
from algodesk.brokers.icici.gateway import BrokerGateway
from algodesk.domain import option_symbol
from algodesk.domain.orders import (
    BrokerOrder,
    OrderIntent,
    OrderStatus,
    PriceType,
    Product,
    Side,
)
from algodesk.instruments.index import SymbolIndex
from tests.brokers.test_client_simulator import client_for

T = TypeVar("T")
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


class LoggedIn:
    """The session part of `brokers.icici.session.IciciConnection`: one logged-in client."""

    def __init__(self, client: BreezeClient) -> None:
        self.client = client
        self.started = dt.datetime.now(dt.UTC)

    async def call(self, operation: Callable[[BreezeClient], Awaitable[T]]) -> T:
        return await operation(self.client)

    def session_started(self) -> dt.datetime:
        return self.started


@pytest.fixture
async def broker(account: Any, index: SymbolIndex) -> AsyncIterator[IciciBroker]:
    async with client_for(account) as client:
        await client.customer_details(account.new_api_session())
        gateway = BrokerGateway(LoggedIn(client), CallBudget())
        yield IciciBroker(gateway, lambda: index, name="simulator")


def buy(quantity: int = 1, **kwargs: Any) -> OrderIntent:
    return OrderIntent("SBIN", "NSE", Side.BUY, quantity, product=Product.CNC, **kwargs)


async def placed(broker: Broker, intent: OrderIntent) -> BrokerOrder:
    ack = await broker.place_order(await broker.prepare_order(intent))
    order = await broker.order(ack.order_id, intent.exchange)
    assert order is not None
    return order


async def test_the_adapter_is_a_broker(broker: IciciBroker) -> None:
    assert isinstance(broker, Broker)
    assert broker.connected() and broker.session() is not None


async def test_a_market_order_goes_as_an_aggressive_limit_and_says_so(
        broker: IciciBroker) -> None:
    quote = await broker.quote("SBIN", "NSE")
    prepared = await broker.prepare_order(buy(tag="t-market-1"))
    assert prepared.note.startswith("MARKET sent as aggressive limit ")
    assert prepared.limit_price > quote.last_price  # a buy is priced above the last trade
    assert prepared.wire["order_type"] == "limit" and prepared.wire["stock_code"] == "STABAN"
    ack = await broker.place_order(prepared)
    assert ack.note == prepared.note
    order = await broker.order(ack.order_id, "NSE")
    assert order is not None
    assert (order.symbol, order.exchange, order.side, order.tag) == ("SBIN", "NSE", Side.BUY,
                                                                    "t-market-1")
    assert order.placed_at is not None and order.placed_at.utcoffset() == dt.timedelta(0)
    assert isinstance(order.price, Decimal)


async def test_a_far_limit_order_rests_and_is_cancelled(broker: IciciBroker) -> None:
    quote = await broker.quote("SBIN", "NSE")
    far = (quote.last_price * Decimal("0.85")).quantize(Decimal(1))
    order = await placed(broker, buy(price_type=PriceType.LIMIT, price=far, tag="t-limit-1"))
    assert order.status is OrderStatus.OPEN and order.price == far
    await broker.cancel_order(order.order_id, "")
    broker.reads.invalidate(lambda key: True)
    cancelled = await broker.order(order.order_id, "NSE")
    assert cancelled is not None and cancelled.status is OrderStatus.CANCELLED


async def test_account_reads_are_domain_types(broker: IciciBroker) -> None:
    await placed(broker, buy(2, tag="t-account-1"))
    broker.reads.invalidate(lambda key: True)
    funds = await broker.funds()
    assert isinstance(funds.available_cash, Decimal) and funds.available_cash > 0
    positions = {(p.symbol, p.exchange): p for p in await broker.positions()}
    assert positions[("SBIN", "NSE")].quantity >= 2
    trades = [t for t in await broker.trades() if t.symbol == "SBIN"]
    assert trades and all(t.average_price > 0 for t in trades)


async def test_depth_and_quotes_carry_exact_prices(broker: IciciBroker) -> None:
    depth = await broker.depth("SBIN", "NSE")
    assert depth.bids and depth.asks and depth.bids[0].price <= depth.asks[0].price
    quotes = await broker.quotes([("SBIN", "NSE"), ("NIFTY", "NSE_INDEX")])
    assert [q.symbol for q in quotes] == ["SBIN", "NIFTY"]
    assert all(isinstance(q.last_price, Decimal) and q.last_price > 0 for q in quotes)


async def test_a_derivative_quote_and_depth_carry_open_interest(
        broker: IciciBroker, index: SymbolIndex) -> None:
    """NFO futures are read from the one-contract chain row: open interest, the last
    traded quantity and the book's totals come with them."""
    future = index.futures("NIFTY", "NFO")[-1]
    quote = await broker.quote(future.symbol, "NFO")
    assert quote.open_interest > 0 and quote.volume > 0
    depth = await broker.depth(future.symbol, "NFO")
    assert depth.quote is not None and depth.quote.symbol == future.symbol
    assert depth.quote.open_interest > 0 and depth.quote.last_quantity > 0
    assert depth.total_buy_quantity > 0 and depth.total_sell_quantity > 0
    assert depth.bids[0].quantity > 0 and depth.bids[0].price == depth.quote.bid


async def test_an_option_chain_is_both_sides_of_the_listed_strikes(
        broker: IciciBroker, index: SymbolIndex) -> None:
    expiry = index.expiries("NIFTY", "NFO", "options")[-1]  # the farthest: never expired
    chain = await broker.option_chain("NIFTY", "NFO", expiry)
    assert [row.strike for row in chain] == index.strikes("NIFTY", "NFO", expiry)
    assert all(row.call is not None and row.put is not None for row in chain)
    for row in chain:
        assert row.call.symbol == option_symbol("NIFTY", expiry, row.strike, "CE")
        assert row.put.symbol == option_symbol("NIFTY", expiry, row.strike, "PE")
        assert row.call_open_interest == row.call.open_interest
    assert all(row.call.underlying_price and row.call.underlying_price > 0 for row in chain)
    middle = chain[len(chain) // 2].strike
    pair = await broker.option_chain("NIFTY", "NFO", expiry, strike=middle)
    assert [row.strike for row in pair] == [middle]
    assert pair[0].call is not None and pair[0].put is not None
    assert broker.option_chain_exchanges() == ("NFO", "BFO")
    with pytest.raises(OrderRefused) as refused:  # Breeze's chain serves NFO and BFO only
        await broker.option_chain("NIFTY", "MCX", expiry)
    assert refused.value.status == 400


async def test_history_is_one_page_of_utc_candles(broker: IciciBroker) -> None:
    """One call answers at most a page (Breeze's 1,000 candles) from the start; the
    simulator's default market trades all day."""
    start = dt.datetime(2025, 6, 2, tzinfo=IST)
    candles = await broker.history("SBIN", "NSE", "1m", start, start + dt.timedelta(days=2))
    assert len(candles) == broker.history_page_size == 1000
    assert candles[0].start == start and candles[0].start.utcoffset() == dt.timedelta(0)
    assert all(b.start - a.start == dt.timedelta(minutes=1)
               for a, b in itertools.pairwise(candles))
    assert all(isinstance(c.close, Decimal) and c.low <= c.close <= c.high for c in candles)
    days = await broker.history("SBIN", "NSE", "D", start, start + dt.timedelta(days=6))
    assert [c.start.astimezone(IST).date() for c in days] == [
        (start + dt.timedelta(days=n)).date() for n in range(7)]
    with pytest.raises(OrderRefused) as refused:  # built by the history service, not served
        await broker.history("SBIN", "NSE", "15m", start, start + dt.timedelta(days=1))
    assert refused.value.status == 400 and "'15m'" in refused.value.message


async def test_a_spent_budget_is_a_429_never_an_older_quote(broker: IciciBroker) -> None:
    await broker.quote("SBIN", "NSE")
    budget = broker.calls.budget  # type: ignore[attr-defined]
    assert broker.reads_left() == budget.snapshot().day_left - budget.reserve_per_day
    budget.per_day = budget.snapshot().day_used + budget.reserve_per_day  # no reads left
    assert broker.reads_left() == 0
    broker.reads.invalidate()  # the cached quote is stale now
    with pytest.raises(NotSent) as spent:
        await broker.quote("SBIN", "NSE")
    assert spent.value.status == 429 and spent.value.retry_after and spent.value.retry_after > 0
    assert "kept for order actions" in spent.value.message


async def test_refusals_are_broker_neutral_and_happen_before_sending(
        broker: IciciBroker) -> None:
    with pytest.raises(OrderRefused) as mis:
        await broker.prepare_order(OrderIntent("SBIN", "NSE", Side.BUY, 1, product=Product.MIS))
    assert mis.value.status == 400 and "EQUITY_MIS_AS_CASH" in mis.value.message
    with pytest.raises(OrderRefused) as unknown:
        await broker.prepare_order(OrderIntent("NOSUCH", "NSE", Side.BUY, 1))
    assert "Symbol 'NOSUCH' not found" in unknown.value.message


async def test_a_lost_answer_is_outcome_unknown(account: Any, index: SymbolIndex) -> None:
    async with client_for(account, timeout=1.0) as client:
        await client.customer_details(account.new_api_session())
        broker = IciciBroker(BrokerGateway(LoggedIn(client), CallBudget()), lambda: index)
        prepared = await broker.prepare_order(buy(tag="t-lost-1"))
        account.admin("faults", {"timeout_rate": 1.0})
        try:
            with pytest.raises(OutcomeUnknown) as lost:
                await broker.place_order(prepared)
        finally:
            account.admin("faults", {"timeout_rate": 0.0})
        assert lost.value.status == 504 and "may have been done" in lost.value.message
        # The work was done: the order is found by its tag, not sent again.
        assert len([o for o in await broker.orders() if o.tag == "t-lost-1"]) == 1
