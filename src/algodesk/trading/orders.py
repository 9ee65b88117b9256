"""Single order actions through the `Broker` protocol, journal first and never twice.

Every place, modify and cancel — from the API, a webhook, or a child of a smart,
basket, split or close-all request — goes through this one path:

1. validate the OpenAlgo request (symbol → instrument, product for its kind, quantity);
2. make sure unsettled journal rows of an earlier run or session are reconciled;
3. have the broker adapter price and check it (`prepare_order`: ICICI sends MARKET as
   an aggressive limit and refuses what Breeze cannot take, such as equity MIS);
4. commit the intent to the journal (the tag it gets travels with the order);
5. send once (the adapter paces order actions: ICICI allows 10 a second);
6. record the broker's answer. A lost or garbled answer marks the row in doubt and is
   settled by finding the tag in the broker's order list — the request is never resent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any, TypeVar

from ..access.broker import BrokerUnavailable
from ..brokers.base import Broker, BrokerFailure, OutcomeUnknown
from ..domain.orders import OrderIntent, PreparedOrder, PriceType, Product, Side
from ..instruments.errors import MasterContractUnavailable
from .books import Books, OrderLabel
from .broker_failures import as_order_error
from .journal import JournalEntry, OrderJournal
from .ports import InstrumentLookup, OrderError, TradableInstrument
from .reconcile import Reconciler

log = logging.getLogger(__name__)
T = TypeVar("T")

INDEX_EXCHANGES = ("NSE_INDEX", "BSE_INDEX")
# Units in one order: a crore. More is a typo on any Indian exchange; F&O orders are
# held to the contract's (much lower) freeze quantity as well. The API's request models
# carry the same bound; this one also covers quantities the platform computes (smart
# orders, close-all) and webhooks.
MAX_ORDER_QUANTITY = 10_000_000


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


@dataclass(frozen=True, slots=True)
class Target:
    """An existing order as far as a modify or cancel needs it."""

    orderid: str
    exchange: str  # the order's exchange, as the broker adapter takes it
    inst: Any  # the Instrument, None when the index no longer knows it
    action: str  # BUY, SELL


def _lost_answer_message(kind: str, tag: str) -> str:
    return (f"ICICI did not answer the {kind} in time (or the answer was unreadable) and it "
            f"is not in the order book yet; it is recorded as in doubt (journal {tag}) and "
            "will be reconciled against ICICI's order list, not sent again")


def product_problem(inst: TradableInstrument, product: str) -> str | None:
    """Why `product` cannot be used on this instrument, in OpenAlgo's terms (None when
    it can; whether the broker takes it is the adapter's to say)."""
    if inst.is_index:
        return f"{inst.symbol} is an index: indices can be quoted, not traded"
    derivative = inst.instrument_type.is_derivative
    if product == "CNC" and derivative:
        return ("CNC is for NSE/BSE equity delivery; use NRML (or MIS) for futures and "
                "options")
    if product == "NRML" and not derivative:
        return "NRML is for futures and options; use CNC for equity"
    if product not in ("CNC", "NRML", "MIS"):
        return f"Invalid product {product!r}. Accepted: CNC, NRML, MIS"
    return None


def intent_of(request: OrderRequest, *, tag: str = "", closes_position: bool = False
              ) -> OrderIntent:
    return OrderIntent(request.symbol, request.exchange, Side(request.action),
                       request.quantity, PriceType(request.pricetype), Product(request.product),
                       request.price, request.trigger_price, request.disclosed_quantity, tag,
                       closes_position)


class OrderService:
    """Order actions through the `Broker` protocol."""

    def __init__(self, instruments: Callable[[], InstrumentLookup], broker: Broker,
                 journal: OrderJournal, books: Books, *,
                 accepted_log_level: int = logging.INFO, order_label: str = "ICICI") -> None:
        self.instruments = instruments
        self.broker = broker
        self.journal = journal
        self.books = books
        #: The level of the line each accepted action writes (the paper venue's are
        #: DEBUG: a strategy on paper may place thousands a minute; its store keeps them).
        self.accepted_log_level = accepted_log_level
        self.order_label = order_label  # whose order id the log line names
        self.reconciler = Reconciler(broker, journal)
        # Accepted outcomes not written yet, and the loop callback that will write them.
        self._outcomes: list[tuple[JournalEntry, str]] = []
        self._outcomes_due: asyncio.Handle | None = None

    # -- validation -------------------------------------------------------------------

    def instrument(self, symbol: str, exchange: str) -> TradableInstrument:
        if exchange in INDEX_EXCHANGES:
            raise OrderError(400, f"{exchange} instruments are indices: they can be quoted "
                                  "but not traded. Trade the index's futures or options on "
                                  f"{'NFO' if exchange == 'NSE_INDEX' else 'BFO'} instead")
        inst = self.instruments().get(symbol, exchange)
        if inst is None:
            raise OrderError(400, f"Symbol '{symbol}' not found for exchange '{exchange}'. "
                                  "Check the symbol and that the master contract is loaded.")
        return inst  # type: ignore[no-any-return]

    def validate(self, request: OrderRequest, *, check_quantity: bool = True
                 ) -> TradableInstrument:
        """Everything that can be checked without the broker: the instrument, the
        product for its kind, the quantity. Returns the instrument."""
        inst = self.instrument(request.symbol, request.exchange)
        problem = product_problem(inst, request.product)
        if problem is not None:
            raise OrderError(400, problem)
        if not check_quantity:
            return inst
        if request.quantity <= 0:
            raise OrderError(400, "quantity must be greater than 0")
        if request.quantity > MAX_ORDER_QUANTITY:
            raise OrderError(400, f"quantity {request.quantity} is more than one order may "
                                  f"carry: at most {MAX_ORDER_QUANTITY}")
        if inst.lot_size > 1 and request.quantity % inst.lot_size:
            raise OrderError(400, f"quantity {request.quantity} is not a multiple of the lot "
                                  f"size {inst.lot_size} of {inst.symbol}")
        freeze = inst.freeze_qty
        if freeze > 0 and request.quantity > freeze:
            # The exchange refuses (freezes) such an order; say so before it is sent.
            raise OrderError(400, f"quantity {request.quantity} exceeds the exchange freeze "
                                  f"quantity {freeze} of {inst.symbol}: one order can carry "
                                  f"at most {freeze}; use splitorder with splitsize at most "
                                  f"{freeze}")
        if request.disclosed_quantity > request.quantity:
            raise OrderError(400, "disclosed_quantity cannot exceed quantity")
        return inst

    async def prepare(self, request: OrderRequest, *, squareoff: bool = False
                      ) -> PreparedOrder:
        """The adapter's price and wire request for a validated order (a MARKET or SL-M
        order reads a quote: a read, so a failure leaves nothing in doubt). The adapter
        refuses what its broker cannot take (OrderRefused: 400 with its words)."""
        try:
            return await self.broker.prepare_order(intent_of(request, closes_position=squareoff))
        except BrokerFailure as exc:
            raise as_order_error(exc) from None

    # -- sending ----------------------------------------------------------------------

    async def _send(self, entry: JournalEntry, operation: Callable[[], Awaitable[T]]) -> T:
        """Send one journaled action: paced, once. A failure is recorded and re-raised
        (a lost answer leaves the row in doubt: the caller settles it); on success the
        row stays in flight until the caller records the outcome (`_accepted`)."""
        self.reconciler.in_flight.add(entry.id)
        try:
            try:
                result = await operation()  # the adapter paces order actions
            except OutcomeUnknown as exc:
                self.journal.in_doubt(entry.id, exc.broker_message)
                self.reconciler.wake()
                log.warning("%s: no usable answer (%s); in doubt, to be reconciled",
                            _describe(entry), exc.broker_message)
                raise
            except BrokerFailure as exc:
                self.journal.rejected(entry.id, exc.broker_message)
                log.warning("%s: not accepted: %s", _describe(entry), exc.broker_message)
                raise as_order_error(exc) from None
            except BrokerUnavailable as exc:  # refused before sending
                self.journal.rejected(entry.id, f"not sent: {exc}")
                raise
            except BaseException as exc:
                # Anything else (a bug, a cancelled request) may have happened after the
                # request left: reconcile rather than guess.
                self.journal.in_doubt(entry.id, f"interrupted: {exc!r}")
                self.reconciler.wake()
                raise
            return result
        except BaseException:
            self.reconciler.in_flight.discard(entry.id)
            raise

    async def send(self, entry: JournalEntry, operation: Callable[[], Awaitable[T]]) -> T:
        """Send another journaled action of this venue (a GTT action) the way orders go:
        once, a lost answer left in doubt for the reconciler."""
        return await self._send(entry, operation)

    def accepted(self, entry: JournalEntry, broker_id: str) -> None:
        """Record the broker's id for a journaled action sent with `send`."""
        self._accepted(entry, broker_id)

    def _accepted(self, entry: JournalEntry, orderid: str, *, later: bool = False) -> None:
        """Record the broker's order id and release the row from `in_flight`.

        `later`: once the client has its answer (the next turn of the event loop; the
        write does not wait for the disk, so it is short). Only the intent must be on
        disk before sending; should this write never happen (a crash in between), the
        row is pending and reconciliation finds the order by its tag. Until it is
        written the row stays in flight, so nothing reconciles under it. The outcomes
        waiting for one turn of the loop are written together, in one transaction.
        """
        if not later:
            try:
                self.journal.accepted(entry.id, orderid)
            finally:
                self.reconciler.in_flight.discard(entry.id)
            self._log_accepted(entry, orderid)
            return
        self._outcomes.append((entry, orderid))
        if self._outcomes_due is None:
            self._outcomes_due = asyncio.get_running_loop().call_soon(self._record_outcomes)

    def _record_outcomes(self) -> None:
        """Write every accepted outcome waiting since the last turn (one transaction)."""
        batch, self._outcomes, self._outcomes_due = self._outcomes, [], None
        try:
            self.journal.accepted_many([(entry.id, orderid) for entry, orderid in batch])
        except Exception as exc:
            for entry, orderid in batch:
                log.warning("journal %s: order %s accepted but not recorded (%s); "
                            "reconciliation will record it", entry.tag, orderid, exc)
            return
        finally:
            for entry, _ in batch:
                self.reconciler.in_flight.discard(entry.id)
        for entry, orderid in batch:
            self._log_accepted(entry, orderid)

    def _log_accepted(self, entry: JournalEntry, orderid: str) -> None:
        if log.isEnabledFor(self.accepted_log_level):
            log.log(self.accepted_log_level, "%s: accepted, %s order %s",
                    _describe(entry), self.order_label, orderid)

    async def drain(self) -> None:
        """Let outcome writes still waiting run (at shutdown, and in tests)."""
        # A callback already scheduled: one turn of the loop runs it.
        while self._outcomes_due is not None:  # noqa: ASYNC110
            await asyncio.sleep(0)

    # -- place ----------------------------------------------------------------------

    async def place(self, request: OrderRequest, *, requested_by: str = "api",
                    group_id: int | None = None, squareoff: bool = False) -> PlacedOrder:
        self.validate(request)
        await self.reconciler.ready()
        prepared = await self.prepare(request, squareoff=squareoff)
        entry = self.journal.record_intent(
            kind="place", exchange=request.exchange, requested_by=requested_by,
            strategy=request.strategy, group_id=group_id,
            openalgo_request={**asdict(request), "note": prepared.note},
            broker_request=dict(prepared.wire))
        tagged = replace(prepared, intent=replace(prepared.intent, tag=entry.tag))
        try:
            placed = await self._send(entry, lambda: self.broker.place_order(tagged))
        except OutcomeUnknown:
            found = await self.reconciler.settle_quietly(entry)
            if found is not None:
                return PlacedOrder(found, entry.id, prepared.note)
            raise OrderError(504, _lost_answer_message("order", entry.tag)) from None
        self.books.note_placed(placed.order_id, OrderLabel(
            request.strategy, request.symbol, request.exchange, request.product,
            request.pricetype, prepared.note))
        self._accepted(entry, placed.order_id, later=True)
        return PlacedOrder(placed.order_id, entry.id, prepared.note)

    # -- modify and cancel ----------------------------------------------------------

    async def locate(self, orderid: str) -> Target:
        """What a modify or cancel needs of an existing order: from the journal when it
        was placed here (no broker call), else from today's order lists."""
        entry = self.journal.placement(orderid)
        if entry is not None:
            asked = entry.openalgo_request
            # Rows written before the broker port name the exchange in Breeze's code
            # (NDX for CDS); the request always has OpenAlgo's.
            exchange = str(asked.get("exchange") or entry.exchange)
            return Target(orderid, exchange, self._instrument_or_none(
                str(asked.get("symbol")), exchange), str(asked.get("action", "")).upper())
        found = await self.books.find_order(orderid)
        if found is None:
            raise OrderError(404, f"Order {orderid} not found")
        order, _ = found
        return Target(orderid, order.exchange,
                      self._instrument_or_none(order.symbol, order.exchange), str(order.side))

    def _instrument_or_none(self, symbol: str, exchange: str) -> Any:
        try:
            return self.instruments().get(symbol, exchange)
        except MasterContractUnavailable:
            return None  # a cancel needs no instrument; a modify says why it does

    async def modify(self, orderid: str, request: OrderRequest, *,
                     requested_by: str = "api") -> str:
        """Change quantity, price, trigger or price type of a working order. Symbol,
        exchange, action and product identify the order and cannot change."""
        target = await self.locate(orderid)
        inst = target.inst
        if inst is None:
            self.instruments().get(request.symbol, request.exchange)  # 503 without a master
            raise OrderError(400, f"Order {orderid} is for an instrument the master contract "
                                  "no longer lists; modify it on ICICI Direct")
        if (inst.symbol, str(inst.exchange), target.action) != (
                request.symbol, request.exchange, request.action):
            raise OrderError(400, f"Order {orderid} is a {target.action} of {inst.symbol} on "
                                  f"{inst.exchange}: symbol, exchange and action cannot be "
                                  "modified; cancel it and place a new order")
        self.validate(request)
        await self.reconciler.ready()
        # The adapter refuses a product the order was not placed with (as it is sent).
        prepared = await self.prepare(request, squareoff=True)
        entry = self.journal.record_intent(
            kind="modify", exchange=target.exchange, requested_by=requested_by,
            strategy=request.strategy,
            openalgo_request={"orderid": orderid, **asdict(request), "note": prepared.note},
            broker_request={"order_id": orderid, **prepared.wire})
        # The broker may notify the change before it answers: that update shows it.
        self.books.note_modifying(orderid, request.pricetype, prepared.note)
        try:
            await self._send(entry, lambda: self.broker.modify_order(orderid, prepared))
        except OutcomeUnknown:
            raise OrderError(504, _lost_answer_message("modification", entry.tag)) from None
        finally:
            self.books.note_modified(orderid)  # the journal says what came of it
        self._accepted(entry, orderid)
        return orderid

    async def cancel(self, orderid: str, *, requested_by: str = "api", strategy: str = "",
                     target: Target | None = None) -> str:
        target = target or await self.locate(orderid)
        await self.reconciler.ready()
        entry = self.journal.record_intent(
            kind="cancel", exchange=target.exchange, requested_by=requested_by,
            strategy=strategy, openalgo_request={"orderid": orderid},
            broker_request={"order_id": orderid, "exchange": target.exchange})
        try:
            await self._send(entry, lambda: self.broker.cancel_order(orderid, target.exchange))
        except OutcomeUnknown:
            raise OrderError(504, _lost_answer_message("cancellation", entry.tag)) from None
        self._accepted(entry, orderid)
        return orderid


def _describe(entry: JournalEntry) -> str:
    """One log line's worth of a journaled action: "place ad12 (api, momentum): BUY 10
    SBIN NSE LIMIT 812.35 CNC"."""
    asked = entry.openalgo_request
    what = " ".join(str(asked[k]) for k in ("action", "quantity", "symbol", "exchange",
                                            "pricetype", "price", "product")
                    if asked.get(k) not in (None, "", 0, "0"))
    if entry.kind.startswith("gtt_"):
        what = f"GTT {asked.get('trigger_type', '')} {asked.get('trigger_id', '')} {what}"
        what = " ".join(what.split())
    elif entry.kind != "place":
        what = f"order {asked.get('orderid', '')} {what}".strip()
    who = ", ".join(x for x in (entry.requested_by, entry.strategy) if x)
    return f"{entry.kind} {entry.tag} ({who}): {what}"


__all__ = ["OrderError", "OrderRequest", "OrderService", "PlacedOrder", "Target"]
