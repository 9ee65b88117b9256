"""Order updates: every change of every order of the account, as the order book shows
it, for whoever listens (the WebSocket feed's `subscribe_orders`, openalgo-api.md §6.7).

Each venue has a hub of its own (`Trading.updates`), fed by its order-event source:
the live venue's by the broker's order stream (a `brokers.base.Feed`: ICICI's order
notifications) in mode `live`, the paper venue's by the paper broker in mode `analyze`.
A source is asked for its events (`watch_orders`) only while someone listens. Each
event becomes the order book's row for the order in its venue's books
(`Books.order_row`: the same order id and state mapping, the client's product and price
type and the strategy from the venue's journal), so a pushed update and the next
orderbook read of that venue say the same. `BothVenues` puts the two hubs behind one
`add_listener`, for the WebSocket's `subscribe_orders`: a subscriber gets every order
change of both venues, each marked with its mode.

A broker may notify a change before the answer to the placement is back (ICICI's fill
notification often overtakes its REST answer): the journal does not know the order id
yet, so the update would lack its strategy and show the broker's price type. An event
for an unknown order that arrives while order actions are in flight therefore waits for
them, at most `HOLD_SECONDS`; events wait in arrival order, so no order's updates are
ever reordered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..background import stop_tasks
from ..brokers.base import FeedListener
from ..domain.stream import DepthUpdate, OrderEvent, Tick
from .books import Books

log = logging.getLogger(__name__)

LIVE, ANALYZE = "live", "analyze"  # §6.7 `mode`: the broker's orders, paper orders
HOLD_SECONDS = 2.0  # longest an event waits for the placement it may belong to
RECHECK_SECONDS = 0.005  # how often waiting events look whether they may go


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    """One change of one order."""

    mode: str  # LIVE or ANALYZE
    order: Mapping[str, Any]  # the order book's row for the order, after the change
    reason: str = ""  # the broker's words on a rejection


class OrderUpdateListener(Protocol):
    """Called on the event loop; must not block or await."""

    def on_order_update(self, update: OrderUpdate) -> None: ...


class OrderEventSource(Protocol):
    """Where order events come from: a `brokers.base.Feed` is one."""

    def add_listener(self, listener: FeedListener) -> None: ...

    def watch_orders(self) -> None: ...

    def unwatch_orders(self) -> None: ...


class _FromSource:
    """A source's listener: its order events go to the hub with the source's mode."""

    def __init__(self, hub: OrderUpdates, mode: str) -> None:
        self.hub = hub
        self.mode = mode

    def on_tick(self, tick: Tick) -> None:
        pass

    def on_depth(self, update: DepthUpdate) -> None:
        pass

    def on_order(self, event: OrderEvent) -> None:
        self.hub.publish(event, self.mode)


class OrderUpdates:
    """The order-event hub. `acting()` says whether order actions are in flight (the
    order service's): an event for an order the journal does not know waits for them."""

    def __init__(self, books: Books, *, acting: Callable[[], bool] = lambda: False,
                 hold_seconds: float = HOLD_SECONDS) -> None:
        self.books = books
        self.acting = acting
        self.hold_seconds = hold_seconds
        self._sources: list[OrderEventSource] = []
        self._listeners: list[OrderUpdateListener] = []
        self._waiting: deque[tuple[float, OrderEvent, str]] = deque()
        self._recheck: asyncio.Task[None] | None = None
        self.delivered = 0

    # -- sources and listeners -------------------------------------------------------

    def follow(self, source: OrderEventSource, mode: str = LIVE) -> None:
        source.add_listener(_FromSource(self, mode))
        self._sources.append(source)
        if self._listeners:
            source.watch_orders()

    def add_listener(self, listener: OrderUpdateListener) -> None:
        self._listeners.append(listener)
        if len(self._listeners) == 1:
            for source in self._sources:
                source.watch_orders()

    def remove_listener(self, listener: OrderUpdateListener) -> None:
        if listener not in self._listeners:
            return
        self._listeners.remove(listener)
        if not self._listeners:
            self._waiting.clear()
            for source in self._sources:
                source.unwatch_orders()

    @property
    def waiting(self) -> int:
        """Events held for a placement still unanswered."""
        return len(self._waiting)

    async def stop(self) -> None:
        await stop_tasks(self._recheck)
        self._recheck = None

    # -- events ----------------------------------------------------------------------

    def publish(self, event: OrderEvent, mode: str = LIVE) -> None:
        """One order event from a source (on the event loop)."""
        if not self._listeners:
            return
        self._waiting.append((time.monotonic(), event, mode))
        self._release()
        if self._waiting and self._recheck is None:
            self._recheck = asyncio.get_running_loop().create_task(
                self._wait_and_release(), name="order-updates-waiting")

    def _release(self) -> None:
        """Deliver the waiting events, oldest first, up to the first that must wait.
        An order memory knows (`Books.label_of`) goes at once; for another, today's
        labels are read from the journal only once it may go (no action in flight, or
        it has waited its time): a read per event would cost every order milliseconds."""
        now = time.monotonic()
        while self._waiting:
            since, event, mode = self._waiting[0]
            label = self.books.label_of(event.order_id)
            if label is None:
                if self.acting() and now - since < self.hold_seconds:
                    return
                # placed elsewhere, or found by reconciliation after a lost answer
                label = self.books.labels().get(event.order_id)
            self._waiting.popleft()
            row = self.books.order_row(event.as_order(), label)
            self._deliver(OrderUpdate(mode, row, event.message))

    async def _wait_and_release(self) -> None:
        try:
            while self._waiting:
                await asyncio.sleep(RECHECK_SECONDS)
                self._release()
        finally:
            self._recheck = None

    def _deliver(self, update: OrderUpdate) -> None:
        self.delivered += 1
        for listener in list(self._listeners):
            try:
                listener.on_order_update(update)
            except Exception:
                log.exception("an order-update listener failed on order %s",
                              update.order.get("orderid"))


class BothVenues:
    """Several venues' hubs as one source of order updates: a listener added here
    listens to each (and each hub watches its source only while someone listens)."""

    def __init__(self, *hubs: OrderUpdates) -> None:
        self.hubs = hubs

    def add_listener(self, listener: OrderUpdateListener) -> None:
        for hub in self.hubs:
            hub.add_listener(listener)

    def remove_listener(self, listener: OrderUpdateListener) -> None:
        for hub in self.hubs:
            hub.remove_listener(listener)


__all__ = ["ANALYZE", "LIVE", "BothVenues", "OrderEventSource", "OrderUpdate",
           "OrderUpdateListener", "OrderUpdates"]
