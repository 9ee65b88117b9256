"""`PaperBroker`: an in-memory account behind the `Broker` protocol (analyzer mode's start).

Written against `brokers.base` and `domain` only. It fills a marketable order at once at
the quote it was given (a buy at or above the ask, a sell at or below the bid; MARKET
always), keeps the rest working until a later quote crosses it or it is cancelled, and
nets fills into positions and cash. Nothing reaches a real broker.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from ..brokers.base import OrderRefused
from ..domain.market import Candle, Depth, DepthLevel, OptionChainRow, Quote
from ..domain.orders import (
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
from ..domain.values import IST

ZERO = Decimal(0)
WORKING = (OrderStatus.OPEN, OrderStatus.TRIGGER_PENDING)


@dataclass
class _Order:
    order: BrokerOrder
    intent: OrderIntent


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PaperBroker:
    """One paper account; `set_quote` is how prices arrive (the feed, or a test), and
    `clock` stamps orders and fills (and says which day is today)."""

    history_page_size = 1_000_000  # it has no candles: any range is one (empty) answer

    def __init__(self, cash: Decimal = Decimal("1000000"), *, name: str = "sandbox",
                 clock: Callable[[], dt.datetime] = _now) -> None:
        self.name = name
        self.cash = cash
        self.clock = clock
        self._quotes: dict[tuple[str, str], Quote] = {}
        self._orders: dict[str, _Order] = {}
        self._trades: list[Trade] = []
        self._ids = itertools.count(1)
        self._session = object()

    # -- session ---------------------------------------------------------------------

    def connected(self) -> bool:
        return True

    def session(self) -> Hashable | None:
        return self._session

    # -- prices ----------------------------------------------------------------------

    def set_quote(self, quote: Quote) -> None:
        """A new price: working orders it makes marketable fill at it."""
        self._quotes[(quote.symbol, quote.exchange)] = quote
        for held in list(self._orders.values()):
            if held.order.status in WORKING and \
                    (held.order.symbol, held.order.exchange) == (quote.symbol, quote.exchange):
                self._try_fill(held)

    def _quote(self, symbol: str, exchange: str) -> Quote:
        quote = self._quotes.get((symbol, exchange))
        if quote is None:
            raise OrderRefused(f"No price for {symbol} on {exchange} yet", status=404)
        return quote

    # -- orders ----------------------------------------------------------------------

    async def prepare_order(self, intent: OrderIntent) -> PreparedOrder:
        quote = self._quote(intent.symbol, intent.exchange)
        if intent.price_type in (PriceType.LIMIT, PriceType.SL) and intent.price <= 0:
            raise OrderRefused(f"price must be greater than 0 for a {intent.price_type} order")
        if intent.price_type in (PriceType.SL, PriceType.SL_M) and intent.trigger_price <= 0:
            raise OrderRefused(f"{intent.price_type} orders need trigger_price > 0")
        limit = intent.price if intent.price_type in (PriceType.LIMIT, PriceType.SL) else ZERO
        note = "" if limit else f"{intent.price_type} filled at the quote (LTP {quote.last_price})"
        return PreparedOrder(intent, limit, intent.trigger_price, note)

    async def place_order(self, order: PreparedOrder) -> OrderAck:
        intent = order.intent
        order_id = f"P{next(self._ids):06d}"
        status = (OrderStatus.TRIGGER_PENDING
                  if intent.price_type in (PriceType.SL, PriceType.SL_M) else OrderStatus.OPEN)
        self._orders[order_id] = held = _Order(BrokerOrder(
            order_id, intent.symbol, intent.exchange, intent.side, intent.quantity, 0,
            intent.price_type, intent.product, order.limit_price, intent.trigger_price, ZERO,
            status, self.clock(), intent.tag), intent)
        self._try_fill(held)
        return OrderAck(order_id, order.note)

    def _try_fill(self, held: _Order) -> None:
        order = held.order
        quote = self._quotes.get((order.symbol, order.exchange))
        if quote is None:
            return
        buy = order.side is Side.BUY
        if order.status is OrderStatus.TRIGGER_PENDING:
            triggered = (quote.last_price >= order.trigger_price if buy
                         else quote.last_price <= order.trigger_price)
            if not triggered:
                return
            order = replace(order, status=OrderStatus.OPEN)
        touch = (quote.ask if buy else quote.bid) or quote.last_price
        marketable = order.price == 0 or (touch <= order.price if buy else touch >= order.price)
        if marketable:
            order = replace(order, filled_quantity=order.quantity, average_price=touch,
                            status=OrderStatus.COMPLETE)
            self.cash += -touch * order.quantity if buy else touch * order.quantity
            self._trades.append(Trade(order.order_id, order.symbol, order.exchange,
                                      order.side, order.quantity, touch, order.product,
                                      self.clock()))
        held.order = order

    def _working(self, order_id: str) -> _Order:
        held = self._orders.get(order_id)
        if held is None:
            raise OrderRefused(f"Order {order_id} not found", status=404)
        if held.order.status not in WORKING:
            raise OrderRefused(f"Order {order_id} is {held.order.status}: it cannot change")
        return held

    async def modify_order(self, order_id: str, change: PreparedOrder) -> OrderAck:
        held = self._working(order_id)
        held.order = replace(held.order, quantity=change.intent.quantity,
                             price=change.limit_price, trigger_price=change.trigger_price,
                             price_type=change.intent.price_type)
        self._try_fill(held)
        return OrderAck(order_id, change.note)

    async def cancel_order(self, order_id: str, exchange: str) -> OrderAck:
        held = self._working(order_id)
        held.order = replace(held.order, status=OrderStatus.CANCELLED)
        return OrderAck(order_id)

    async def orders(self, since: dt.date | None = None, *, exchange: str | None = None,
                     max_age: float | None = None) -> list[BrokerOrder]:
        """Everything is in memory: every answer is fresh, whatever `max_age`."""
        first = since or self._today()
        return [held.order for held in self._orders.values()
                if (exchange is None or held.order.exchange == exchange)
                and held.order.placed_at is not None
                and held.order.placed_at.astimezone(IST).date() >= first]

    def _today(self) -> dt.date:
        return self.clock().astimezone(IST).date()

    async def order(self, order_id: str, exchange: str) -> BrokerOrder | None:
        held = self._orders.get(order_id)
        return held.order if held else None

    async def trades(self) -> list[Trade]:
        return list(self._trades)

    # -- account ---------------------------------------------------------------------

    async def positions(self, *, max_age: float | None = None) -> list[Position]:
        net: dict[tuple[str, str, str], tuple[int, Decimal]] = {}
        for trade in self._trades:
            key = (trade.symbol, trade.exchange, str(trade.product))
            quantity, cost = net.get(key, (0, ZERO))
            signed = trade.quantity if trade.side is Side.BUY else -trade.quantity
            net[key] = (quantity + signed, cost + signed * trade.average_price)
        positions = []
        for (symbol, exchange, product), (quantity, cost) in net.items():
            quote = self._quotes.get((symbol, exchange))
            last = quote.last_price if quote else ZERO
            average = cost / quantity if quantity else ZERO
            positions.append(Position(symbol, exchange, Product(product), quantity, average,
                                      last, last * quantity - cost))
        return positions

    async def holdings(self) -> list[Holding]:
        return []  # paper fills settle as positions: no delivery into a demat account

    async def funds(self) -> Funds:
        return Funds(self.cash, ZERO)

    async def margin(self, orders: Sequence[OrderIntent]) -> MarginResult:
        total = sum((self._quote(o.symbol, o.exchange).last_price * o.quantity for o in orders),
                    ZERO)
        return MarginResult(total)  # full value: the paper account lends nothing

    # -- market data -----------------------------------------------------------------

    async def quote(self, symbol: str, exchange: str) -> Quote:
        return self._quote(symbol, exchange)

    async def quotes(self, instruments: Sequence[tuple[str, str]]) -> list[Quote]:
        return [self._quote(s, e) for s, e in instruments]

    async def depth(self, symbol: str, exchange: str) -> Depth:
        quote = self._quote(symbol, exchange)
        bids = (DepthLevel(quote.bid, quote.bid_quantity),) if quote.bid else ()
        asks = (DepthLevel(quote.ask, quote.ask_quantity),) if quote.ask else ()
        return Depth(symbol, exchange, bids, asks, quote.last_price, quote.at, quote)

    async def history(self, symbol: str, exchange: str, interval: str,
                      start: dt.datetime, end: dt.datetime) -> list[Candle]:
        return []  # the analyzer reads history from the live broker's candle store

    async def option_chain(self, underlying: str, exchange: str, expiry: dt.date, *,
                           strike: Decimal | None = None) -> list[OptionChainRow]:
        return []

    def option_chain_exchanges(self) -> tuple[str, ...]:
        return ()  # no chains of its own

    def reads_left(self) -> int | None:
        return None  # nothing to spend: every read is local


__all__ = ["PaperBroker"]
