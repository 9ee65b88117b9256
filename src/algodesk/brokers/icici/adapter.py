"""`IciciBroker`: the `Broker` protocol over ICICI's Breeze API.

Everything Breeze-shaped stays here: stock codes and Breeze products (through the
symbol index the wiring hands in), the aggressive-limit rule for MARKET and SL-M
(`mapping.decide_price`; its note comes back in `PreparedOrder.note`), rupee strings,
IST timestamps, the `user_remark` tag, and the call budget, the order pacer and the
shared read cache (an order action marks the lists it changes as stale). The account's
lists are read in `books.py`. What leaves is domain types and `brokers.base` failures.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Hashable, Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from ...domain.gtt import Gtt, GttAck, GttIntent, PreparedGtt
from ...domain.market import Candle, Depth, OptionChainRow, Quote
from ...domain.orders import (
    BrokerOrder,
    Funds,
    Holding,
    MarginResult,
    OrderAck,
    OrderIntent,
    Position,
    PreparedOrder,
    PriceType,
    Trade,
)
from ..base import BrokerFailure, NotSent, OrderRefused
from .book_events import OrderNotifications
from .books import IciciBooks, breeze_exchange, stale_after
from .budget import BudgetExhausted, CallBudget, OrderPacer, SharedReads
from .client import BreezeClient
from .errors import BreezeError
from .failures import action_failure, read_failure
from .formats import IST
from .gtts import IciciGtts
from .mapping import (
    MappingError,
    TradableInstrument,
    breeze_product,
    decide_price,
    place_order_fields,
)
from .market_reads import HISTORY_PAGE, MarketReads
from .schemas import BreezeQuote

T = TypeVar("T")
QUOTE_TTL = 1.0  # seconds a quote is shared by concurrent callers
ZERO = Decimal(0)


class BreezeCalls(Protocol):
    """The budgeted way to Breeze (`gateway.BrokerGateway`)."""

    async def read(self, operation: Callable[[BreezeClient], Awaitable[T]], *,
                   for_order: bool = False, bulk: bool = False) -> T: ...

    async def act(self, operation: Callable[[BreezeClient], Awaitable[T]]) -> T: ...

    def session(self) -> Hashable | None: ...

    def reads_left(self) -> int: ...


class Contracts(Protocol):
    """The live symbol index: OpenAlgo symbols to Breeze contracts and back."""

    def get(self, symbol: str, exchange: str) -> Any: ...

    def by_breeze(self, stock_code: str, exchange_code: str, product: str,
                  expiry: Any = None, strike: Any = None, right: str | None = None) -> Any: ...


def _now_ist() -> dt.datetime:
    return dt.datetime.now(IST)


class IciciBroker:
    """One ICICI Direct account (or the simulator playing it) as a `Broker`.

    `budget` (the one `calls` admits through) sets how often polled lists are read;
    `clock` says what day it is in India (the day Breeze's order lists are asked for).
    """

    history_page_size = HISTORY_PAGE

    def __init__(self, calls: BreezeCalls, contracts: Callable[[], Contracts], *,
                 name: str = "icici", connected: Callable[[], bool] | None = None,
                 pacer: OrderPacer | None = None, reads: SharedReads | None = None,
                 budget: CallBudget | None = None, equity_mis_as_cash: bool = False,
                 clock: Callable[[], dt.datetime] = _now_ist) -> None:
        self.name = name
        self.calls = calls
        self.contracts = contracts
        self.pacer = pacer or OrderPacer()
        self.reads = reads or SharedReads()
        self.equity_mis_as_cash = equity_mis_as_cash
        self.clock = clock
        self._connected = connected
        self.market = MarketReads(calls, contracts, self.reads)
        self.books = IciciBooks(self._read, self._named, lambda: self.contracts(),
                                self.reads, budget, self.today)
        self.gtts = IciciGtts(self._act, self._read, self._invalidate_key, self._instrument,
                              lambda: self.contracts(), self._named, self.today)
        # Breeze products of the orders placed by this process today, by order id: what
        # a modification is checked against without reading the order list.
        self._products: tuple[dt.date, dict[str, str]] = (self.today(), {})

    def today(self) -> dt.date:
        """The IST day (Breeze's trading day) by the clock."""
        return self.clock().astimezone(IST).date()

    def follow_orders(self, notifications: OrderNotifications) -> None:
        """Keep the order and trade lists by ICICI's order notifications (the feed's
        order stream) instead of polling them (`book_events.py`)."""
        self.books.follow(notifications)

    # -- session ---------------------------------------------------------------------

    def connected(self) -> bool:
        if self._connected is not None:
            return self._connected()
        return self.calls.session() is not None

    def session(self) -> Hashable | None:
        return self.calls.session()

    # -- instruments -----------------------------------------------------------------

    def _instrument(self, symbol: str, exchange: str) -> Any:
        inst = self.contracts().get(symbol, exchange)
        if inst is None:
            raise OrderRefused(f"Symbol '{symbol}' not found for exchange '{exchange}'. "
                               "Check the symbol and that the master contract is loaded.")
        return inst

    def _named(self, row: Any, exchange_code: str | None = None) -> tuple[str, str]:
        """(symbol, exchange) of a Breeze row: OpenAlgo's names where the index knows
        the contract, Breeze's otherwise (so nothing the broker holds goes missing)."""
        exchange_code = exchange_code or row.exchange_code
        product = getattr(row, "product_type", None) or "cash"
        inst = self.contracts().by_breeze(row.stock_code, exchange_code, product,
                                          getattr(row, "expiry_date", None),
                                          getattr(row, "strike_price", None),
                                          getattr(row, "right", None))
        if inst is None:
            return row.stock_code, exchange_code
        return inst.symbol, str(inst.exchange)

    async def _read(self, key: Hashable | None, ttl: float | Callable[[T], float],
                    operation: Callable[[BreezeClient], Awaitable[T]], what: str, *,
                    consequence: str = "", for_order: bool = False,
                    max_age: float | None = None) -> T:
        """One budgeted read, shared with every caller asking for `key` at the same time
        and cached for `ttl` (`key` None: read now, not kept)."""
        try:
            if key is None:
                return await self.calls.read(operation, for_order=for_order)
            return await self.reads.get(
                key, ttl, lambda: self.calls.read(operation, for_order=for_order),
                max_age=max_age)
        except BreezeError as exc:
            raise read_failure(exc, what, consequence) from None
        except BudgetExhausted as exc:
            raise NotSent(exc.message, status=429, retry_after=int(exc.retry_after) + 1) from None

    async def _quote_row(self, inst: TradableInstrument, *, for_order: bool = False,
                         what: str = "", consequence: str = "") -> BreezeQuote:
        async def fetch(client: BreezeClient) -> BreezeQuote:
            rows = await client.get_quotes(
                inst.stock_code, inst.breeze_exchange, product_type=inst.product,
                expiry_date=inst.expiry, right=inst.right, strike_price=inst.breeze_strike)
            # Cash quotes come as [NSE, BSE] rows; pick the instrument's own exchange.
            for row in rows:
                if row.exchange_code == inst.breeze_exchange:
                    return row
            if not rows:
                raise BrokerFailure(f"ICICI returned no quote for {inst.symbol}")
            return rows[0]

        return await self._read(("quote", inst.breeze_exchange, inst.symbol), QUOTE_TTL, fetch,
                                what or f"the quote for {inst.symbol}",
                                consequence=consequence, for_order=for_order)

    # -- orders ----------------------------------------------------------------------

    async def prepare_order(self, intent: OrderIntent) -> PreparedOrder:
        inst = self._instrument(intent.symbol, intent.exchange)
        try:
            product = breeze_product(
                inst, str(intent.product),
                equity_mis_as_cash=self.equity_mis_as_cash or intent.closes_position)
        except MappingError as exc:
            raise OrderRefused(str(exc)) from None
        quote = None
        if intent.price_type in (PriceType.MARKET, PriceType.SL_M):
            # A read: nothing was sent, so nothing is in doubt (504/502, not 400).
            quote = await self._quote_row(
                inst, for_order=True,
                consequence=f"the {intent.price_type} order was not sent (it is priced from "
                            "the last traded price)")
        try:
            decision = decide_price(inst, product, str(intent.side), str(intent.price_type),
                                    intent.price, intent.trigger_price, quote)
        except MappingError as exc:
            raise OrderRefused(str(exc)) from None
        fields = place_order_fields(inst, breeze_product_=product, action=str(intent.side),
                                    quantity=intent.quantity, decision=decision,
                                    disclosed_quantity=intent.disclosed_quantity)
        if inst.breeze_exchange == "MCX" and inst.lot_size > 0:
            fields["lots"] = str(intent.quantity // inst.lot_size)
        return PreparedOrder(intent, decision.price, decision.trigger, decision.note, fields)

    async def _act(self, operation: Callable[[BreezeClient], Awaitable[T]], what: str,
                   exchange: str) -> T:
        """One order action on (Breeze) `exchange`: paced, sent once. Afterwards the
        lists it changes are stale; while actions are in flight (`acting`, a burst)
        polled lists catch up at most once a second."""
        self.reads.acting += 1
        try:
            async with self.pacer.slot():
                return await self.calls.act(operation)
        except BreezeError as exc:
            raise action_failure(exc, what) from None
        except BudgetExhausted as exc:
            raise NotSent(exc.message, status=429, retry_after=int(exc.retry_after) + 1,
                          broker_message=f"not sent: {exc}") from None
        finally:
            self.reads.acting -= 1
            self.reads.invalidate(stale_after(exchange))
            self.books.acted_on(exchange)

    def _placed_products(self) -> dict[str, str]:
        today = self.today()
        if self._products[0] != today:  # yesterday's orders are gone from Breeze's lists
            self._products = (today, {})
        return self._products[1]

    async def place_order(self, order: PreparedOrder) -> OrderAck:
        fields: dict[str, Any] = dict(order.wire)
        fields["user_remark"] = order.intent.tag
        placed = await self._act(lambda c: c.place_order(**fields), "order",
                                 str(fields["exchange_code"]))
        self._placed_products()[placed.order_id] = str(fields["product"])
        return OrderAck(placed.order_id, order.note)

    async def _exchange_of(self, order_id: str) -> str:
        for row in await self.books.order_rows():
            if row.order_id == order_id:
                return str(row.exchange_code)
        raise OrderRefused(f"Order {order_id} not found", status=404)

    async def _product_of(self, order_id: str, exchange: str) -> str | None:
        """The Breeze product an order was placed with: remembered when placed here
        today, else from its exchange's order list (None when not listed)."""
        product = self._placed_products().get(order_id)
        if product is not None:
            return product
        for max_age in (None, 0.0):
            for row in await self.books.order_rows(exchange=exchange, max_age=max_age):
                if row.order_id == order_id:
                    return (row.product_type or "cash").lower()
        return None

    @staticmethod
    def modify_fields(order: PreparedOrder) -> dict[str, Any]:
        """What a modification sends: only the fields that change."""
        changes: dict[str, Any] = {"order_type": order.wire["order_type"],
                                   "quantity": str(order.intent.quantity),
                                   "price": str(order.limit_price)}
        if order.trigger_price > 0:
            changes["stoploss"] = str(order.trigger_price)
        if order.intent.disclosed_quantity:
            changes["disclosed_quantity"] = str(order.intent.disclosed_quantity)
        return changes

    async def modify_order(self, order_id: str, change: PreparedOrder) -> OrderAck:
        """Refused before sending when the change would need another Breeze product
        (Breeze keeps an order's product; OpenAlgo products that map to the same one,
        such as MIS and NRML on a future, are the same order)."""
        exchange = str(change.wire["exchange_code"])
        placed_as = await self._product_of(order_id, exchange)
        if placed_as is not None and placed_as != change.wire["product"]:
            raise OrderRefused(f"Order {order_id} was placed as Breeze product {placed_as!r}; "
                               "the product cannot be modified; cancel it and place a new "
                               "order")
        changes = self.modify_fields(change)
        await self._act(lambda c: c.modify_order(exchange, order_id, **changes),
                        "modification", exchange)
        return OrderAck(order_id, change.note)

    async def cancel_order(self, order_id: str, exchange: str) -> OrderAck:
        """`exchange` is the order's OpenAlgo exchange, or "" to look it up."""
        code = breeze_exchange(exchange) if exchange else await self._exchange_of(order_id)
        await self._act(lambda c: c.cancel_order(code, order_id), "cancellation", code)
        return OrderAck(order_id)

    async def orders(self, since: dt.date | None = None, *, exchange: str | None = None,
                     max_age: float | None = None) -> list[BrokerOrder]:
        return await self.books.orders(since, exchange=exchange, max_age=max_age)

    async def order(self, order_id: str, exchange: str) -> BrokerOrder | None:
        for row in await self.books.order_rows(exchange=exchange or None):
            if row.order_id == order_id:
                return self.books.order(row)
        return None

    async def trades(self) -> list[Trade]:
        return await self.books.trades()

    # -- GTT orders (gtts.py) ---------------------------------------------------------

    def _invalidate_key(self, key: Hashable) -> None:
        self.reads.invalidate(lambda cached: cached == key)

    async def prepare_gtt(self, intent: GttIntent) -> PreparedGtt:
        return await self.gtts.prepare(intent)

    async def place_gtt(self, gtt: PreparedGtt) -> GttAck:
        return await self.gtts.place(gtt)

    async def modify_gtt(self, gtt_id: str, change: PreparedGtt) -> GttAck:
        return await self.gtts.modify(gtt_id, change)

    async def cancel_gtt(self, gtt_id: str, exchange: str) -> GttAck:
        return await self.gtts.cancel(gtt_id, breeze_exchange(exchange))

    async def gtt_orders(self, *, exchange: str | None = None,
                         max_age: float | None = None) -> list[Gtt]:
        return await self.gtts.orders(
            exchange=breeze_exchange(exchange) if exchange else None, max_age=max_age)

    # -- account ---------------------------------------------------------------------

    async def positions(self, *, max_age: float | None = None) -> list[Position]:
        return await self.books.positions(max_age=max_age)

    async def holdings(self) -> list[Holding]:
        return await self.books.holdings()

    async def funds(self) -> Funds:
        return await self.books.funds()

    async def margin(self, orders: Sequence[OrderIntent]) -> MarginResult:
        """ICICI's margin calculator, one call per Breeze exchange. A leg without a
        price of its own (MARKET; SL-M is priced at its trigger) is priced at its last
        traded price. Breeze answers for the basket only, so `legs` stays empty."""
        legs: list[tuple[OrderIntent, Any, str]] = []
        for intent in orders:
            inst = self._instrument(intent.symbol, intent.exchange)
            try:
                # Margin is asked before trading: an equity MIS leg is priced as delivery.
                product = breeze_product(inst, str(intent.product), equity_mis_as_cash=True)
            except MappingError as exc:
                raise OrderRefused(f"{intent.symbol}: {exc}") from None
            legs.append((intent, inst, product))

        async def leg(intent: OrderIntent, inst: Any, product: str) -> tuple[str, dict[str, str]]:
            limit = intent.price_type in (PriceType.LIMIT, PriceType.SL)
            price = intent.price if limit else ZERO
            if price <= 0 and intent.price_type is PriceType.SL_M:
                price = intent.trigger_price
            if price <= 0:
                price = (await self._quote_row(
                    inst, for_order=True, what=f"the last price of {intent.symbol}",
                    consequence="the margin could not be computed")).ltp
            derivative = inst.product != "cash"
            return inst.breeze_exchange, {
                "strike_price": inst.breeze_strike or "0", "quantity": str(intent.quantity),
                "right": inst.right if derivative else "", "product": product,
                "action": str(intent.side).lower(), "price": str(price),
                "expiry_date": inst.breeze_expiry, "stock_code": inst.stock_code,
                "cover_order_flow": "N", "fresh_order_type": "N", "cover_limit_rate": "0",
                "cover_sltp_price": "0", "fresh_limit_rate": "0", "open_quantity": "0"}

        groups: dict[str, list[dict[str, str]]] = {}
        for exchange, fields in await asyncio.gather(*(leg(*x) for x in legs)):
            groups.setdefault(exchange, []).append(fields)

        async def ask(exchange: str, basket: list[dict[str, str]]) -> Any:
            return await self.calls.read(lambda c: c.margin_calculator(basket, exchange))

        try:
            answers = await asyncio.gather(*(ask(e, b) for e, b in groups.items()))
        except BreezeError as exc:
            raise read_failure(exc, "the margin from ICICI's margin calculator") from None
        except BudgetExhausted as exc:
            raise NotSent(exc.message, status=429, retry_after=int(exc.retry_after) + 1) from None
        span = sum((a.span_margin_required or ZERO for a in answers), ZERO)
        exposure = sum((a.non_span_margin_required or ZERO for a in answers), ZERO)
        return MarginResult(span + exposure, span, exposure)

    # -- market data (market_reads.py) ------------------------------------------------

    async def quote(self, symbol: str, exchange: str) -> Quote:
        return await self.market.quote(symbol, exchange)

    async def quotes(self, instruments: Sequence[tuple[str, str]]) -> list[Quote]:
        return await self.market.quotes(instruments)

    async def depth(self, symbol: str, exchange: str) -> Depth:
        return await self.market.depth(symbol, exchange)

    async def history(self, symbol: str, exchange: str, interval: str,
                      start: dt.datetime, end: dt.datetime) -> list[Candle]:
        return await self.market.history(symbol, exchange, interval, start, end)

    async def option_chain(self, underlying: str, exchange: str, expiry: dt.date, *,
                           strike: Decimal | None = None) -> list[OptionChainRow]:
        return await self.market.option_chain(underlying, exchange, expiry, strike=strike)

    def option_chain_exchanges(self) -> tuple[str, ...]:
        return self.market.option_chain_exchanges()

    def reads_left(self) -> int | None:
        return self.market.reads_left()


__all__ = ["BreezeCalls", "Contracts", "IciciBroker"]
