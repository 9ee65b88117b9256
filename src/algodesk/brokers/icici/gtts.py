"""`IciciGtts`: the `GttBroker` half of the ICICI adapter, over Breeze's `gttorder`.

The mapping is `gtt_mapping.py` (pure); this is the I/O: GTT actions go through the
adapter's order path to Breeze (`act`: the order pacer, sent once, the lists they change
marked stale), the GTT book through its budgeted, shared reads (`read`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from ...domain.gtt import Gtt, GttAck, GttIntent, PreparedGtt
from ..base import OrderRefused
from .client import BreezeClient
from .gtt_mapping import (
    GTT_EXCHANGES,
    check_gtt,
    gtt_of,
    gtt_type,
    order_details,
    place_gtt_fields,
)
from .mapping import MappingError
from .schemas import BreezeGttOrder

T = TypeVar("T")
#: How far back the GTT book is asked for: ICICI keeps a GTT for up to a year.
BOOK_DAYS = 365
BOOK_TTL = 2.0  # seconds the book is shared by concurrent readers
INDEX_EXCHANGE_OF = {"NFO": "NSE_INDEX"}

Act = Callable[[Callable[[BreezeClient], Awaitable[Any]], str, str], Awaitable[Any]]
Read = Callable[..., Awaitable[Any]]


class IciciGtts:
    def __init__(self, act: Act, read: Read, invalidate: Callable[[Hashable], None],
                 instrument: Callable[[str, str], Any], contracts: Callable[[], Any],
                 named: Callable[[Any], tuple[str, str]], today: Callable[[], dt.date]) -> None:
        self._act = act
        self._read = read
        self._invalidate = invalidate
        self._instrument = instrument
        self._contracts = contracts
        self._named = named
        self._today = today

    async def prepare(self, intent: GttIntent) -> PreparedGtt:
        inst = self._instrument(intent.symbol, intent.exchange)
        try:
            check_gtt(inst, intent)
        except MappingError as exc:
            raise OrderRefused(str(exc)) from None
        underlying = INDEX_EXCHANGE_OF.get(inst.breeze_exchange, "")
        index = bool(underlying) and self._contracts().get(inst.name, underlying) is not None
        return PreparedGtt(intent, wire=place_gtt_fields(inst, intent, index=index,
                                                         trade_date=self._today()))

    async def _action(self, operation: Callable[[BreezeClient], Awaitable[T]], what: str,
                      exchange: str) -> T:
        try:
            return await self._act(operation, what, exchange)  # type: ignore[no-any-return]
        finally:
            self._invalidate(("gtt", exchange))

    async def place(self, gtt: PreparedGtt) -> GttAck:
        fields = dict(gtt.wire)
        placed = await self._action(lambda c: c.place_gtt(**fields), "GTT order",
                                    str(fields["exchange_code"]))
        return GttAck(placed.gtt_order_id)

    async def modify(self, gtt_id: str, change: PreparedGtt) -> GttAck:
        """Breeze changes a GTT's legs (triggers and limits) only: a change of quantity,
        product or side is refused before anything is sent."""
        intent, exchange = change.intent, str(change.wire["exchange_code"])
        current = await self.find(gtt_id, exchange)
        if current is None:
            raise OrderRefused(f"GTT {gtt_id} not found", status=404)
        fixed = {"quantity": (current.quantity, intent.quantity),
                 "product": (str(current.product), str(intent.product)),
                 "action": (str(current.side), str(intent.side)),
                 "trigger_type": (str(current.trigger_type), str(intent.trigger_type))}
        changed = [f"{name} {was} → {asked}" for name, (was, asked) in fixed.items()
                   if was != asked]
        if changed:
            raise OrderRefused(f"GTT {gtt_id} cannot change {', '.join(changed)}: Breeze "
                               "modifies a GTT's trigger and limit prices only; cancel it "
                               "and place a new GTT")
        details = order_details(intent)
        kind = gtt_type(intent)
        await self._action(lambda c: c.modify_gtt(exchange, gtt_id, kind, details),
                           "GTT modification", exchange)
        return GttAck(gtt_id)

    async def cancel(self, gtt_id: str, exchange: str) -> GttAck:
        await self._action(lambda c: c.cancel_gtt(exchange, gtt_id), "GTT cancellation",
                           exchange)
        return GttAck(gtt_id)

    async def find(self, gtt_id: str, exchange: str | None = None,
                   max_age: float | None = None) -> Gtt | None:
        for gtt in await self.orders(exchange=exchange, max_age=max_age):
            if gtt.gtt_id == gtt_id:
                return gtt
        return None

    async def orders(self, *, exchange: str | None = None,
                     max_age: float | None = None) -> list[Gtt]:
        exchanges = [exchange] if exchange else list(GTT_EXCHANGES)
        found: list[Gtt] = []
        for code in exchanges:
            if code not in GTT_EXCHANGES:
                continue
            rows = await self._book(code, max_age)
            found.extend(gtt_of(row, self._named) for row in rows)
        return found

    async def _book(self, exchange: str, max_age: float | None) -> list[BreezeGttOrder]:
        today = self._today()
        start = today - dt.timedelta(days=BOOK_DAYS)

        async def fetch(client: BreezeClient) -> list[BreezeGttOrder]:
            return await client.get_gtt_book(exchange, start, today)

        return await self._read(  # type: ignore[no-any-return]
            ("gtt", exchange), BOOK_TTL, fetch, f"the GTT book of {exchange}",
            for_order=True, max_age=max_age)


__all__ = ["BOOK_DAYS", "IciciGtts"]
