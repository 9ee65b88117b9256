"""The trader's books in OpenAlgo's shapes, read from Breeze and labelled from the journal.

Breeze knows products as cash/futures/options and price types as limit/stoploss; the
journal knows what the client asked for (MIS, MARKET, the strategy name). Rows are
labelled from the journal where it has the order, from Breeze's vocabulary otherwise:

- an order placed here shows the client's product and price type (as last modified),
  its strategy, and a `note` when the platform chose its price (MARKET and SL-M go as
  aggressive limits);
- a position shows MIS when every order placed here today for that instrument was MIS
  (Breeze merges intraday and carry-forward into one position), else its Breeze product.

Breeze lists orders and trades per exchange, one call each. To keep a client that polls
inside the call budget, every book is cached: exchanges with orders today are read again
every couple of seconds, the others once a minute, and both more slowly as the day's
budget is spent (`CallBudget.polling_interval`). An order action placed here marks the
books it changes as stale, so the next read shows it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ..brokers.icici.budget import CallBudget, SharedReads
from ..brokers.icici.funds import equity_cash
from ..brokers.icici.mapping import (
    PRICE_TYPE_OF_BREEZE,
    PRODUCT_OF_BREEZE,
    filled_quantity,
    openalgo_status,
)
from ..domain.values import IST
from ..storage import utcnow
from .journal import JournalEntry, OrderJournal
from .ports import BrokerPort, InstrumentLookup

BREEZE_EXCHANGES = ("NSE", "BSE", "NFO", "BFO", "NDX", "MCX")
ACTIVE_TTL = 2.0  # seconds between reads of an exchange with orders today
IDLE_TTL = 60.0  # the others, for orders placed outside algodesk
HOLDINGS_TTL = 10.0
TWO = Decimal("0.01")
FOUR = Decimal("0.0001")
WORKING = ("open", "trigger pending")
BOOK_KINDS = ("orders", "trades", "positions", "funds", "holdings")


def _money(value: Decimal | None) -> float:
    return float((value or Decimal(0)).quantize(TWO))


def _price(value: Decimal | None) -> float:
    """Prices keep a currency tick's four decimals (₹0.0025); money has two."""
    return float((value or Decimal(0)).quantize(FOUR))


def _text(value: Decimal | float | None) -> str:
    return f"{Decimal(value or 0).quantize(TWO)}"


def _is_book(key: object) -> bool:
    return isinstance(key, tuple) and bool(key) and key[0] in BOOK_KINDS


def today_ist() -> datetime:
    """Midnight IST today, as an aware datetime."""
    return datetime.now(IST).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class OrderLabel:
    """What the journal says about one broker order placed here."""

    strategy: str
    symbol: str
    exchange: str
    product: str
    pricetype: str
    note: str
    breeze_exchange: str


class Books:
    def __init__(self, instruments: Callable[[], InstrumentLookup], broker: BrokerPort,
                 journal: OrderJournal, reads: SharedReads,
                 budget: CallBudget | None = None) -> None:
        self.instruments = instruments
        self.broker = broker
        self.journal = journal
        self.reads = reads
        self.budget = budget
        self._seen: dict[str, float] = {}  # Breeze exchange -> last time it had orders
        self._labels: tuple[tuple[int, datetime], dict[str, OrderLabel]] | None = None
        self._label_day: datetime | None = None
        self._label_rows: dict[int, JournalEntry] = {}
        self._label_read: datetime | None = None
        self._recent: dict[str, OrderLabel] = {}  # placed, not yet in the journal's table

    # -- what the journal knows ------------------------------------------------------

    def labels(self) -> dict[str, OrderLabel]:
        """Today's orders placed here, by broker order id, as last modified. Kept in
        memory; a journal write makes the next call read only the rows changed since."""
        day = today_ist()
        version = self.journal.version
        if self._labels is not None and self._labels[0] == (version, day):
            return self._with_recent(self._labels[1])
        if self._label_day != day:
            self._label_day, self._label_rows, self._label_read = day, {}, None
        read_at = utcnow()
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
                    str(asked.get("pricetype", "")), str(asked.get("note") or ""),
                    entry.exchange)
            elif orderid in labels and asked.get("pricetype"):
                old = labels[orderid]
                labels[orderid] = OrderLabel(old.strategy, old.symbol, old.exchange,
                                             old.product, str(asked["pricetype"]),
                                             str(asked.get("note") or ""),
                                             old.breeze_exchange)
        self._labels = ((version, day), labels)
        return self._with_recent(labels)

    def note_placed(self, orderid: str, label: OrderLabel) -> None:
        """An order placed a moment ago whose acceptance is still being written."""
        self._recent[orderid] = label

    def _with_recent(self, labels: dict[str, OrderLabel]) -> dict[str, OrderLabel]:
        for orderid in [o for o in self._recent if o in labels]:
            del self._recent[orderid]
        return {**self._recent, **labels} if self._recent else labels

    def _instrument(self, row: Any) -> Any:
        product = getattr(row, "product_type", None) or "cash"
        return self.instruments().by_breeze(row.stock_code, row.exchange_code, product,
                                            getattr(row, "expiry_date", None),
                                            getattr(row, "strike_price", None),
                                            getattr(row, "right", None))

    # -- how often to read -------------------------------------------------------------

    def _ttl(self, base: float) -> float:
        if self.budget is None:
            return base
        polled = self.reads.busy_keys(predicate=_is_book)
        return max(base, self.budget.polling_interval(polled))

    def _active(self, labels: dict[str, OrderLabel]) -> set[str]:
        recent = time.monotonic() - 3600
        active = {exchange for exchange, seen in self._seen.items() if seen > recent}
        return active | {label.breeze_exchange for label in labels.values()}

    async def _per_exchange(self, kind: str, labels: dict[str, OrderLabel],
                            fetch: Callable[[Any, str], Any], *,
                            fresh: bool = False) -> list[Any]:
        """One read per Breeze exchange. `fresh`: exchanges with orders today are read
        now (e.g. before cancelling everything), the others as cached."""
        active = self._active(labels)
        day = today_ist().date()

        async def read(exchange: str) -> list[Any]:
            busy = exchange in active
            rows: list[Any] = await self.reads.get(
                (kind, exchange), self._ttl(ACTIVE_TTL if busy else IDLE_TTL),
                lambda: self.broker.read(lambda c: fetch(c, exchange, day)),
                max_age=0.0 if fresh and busy else None)
            if rows:
                self._seen[exchange] = time.monotonic()
            return rows or []

        batches = await asyncio.gather(*(read(e) for e in BREEZE_EXCHANGES))
        return [row for batch in batches for row in batch]

    async def order_list(self, exchange: str, *, max_age: float | None = None) -> list[Any]:
        """Today's orders on one Breeze exchange (shared with the order book's cache)."""
        day = today_ist().date()
        rows: list[Any] = await self.reads.get(
            ("orders", exchange), self._ttl(ACTIVE_TTL),
            lambda: self.broker.read(lambda c: c.get_order_list(exchange, day, day)),
            max_age=max_age)
        return rows or []

    # -- order book -------------------------------------------------------------------

    def order_row(self, row: Any, label: OrderLabel | None) -> dict[str, Any]:
        inst = self._instrument(row)
        status = openalgo_status(row.status, row.order_type)
        pricetype = (label.pricetype if label and label.pricetype else
                     PRICE_TYPE_OF_BREEZE.get((row.order_type or "").lower(), "LIMIT"))
        product = (label.product if label and label.product else
                   PRODUCT_OF_BREEZE.get((row.product_type or "").lower(), "CNC"))
        quantity = int(row.quantity or 0)
        pending = int(row.pending_quantity or 0)
        filled = filled_quantity(status, quantity, pending, int(row.cancelled_quantity or 0))
        # OpenAlgo shows no price for orders the platform priced (MARKET, SL-M): the
        # limit Breeze got is in `note` and `broker_price`.
        price = 0.0 if pricetype in ("MARKET", "SL-M") else _price(row.price)
        return {
            "action": (row.action or "").upper(),
            "symbol": inst.symbol if inst else row.stock_code,
            "exchange": str(inst.exchange) if inst else row.exchange_code,
            "orderid": row.order_id,
            "product": product,
            "quantity": quantity,
            "price": price,
            "pricetype": pricetype,
            "order_status": status,
            "trigger_price": _price(row.stoploss),
            "timestamp": row.order_datetime or "",
            "average_price": _price(row.average_price) if filled else 0.0,
            "filled_quantity": filled,
            "pending_quantity": pending if status in WORKING else 0,
            "broker_price": _price(row.price),
            "strategy": label.strategy if label else "",
            "note": label.note if label else "",
        }

    async def orders(self, *, fresh: bool = False) -> list[dict[str, Any]]:
        labels = self.labels()
        day_rows = await self._per_exchange(
            "orders", labels, lambda c, e, day: c.get_order_list(e, day, day), fresh=fresh)
        rows = [self.order_row(r, labels.get(r.order_id)) for r in day_rows]
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

    async def find_row(self, orderid: str) -> tuple[Any, OrderLabel | None] | None:
        """The broker's row for one of today's orders, with its label. An order placed
        here is looked for on its own exchange, read afresh when the cached list does
        not have it yet; any other in the cached lists of every exchange."""
        labels = self.labels()
        label = labels.get(orderid)
        if label is not None:
            for max_age in (None, 0.5):
                for row in await self.order_list(label.breeze_exchange, max_age=max_age):
                    if row.order_id == orderid:
                        return row, label
            return None
        day_rows = await self._per_exchange(
            "orders", labels, lambda c, e, day: c.get_order_list(e, day, day))
        for row in day_rows:
            if row.order_id == orderid:
                return row, None
        return None

    async def find(self, orderid: str) -> dict[str, Any] | None:
        found = await self.find_row(orderid)
        return self.order_row(*found) if found else None

    # -- trade book -------------------------------------------------------------------

    async def trade_book(self) -> list[dict[str, Any]]:
        labels = self.labels()
        trades = await self._per_exchange(
            "trades", labels, lambda c, e, day: c.get_trade_list(e, day, day))
        result = []
        for row in trades:
            inst = self._instrument(row)
            label = labels.get(row.order_id)
            quantity = int(row.quantity or 0)
            average = _price(row.average_cost)
            result.append({
                "action": (row.action or "").upper(),
                "symbol": inst.symbol if inst else row.stock_code,
                "exchange": str(inst.exchange) if inst else row.exchange_code,
                "orderid": row.order_id,
                "product": label.product if label and label.product else
                PRODUCT_OF_BREEZE.get((row.product_type or "").lower(), "CNC"),
                "quantity": quantity,
                "average_price": average,
                "timestamp": row.trade_date or "",
                "trade_value": round(quantity * average, 2),
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
        rows = await self.reads.get(
            ("positions",), self._ttl(ACTIVE_TTL),
            lambda: self.broker.read(lambda c: c.get_portfolio_positions()),
            max_age=max_age) or []
        asked = self._products_asked(labels)
        result = []
        for row in rows:
            inst = self._instrument(row)
            symbol = inst.symbol if inst else row.stock_code
            exchange = str(inst.exchange) if inst else row.exchange_code
            product = PRODUCT_OF_BREEZE.get((row.product_type or "").lower(), "CNC")
            if asked.get((symbol, exchange)) == {"MIS"}:
                product = "MIS"
            action = (row.action or "").lower()
            size = int(row.quantity or 0)
            net = size if action == "buy" else -size if action == "sell" else 0
            average = row.average_price if net else Decimal(0)
            ltp = row.ltp or Decimal(0)
            unrealized = (ltp - (average or Decimal(0))) * net if net and ltp else Decimal(0)
            # Breeze often leaves `pnl` empty; the open part is then all we know.
            pnl = row.pnl if row.pnl is not None else unrealized
            result.append({
                "symbol": symbol,
                "exchange": exchange,
                "product": product,
                "quantity": str(net),
                "average_price": _text(average),
                "ltp": _text(ltp),
                "pnl": _text(pnl),
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
        rows = await self.reads.get(
            ("holdings",), self._ttl(HOLDINGS_TTL),
            lambda: self.broker.read(lambda c: c.get_portfolio_holdings("NSE"))) or []
        holdings, invested, value = [], Decimal(0), Decimal(0)
        for row in rows:
            inst = self.instruments().by_breeze(row.stock_code, "NSE", "cash")
            quantity = int(row.quantity or 0)
            average = row.average_price or Decimal(0)
            ltp = row.current_market_price or Decimal(0)
            pnl = (ltp - average) * quantity
            cost = average * quantity
            invested += cost
            value += ltp * quantity
            holdings.append({
                "symbol": inst.symbol if inst else row.stock_code,
                "exchange": "NSE",
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
        """The equity allocation's free cash is what a cash order can spend (see
        funds.py), and what trades block there is what OpenAlgo calls utilised. M2M
        comes from today's positions, which the funds call does not carry."""
        funds, positions = await asyncio.gather(
            self.reads.get(("funds",), self._ttl(ACTIVE_TTL),
                           lambda: self.broker.read(lambda c: c.get_funds())),
            self.positions())
        unrealized = sum((Decimal(p["unrealized_pnl"]) for p in positions), Decimal(0))
        total_pnl = sum((Decimal(p["pnl"]) for p in positions), Decimal(0))
        available, blocked = equity_cash(funds)
        return {
            "availablecash": _text(available),
            "collateral": "0.00",
            "m2mrealized": _text(total_pnl - unrealized),
            "m2munrealized": _text(unrealized),
            "utiliseddebits": _text(blocked),
        }


__all__ = ["BREEZE_EXCHANGES", "Books", "OrderLabel", "today_ist"]
