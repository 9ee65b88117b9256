"""The trader's books in OpenAlgo's shapes, read from Breeze and labelled from the journal.

Breeze knows products as cash/futures/options and price types as limit/stoploss; the
journal knows what the client asked for (MIS, MARKET, the strategy name). Rows are
labelled from the journal where it has the order, from Breeze's vocabulary otherwise:

- an order placed here shows the client's product and price type, and a `note` when
  the platform chose its price (MARKET and SL-M go as aggressive limits);
- a position shows MIS when every order placed here today for that instrument was MIS
  (Breeze merges intraday and carry-forward into one position), else its Breeze product.

Breeze lists orders and trades per exchange. To keep a client polling the order book
inside the call budget, exchanges with orders today are read every couple of seconds
and the others once a minute.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..brokers.icici.budget import SharedReads
from ..brokers.icici.formats import IST
from ..brokers.icici.mapping import PRICE_TYPE_OF_BREEZE, PRODUCT_OF_BREEZE, openalgo_status
from .journal import JournalEntry, OrderJournal
from .orders import BrokerPort, InstrumentLookup

BREEZE_EXCHANGES = ("NSE", "BSE", "NFO", "BFO", "NDX", "MCX")
ACTIVE_TTL = 2.0  # seconds between reads of an exchange with orders today
IDLE_TTL = 60.0  # the others, for orders placed outside algodesk
QUOTE_TTL = 1.0
TWO = Decimal("0.01")


def _money(value: Decimal | None) -> float:
    return float((value or Decimal(0)).quantize(TWO))


def _text(value: Decimal | float | None) -> str:
    return f"{Decimal(value or 0):.2f}"


def _start_of_day() -> datetime:
    now = datetime.now(IST)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


class Books:
    def __init__(self, instruments: Callable[[], InstrumentLookup], broker: BrokerPort,
                 journal: OrderJournal, reads: SharedReads) -> None:
        self.instruments = instruments
        self.broker = broker
        self.journal = journal
        self.reads = reads
        self._active: dict[str, float] = {}  # exchange -> last time it had orders

    # -- what the journal knows ------------------------------------------------------

    def _placements(self) -> dict[str, JournalEntry]:
        since = _start_of_day() - timedelta(minutes=1)
        return {e.broker_order_id: e for e in self.journal.placements_since(since)
                if e.broker_order_id}

    def _instrument(self, row: Any) -> Any:
        product = getattr(row, "product_type", None) or "cash"
        return self.instruments().by_breeze(row.stock_code, row.exchange_code, product,
                                            getattr(row, "expiry_date", None),
                                            getattr(row, "strike_price", None),
                                            getattr(row, "right", None))

    # -- reads ------------------------------------------------------------------------

    def _active_exchanges(self, placements: Iterable[JournalEntry]) -> set[str]:
        recent = time.monotonic() - 3600
        active = {exchange for exchange, seen in self._active.items() if seen > recent}
        return active | {entry.exchange for entry in placements}

    async def _per_exchange(self, kind: str, placements: Iterable[JournalEntry],
                            fetch: Callable[[Any, str], Any]) -> list[Any]:
        active = self._active_exchanges(placements)

        async def read(exchange: str) -> list[Any]:
            ttl = ACTIVE_TTL if exchange in active else IDLE_TTL
            rows = await self.reads.get(
                (kind, exchange), ttl,
                lambda: self.broker.call(lambda c: fetch(c, exchange)))
            if rows:
                self._active[exchange] = time.monotonic()
            return rows

        batches = await asyncio.gather(*(read(e) for e in BREEZE_EXCHANGES))
        return [row for batch in batches for row in batch]

    async def breeze_orders(self, placements: dict[str, JournalEntry]) -> list[Any]:
        day = _start_of_day().date()
        return await self._per_exchange(
            "orders", placements.values(), lambda c, e: c.get_order_list(e, day, day))

    # -- order book -------------------------------------------------------------------

    def order_row(self, row: Any, entry: JournalEntry | None) -> dict[str, Any]:
        inst = self._instrument(row)
        asked = entry.openalgo_request if entry else {}
        breeze_type = (row.order_type or "").lower()
        pricetype = asked.get("pricetype") or PRICE_TYPE_OF_BREEZE.get(breeze_type, "LIMIT")
        product = asked.get("product") or PRODUCT_OF_BREEZE.get(
            (row.product_type or "").lower(), "CNC")
        quantity = int(row.quantity or 0)
        pending = int(row.pending_quantity or 0)
        cancelled = int(row.cancelled_quantity or 0)
        status = openalgo_status(row.status, row.order_type)
        filled = quantity - pending if status in ("open", "complete") else \
            max(quantity - cancelled, 0)
        return {
            "action": (row.action or "").upper(),
            "symbol": inst.symbol if inst else row.stock_code,
            "exchange": str(inst.exchange) if inst else row.exchange_code,
            "orderid": row.order_id,
            "product": product,
            "quantity": quantity,
            "price": _money(row.price),
            "pricetype": pricetype,
            "order_status": status,
            "trigger_price": _money(row.stoploss),
            "timestamp": row.order_datetime or "",
            "average_price": _money(row.average_price),
            "filled_quantity": max(filled, 0),
            "pending_quantity": pending if status in ("open", "trigger pending") else 0,
            "strategy": entry.strategy if entry else "",
            "note": (entry.message or "") if entry else "",
        }

    async def order_book(self) -> dict[str, Any]:
        placements = self._placements()
        rows = [self.order_row(r, placements.get(r.order_id))
                for r in await self.breeze_orders(placements)]
        rows.sort(key=lambda r: r["orderid"], reverse=True)

        def count(**match: str) -> int:
            return sum(all(r[k] == v for k, v in match.items()) for r in rows)

        return {
            "orders": rows,
            "statistics": {
                "total_buy_orders": count(action="BUY"),
                "total_sell_orders": count(action="SELL"),
                "total_completed_orders": count(order_status="complete"),
                "total_open_orders": count(order_status="open"),
                "total_rejected_orders": count(order_status="rejected"),
                "total_trigger_pending_orders": count(order_status="trigger pending"),
            },
        }

    async def find(self, orderid: str) -> dict[str, Any] | None:
        placements = self._placements()
        for row in await self.breeze_orders(placements):
            if row.order_id == orderid:
                return self.order_row(row, placements.get(orderid))
        return None

    # -- trade book -------------------------------------------------------------------

    async def trade_book(self) -> list[dict[str, Any]]:
        placements = self._placements()
        day = _start_of_day().date()
        trades = await self._per_exchange(
            "trades", placements.values(), lambda c, e: c.get_trade_list(e, day, day))
        result = []
        for row in trades:
            inst = self._instrument(row)
            entry = placements.get(row.order_id)
            quantity = int(row.quantity or 0)
            average = _money(row.average_cost)
            result.append({
                "action": (row.action or "").upper(),
                "symbol": inst.symbol if inst else row.stock_code,
                "exchange": str(inst.exchange) if inst else row.exchange_code,
                "orderid": row.order_id,
                "product": (entry.openalgo_request.get("product") if entry else None)
                or PRODUCT_OF_BREEZE.get((row.product_type or "").lower(), "CNC"),
                "quantity": quantity,
                "average_price": average,
                "timestamp": row.trade_date or "",
                "trade_value": round(quantity * average, 2),
            })
        return result

    # -- positions --------------------------------------------------------------------

    def _products_asked(self, placements: dict[str, JournalEntry]) -> dict[Any, set[str]]:
        """OpenAlgo products the clients used today, by (symbol, exchange)."""
        products: dict[Any, set[str]] = {}
        for entry in placements.values():
            asked = entry.openalgo_request
            key = (asked.get("symbol"), asked.get("exchange"))
            products.setdefault(key, set()).add(str(asked.get("product")))
        return products

    async def positions(self) -> list[dict[str, Any]]:
        placements = self._placements()
        rows = await self.reads.get(
            ("positions",), ACTIVE_TTL,
            lambda: self.broker.call(lambda c: c.get_portfolio_positions()))
        asked_products = self._products_asked(placements)
        result = []
        for row in rows:
            inst = self._instrument(row)
            symbol = inst.symbol if inst else row.stock_code
            exchange = str(inst.exchange) if inst else row.exchange_code
            breeze_product = (row.product_type or "").lower()
            product = PRODUCT_OF_BREEZE.get(breeze_product, "CNC")
            if asked_products.get((symbol, exchange)) == {"MIS"}:
                product = "MIS"
            action = (row.action or "").lower()
            size = int(row.quantity or 0)
            net = size if action == "buy" else -size if action == "sell" else 0
            result.append({
                "symbol": symbol,
                "exchange": exchange,
                "product": product,
                "quantity": str(net),
                "average_price": _text(row.average_price if net else 0),
                "ltp": _text(row.ltp),
                "pnl": _text(getattr(row, "pnl", None)),
            })
        return result

    async def net_quantity(self, symbol: str, exchange: str, product: str) -> int:
        for row in await self.positions():
            if (row["symbol"], row["exchange"], row["product"]) == (symbol, exchange, product):
                return int(row["quantity"])
        return 0

    # -- holdings and funds -----------------------------------------------------------

    async def holdings(self) -> dict[str, Any]:
        rows = await self.reads.get(
            ("holdings",), 5.0, lambda: self.broker.call(
                lambda c: c.get_portfolio_holdings("NSE")))
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
        funds = await self.reads.get(
            ("funds",), 2.0, lambda: self.broker.call(lambda c: c.get_funds()))
        positions = await self.positions()
        unrealized = sum((Decimal(p["ltp"]) - Decimal(p["average_price"])) *
                         int(p["quantity"]) for p in positions if int(p["quantity"]))
        total_pnl = sum((Decimal(p["pnl"]) for p in positions), Decimal(0))
        allocated = sum((v or Decimal(0) for v in (
            funds.allocated_equity, funds.allocated_fno, funds.allocated_commodity,
            funds.allocated_currency)), Decimal(0))
        blocked = funds.block_by_trade_balance or Decimal(0)
        return {
            "availablecash": _text(allocated - blocked),
            "collateral": "0.00",
            "m2mrealized": _text(total_pnl - unrealized),
            "m2munrealized": _text(unrealized),
            "utiliseddebits": _text(blocked),
        }
