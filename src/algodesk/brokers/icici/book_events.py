"""ICICI's order and trade lists kept by its order notifications instead of by polling.

While the feed's order stream is connected (`IciciBooks.follow`), every change of every
order of the account, wherever it was placed, arrives as an `OrderEvent`. Then:

- an event marks the lists its exchange's change touches as stale (`stale_after`: that
  exchange's orders and trades, the positions, funds and holdings): the next read shows it;
- a list read while the stream was connected is kept for `EVENT_TTL` instead of being
  polled every `ACTIVE_TTL`: no change can pass unnoticed, so polling would only cost
  calls (`EVENT_TTL` is the safety net for a notification ICICI never sends);
- a break of the stream (or a new connection) makes every list read before it stale:
  notifications sent meanwhile are lost;
- a list read after an event must show it (the order's state and filled quantity; the
  trades of its fills): ICICI's notifications and its REST lists are separate systems,
  and a list that trails the notification is kept only for the polling TTL, so it is
  read again soon, until it shows the event (for at most `EXPECT_SECONDS`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from ...domain.orders import OrderStatus
from ...domain.stream import DepthUpdate, OrderEvent, Tick
from ..base import FeedListener

log = logging.getLogger(__name__)

EVENT_TTL = 60.0  # a list read while order notifications arrive
EXPECT_SECONDS = 30.0  # how long a list may trail an event before it is believed again


class OrderNotifications(Protocol):
    """The broker's order stream as the books follow it (`IciciFeed`)."""

    def add_listener(self, listener: FeedListener) -> None: ...

    def watch_orders(self) -> None: ...

    def order_events_since(self) -> float | None: ...


class BookEvents:
    """The books' `FeedListener`. `changed(exchange)` marks the lists an order change on
    (Breeze) `exchange` touches as stale ("": every list); `exchange_of` gives an
    OpenAlgo exchange's Breeze code."""

    def __init__(self, changed: Callable[[str], None],
                 exchange_of: Callable[[str], str]) -> None:
        self._changed = changed
        self._exchange_of = exchange_of
        self._since: Callable[[], float | None] = lambda: None
        self._stream_seen: float | None = None  # the connection time last seen
        # What a list read after an event must show, by kind and (Breeze exchange, order
        # id): the order list its (status, filled quantity), the trade list the filled
        # quantity; with the time it was notified.
        self._expected: dict[str, dict[tuple[str, str], tuple[Any, float]]] = {
            "orders": {}, "trades": {}}
        self.events = 0

    def follow(self, notifications: OrderNotifications) -> None:
        self._since = notifications.order_events_since
        notifications.add_listener(self)
        notifications.watch_orders()

    # -- FeedListener --------------------------------------------------------------------

    def on_tick(self, tick: Tick) -> None:
        pass  # the books follow order events only

    def on_depth(self, update: DepthUpdate) -> None:
        pass

    def on_order(self, event: OrderEvent) -> None:
        self.events += 1
        exchange = self._exchange_of(event.exchange)
        now, key = time.monotonic(), (exchange, event.order_id)
        self._expected["orders"][key] = ((event.status, event.filled_quantity), now)
        if event.filled_quantity:
            self._expected["trades"][key] = (event.filled_quantity, now)
        self._changed(exchange)

    # -- what the books ask ----------------------------------------------------------------

    def cover(self, asked: float) -> bool:
        """Whether order notifications have arrived without a break since before `asked`
        (a list read then stays right until an event says otherwise)."""
        since = self._since()
        if since != self._stream_seen:
            if self._stream_seen is not None:
                self._changed("")
            self._stream_seen = since
        return since is not None and since <= asked

    def shown(self, kind: str, exchange: str, rows: list[Any],
              state_of: Callable[[Any], tuple[OrderStatus, int]]) -> bool:
        """Whether `rows`, the `kind` list ("orders" or "trades") of `exchange`, show
        every event of its orders. What they show, or has waited too long, is no longer
        expected."""
        expected = self._expected.get(kind, {})
        waiting = [key for key in expected if key[0] == exchange]
        if not waiting:
            return True
        if kind == "orders":
            rows_of = {row.order_id: row for row in rows}

            def shows(order_id: str, state: Any) -> bool:
                row = rows_of.get(order_id)
                return row is not None and state_of(row) == state
        else:
            traded: dict[str, int] = {}
            for row in rows:
                traded[row.order_id] = traded.get(row.order_id, 0) + int(row.quantity or 0)

            def shows(order_id: str, state: Any) -> bool:
                return traded.get(order_id, 0) >= state

        now = time.monotonic()
        trailing = False
        for key in waiting:
            state, noted = expected[key]
            if shows(key[1], state):
                del expected[key]
            elif now - noted > EXPECT_SECONDS:
                log.warning("ICICI's %s %s list still does not show order %s as the "
                            "notification %.0f s ago did (%s)", exchange, kind, key[1],
                            now - noted, state)
                del expected[key]
            else:
                trailing = True
        return not trailing


__all__ = ["EVENT_TTL", "EXPECT_SECONDS", "BookEvents", "OrderNotifications"]
