"""GTT (good-till-triggered) orders through the `GttBroker` protocol, journal first and
never twice (openalgo-api.md §3.10).

Each action takes the order path's steps: validate the OpenAlgo request (trigger rules,
the instrument, product and lot) → the journal's reconcile gate → the adapter checks it
and writes its broker's request (`prepare_gtt`: what the broker's GTT cannot take is a
400 naming what it takes) → the intent is committed → sent once, paced like every order
action → the answer recorded. A lost answer leaves the row in doubt; it is settled
against the broker's GTT book (`gtt_records.py`), never by sending again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from ..brokers.base import BrokerFailure, BrokerUnavailable, GttBroker, OutcomeUnknown
from ..domain.gtt import Gtt, GttIntent, GttLeg, GttStatus, LegRole, PreparedGtt, TriggerType
from ..domain.orders import PriceType, Product, Side
from ..domain.values import IST
from ..instruments.errors import MasterContractUnavailable
from .broker_failures import as_order_error
from .gtt_records import GTT_CANCEL, GTT_MODIFY, GTT_PLACE, legs_record
from .orders import OrderRequest, OrderService
from .ports import OrderError

log = logging.getLogger(__name__)

GTT_PRODUCTS = ("CNC", "NRML")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class GttRequest:
    """A GTT as OpenAlgo's placegttorder/modifygttorder give it (types already checked)."""

    symbol: str
    exchange: str
    action: str  # BUY, SELL
    trigger_type: str  # SINGLE, OCO
    product: str  # CNC, NRML
    quantity: int
    pricetype: str = "LIMIT"
    price: Decimal = Decimal(0)
    triggerprice_sl: Decimal = Decimal(0)
    triggerprice_tg: Decimal = Decimal(0)
    stoploss: Decimal = Decimal(0)
    target: Decimal = Decimal(0)
    strategy: str = ""


def gtt_intent(request: GttRequest) -> GttIntent:
    """The request's legs by OpenAlgo's rules (400 when they are not kept): SINGLE has
    exactly one of `triggerprice_sl`/`triggerprice_tg` with `price` as its limit; OCO has
    all four of `triggerprice_sl`, `stoploss`, `triggerprice_tg`, `target`, the stop-loss
    trigger below the target's."""
    if request.product not in GTT_PRODUCTS:
        raise OrderError(400, f"GTT supports only CNC (delivery) or NRML (overnight F&O); "
                              f"{request.product} is not accepted (MIS is intraday-only).")
    if request.trigger_type == TriggerType.SINGLE:
        sl, tg = request.triggerprice_sl, request.triggerprice_tg
        if (sl > 0) == (tg > 0):
            raise OrderError(400, "SINGLE GTT takes exactly one of triggerprice_sl (a trigger "
                                  "below the last price) or triggerprice_tg (above it) "
                                  "greater than 0; set the other to 0.")
        # The leg keeps the field it came from (the trader's hint: below or above).
        legs = (GttLeg(LegRole.STOPLOSS, sl, request.price) if sl > 0
                else GttLeg(LegRole.TARGET, tg, request.price),)
    else:
        missing = [name for name in ("triggerprice_sl", "stoploss", "triggerprice_tg", "target")
                   if getattr(request, name) <= 0]
        if missing:
            raise OrderError(400, f"{', '.join(missing)}: Required for OCO (each greater "
                                  "than 0).")
        if request.triggerprice_sl >= request.triggerprice_tg:
            raise OrderError(400, "triggerprice_sl: Stoploss trigger must be less than target "
                                  "trigger (triggerprice_sl < triggerprice_tg).")
        legs = (GttLeg(LegRole.STOPLOSS, request.triggerprice_sl, request.stoploss),
                GttLeg(LegRole.TARGET, request.triggerprice_tg, request.target))
    return GttIntent(request.symbol, request.exchange, TriggerType(request.trigger_type),
                     Side(request.action), request.quantity, Product(request.product), legs,
                     PriceType(request.pricetype))


def _lost(kind: str, tag: str) -> str:
    return (f"ICICI did not answer the {kind} in time (or the answer was unreadable) and it "
            f"is not in ICICI's GTT book yet; it is recorded as in doubt (journal {tag}) and "
            "will be reconciled against the GTT book, not sent again")


def _time(at: dt.datetime | None) -> str:
    return at.astimezone(IST).strftime(TIME_FORMAT) if at is not None else ""


def _number(value: Decimal) -> float:
    return float(value)


class GttService:
    """GTT actions and the GTT book of one venue, beside its order service (whose
    journal, reconciler and instrument checks they share)."""

    def __init__(self, orders: OrderService) -> None:
        self.orders = orders
        self.journal = orders.journal

    def _broker(self) -> GttBroker:
        broker = self.orders.broker
        if not isinstance(broker, GttBroker):
            raise OrderError(501, f"GTT orders are not supported for broker "
                                  f"'{broker.name}' yet")
        return broker

    # -- validation -------------------------------------------------------------------

    def validate(self, request: GttRequest) -> GttIntent:
        """OpenAlgo's rules and the instrument's; what the broker's GTT takes is the
        adapter's to say (`prepare_gtt`)."""
        self._broker()
        intent = gtt_intent(request)
        # The child order is an order like any other: instrument, product, lot, freeze.
        self.orders.validate(OrderRequest(request.symbol, request.exchange, request.action,
                                          request.quantity, product=request.product))
        return intent

    async def _prepare(self, intent: GttIntent) -> PreparedGtt:
        try:
            return await self._broker().prepare_gtt(intent)
        except BrokerFailure as exc:
            raise as_order_error(exc) from None

    def _record(self, kind: str, request: GttRequest, intent: GttIntent, prepared: PreparedGtt,
                requested_by: str, **ids: str) -> Any:
        return self.journal.record_intent(
            kind=kind, exchange=request.exchange, requested_by=requested_by,
            strategy=request.strategy,
            openalgo_request={**ids, **asdict(request), "legs": legs_record(intent)},
            broker_request={**ids, **prepared.wire})

    # -- place ------------------------------------------------------------------------

    async def place(self, request: GttRequest, *, requested_by: str = "api") -> str:
        """The GTT's id (`trigger_id`)."""
        intent = self.validate(request)
        await self.orders.reconciler.ready()
        prepared = await self._prepare(intent)
        entry = self._record(GTT_PLACE, request, intent, prepared, requested_by)
        broker = self._broker()
        try:
            ack = await self.orders.send(entry, lambda: broker.place_gtt(prepared))
        except OutcomeUnknown:
            found = await self.orders.reconciler.settle_quietly(entry)
            if found is not None:
                return found
            raise OrderError(504, _lost("GTT order", entry.tag)) from None
        self.orders.accepted(entry, ack.gtt_id)
        return ack.gtt_id

    # -- modify and cancel ------------------------------------------------------------

    async def locate(self, trigger_id: str) -> Gtt:
        """The GTT as the broker's book has it now (its exchange from the journal when it
        was placed here: one book read instead of one per exchange)."""
        placed = self.journal.placement(trigger_id, kind=GTT_PLACE)
        exchange = str(placed.openalgo_request.get("exchange", "")) if placed else None
        try:
            book = await self._broker().gtt_orders(exchange=exchange or None)
        except BrokerFailure as exc:
            raise as_order_error(exc) from None
        for gtt in book:
            if gtt.gtt_id == trigger_id:
                return gtt
        raise OrderError(404, f"GTT {trigger_id} not found")

    @staticmethod
    def _active(gtt: Gtt, what: str) -> None:
        if gtt.status is not GttStatus.ACTIVE:
            raise OrderError(400, f"GTT {gtt.gtt_id} is {gtt.status}: only active GTTs can "
                                  f"be {what}")

    async def modify(self, trigger_id: str, request: GttRequest, *,
                     requested_by: str = "api") -> str:
        """A full replacement of an active GTT's legs; its symbol, exchange, action and
        trigger type are fixed."""
        intent = self.validate(request)
        gtt = await self.locate(trigger_id)
        fixed = (gtt.symbol, gtt.exchange, str(gtt.side), str(gtt.trigger_type))
        if fixed != (request.symbol, request.exchange, request.action, request.trigger_type):
            raise OrderError(400, f"GTT {trigger_id} is a {gtt.trigger_type} {gtt.side} of "
                                  f"{gtt.symbol} on {gtt.exchange}: symbol, exchange, action "
                                  "and trigger_type cannot be modified; cancel it and place "
                                  "a new GTT")
        self._active(gtt, "modified")
        await self.orders.reconciler.ready()
        prepared = await self._prepare(intent)
        entry = self._record(GTT_MODIFY, request, intent, prepared, requested_by,
                             trigger_id=trigger_id)
        broker = self._broker()
        try:
            await self.orders.send(entry, lambda: broker.modify_gtt(trigger_id, prepared))
        except OutcomeUnknown:
            raise OrderError(504, _lost("GTT modification", entry.tag)) from None
        self.orders.accepted(entry, trigger_id)
        return trigger_id

    async def cancel(self, trigger_id: str, *, strategy: str = "",
                     requested_by: str = "api") -> str:
        gtt = await self.locate(trigger_id)
        self._active(gtt, "cancelled")
        await self.orders.reconciler.ready()
        entry = self.journal.record_intent(
            kind=GTT_CANCEL, exchange=gtt.exchange, requested_by=requested_by,
            strategy=strategy, openalgo_request={"trigger_id": trigger_id},
            broker_request={"trigger_id": trigger_id, "exchange": gtt.exchange})
        broker = self._broker()
        try:
            await self.orders.send(entry, lambda: broker.cancel_gtt(trigger_id, gtt.exchange))
        except OutcomeUnknown:
            raise OrderError(504, _lost("GTT cancellation", entry.tag)) from None
        self.orders.accepted(entry, trigger_id)
        return trigger_id

    # -- the book ---------------------------------------------------------------------

    async def book(self, *, everything: bool = False) -> list[dict[str, Any]]:
        """OpenAlgo's gttorderbook rows: the active GTTs (`everything`: all, active
        first), newest first, each with its instrument's last price (0 when it could not
        be read)."""
        try:
            gtts = await self._broker().gtt_orders()
        except BrokerFailure as exc:
            raise as_order_error(exc) from None
        if not everything:
            gtts = [g for g in gtts if g.status is GttStatus.ACTIVE]
        gtts.sort(key=lambda g: (g.created_at or dt.datetime.min.replace(tzinfo=IST),
                                 g.gtt_id), reverse=True)
        gtts.sort(key=lambda g: g.status is not GttStatus.ACTIVE)
        prices = await self._last_prices({(g.symbol, g.exchange) for g in gtts})
        return [self.row(g, prices.get((g.symbol, g.exchange), Decimal(0))) for g in gtts]

    async def _last_prices(self, instruments: set[tuple[str, str]]
                           ) -> dict[tuple[str, str], Decimal]:
        broker = self.orders.broker

        async def one(symbol: str, exchange: str) -> Decimal:
            try:
                return (await broker.quote(symbol, exchange)).last_price
            # A price that cannot be read must not hide the book.
            except (BrokerFailure, BrokerUnavailable, MasterContractUnavailable) as exc:
                log.debug("gttorderbook: no last price for %s %s: %s", symbol, exchange, exc)
                return Decimal(0)

        keys = sorted(instruments)
        values = await asyncio.gather(*(one(*key) for key in keys))
        return dict(zip(keys, values, strict=True))

    @staticmethod
    def row(gtt: Gtt, last_price: Decimal) -> dict[str, Any]:
        legs = sorted(gtt.legs, key=lambda leg: leg.trigger_price)
        return {
            "trigger_id": gtt.gtt_id,
            "trigger_type": "single" if gtt.trigger_type is TriggerType.SINGLE else "two-leg",
            "status": str(gtt.status),
            "symbol": gtt.symbol,
            "exchange": gtt.exchange,
            "trigger_prices": [_number(leg.trigger_price) for leg in legs],
            "last_price": _number(last_price),
            "legs": [{"action": str(gtt.side), "quantity": gtt.quantity,
                      "price": _number(leg.limit_price), "pricetype": "LIMIT",
                      "product": str(gtt.product)} for leg in legs],
            "created_at": _time(gtt.created_at),
            "updated_at": _time(gtt.updated_at),
            "expires_at": _time(gtt.expires_at),
        }


__all__ = ["GTT_PRODUCTS", "GttRequest", "GttService", "gtt_intent"]
