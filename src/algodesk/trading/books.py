"""The trader's books in OpenAlgo's shapes, read through the `Broker` protocol and
labelled from the journal.

A broker knows products and price types in its own terms (ICICI: cash/futures/options,
limit/stoploss); the journal knows what the client asked for (MIS, MARKET, the strategy
name). Rows are labelled from the journal where it has the order, from the broker's
domain types otherwise:

- an order placed here shows the client's product and price type (as last modified),
  its strategy, and a `note` when the platform chose its price (MARKET and SL-M go as
  aggressive limits at ICICI);
- a position shows MIS when every order placed here today for that instrument was MIS
  (Breeze merges intraday and carry-forward into one position), else its broker product.

How often the broker is asked (caches, the call budget) is the adapter's business; the
books only say when a view must be fresh (`max_age`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ..brokers.base import Broker
from ..domain.orders import BrokerOrder, PriceType
from ..domain.values import IST
from .journal import JournalEntry, OrderJournal

TWO = Decimal("0.01")
FOUR = Decimal("0.0001")
WORKING = ("open", "trigger pending")
PLATFORM_PRICED = (PriceType.MARKET, PriceType.SL_M)
# How a book shows a time the broker gave no words for (OpenAlgo's documented example).
TIME_FORMAT = "%d-%b-%Y %H:%M:%S"
# An order placed here that its exchange's cached list lacks is looked for again in a
# list read at most this long ago.
RECHECK_MAX_AGE = 0.5
# Placements kept in memory until a read of the journal finds them there; past this
# many, a label lookup reads (and so forgets those written).
RECENT_LIMIT = 10_000


def _money(value: Decimal | None) -> float:
    return float((value or Decimal(0)).quantize(TWO))


def _price(value: Decimal | None) -> float:
    """Prices keep a currency tick's four decimals (₹0.0025); money has two."""
    return float((value or Decimal(0)).quantize(FOUR))


def _text(value: Decimal | float | None) -> str:
    return f"{Decimal(value or 0).quantize(TWO)}"


def _shown_time(text: str, at: datetime | None) -> str:
    """The broker's own words for a time, else the instant in IST."""
    if text or at is None:
        return text
    return at.astimezone(IST).strftime(TIME_FORMAT)


def _now_ist() -> datetime:
    return datetime.now(IST)


@dataclass(frozen=True, slots=True)
class OrderLabel:
    """What the journal says about one broker order placed here."""

    strategy: str
    symbol: str
    exchange: str
    product: str
    pricetype: str
    note: str


class Books:
    def __init__(self, broker: Broker, journal: OrderJournal, *,
                 clock: Callable[[], datetime] = _now_ist,
                 day_starts: timedelta = timedelta(0)) -> None:
        self.broker = broker
        self.journal = journal
        self.clock = clock
        #: When the broker's trading day begins, after midnight IST (the paper broker's
        #: at 03:00): today's labels are the journal's rows since then.
        self.day_starts = day_starts
        self._labels: tuple[tuple[int, datetime], dict[str, OrderLabel]] | None = None
        self._label_day: datetime | None = None
        self._label_rows: dict[int, JournalEntry] = {}
        self._label_read: datetime | None = None
        self._recent: dict[str, OrderLabel] = {}  # placed, not yet in the journal's table
        self._modified: set[str] = set()  # modified since the last read: labels may differ

    def today(self) -> datetime:
        """When today's trading day began (midnight IST, or `day_starts` after it), as
        an aware datetime."""
        shifted = self.clock().astimezone(IST) - self.day_starts
        return shifted.replace(hour=0, minute=0, second=0, microsecond=0) + self.day_starts

    # -- what the journal knows ------------------------------------------------------

    def labels(self) -> dict[str, OrderLabel]:
        """Today's orders placed here, by broker order id, as last modified. Kept in
        memory; a journal write makes the next call read only the rows changed since."""
        day = self.today()
        version = self.journal.version
        if self._labels is not None and self._labels[0] == (version, day):
            return self._with_recent(self._labels[1])
        if self._label_day != day:
            self._label_day, self._label_rows, self._label_read = day, {}, None
        read_at = self.clock().astimezone(UTC)
        # A second of overlap: a row written while the last read ran is read again.
        changed = None if self._label_read is None else self._label_read - timedelta(seconds=1)
        for entry in self.journal.actions_since(day.astimezone(UTC), changed_since=changed):
            self._label_rows[entry.id] = entry
        self._label_read = read_at
        labels: dict[str, OrderLabel] = {}
        for _, entry in sorted(self._label_rows.items()):
            asked = entry.openalgo_request
            orderid = entry.broker_order_id or ""
            if entry.kind == "place":
                labels[orderid] = OrderLabel(
                    entry.strategy, str(asked.get("symbol", "")),
                    str(asked.get("exchange", "")), str(asked.get("product", "")),
                    str(asked.get("pricetype", "")), str(asked.get("note") or ""))
            elif orderid in labels and asked.get("pricetype"):
                old = labels[orderid]
                labels[orderid] = OrderLabel(old.strategy, old.symbol, old.exchange,
                                             old.product, str(asked["pricetype"]),
                                             str(asked.get("note") or ""))
        self._labels = ((version, day), labels)
        self._modified.clear()
        return self._with_recent(labels)

    def label_of(self, orderid: str) -> OrderLabel | None:
        """One order's label, the journal read only when memory may be wrong about it:
        an order placed a moment ago, or one in the last read of today's labels and not
        modified since (only a modification changes a label), is answered from memory.
        None: the journal does not know the order (yet). For the order updates, which
        look an order up on every event: a read per event would cost each paper order
        milliseconds."""
        recent = self._recent.get(orderid)
        if recent is not None:
            return recent
        cached = self._labels
        if (cached is None or cached[0][1] != self.today() or orderid in self._modified
                or len(self._recent) > RECENT_LIMIT):
            return self.labels().get(orderid)
        return cached[1].get(orderid)

    def note_placed(self, orderid: str, label: OrderLabel) -> None:
        """An order placed a moment ago whose acceptance is still being written."""
        self._recent[orderid] = label

    def note_modifying(self, orderid: str, pricetype: str, note: str) -> None:
        """A modification about to be sent: until it is answered, the order's label has
        its price type and note (a notification may come before the answer)."""
        label = self.label_of(orderid)
        if label is not None:
            self._recent[orderid] = replace(label, pricetype=pricetype, note=note)

    def note_modified(self, orderid: str) -> None:
        """A modification answered (or failed): the order's label is read again."""
        self._recent.pop(orderid, None)
        self._modified.add(orderid)

    def _with_recent(self, labels: dict[str, OrderLabel]) -> dict[str, OrderLabel]:
        for orderid in [o for o in self._recent if o in labels]:
            del self._recent[orderid]
        return {**self._recent, **labels} if self._recent else labels

    # -- order book -------------------------------------------------------------------

    def order_row(self, order: BrokerOrder, label: OrderLabel | None) -> dict[str, Any]:
        status = str(order.status)
        pricetype = label.pricetype if label and label.pricetype else str(order.price_type)
        product = label.product if label and label.product else str(order.product)
        filled = order.filled_quantity
        # OpenAlgo shows no price for orders the platform priced (MARKET, SL-M): the
        # limit the broker got is in `note` and `broker_price`.
        price = 0.0 if pricetype in PLATFORM_PRICED else _price(order.price)
        return {
            "action": str(order.side),
            "symbol": order.symbol,
            "exchange": order.exchange,
            "orderid": order.order_id,
            "product": product,
            "quantity": order.quantity,
            "price": price,
            "pricetype": pricetype,
            "order_status": status,
            "trigger_price": _price(order.trigger_price),
            "timestamp": _shown_time(order.time_text, order.placed_at),
            "average_price": _price(order.average_price) if filled else 0.0,
            "filled_quantity": filled,
            "pending_quantity": order.quantity - filled if status in WORKING else 0,
            "broker_price": _price(order.price),
            "strategy": label.strategy if label else "",
            "note": (label.note if label else "") or order.note,
        }

    async def orders(self, *, fresh: bool = False) -> list[dict[str, Any]]:
        """Today's orders, newest order id first. `fresh`: read now (e.g. before
        cancelling everything)."""
        labels = self.labels()
        orders = await self.broker.orders(max_age=0.0 if fresh else None)
        rows = [self.order_row(o, labels.get(o.order_id)) for o in orders]
        rows.sort(key=lambda r: r["orderid"], reverse=True)
        return rows

    async def order_book(self) -> dict[str, Any]:
        rows = await self.orders()

        def count(key: str, value: str) -> int:
            return sum(r[key] == value for r in rows)

        return {
            "orders": rows,
            "statistics": {
                "total_buy_orders": count("action", "BUY"),
                "total_sell_orders": count("action", "SELL"),
                "total_completed_orders": count("order_status", "complete"),
                "total_open_orders": count("order_status", "open"),
                "total_rejected_orders": count("order_status", "rejected"),
                "total_trigger_pending_orders": count("order_status", "trigger pending"),
            },
        }

    async def find_order(self, orderid: str) -> tuple[BrokerOrder, OrderLabel | None] | None:
        """One of today's orders, with its label. An order placed here is looked for on
        its own exchange, read afresh when the cached list does not have it yet; any
        other in the cached lists of every exchange."""
        labels = self.labels()
        label = labels.get(orderid)
        if label is not None:
            for max_age in (None, RECHECK_MAX_AGE):
                for order in await self.broker.orders(exchange=label.exchange,
                                                      max_age=max_age):
                    if order.order_id == orderid:
                        return order, label
            return None
        for order in await self.broker.orders():
            if order.order_id == orderid:
                return order, None
        return None

    async def find(self, orderid: str) -> dict[str, Any] | None:
        found = await self.find_order(orderid)
        return self.order_row(*found) if found else None

    # -- trade book -------------------------------------------------------------------

    async def trade_book(self) -> list[dict[str, Any]]:
        labels = self.labels()
        result = []
        for trade in await self.broker.trades():
            label = labels.get(trade.order_id)
            average = _price(trade.average_price)
            result.append({
                "action": str(trade.side),
                "symbol": trade.symbol,
                "exchange": trade.exchange,
                "orderid": trade.order_id,
                "product": label.product if label and label.product else str(trade.product),
                "quantity": trade.quantity,
                "average_price": average,
                "timestamp": _shown_time(trade.time_text, trade.traded_at),
                "trade_value": round(trade.quantity * average, 2),
                "strategy": label.strategy if label else "",
            })
        return result

    # -- positions --------------------------------------------------------------------

    def _products_asked(self, labels: dict[str, OrderLabel]) -> dict[tuple[str, str], set[str]]:
        """OpenAlgo products the clients used today, by (symbol, exchange)."""
        products: dict[tuple[str, str], set[str]] = {}
        for label in labels.values():
            products.setdefault((label.symbol, label.exchange), set()).add(label.product)
        return products

    async def positions(self, *, max_age: float | None = None) -> list[dict[str, Any]]:
        labels = self.labels()
        asked = self._products_asked(labels)
        result = []
        for position in await self.broker.positions(max_age=max_age):
            symbol, exchange, net = position.symbol, position.exchange, position.quantity
            product = str(position.product)
            if asked.get((symbol, exchange)) == {"MIS"}:
                product = "MIS"
            average, ltp = position.average_price, position.last_price
            unrealized = (ltp - average) * net if net and ltp else Decimal(0)
            result.append({
                "symbol": symbol,
                "exchange": exchange,
                "product": product,
                "quantity": str(net),
                "average_price": _text(average),
                "ltp": _text(ltp),
                "pnl": _text(position.pnl),
                "unrealized_pnl": _text(unrealized),
            })
        return result

    async def net_quantity(self, symbol: str, exchange: str, product: str, *,
                           max_age: float | None = None) -> int:
        for row in await self.positions(max_age=max_age):
            if (row["symbol"], row["exchange"], row["product"]) == (symbol, exchange, product):
                return int(row["quantity"])
        return 0

    # -- holdings and funds -----------------------------------------------------------

    async def holdings(self) -> dict[str, Any]:
        holdings, invested, value = [], Decimal(0), Decimal(0)
        for holding in await self.broker.holdings():
            quantity = holding.quantity
            average, ltp, pnl = holding.average_price, holding.last_price, holding.pnl
            cost = average * quantity
            invested += cost
            value += ltp * quantity
            holdings.append({
                "symbol": holding.symbol,
                "exchange": holding.exchange,
                "product": "CNC",
                "quantity": quantity,
                "average_price": _money(average),
                "ltp": _money(ltp),
                "pnl": _money(pnl),
                "pnlpercent": round(float(pnl / cost * 100), 2) if cost else 0.0,
            })
        total_pnl = value - invested
        return {
            "holdings": holdings,
            "statistics": {
                "totalholdingvalue": _money(value),
                "totalinvvalue": _money(invested),
                "totalprofitandloss": _money(total_pnl),
                "totalpnlpercentage": round(float(total_pnl / invested * 100), 2)
                if invested else 0.0,
            },
        }

    async def funds(self) -> dict[str, str]:
        """The cash an order can spend and what is blocked, as the broker reports them
        (ICICI: the equity allocation's free part). M2M comes from today's positions,
        which the funds call does not carry."""
        funds, positions = await asyncio.gather(self.broker.funds(), self.positions())
        unrealized = sum((Decimal(p["unrealized_pnl"]) for p in positions), Decimal(0))
        total_pnl = sum((Decimal(p["pnl"]) for p in positions), Decimal(0))
        return {
            "availablecash": _text(funds.available_cash),
            "collateral": "0.00",
            "m2mrealized": _text(total_pnl - unrealized),
            "m2munrealized": _text(unrealized),
            "utiliseddebits": _text(funds.used_margin),
        }


__all__ = ["WORKING", "Books", "OrderLabel"]
