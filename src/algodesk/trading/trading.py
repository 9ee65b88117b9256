"""The order and account services of one venue, built and started together.

One `OrderService`, one `Books` and one broker adapter serve every request, webhook and
scheduled job of the venue, so the adapter's order pace and read cache and the
journal's reconciliation are shared by all of them. The platform runs two: the live
broker's, and analyzer mode's on the paper broker (`Venue`), each with its venue's
journal; a request is served by the one its mode picked when it was accepted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..brokers.base import Broker
from ..storage import Database
from .books import Books
from .composite import CompositeOrders
from .journal import OrderJournal
from .margin import MarginCalculator
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

    @classmethod
    def build(cls, *, database: Database, broker: Broker,
              instruments: Callable[[], InstrumentLookup],
              mis_squareoff_time: str, journal: OrderJournal | None = None) -> Trading:
        """`broker` is the adapter the wiring picked; `journal` the venue's (default: the
        live venue's, of its own)."""
        journal = journal or OrderJournal(database)
        books = Books(broker, journal)
        paper = journal.venue != "live"
        orders = OrderService(instruments, broker, journal, books,
                              accepted_log_level=logging.DEBUG if paper else logging.INFO,
                              order_label="paper" if paper else "ICICI")
        composite = CompositeOrders(orders, books)
        squareoff = MisSquareOff(composite, parse_time(mis_squareoff_time),
                                 connected=broker.connected)
        return cls(broker, journal, books, orders, composite,
                   MarginCalculator(orders, broker), squareoff)

    async def start(self) -> None:
        await self.orders.reconciler.start()
        await self.squareoff.start()

    async def stop(self) -> None:
        await self.squareoff.stop()
        await self.orders.reconciler.stop()
        await self.orders.drain()
        self.journal.close()


__all__ = ["Trading"]
