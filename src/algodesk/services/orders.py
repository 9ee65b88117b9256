"""Single order actions on Breeze, journal first and never twice.

Every place, modify and cancel — from the API, a webhook, or a child of a smart,
basket, split or close-all request — goes through this one path:

1. validate and map the OpenAlgo request (symbol → instrument, product, price type);
2. commit the intent to the journal (the tag it gets travels as `user_remark`);
3. wait for the order pacer (10 actions a second), then send once;
4. record the broker's answer. A lost or garbled answer marks the row in doubt and is
   settled by finding the tag in the broker's order list — the request is never resent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from ..brokers.icici import (
    BreezeClient,
    BreezeError,
    MalformedResponse,
    ResponseTimeout,
    TransportError,
)
from ..brokers.icici.budget import OrderPacer, SharedReads
from ..brokers.icici.formats import IST
from ..brokers.icici.mapping import (
    MappingError,
    TradableInstrument,
    breeze_product,
    decide_price,
    place_order_fields,
)
from .journal import JournalEntry, JournalState, OrderJournal

log = logging.getLogger(__name__)
T = TypeVar("T")

# Reads an order action makes stale.
ORDER_READS = ("orders", "trades", "positions", "funds", "holdings")


class BrokerPort(Protocol):
    """The connected broker: runs an operation on the live client or raises when there
    is no usable session."""

    async def call(self, operation: Callable[[BreezeClient], Awaitable[T]]) -> T: ...


class InstrumentLookup(Protocol):
    """The live symbol index (`SymbolIndex`); it is replaced whole on each refresh, so
    the service asks for the current one every time."""

    def get(self, symbol: str, exchange: str) -> Any: ...

    def by_breeze(self, stock_code: str, exchange_code: str, product: str,
                  expiry: Any = None, strike: Any = None, right: str | None = None) -> Any: ...


class OrderError(Exception):
    """An order action that did not happen (or whose outcome is not yet known), with the
    HTTP status and the message the client should see."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A validated OpenAlgo order (the API layer checked types and enumerations)."""

    symbol: str
    exchange: str
    action: str  # BUY, SELL
    quantity: int
    pricetype: str = "MARKET"
    product: str = "MIS"
    price: Decimal = Decimal(0)
    trigger_price: Decimal = Decimal(0)
    disclosed_quantity: int = 0
    strategy: str = ""


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    orderid: str
    journal_id: int
    note: str = ""  # e.g. "MARKET sent as aggressive limit 812.35 (LTP 788.70)"


def _today() -> date:
    return datetime.now(IST).date()


class OrderService:
    def __init__(self, instruments: Callable[[], InstrumentLookup], broker: BrokerPort,
                 journal: OrderJournal, *, pacer: OrderPacer | None = None,
                 reads: SharedReads | None = None, equity_mis_as_cash: bool = False) -> None:
        self.instruments = instruments
        self.broker = broker
        self.journal = journal
        self.pacer = pacer or OrderPacer()
        self.reads = reads or SharedReads()
        self.equity_mis_as_cash = equity_mis_as_cash

    # -- helpers --------------------------------------------------------------------

    def instrument(self, symbol: str, exchange: str) -> TradableInstrument:
        inst = self.instruments().get(symbol, exchange)
        if inst is None:
            raise OrderError(400, f"Symbol '{symbol}' not found for exchange '{exchange}'. "
                                  "Check the symbol and that the master contract is loaded.")
        return inst

    async def quote(self, inst: TradableInstrument) -> Any:
        """The instrument's Breeze quote row, shared by concurrent callers for a second."""
        key = ("quote", inst.breeze_exchange, inst.symbol)

        async def fetch() -> Any:
            rows = await self.broker.call(lambda c: c.get_quotes(
                inst.stock_code, inst.breeze_exchange, product_type=inst.product,
                expiry_date=inst.expiry, right=inst.right,
                strike_price=inst.breeze_strike))
            # Cash quotes come as [NSE, BSE] rows; pick the instrument's own exchange.
            for row in rows:
                if row.exchange_code == inst.breeze_exchange:
                    return row
            if not rows:
                raise OrderError(502, f"ICICI returned no quote for {inst.symbol}")
            return rows[0]

        return await self.reads.get(key, 1.0, fetch)

    async def _send(self, entry: JournalEntry, operation: Callable[[BreezeClient], Awaitable[T]]
                    ) -> T:
        """Send one journaled action: paced, once, with its outcome recorded."""
        await self.pacer.acquire()
        try:
            result = await self.broker.call(operation)
        except (ResponseTimeout, MalformedResponse) as exc:
            self.journal.in_doubt(entry.id, exc.message)
            raise
        except TransportError as exc:  # never reached the broker: nothing to reconcile
            self.journal.rejected(entry.id, f"not sent: {exc.message}")
            raise OrderError(502, f"Could not reach ICICI: {exc.message}") from None
        except BreezeError as exc:
            self.journal.rejected(entry.id, exc.broker_error or exc.message)
            raise OrderError(exc.http_status if exc.http_status and exc.http_status >= 400
                             else 400, exc.broker_error or exc.message) from None
        except Exception as exc:  # e.g. broker session gone: the request was not sent
            self.journal.rejected(entry.id, f"not sent: {exc}")
            raise
        finally:
            self.reads.invalidate(lambda key: isinstance(key, tuple) and key[0] in ORDER_READS)
        return result

    # -- place ----------------------------------------------------------------------

    async def place(self, request: OrderRequest, *, requested_by: str = "api",
                    group_id: int | None = None) -> PlacedOrder:
        if request.exchange in ("NSE_INDEX", "BSE_INDEX"):
            raise OrderError(400, f"{request.exchange} instruments are indices: they can be "
                                  "quoted but not traded")
        inst = self.instrument(request.symbol, request.exchange)
        try:
            product = breeze_product(inst, request.product,
                                     equity_mis_as_cash=self.equity_mis_as_cash)
        except MappingError as exc:
            raise OrderError(400, str(exc)) from None
        if request.quantity <= 0:
            raise OrderError(400, "quantity must be greater than 0")
        if inst.lot_size > 1 and request.quantity % inst.lot_size:
            raise OrderError(400, f"quantity {request.quantity} is not a multiple of the lot "
                                  f"size {inst.lot_size} of {inst.symbol}")
        quote = None
        if request.pricetype in ("MARKET", "SL-M"):
            quote = await self.quote(inst)
        try:
            decision = decide_price(inst, product, request.action, request.pricetype,
                                    request.price, request.trigger_price, quote)
        except MappingError as exc:
            raise OrderError(400, str(exc)) from None
        fields = place_order_fields(inst, breeze_product_=product, action=request.action,
                                    quantity=request.quantity, decision=decision,
                                    disclosed_quantity=request.disclosed_quantity)
        entry = self.journal.record_intent(
            kind="place", exchange=inst.breeze_exchange, requested_by=requested_by,
            strategy=request.strategy, group_id=group_id,
            openalgo_request={**asdict(request), "note": decision.note},
            broker_request=fields)
        fields["user_remark"] = entry.tag
        try:
            placed = await self._send(entry, lambda c: c.place_order(**fields))
        except (ResponseTimeout, MalformedResponse):
            found = await self.settle(entry)
            if found is not None:
                return PlacedOrder(found, entry.id, decision.note)
            raise OrderError(
                504, "ICICI did not answer the order in time and it is not in the order book "
                     f"yet; it is recorded as in doubt (journal {entry.tag}) and will be "
                     "reconciled, not sent again") from None
        self.journal.accepted(entry.id, placed.order_id, decision.note or None)
        return PlacedOrder(placed.order_id, entry.id, decision.note)

    # -- modify and cancel ----------------------------------------------------------

    async def find_order(self, orderid: str) -> Any:
        """The broker's row for one of today's orders (searched on every exchange)."""
        for exchange in await self.exchanges_today():
            for row in await self.order_list(exchange):
                if row.order_id == orderid:
                    return row
        raise OrderError(404, f"Order {orderid} not found")

    async def modify(self, orderid: str, *, quantity: int | None = None,
                     price: Decimal | None = None, trigger_price: Decimal | None = None,
                     pricetype: str | None = None, disclosed_quantity: int | None = None,
                     requested_by: str = "api", strategy: str = "") -> str:
        row = await self.find_order(orderid)
        changes: dict[str, Any] = {}
        if pricetype in ("LIMIT", "MARKET"):
            changes["order_type"] = "limit"
        elif pricetype in ("SL", "SL-M"):
            changes["order_type"] = "stoploss"
        if quantity is not None:
            changes["quantity"] = str(quantity)
        if price is not None and price > 0:
            changes["price"] = str(price)
        if trigger_price is not None and trigger_price > 0:
            changes["stoploss"] = str(trigger_price)
        if disclosed_quantity:
            changes["disclosed_quantity"] = str(disclosed_quantity)
        entry = self.journal.record_intent(
            kind="modify", exchange=row.exchange_code, requested_by=requested_by,
            strategy=strategy, openalgo_request={"orderid": orderid, **{
                k: str(v) for k, v in changes.items()}},
            broker_request={"order_id": orderid, **changes})
        try:
            await self._send(entry, lambda c: c.modify_order(row.exchange_code, orderid,
                                                             **changes))
        except (ResponseTimeout, MalformedResponse):
            raise OrderError(504, "ICICI did not answer the modification in time; check the "
                                  "order book before trying again") from None
        self.journal.accepted(entry.id, orderid)
        return orderid

    async def cancel(self, orderid: str, *, requested_by: str = "api",
                     strategy: str = "") -> str:
        row = await self.find_order(orderid)
        entry = self.journal.record_intent(
            kind="cancel", exchange=row.exchange_code, requested_by=requested_by,
            strategy=strategy, openalgo_request={"orderid": orderid},
            broker_request={"order_id": orderid, "exchange_code": row.exchange_code})
        try:
            await self._send(entry, lambda c: c.cancel_order(row.exchange_code, orderid))
        except (ResponseTimeout, MalformedResponse):
            raise OrderError(504, "ICICI did not answer the cancellation in time; check the "
                                  "order book before trying again") from None
        self.journal.accepted(entry.id, orderid)
        return orderid

    # -- reconciliation -------------------------------------------------------------

    async def order_list(self, exchange: str) -> list[Any]:
        today = _today()
        return await self.reads.get(
            ("orders", exchange), 1.0,
            lambda: self.broker.call(lambda c: c.get_order_list(exchange, today, today)))

    async def exchanges_today(self) -> list[str]:
        """Exchanges worth asking for today's orders (Breeze lists orders per exchange)."""
        return ["NSE", "BSE", "NFO", "BFO", "NDX", "MCX"]

    async def settle(self, entry: JournalEntry) -> str | None:
        """Find a journaled placement in the broker's order list by its tag. Returns the
        broker order id when found (and records it)."""
        self.reads.invalidate(lambda key: key == ("orders", entry.exchange))
        rows = await self.order_list(entry.exchange)
        for row in rows:
            if row.user_remark == entry.tag:
                self.journal.accepted(entry.id, row.order_id, "found by reconciliation")
                log.info("journal %s reconciled: broker order %s", entry.tag, row.order_id)
                return row.order_id
        return None

    async def reconcile(self, *, at_startup: bool = False,
                        give_up_after_seconds: float = 60.0) -> dict[str, int]:
        """Settle unsettled placements against the broker's order list.

        At start-up (before orders are accepted) every unsettled row is settled: a
        pending row the broker does not have was never placed. While running, only rows
        already in doubt are looked at (a pending row may be in flight right now), and a
        row still missing well after it was written was never placed.
        """
        report = {"accepted": 0, "not_placed": 0, "still_in_doubt": 0}
        now = datetime.now(IST)
        for entry in self.journal.unsettled():
            if not at_startup and entry.state is JournalState.PENDING:
                continue
            if entry.kind != "place":
                # Modify/cancel are idempotent to check: the book shows their effect.
                self.journal.not_placed(entry.id, "outcome unknown; see the order book")
                continue
            if await self.settle(entry) is not None:
                report["accepted"] += 1
                continue
            age = (now - entry.created_at.astimezone(IST)).total_seconds()
            if at_startup or age >= give_up_after_seconds:
                self.journal.not_placed(entry.id, "not in ICICI's order list")
                report["not_placed"] += 1
            else:
                report["still_in_doubt"] += 1
        return report
