"""What the paper broker knows of each instrument's market, from the live broker.

Prices come from the broker's live feed (`brokers.base.Feed`): an instrument is watched
(its quote and its five-level depth subscribed) while the paper account has a working
order or an open position in it, and for `LINGER_SECONDS` after, so a strategy that
trades in and out does not make the feed join and leave on every order. While watched
and the feed is connected, its latest tick and book are the market. Otherwise (the
first order of an instrument, the feed down) one quote is read from the broker
(`MarketReads.quote`: ICICI's REST quote, best bid and ask only), reused for
`QUOTE_SECONDS`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Protocol

from ..brokers.base import Feed, FeedLevel, SubscriptionRefused
from ..domain.market import DepthLevel, Quote
from ..domain.stream import DepthUpdate, Tick
from .fills import Book

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (symbol, exchange)
LINGER_SECONDS = 300.0
QUOTE_SECONDS = 1.0
STATE_SECONDS = 0.25


class MarketReads(Protocol):
    """The live broker's quote read (`brokers.base.Broker.quote`)."""

    async def quote(self, symbol: str, exchange: str) -> Quote: ...


def quote_book(quote: Quote) -> Book:
    bids = (DepthLevel(quote.bid, quote.bid_quantity),) if quote.bid else ()
    asks = (DepthLevel(quote.ask, quote.ask_quantity),) if quote.ask else ()
    return Book(quote.last_price, bids, asks, depth=False, at=quote.at)


def tick_book(tick: Tick, depth: DepthUpdate | None) -> Book:
    if depth is not None:
        return Book(tick.last_price, depth.bids, depth.asks, depth=True, at=tick.at)
    bids = (DepthLevel(tick.bid, tick.bid_quantity),) if tick.bid else ()
    asks = (DepthLevel(tick.ask, tick.ask_quantity),) if tick.ask else ()
    return Book(tick.last_price, bids, asks, depth=False, at=tick.at)


class Prices:
    def __init__(self, feed: Feed | None = None, market: MarketReads | None = None, *,
                 monotonic: Callable[[], float] = time.monotonic,
                 linger_seconds: float = LINGER_SECONDS) -> None:
        self.feed = feed
        self.market = market
        self.monotonic = monotonic
        self.linger_seconds = linger_seconds
        self._ticks: dict[Key, Tick] = {}
        self._depth: dict[Key, DepthUpdate] = {}
        self._quotes: dict[Key, tuple[float, Quote]] = {}  # read (monotonic), quote
        self._watched: set[Key] = set()
        self._leaving: dict[Key, asyncio.TimerHandle] = {}
        self._connected = False
        self._state_read = -STATE_SECONDS

    # -- what is known ----------------------------------------------------------------

    def book(self, key: Key) -> Book | None:
        """The freshest book: the feed's while it serves the instrument, else the last
        quote read (or given)."""
        tick = self._ticks.get(key)
        if tick is not None and self._live(key):
            return tick_book(tick, self._depth.get(key))
        read = self._quotes.get(key)
        if read is not None:
            return quote_book(read[1])
        if tick is not None:
            return tick_book(tick, self._depth.get(key))
        return None

    def last_price(self, key: Key) -> float | None:
        book = self.book(key)
        return float(book.last_price) if book else None

    def _live(self, key: Key) -> bool:
        """Whether the feed is delivering this instrument now."""
        return self.feed is not None and key in self._watched and self._feed_connected()

    def _feed_connected(self) -> bool:
        """The feed's connection, looked at most every `STATE_SECONDS` (a state costs
        more than a paper order's other reads)."""
        now = self.monotonic()
        if now - self._state_read >= STATE_SECONDS:
            assert self.feed is not None
            self._connected = self.feed.state().connected
            self._state_read = now
        return self._connected

    def _current(self, key: Key) -> bool:
        if key in self._ticks and self._live(key):
            return True
        read = self._quotes.get(key)
        return read is not None and self.monotonic() - read[0] < QUOTE_SECONDS

    async def ensure(self, symbol: str, exchange: str) -> Book | None:
        """A current book for the instrument: the feed's, else one quote read now (or
        within the last second). None when nothing can be known."""
        key = (symbol, exchange)
        if not self._current(key) and self.market is not None:
            quote = await self.market.quote(symbol, exchange)
            self._quotes[key] = (self.monotonic(), quote)
        return self.book(key)

    # -- prices arriving ----------------------------------------------------------------

    def set_quote(self, quote: Quote) -> None:
        """A quote from elsewhere (a test, a REST read): the market until a tick."""
        key = (quote.symbol, quote.exchange)
        self._quotes[key] = (self.monotonic(), quote)
        self._ticks.pop(key, None)

    def on_tick(self, tick: Tick) -> bool:
        """Keep the tick when the instrument is watched; whether it was."""
        key = (tick.symbol, tick.exchange)
        if key not in self._watched:
            return False
        self._ticks[key] = tick
        self._quotes.pop(key, None)
        return True

    def on_depth(self, update: DepthUpdate) -> bool:
        key = (update.symbol, update.exchange)
        if key not in self._watched:
            return False
        self._depth[key] = update
        return True

    # -- watching -------------------------------------------------------------------------

    def watch(self, key: Key) -> None:
        """Subscribe the instrument's quote and depth (once); raises
        `SubscriptionRefused` when the feed cannot take it."""
        handle = self._leaving.pop(key, None)
        if handle is not None:
            handle.cancel()
        if key in self._watched:
            return
        if self.feed is None:  # prices arrive by hand (`on_tick`, `set_quote`)
            self._watched.add(key)
            return
        self.feed.subscribe(*key, FeedLevel.QUOTE)
        try:
            self.feed.subscribe(*key, FeedLevel.DEPTH)
        except SubscriptionRefused as exc:  # the quote alone still gives the best levels
            log.warning("paper broker: no depth for %s %s: %s", *key, exc)
        self._watched.add(key)

    def release(self, key: Key, still_needed: Callable[[], bool]) -> None:
        """The instrument is no longer needed: unsubscribe after the linger, unless
        `still_needed()` says otherwise by then."""
        if key not in self._watched or key in self._leaving:
            return

        def leave() -> None:
            self._leaving.pop(key, None)
            if not still_needed():
                self._unwatch(key)

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            leave()
            return
        self._leaving[key] = loop.call_later(self.linger_seconds, leave)

    def _unwatch(self, key: Key) -> None:
        if key not in self._watched:
            return
        self._watched.discard(key)
        if self.feed is not None:
            self.feed.unsubscribe(*key, FeedLevel.QUOTE)
            self.feed.unsubscribe(*key, FeedLevel.DEPTH)  # a no-op when it was refused
        self._ticks.pop(key, None)
        self._depth.pop(key, None)

    def watched(self) -> set[Key]:
        return set(self._watched)

    def close(self) -> None:
        """Leave everything (at stop and on reset)."""
        for handle in self._leaving.values():
            handle.cancel()
        self._leaving.clear()
        for key in list(self._watched):
            self._unwatch(key)


__all__ = ["LINGER_SECONDS", "QUOTE_SECONDS", "MarketReads", "Prices", "quote_book",
           "tick_book"]
