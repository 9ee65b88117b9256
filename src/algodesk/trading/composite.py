"""Composite orders as platform logic over the single-order path (openalgo-api.md §3.1).

Smart orders, baskets, splits, cancel-all and close-all never talk to the broker
themselves: each child is an `OrderService.place` or `.cancel`, so it is validated,
journaled, paced and reconciled exactly like a plain order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..access.broker import BrokerUnavailable
from .books import WORKING, Books
from .orders import OrderRequest, OrderService
from .ports import OrderError
from .sizing import smart_order, split_sizes

log = logging.getLogger(__name__)

SQUAREOFF_STRATEGY = "Squareoff"


@dataclass(frozen=True, slots=True)
class SmartOutcome:
    """What a smart order did: the order placed, or None when the position matched."""

    orderid: str | None
    action: str = ""
    quantity: int = 0
    current: int = 0


@dataclass(slots=True)
class CancelAllOutcome:
    cancelled: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class CloseOutcome:
    closed: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)


def _failure(exc: BaseException) -> str:
    if isinstance(exc, OrderError | BrokerUnavailable):
        return exc.message
    return str(exc) or type(exc).__name__


class CompositeOrders:
    def __init__(self, orders: OrderService, books: Books) -> None:
        self.orders = orders
        self.books = books
        self._locks: dict[tuple[str, str, str], asyncio.Lock] = {}

    # -- placesmartorder ----------------------------------------------------------------

    async def smart(self, request: OrderRequest, position_size: int, *,
                    requested_by: str = "api") -> SmartOutcome:
        """Move the net position of (symbol, exchange, product) to `position_size`.

        Concurrent smart orders on one position are serialised and each reads the
        position afresh, so an entry and an exit sent together do not both act on the
        same stale figure."""
        # Refuse a bad symbol or product before reading positions.
        self.orders.validate(request, check_quantity=False)
        key = (request.symbol, request.exchange, request.product)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            current = await self.books.net_quantity(*key, max_age=0.0)
            decision = smart_order(request.action, request.quantity, position_size, current)
            if decision is None:
                return SmartOutcome(None, current=current)
            action, quantity = decision
            placed = await self.orders.place(
                replace(request, action=action, quantity=quantity),
                requested_by=f"{requested_by}:smart")
            return SmartOutcome(placed.orderid, action, quantity, current)

    # -- basketorder --------------------------------------------------------------------

    async def basket(self, legs: list[OrderRequest], *, requested_by: str = "api"
                     ) -> list[dict[str, Any]]:
        """Every leg on its own (a failed leg does not undo the others); all BUY legs
        are placed before any SELL leg, so their margin can cover the short side.
        Results come back in the request's order."""
        group = self.orders.journal.next_group_id()
        results: list[dict[str, Any]] = [{} for _ in legs]

        async def place(index: int) -> None:
            leg = legs[index]
            item: dict[str, Any] = {"symbol": leg.symbol, "exchange": leg.exchange,
                                    "product": leg.product, "action": leg.action}
            try:
                placed = await self.orders.place(leg, requested_by=f"{requested_by}:basket",
                                                 group_id=group)
                item.update(status="success", orderid=placed.orderid)
            except (OrderError, BrokerUnavailable) as exc:
                item.update(status="error", message=_failure(exc))
            results[index] = item

        buys = [i for i, leg in enumerate(legs) if leg.action == "BUY"]
        sells = [i for i, leg in enumerate(legs) if leg.action != "BUY"]
        for wave in (buys, sells):
            await asyncio.gather(*(place(i) for i in wave))
        return results

    # -- splitorder ---------------------------------------------------------------------

    async def split(self, request: OrderRequest, splitsize: int, *,
                    requested_by: str = "api") -> list[dict[str, Any]]:
        """`quantity` as orders of `splitsize` plus one for the remainder (at most 100),
        sent one after another at the order pace; a failed child does not stop the rest."""
        try:
            sizes = split_sizes(request.quantity, splitsize)
        except ValueError as exc:
            raise OrderError(400, str(exc)) from None
        for size in set(sizes):
            self.orders.validate(replace(request, quantity=size))
        group = self.orders.journal.next_group_id()

        async def place(number: int, size: int) -> dict[str, Any]:
            item: dict[str, Any] = {"order_num": number, "quantity": size}
            try:
                placed = await self.orders.place(replace(request, quantity=size),
                                                 requested_by=f"{requested_by}:split",
                                                 group_id=group)
                item.update(status="success", orderid=placed.orderid)
            except (OrderError, BrokerUnavailable) as exc:
                item.update(status="error", message=_failure(exc))
            return item

        # One after another, as OpenAlgo does: the exchange sees them in order_num order.
        return [await place(n, s) for n, s in enumerate(sizes, 1)]

    # -- cancelallorder -----------------------------------------------------------------

    async def cancel_all(self, *, strategy: str = "", requested_by: str = "api",
                         products: Iterable[str] | None = None,
                         exchanges: Iterable[str] | None = None) -> CancelAllOutcome:
        """Cancel every open and trigger-pending order of the account (not only this
        strategy's, as OpenAlgo does), optionally only those of some OpenAlgo products
        and exchanges."""
        wanted = set(products) if products is not None else None
        where = set(exchanges) if exchanges is not None else None
        rows = await self.books.orders(fresh=True)
        working = [r for r in rows if r["order_status"] in WORKING and (
            wanted is None or r["product"] in wanted) and (
            where is None or r["exchange"] in where)]
        outcome = CancelAllOutcome()

        async def cancel(orderid: str) -> None:
            try:
                await self.orders.cancel(orderid, requested_by=f"{requested_by}:cancelall",
                                         strategy=strategy)
                outcome.cancelled.append(orderid)
            except (OrderError, BrokerUnavailable) as exc:
                message = _failure(exc)
                outcome.failed.append({"orderid": orderid, "reason": message,
                                       "message": message})

        await _all(cancel(r["orderid"]) for r in working)
        return outcome

    # -- closeposition ------------------------------------------------------------------

    async def close_all(self, *, requested_by: str = "api",
                        products: Iterable[str] | None = None,
                        exchanges: Iterable[str] | None = None) -> CloseOutcome:
        """Square off every non-zero net position of the account with a MARKET order the
        other way, in the position's own product, tagged strategy "Squareoff" (optionally
        only those of some products and exchanges)."""
        wanted = set(products) if products is not None else None
        where = set(exchanges) if exchanges is not None else None
        positions = await self.books.positions(max_age=0.0)
        outcome = CloseOutcome()

        async def close(row: dict[str, Any]) -> None:
            net = int(row["quantity"])
            item = {"symbol": row["symbol"], "exchange": row["exchange"],
                    "product": row["product"], "quantity": abs(net),
                    "action": "SELL" if net > 0 else "BUY"}
            request = OrderRequest(symbol=row["symbol"], exchange=row["exchange"],
                                   action=item["action"], quantity=abs(net),
                                   pricetype="MARKET", product=row["product"],
                                   strategy=SQUAREOFF_STRATEGY)
            try:
                placed = await self.orders.place(request, requested_by=f"{requested_by}:close",
                                                 squareoff=True)
                outcome.closed.append({**item, "orderid": placed.orderid})
            except (OrderError, BrokerUnavailable) as exc:
                outcome.failed.append({**item, "message": _failure(exc)})

        await _all(close(r) for r in positions
                   if int(r["quantity"]) and (wanted is None or r["product"] in wanted)
                   and (where is None or r["exchange"] in where))
        return outcome


async def _all(actions: Iterable[Awaitable[None]]) -> None:
    await asyncio.gather(*actions)


__all__ = ["SQUAREOFF_STRATEGY", "CancelAllOutcome", "CloseOutcome", "CompositeOrders",
           "SmartOutcome"]
