"""A client's outgoing frames: bounded, with latest-value conflation.

Market data is kept as one pending frame per subscription (symbol, exchange, mode): a
newer tick replaces the one still waiting, in its place in the line. So however slowly a
client reads, what waits for it is at most one frame per subscription, and what it gets
is the latest value. Replies to its own requests wait in a short line of their own and
go first; order updates next, in a line of their own too: each is a transition the
client must see, never replaced by a later one. A client that stops reading altogether
is found by its writer being stuck on one send (`stuck_for`); the server closes it with
the reason.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Hashable

MAX_REPLIES = 256  # answers to a client's own requests that may wait for it
MAX_EVENTS = 1024  # order updates that may wait for it (upstream's WS_MAX_QUEUE)


class Overflow(Exception):
    """More replies or order updates wait than a reading client would leave behind."""


class Outbox:
    def __init__(self) -> None:
        self._frames: dict[Hashable, str] = {}
        self._replies: deque[str] = deque()
        self._events: deque[str] = deque()
        self._ready = asyncio.Event()
        self.conflated = 0  # frames replaced by a newer one before they were sent
        self.sent = 0
        self._sending_since: float | None = None

    def __len__(self) -> int:
        return len(self._frames) + len(self._replies) + len(self._events)

    def frame(self, key: Hashable, text: str) -> None:
        if key in self._frames:
            self.conflated += 1
        self._frames[key] = text
        self._ready.set()

    def reply(self, text: str) -> None:
        if len(self._replies) >= MAX_REPLIES:
            raise Overflow(f"{len(self._replies)} replies waiting")
        self._replies.append(text)
        self._ready.set()

    def event(self, text: str) -> None:
        if len(self._events) >= MAX_EVENTS:
            raise Overflow(f"{len(self._events)} order updates waiting")
        self._events.append(text)
        self._ready.set()

    def forget(self, key: Hashable) -> None:
        """A subscription ended: its pending frame is not sent."""
        self._frames.pop(key, None)

    async def next(self) -> str:
        while not (self._replies or self._events or self._frames):
            self._ready.clear()
            await self._ready.wait()
        if self._replies:
            return self._replies.popleft()
        if self._events:
            return self._events.popleft()
        key = next(iter(self._frames))
        return self._frames.pop(key)

    def sending(self) -> None:
        self._sending_since = time.monotonic()

    def done_sending(self) -> None:
        self._sending_since = None
        self.sent += 1

    def stuck_for(self, now: float) -> float:
        """Seconds the current send has waited for the client to read (0 when none)."""
        return 0.0 if self._sending_since is None else now - self._sending_since


__all__ = ["MAX_EVENTS", "MAX_REPLIES", "Outbox", "Overflow"]
