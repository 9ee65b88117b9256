"""The paper account through the `Broker` protocol, clock pinned: netting, realised and
unrealised P&L, margin by the contract's table, the rejection texts, T+1 holdings, the
session day, expiry settlement, a restart from the store, the reset — and each order
filled at most once however ticks and cancels interleave."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from algodesk.brokers.base import OrderRefused
from algodesk.domain.instruments import InstrumentType
from algodesk.domain.orders import (
    OrderIntent,
    OrderStatus,
    PriceType,
    Product,
    Side,
)
from algodesk.domain.stream import DepthUpdate, OrderEvent, Tick
from algodesk.sandbox.broker import PaperBroker
from algodesk.sandbox.margin import Leverages
from algodesk.sandbox.store import PaperStore
from algodesk.storage import Database

D = Decimal
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
TUESDAY_10 = dt.datetime(2026, 11, 24, 10, 0, tzinfo=IST)
EXPIRY = dt.date(2026, 11, 24)


@dataclass(frozen=True)
class Inst:
    instrument_type: InstrumentType
    lot_size: int = 1
    expiry: dt.date | None = None
    tick_size: Decimal = Decimal("0.05")


CONTRACTS = {("SBIN", "NSE"): Inst(InstrumentType.EQ),
             ("NIFTY24NOV26FUT", "NFO"): Inst(InstrumentType.FUT, 65, EXPIRY),
             ("NIFTY24NOV2625000CE", "NFO"): Inst(InstrumentType.CE, 65, EXPIRY)}


class Index:
    def get(self, symbol: str, exchange: str) -> Inst | None:
        return CONTRACTS.get((symbol, exchange))


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


@dataclass
class Account:
    paper: PaperBroker
    clock: Clock
    database: Database
    events: list[OrderEvent]

    def reopen(self) -> PaperBroker:
        """The same account after a restart: read back from its tables."""
        return PaperBroker(PaperStore(self.database), contracts=Index, clock=self.clock,
                           capital=D("1000000"))


def tick(symbol: str, exchange: str, last: str, bid: str, ask: str, at: dt.datetime
         ) -> Tick:
    return Tick(symbol, exchange, D(last), 1, 1000, at, bid=D(bid), bid_quantity=100,
                ask=D(ask), ask_quantity=100)


@pytest.fixture
def account(tmp_path: Path) -> Account:
    database = Database(f"sqlite:///{tmp_path / 'paper.db'}")
    database.migrate()
    clock = Clock(TUESDAY_10)
    paper = PaperBroker(PaperStore(database), contracts=Index, clock=clock,
                        capital=D("1000000"))
    events: list[OrderEvent] = []
    paper.add_order_listener(events.append)
    for symbol, exchange, last in (("SBIN", "NSE", "800.00"),
                                   ("NIFTY24NOV26FUT", "NFO", "25000.00"),
                                   ("NIFTY24NOV2625000CE", "NFO", "120.00")):
        paper.prices.watch((symbol, exchange))
        price = D(last)
        paper.on_tick(tick(symbol, exchange, last, str(price - D("0.05")),
                           str(price + D("0.05")), clock()))
    return Account(paper, clock, database, events)


def set_price(account: Account, symbol: str, exchange: str, last: str) -> None:
    price = D(last)
    account.paper.on_tick(tick(symbol, exchange, last, str(price - D("0.05")),
                               str(price + D("0.05")), account.clock()))


async def send(paper: PaperBroker, symbol: str, side: Side, quantity: int, *,
               exchange: str = "NSE", product: Product = Product.MIS,
               price_type: PriceType = PriceType.MARKET, price: str = "0",
               trigger: str = "0") -> str:
    intent = OrderIntent(symbol, exchange, side, quantity, price_type, product, D(price),
                         D(trigger))
    return (await paper.place_order(await paper.prepare_order(intent))).order_id


async def position(paper: PaperBroker, symbol: str, product: Product = Product.MIS
                   ) -> Any:
    return next(p for p in await paper.positions()
                if (p.symbol, p.product) == (symbol, product))


async def test_positions_net_and_realise(account: Account) -> None:
    paper = account.paper
    await send(paper, "SBIN", Side.BUY, 100)  # at 800.05
    set_price(account, "SBIN", "NSE", "810.00")
    await send(paper, "SBIN", Side.SELL, 150)  # at 809.95: closes 100, opens 50 short
    held = await position(paper, "SBIN")
    assert (held.quantity, held.average_price) == (-50, D("809.95"))
    realised = (D("809.95") - D("800.05")) * 100
    unrealised = (D("809.95") - D("810.00")) * 50
    assert held.pnl == realised + unrealised
    funds = await paper.funds()
    # Cash gained the realised P&L; the short blocks 50 × 809.95 ÷ 5 (equity MIS).
    assert funds.used_margin == (50 * D("809.95") / 5).quantize(D("0.01"))
    assert funds.available_cash == D("1000000") + realised - funds.used_margin
    assert (funds.realised_pnl, funds.unrealised_pnl) == (realised, unrealised)
    await send(paper, "SBIN", Side.BUY, 50)  # at 810.05: flat
    flat = await position(paper, "SBIN")
    assert (flat.quantity, flat.average_price) == (0, D(0))
    assert (await paper.funds()).used_margin == 0


async def test_margin_follows_the_table(account: Account) -> None:
    paper = account.paper
    assert paper.leverages == Leverages()
    cases = [("SBIN", "NSE", Product.MIS, Side.BUY, 10, D("800.05"), 5),
             ("SBIN", "NSE", Product.CNC, Side.BUY, 10, D("800.05"), 1),
             ("NIFTY24NOV26FUT", "NFO", Product.NRML, Side.BUY, 65, D("25000.05"), 10),
             ("NIFTY24NOV2625000CE", "NFO", Product.NRML, Side.BUY, 65, D("120.05"), 1),
             ("NIFTY24NOV2625000CE", "NFO", Product.MIS, Side.SELL, 65, D("119.95"), 1)]
    blocked = D(0)
    for symbol, exchange, product, side, quantity, fill, leverage in cases:
        await send(paper, symbol, side, quantity, exchange=exchange, product=product)
        blocked += (quantity * fill / leverage).quantize(D("0.01"), ROUND_HALF_UP)
        assert (await paper.funds()).used_margin == blocked, (symbol, product, side)


async def test_a_working_order_blocks_its_margin_until_it_ends(account: Account) -> None:
    paper = account.paper
    order = await send(paper, "SBIN", Side.BUY, 100, price_type=PriceType.LIMIT,
                       price="790.00")
    assert (await paper.funds()).used_margin == D("15800.00")  # 100 × 790 ÷ 5
    await paper.cancel_order(order, "NSE")
    assert (await paper.funds()).used_margin == 0
    assert (await paper.funds()).available_cash == D("1000000")


async def test_the_documented_refusals(account: Account) -> None:
    paper = account.paper
    with pytest.raises(OrderRefused) as short:
        await send(paper, "SBIN", Side.BUY, 2000, product=Product.CNC)
    assert short.value.message == ("Insufficient funds. Required: ₹1600100.00, "
                                   "Available: ₹1000000.00, Shortage: ₹600100.00")
    assert short.value.status == 400
    with pytest.raises(OrderRefused, match="Cannot sell 1 SBIN for delivery"):
        await send(paper, "SBIN", Side.SELL, 1, product=Product.CNC)
    with pytest.raises(OrderRefused, match="Order 1 not found") as unknown:
        await paper.cancel_order("1", "NSE")
    assert unknown.value.status == 404
    # A price or trigger off the instrument's tick, refused as the live broker does
    # (never rounded), for new orders and modifications alike.
    with pytest.raises(OrderRefused) as off_tick:
        await send(paper, "SBIN", Side.BUY, 1, price_type=PriceType.LIMIT, price="799.97")
    assert off_tick.value.message == ("price 799.97 is not a multiple of the tick size 0.05 "
                                      "of SBIN: send 799.95 or 800.00")
    with pytest.raises(OrderRefused, match=r"trigger_price 795\.01 is not a multiple"):
        await send(paper, "SBIN", Side.SELL, 1, price_type=PriceType.SL_M, trigger="795.01")
    resting = await send(paper, "SBIN", Side.BUY, 1, price_type=PriceType.LIMIT,
                         price="700.00")
    with pytest.raises(OrderRefused, match=r"price 700\.02 is not a multiple"):
        await paper.prepare_order(OrderIntent("SBIN", "NSE", Side.BUY, 1, PriceType.LIMIT,
                                              price=D("700.02")))
    await paper.cancel_order(resting, "NSE")
    done = await send(paper, "SBIN", Side.BUY, 1)
    with pytest.raises(OrderRefused, match="Cannot modify order in complete status"):
        await paper.modify_order(done, await paper.prepare_order(OrderIntent(
            "SBIN", "NSE", Side.BUY, 2, PriceType.LIMIT, price=D("700"))))


async def test_order_ids_are_the_ist_date_and_eight_digits(account: Account) -> None:
    first = await send(account.paper, "SBIN", Side.BUY, 1)
    second = await send(account.paper, "SBIN", Side.BUY, 1)
    assert (first, second) == ("26112400000001", "26112400000002")
    assert account.reopen()._next_id(account.clock()) == "26112400000003"


async def test_stops_wait_for_their_trigger_then_fill_as_their_type(account: Account) -> None:
    paper = account.paper
    stop_market = await send(paper, "SBIN", Side.SELL, 1, price_type=PriceType.SL_M,
                             trigger="795.00")
    stop_limit = await send(paper, "SBIN", Side.SELL, 1, price_type=PriceType.SL,
                            price="794.00", trigger="796.00")
    assert {(await paper.order(o, "NSE")).status for o in (stop_market, stop_limit)} == {  # type: ignore[union-attr]
        OrderStatus.TRIGGER_PENDING}
    set_price(account, "SBIN", "NSE", "795.50")  # through 796 only
    limit = await paper.order(stop_limit, "NSE")
    assert limit is not None and (limit.status, limit.average_price) == (
        OrderStatus.COMPLETE, D("795.45"))  # triggered, its limit 794 met by the bid
    assert (await paper.order(stop_market, "NSE")).status is OrderStatus.TRIGGER_PENDING  # type: ignore[union-attr]
    set_price(account, "SBIN", "NSE", "794.90")
    market = await paper.order(stop_market, "NSE")
    assert market is not None and (market.status, market.average_price) == (
        OrderStatus.COMPLETE, D("794.85"))
    assert market.note.startswith("stop triggered at the last price 794.90; market sell")
    statuses = [(e.order_id, str(e.status)) for e in account.events if e.order_id == stop_market]
    # Placed (waiting for its trigger), triggered (open), filled: one event a state.
    assert statuses == [(stop_market, "trigger pending"), (stop_market, "open"),
                        (stop_market, "complete")]


async def test_order_events_reach_feed_shaped_listeners(account: Account) -> None:
    """The paper broker is an order-event source as a Feed is (`add_listener`,
    `watch_orders`): what follows a feed's order events follows paper orders alike."""

    class Follower:
        def __init__(self) -> None:
            self.events: list[OrderEvent] = []

        def on_tick(self, tick: Tick) -> None: ...

        def on_depth(self, update: DepthUpdate) -> None: ...

        def on_order(self, event: OrderEvent) -> None:
            self.events.append(event)

    follower = Follower()
    account.paper.add_listener(follower)
    account.paper.watch_orders()
    order = await send(account.paper, "SBIN", Side.BUY, 3)
    # Placed, then filled (as the live broker notifies a market order: `Ordered` first).
    placed, event = follower.events
    assert (placed.order_id, placed.status, placed.filled_quantity, placed.quantity) == (
        order, OrderStatus.OPEN, 0, 3)
    assert (event.order_id, event.status, event.filled_quantity, event.average_price,
            event.symbol, event.exchange, event.quantity) == (
        order, OrderStatus.COMPLETE, 3, D("800.05"), "SBIN", "NSE", 3)
    account.paper.unwatch_orders()
    account.paper.remove_listener(follower)
    await send(account.paper, "SBIN", Side.BUY, 1)
    assert len(follower.events) == 2


async def test_depth_is_walked_when_the_feed_gives_it(account: Account) -> None:
    from algodesk.domain.market import DepthLevel

    paper = account.paper
    paper.on_depth(DepthUpdate("SBIN", "NSE", (DepthLevel(D("799.95"), 10),),
                               (DepthLevel(D("800.05"), 10), DepthLevel(D("800.10"), 10)),
                               account.clock()))
    order = await paper.order(await send(paper, "SBIN", Side.BUY, 15), "NSE")
    assert order is not None and order.average_price == (10 * D("800.05") + 5 * D("800.10")) / 15
    assert order.note == "market buy across 2 ask levels of the depth (800.05 to 800.10)"


async def test_cnc_buys_become_holdings_the_next_session_day(account: Account) -> None:
    paper = account.paper
    await send(paper, "SBIN", Side.BUY, 10, product=Product.CNC)  # 800.05
    assert await paper.holdings() == []
    cash = (await paper.funds()).available_cash
    account.clock.at = TUESDAY_10 + dt.timedelta(hours=16)  # 02:00 IST: the same day
    assert await paper.holdings() == []
    account.clock.at = TUESDAY_10 + dt.timedelta(hours=17, minutes=1)  # 03:01 IST
    [holding] = await paper.holdings()
    assert (holding.symbol, holding.quantity, holding.average_price) == ("SBIN", 10,
                                                                         D("800.05"))
    funds = await paper.funds()
    assert (funds.available_cash, funds.used_margin) == (cash, 0)  # paid, not blocked
    assert await paper.orders() == [] and await paper.trades() == []  # a new session day
    # Selling the holding realises against its average, on the day's CNC row.
    set_price(account, "SBIN", "NSE", "810.00")
    await send(paper, "SBIN", Side.SELL, 4, product=Product.CNC)  # 809.95
    [left] = await paper.holdings()
    assert left.quantity == 6
    sold = await position(paper, "SBIN", Product.CNC)
    assert (sold.quantity, sold.pnl) == (0, (D("809.95") - D("800.05")) * 4)
    assert (await paper.funds()).available_cash == cash + 4 * D("809.95")
    fresh = account.reopen()
    assert [(h.symbol, h.quantity) for h in await fresh.holdings()] == [("SBIN", 6)]


async def test_the_session_day_expires_orders_and_settles_expired_contracts(
        account: Account) -> None:
    paper = account.paper
    working = await send(paper, "SBIN", Side.BUY, 1, price_type=PriceType.LIMIT,
                         price="700.00")
    await send(paper, "NIFTY24NOV26FUT", Side.BUY, 65, exchange="NFO", product=Product.NRML)
    set_price(account, "NIFTY24NOV26FUT", "NFO", "25100.00")
    account.clock.at = TUESDAY_10 + dt.timedelta(days=1)
    assert await paper.orders() == []
    old = await paper.orders(since=EXPIRY)
    assert [(o.order_id, o.status, o.message) for o in old if o.order_id == working] == [
        (working, OrderStatus.CANCELLED, "expired at the end of its session day")]
    # The future expired on the 24th: closed at its last price, the profit realised.
    future = [p for p in account.paper.account.positions.values()
              if p.symbol == "NIFTY24NOV26FUT"]
    assert future == []  # flat, and yesterday's: gone from the book
    funds = await paper.funds()
    assert funds.used_margin == 0
    assert funds.available_cash == D("1000000") + (D("25100.00") - D("25000.05")) * 65


async def test_a_restart_reads_the_same_account(account: Account) -> None:
    paper = account.paper
    await send(paper, "SBIN", Side.BUY, 10)
    working = await send(paper, "SBIN", Side.SELL, 5, price_type=PriceType.LIMIT,
                         price="900.00")
    again = account.reopen()
    assert await again.orders() == await paper.orders()
    assert await again.trades() == await paper.trades()
    await again.start()  # watches what the account holds: its working order, its position
    assert again.prices.watched() == {("SBIN", "NSE")}
    set_price(Account(again, account.clock, account.database, []), "SBIN", "NSE", "800.00")
    assert await again.funds() == await paper.funds()
    assert await again.positions() == await paper.positions()
    set_price(Account(again, account.clock, account.database, []), "SBIN", "NSE", "900.10")
    filled = await again.order(working, "NSE")
    assert filled is not None and filled.status is OrderStatus.COMPLETE


async def test_a_reset_starts_again_from_the_capital(account: Account) -> None:
    paper = account.paper
    await send(paper, "SBIN", Side.BUY, 10)
    await send(paper, "SBIN", Side.BUY, 1, price_type=PriceType.LIMIT, price="700.00")
    paper.reset()
    assert (await paper.orders(), await paper.positions(), await paper.trades()) == ([], [], [])
    assert (await paper.funds()).available_cash == D("1000000")
    assert await account.reopen().orders() == []


async def test_each_order_fills_at_most_once_whatever_ticks_and_cancels_do(
        account: Account) -> None:
    """Two hundred resting buys; crossing ticks and cancels fired at them together, in a
    shuffled order: every order ends exactly once, filled (one trade) or cancelled."""
    paper = account.paper
    orders = [await send(paper, "SBIN", Side.BUY, 1, price_type=PriceType.LIMIT,
                         price="799.00") for _ in range(200)]
    rng = random.Random(7)
    outcomes: dict[str, str] = {}

    async def cancel(orderid: str) -> None:
        await asyncio.sleep(0)
        try:
            await paper.cancel_order(orderid, "NSE")
            outcomes[orderid] = "cancelled"
        except OrderRefused as exc:
            assert str(exc) == "Cannot cancel order in complete status"

    async def crossing() -> None:
        await asyncio.sleep(0)
        set_price(account, "SBIN", "NSE", f"{rng.choice(['798.50', '798.90', '799.00'])}")

    jobs = [cancel(o) for o in orders if rng.random() < 0.5] + [crossing() for _ in range(50)]
    rng.shuffle(jobs)
    await asyncio.gather(*jobs)
    trades = await paper.trades()
    filled = [t.order_id for t in trades]
    assert len(filled) == len(set(filled))  # no order filled twice
    for orderid in orders:
        order = await paper.order(orderid, "NSE")
        assert order is not None
        if orderid in outcomes:
            assert order.status is OrderStatus.CANCELLED and orderid not in filled
        else:
            assert order.status is OrderStatus.COMPLETE and filled.count(orderid) == 1
    held = await position(paper, "SBIN")
    assert held.quantity == len(filled)
    assert paper.account.order_margin == 0  # every block released exactly once
    assert (await paper.funds()).used_margin == (len(filled) * D("799.00") / 5).quantize(
        D("0.01")) or len(filled) == 0
