"""`IciciBroker`: the `Broker` protocol over ICICI's Breeze API.

Everything Breeze-shaped stays here: stock codes and Breeze products (through the
symbol index the wiring hands in), the aggressive-limit rule for MARKET and SL-M
(`mapping.decide_price`; its note comes back in `PreparedOrder.note`), rupee strings,
IST timestamps, the `user_remark` tag, and the call budget, the order pacer and the
shared read cache. What leaves is domain types and `brokers.base` failures.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Hashable, Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from ...domain.market import Candle, Depth, OptionChainRow, Quote
from ...domain.orders import (
    BrokerOrder,
    Funds,
    Holding,
    MarginResult,
    OrderAck,
    OrderIntent,
    OrderStatus,
    Position,
    PreparedOrder,
    PriceType,
    Product,
    Side,
    Trade,
)
from ..base import BrokerFailure, NotSent, OrderRefused
from .budget import BudgetExhausted, OrderPacer, SharedReads
from .client import BreezeClient
from .errors import BreezeError
from .failures import action_failure, read_failure
from .formats import IST, parse_response_datetime
from .funds import equity_cash
from .mapping import (
    PRICE_TYPE_OF_BREEZE,
    PRODUCT_OF_BREEZE,
    MappingError,
    TradableInstrument,
    breeze_product,
    decide_price,
    filled_quantity,
    openalgo_status,
    place_order_fields,
)
from .market_reads import HISTORY_PAGE, MarketReads
from .schemas import BreezeOrder, BreezeQuote

T = TypeVar("T")
BREEZE_EXCHANGES = ("NSE", "BSE", "NFO", "BFO", "NDX", "MCX")
BREEZE_EXCHANGE_OF = {"CDS": "NDX"}  # every other tradable OpenAlgo exchange keeps its code
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


def _side(text: str | None) -> Side:
    return Side.SELL if (text or "").strip().lower() == "sell" else Side.BUY


def _product(text: str | None) -> Product:
    return Product(PRODUCT_OF_BREEZE.get((text or "").lower(), "CNC"))


def _instant(text: str | None) -> dt.datetime | None:
    """Breeze's IST wall-clock text as a UTC instant (None when absent or unreadable)."""
    if not text:
        return None
    try:
        stamp = parse_response_datetime(text)
    except ValueError:
        return None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=IST)).astimezone(dt.UTC)


class IciciBroker:
    """One ICICI Direct account (or the simulator playing it) as a `Broker`."""

    history_page_size = HISTORY_PAGE

    def __init__(self, calls: BreezeCalls, contracts: Callable[[], Contracts], *,
                 name: str = "icici", connected: Callable[[], bool] | None = None,
                 pacer: OrderPacer | None = None, reads: SharedReads | None = None,
                 equity_mis_as_cash: bool = False) -> None:
        self.name = name
        self.calls = calls
        self.contracts = contracts
        self.pacer = pacer or OrderPacer()
        self.reads = reads or SharedReads()
        self.equity_mis_as_cash = equity_mis_as_cash
        self._connected = connected
        self.market = MarketReads(calls, contracts, self.reads)

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

    async def _read(self, key: Hashable, ttl: float,
                    operation: Callable[[BreezeClient], Awaitable[T]], what: str, *,
                    consequence: str = "", for_order: bool = False) -> T:
        try:
            return await self.reads.get(
                key, ttl, lambda: self.calls.read(operation, for_order=for_order))
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

    async def _act(self, operation: Callable[[BreezeClient], Awaitable[T]], what: str) -> T:
        try:
            async with self.pacer.slot():
                return await self.calls.act(operation)
        except BreezeError as exc:
            raise action_failure(exc, what) from None
        except BudgetExhausted as exc:
            raise NotSent(exc.message, status=429, retry_after=int(exc.retry_after) + 1,
                          broker_message=f"not sent: {exc}") from None

    async def place_order(self, order: PreparedOrder) -> OrderAck:
        fields: dict[str, Any] = dict(order.wire)
        fields["user_remark"] = order.intent.tag
        placed = await self._act(lambda c: c.place_order(**fields), "order")
        return OrderAck(placed.order_id, order.note)

    async def _exchange_of(self, order_id: str) -> str:
        for row in await self._order_rows():
            if row.order_id == order_id:
                return str(row.exchange_code)
        raise OrderRefused(f"Order {order_id} not found", status=404)

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
        exchange = str(change.wire["exchange_code"])
        changes = self.modify_fields(change)
        await self._act(lambda c: c.modify_order(exchange, order_id, **changes), "modification")
        return OrderAck(order_id, change.note)

    async def cancel_order(self, order_id: str, exchange: str) -> OrderAck:
        """`exchange` is the order's OpenAlgo exchange, or "" to look it up."""
        breeze_exchange = (BREEZE_EXCHANGE_OF.get(exchange, exchange) if exchange
                           else await self._exchange_of(order_id))
        await self._act(lambda c: c.cancel_order(breeze_exchange, order_id), "cancellation")
        return OrderAck(order_id)

    async def _todays_rows(self, kind: str, fetch: Callable[[Any, str, dt.date], Any]
                           ) -> list[Any]:
        """Today's `kind` list (orders or trades) on every exchange, read at once: Breeze
        lists one exchange a call."""
        day = dt.datetime.now(IST).date()

        async def one(exchange: str) -> list[Any]:
            return await self._read((kind, exchange), QUOTE_TTL,
                                    lambda c: fetch(c, exchange, day),
                                    f"the {exchange} {kind[:-1]} list")

        batches = await asyncio.gather(*(one(e) for e in BREEZE_EXCHANGES))
        return [row for batch in batches for row in batch or []]

    async def _order_rows(self) -> list[BreezeOrder]:
        return await self._todays_rows(
            "orders", lambda c, exchange, day: c.get_order_list(exchange, day, day))

    def _order(self, row: BreezeOrder) -> BrokerOrder:
        symbol, exchange = self._named(row)
        state = openalgo_status(row.status, row.order_type)
        status = OrderStatus(state)
        quantity = int(row.quantity or 0)
        filled = filled_quantity(state, quantity, int(row.pending_quantity or 0),
                                 int(row.cancelled_quantity or 0))
        price_type = PriceType(PRICE_TYPE_OF_BREEZE.get((row.order_type or "").lower(),
                                                        "LIMIT"))
        return BrokerOrder(
            row.order_id, symbol, exchange, _side(row.action), quantity, filled, price_type,
            _product(row.product_type), row.price or ZERO, row.stoploss or ZERO,
            row.average_price or ZERO, status, _instant(row.order_datetime),
            row.user_remark or "")

    async def orders(self) -> list[BrokerOrder]:
        return [self._order(row) for row in await self._order_rows()]

    async def order(self, order_id: str, exchange: str) -> BrokerOrder | None:
        for row in await self._order_rows():
            if row.order_id == order_id:
                return self._order(row)
        return None

    async def trades(self) -> list[Trade]:
        rows = await self._todays_rows(
            "trades", lambda c, exchange, day: c.get_trade_list(exchange, day, day))
        trades = []
        for row in rows:
            symbol, exchange = self._named(row)
            trades.append(Trade(row.order_id, symbol, exchange, _side(row.action),
                                int(row.quantity or 0), row.average_cost or ZERO,
                                _product(row.product_type), _instant(row.trade_date)))
        return trades

    # -- account ---------------------------------------------------------------------

    async def positions(self) -> list[Position]:
        rows = await self._read(("positions",), QUOTE_TTL,
                                lambda c: c.get_portfolio_positions(), "the positions")
        positions = []
        for row in rows or []:
            symbol, exchange = self._named(row)
            size = int(row.quantity or 0)
            action = (row.action or "").lower()
            net = size if action == "buy" else -size if action == "sell" else 0
            average = (row.average_price or ZERO) if net else ZERO
            ltp = row.ltp or ZERO
            unrealised = (ltp - average) * net if net and ltp else ZERO
            positions.append(Position(symbol, exchange, _product(row.product_type), net,
                                      average, ltp,
                                      row.pnl if row.pnl is not None else unrealised))
        return positions

    async def holdings(self) -> list[Holding]:
        rows = await self._read(("holdings",), QUOTE_TTL,
                                lambda c: c.get_portfolio_holdings("NSE"), "the holdings")
        holdings = []
        for row in rows or []:
            symbol, exchange = self._named(row, "NSE")
            quantity = int(row.quantity or 0)
            average = row.average_price or ZERO
            ltp = row.current_market_price or ZERO
            holdings.append(Holding(symbol, exchange, quantity, average, ltp,
                                    (ltp - average) * quantity))
        return holdings

    async def funds(self) -> Funds:
        answer = await self._read(("funds",), QUOTE_TTL, lambda c: c.get_funds(), "the funds")
        available, blocked = equity_cash(answer)
        return Funds(available, blocked)

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
