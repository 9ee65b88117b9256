"""The order and account services of one running platform, built and started together.

One `OrderService`, one `Books`, one `SharedReads` cache and one `OrderPacer` serve
every request, webhook and scheduled job, so the 10-a-second pace, the read cache and
the journal's reconciliation are shared by all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..brokers.base import Broker
from ..brokers.icici.budget import CallBudget, OrderPacer, SharedReads
from ..storage import Database
from .books import Books
from .composite import CompositeOrders
from .journal import OrderJournal
from .margin import MarginCalculator
from .orders import OrderService
from .ports import BrokerPort, InstrumentLookup
from .squareoff import MisSquareOff, parse_time


@dataclass
class Trading:
    broker: Broker
    gateway: BrokerPort
    journal: OrderJournal
    reads: SharedReads
    pacer: OrderPacer
    books: Books
    orders: OrderService
    composite: CompositeOrders
    margin: MarginCalculator
    squareoff: MisSquareOff

    @classmethod
    def build(cls, *, database: Database, broker: Broker, gateway: BrokerPort,
              budget: CallBudget, reads: SharedReads, pacer: OrderPacer,
              instruments: Callable[[], InstrumentLookup], equity_mis_as_cash: bool,
              mis_squareoff_time: str) -> Trading:
        """`broker` is the adapter the wiring picked; `gateway`, `reads` and `pacer` are
        its Breeze calls, read cache and pacer, which the services not yet moved onto
        the protocol still use directly (shared, so the budget and cache stay one)."""
        journal = OrderJournal(database)
        books = Books(instruments, gateway, journal, reads, budget)
        orders = OrderService(instruments, gateway, journal, books, adapter=broker,
                              pacer=pacer, reads=reads,
                              equity_mis_as_cash=equity_mis_as_cash)
        composite = CompositeOrders(orders, books)
        squareoff = MisSquareOff(composite, parse_time(mis_squareoff_time),
                                 connected=lambda: gateway.session() is not None)
        return cls(broker, gateway, journal, reads, pacer, books, orders, composite,
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
