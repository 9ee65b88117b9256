"""From the platform's order updates to the clients that asked for them
(`subscribe_orders`, openalgo-api.md §6.7).

There is one account, so every authenticated client that subscribed gets every order
change (whoever placed the order: the API, ICICI's own app, the square-off), and every
paper order's change too (analyzer mode: `mode` "analyze" and `broker` "sandbox", as
the reference's example spells a sandbox event; live ones: "live" and the broker's
name). Paper orders are reported whatever the switch says now: an order accepted in
analyzer mode keeps working, and filling, after the switch goes off. The fanout
listens to the order-update hub only while some client is subscribed. A frame is
encoded once per user name and queued in each subscriber's outbox in a line of its own,
never conflated: each update is a transition the client must see. A client that lets
`outbox.MAX_EVENTS` updates pile up is closed as too slow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ..trading.order_updates import ANALYZE, OrderUpdate, OrderUpdateListener
from . import protocol as p
from .outbox import Outbox, Overflow

PAPER_BROKER = "sandbox"  # the `broker` of an analyze-mode update (§6.7's example)


class OrderSubscriber(Protocol):
    outbox: Outbox
    user_id: int | None


class OrderUpdateSource(Protocol):
    """The order-update hub (`trading.order_updates.OrderUpdates`)."""

    def add_listener(self, listener: OrderUpdateListener) -> None: ...

    def remove_listener(self, listener: OrderUpdateListener) -> None: ...


class OrderFanout:
    def __init__(self, source: OrderUpdateSource, broker: str,
                 user_name: Callable[[int], str],
                 too_slow: Callable[[OrderSubscriber, str], None]) -> None:
        self.source = source
        self.broker = broker
        self.user_name = user_name
        self.too_slow = too_slow
        self._subscribers: set[OrderSubscriber] = set()
        self.frames_built = 0

    def __contains__(self, who: OrderSubscriber) -> bool:
        return who in self._subscribers

    def add(self, who: OrderSubscriber) -> None:
        if who in self._subscribers:
            return
        self._subscribers.add(who)
        if len(self._subscribers) == 1:
            self.source.add_listener(self)

    def remove(self, who: OrderSubscriber) -> None:
        if who not in self._subscribers:
            return
        self._subscribers.discard(who)
        if not self._subscribers:
            self.source.remove_listener(self)

    def close(self) -> None:
        if self._subscribers:
            self._subscribers.clear()
            self.source.remove_listener(self)

    # -- OrderUpdateListener ----------------------------------------------------------

    def on_order_update(self, update: OrderUpdate) -> None:
        broker = PAPER_BROKER if update.mode == ANALYZE else self.broker
        texts: dict[int | None, str] = {}
        for who in list(self._subscribers):
            text = texts.get(who.user_id)
            if text is None:
                user = self.user_name(who.user_id) if who.user_id is not None else ""
                text = texts[who.user_id] = p.encode(p.order_update(
                    update.order, update.mode, update.reason, broker, user))
                self.frames_built += 1
            try:
                who.outbox.event(text)
            except Overflow as exc:
                self.too_slow(who, f"client too slow: {exc}")


__all__ = ["PAPER_BROKER", "OrderFanout", "OrderSubscriber", "OrderUpdateSource"]
