"""The order and account services of one venue, built and started together.

One `OrderService`, one `Books` and one broker adapter serve every request, webhook and
scheduled job of the venue, so the adapter's order pace and read cache and the
journal's reconciliation are shared by all of them. The platform runs two: the live
broker's, and analyzer mode's on the paper broker (`Venue`), each with its venue's
journal; a request is served by the one its mode picked when it was accepted.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..brokers.base import Broker
from ..storage import Database
from .books import Books
from .composite import CompositeOrders
from .gtt import GttService
from .journal import OrderJournal
from .margin import MarginCalculator
from .order_updates import OrderUpdates
from .orders import OrderService
from .ports import InstrumentLookup
from .squareoff import MisSquareOff, parse_time


@dataclass
class Trading:
    broker: Broker
    journal: OrderJournal
    books: Books
    orders: OrderService
    composite: CompositeOrders
    margin: MarginCalculator
    squareoff: MisSquareOff
    #: Every order change, labelled as the order book labels it, for `subscribe_orders`.
    updates: OrderUpdates
    #: More square-offs at other times, each for its exchanges (the paper venue's).
    more_squareoffs: tuple[MisSquareOff, ...] = ()
    #: GTT orders beside the order service (501 when the broker keeps none).
    gtt: GttService | None = None

    @classmethod
    def build(cls, *, database: Database, broker: Broker,
              instruments: Callable[[], InstrumentLookup],
              mis_squareoff_time: str, journal: OrderJournal | None = None,
              squareoff_times: dict[str, dt.time] | None = None) -> Trading:
        """`broker` is the adapter the wiring picked; `journal` the venue's (default: the
        live venue's, of its own). `squareoff_times`: MIS square-off per exchange (the
        paper venue's), instead of one `mis_squareoff_time` for all."""
        journal = journal or OrderJournal(database)
        paper = journal.venue != "live"
        # The paper broker's day begins at 03:00 IST (OpenAlgo's sandbox session).
        books = Books(broker, journal, day_starts=dt.timedelta(hours=3 if paper else 0))
        orders = OrderService(instruments, broker, journal, books,
                              accepted_log_level=logging.DEBUG if paper else logging.INFO,
                              order_label="paper" if paper else "ICICI")
        composite = CompositeOrders(orders, books)
        squareoffs = [MisSquareOff(composite, parse_time(mis_squareoff_time),
                                   connected=broker.connected)]
        if squareoff_times:
            by_time: dict[dt.time, set[str]] = {}
            for exchange, at in squareoff_times.items():
                by_time.setdefault(at, set()).add(exchange)
            squareoffs = [MisSquareOff(composite, at, connected=broker.connected,
                                       exchanges=frozenset(exchanges))
                          for at, exchanges in sorted(by_time.items())]
        updates = OrderUpdates(books, acting=lambda: bool(orders.reconciler.in_flight))
        return cls(broker, journal, books, orders, composite,
                   MarginCalculator(orders, broker), squareoffs[0], updates,
                   tuple(squareoffs[1:]), GttService(orders))

    async def start(self) -> None:
        await self.orders.reconciler.start()
        for squareoff in (self.squareoff, *self.more_squareoffs):
            await squareoff.start()

    async def stop(self) -> None:
        await self.updates.stop()
        for squareoff in (self.squareoff, *self.more_squareoffs):
            await squareoff.stop()
        await self.orders.reconciler.stop()
        await self.orders.drain()
        self.journal.close()


__all__ = ["Trading"]
