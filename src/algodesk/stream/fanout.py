"""From the broker feed to every subscribed WebSocket client.

`Fanout` listens to the `Feed` and keeps, per subscribed instrument, the latest tick and
book and which clients want it in which mode. A client's subscription is one
`Feed.subscribe` per level it needs (the quote level always; depth too for mode 3), so
the feed's reference count decides when the broker joins and leaves.

A tick is encoded once per mode (not once per client) and handed to each subscriber's
outbox, which never blocks: a slow client never delays the others. A quote tick reaches
every mode (mode 3 gets it with the latest book); a book update reaches mode 3 only,
since the quote and LTP payloads do not change with it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from ..brokers.base import Feed, FeedLevel
from ..domain.stream import DepthUpdate, OrderEvent, Tick
from . import frames
from .outbox import Outbox


class Subscriber(Protocol):
    outbox: Outbox


@dataclass(slots=True)
class _Instrument:
    tick: Tick | None = None
    book: DepthUpdate | None = None
    modes: dict[int, set[Subscriber]] = field(default_factory=dict)


def levels_of(mode: int) -> tuple[FeedLevel, ...]:
    return (FeedLevel.QUOTE, FeedLevel.DEPTH) if mode == frames.DEPTH else (FeedLevel.QUOTE,)


class Fanout:
    def __init__(self, feed: Feed, broker: str) -> None:
        self.feed = feed
        self.broker = broker
        self._instruments: dict[tuple[str, str], _Instrument] = {}
        self.frames_built = 0
        feed.add_listener(self)

    def close(self) -> None:
        self.feed.remove_listener(self)

    def add(self, who: Subscriber, symbol: str, exchange: str, mode: int) -> None:
        """Deliver this instrument in this mode to `who` (not already subscribed to it);
        raises `SubscriptionRefused` with the feed's reason."""
        joined: list[FeedLevel] = []
        try:
            for level in levels_of(mode):
                self.feed.subscribe(symbol, exchange, level)
                joined.append(level)
        except BaseException:
            for level in joined:
                self.feed.unsubscribe(symbol, exchange, level)
            raise
        entry = self._instruments.setdefault((symbol, exchange), _Instrument())
        entry.modes.setdefault(mode, set()).add(who)

    def remove(self, who: Subscriber, symbol: str, exchange: str, mode: int) -> None:
        entry = self._instruments.get((symbol, exchange))
        if entry is None or who not in entry.modes.get(mode, ()):
            return
        entry.modes[mode].discard(who)
        if not entry.modes[mode]:
            del entry.modes[mode]
        if not entry.modes:
            del self._instruments[(symbol, exchange)]
        who.outbox.forget((symbol, exchange, mode))
        for level in levels_of(mode):
            self.feed.unsubscribe(symbol, exchange, level)

    # -- FeedListener ------------------------------------------------------------------------

    def on_tick(self, tick: Tick) -> None:
        entry = self._instruments.get((tick.symbol, tick.exchange))
        if entry is None:
            return
        entry.tick = tick
        now_ms = int(time.time() * 1000)
        for mode, subscribers in entry.modes.items():
            if mode == frames.DEPTH and entry.book is None:
                continue  # a depth frame without the book would be dropped by the client
            self._send(tick, entry.book, mode, subscribers, now_ms)

    def on_depth(self, update: DepthUpdate) -> None:
        entry = self._instruments.get((update.symbol, update.exchange))
        if entry is None:
            return
        entry.book = update
        subscribers = entry.modes.get(frames.DEPTH)
        if subscribers and entry.tick is not None:
            self._send(entry.tick, update, frames.DEPTH, subscribers, int(time.time() * 1000))

    def on_order(self, event: OrderEvent) -> None:
        pass  # order updates reach clients through trading's OrderUpdates (orders.py)

    def _send(self, tick: Tick, book: DepthUpdate | None, mode: int,
              subscribers: set[Subscriber], now_ms: int) -> None:
        text = frames.market_data(mode, tick, book, self.broker, now_ms)
        self.frames_built += 1
        key = (tick.symbol, tick.exchange, mode)
        for who in subscribers:
            who.outbox.frame(key, text)


__all__ = ["Fanout", "Subscriber", "levels_of"]
