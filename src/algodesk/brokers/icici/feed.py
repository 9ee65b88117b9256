"""`IciciFeed`: the `Feed` protocol over ICICI's socket.io streams (breeze-api.md §10).

One socket.io connection per Breeze stream: livestream for ticks and depth (joined to the
union of what the feed's users want), livefeeds for order notifications (connected while
anyone watches orders). Each connection is owned by one task that connects with the live
session's credentials, joins, and on any loss connects again with backoff and joins
everything again. A fresh `AsyncClient` every time: the SDK's own reconnect is where
"already connected" comes from.

The session is read at every connection and compared every second: after the daily
expiry the feed disconnects and waits; after the next login it connects with the new
session, never the dead one. A connection that stays silent while instruments are
joined is dropped by the watchdog and made again, during market hours only (outside
them silence is normal). While the stream is down, the subscribed instruments are
served by REST quotes (`feed_fallback.py`), marked as such.

Ticks of an instrument reach the listeners once each and in order: a tick that stands
before the last one delivered (exchange time, then volume) or repeats it exactly is
dropped, whatever a reconnect replays.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import socketio

from ...domain.market import Quote
from ...domain.stream import DepthUpdate, OrderEvent, Tick
from ..base import FeedLevel, FeedListener, FeedState, SubscriptionRefused
from .budget import CallBudget
from .feed_fallback import QuoteFallback
from .formats import IST
from .stream_parsing import (
    Layout,
    StreamFormatError,
    TickOrder,
    is_newer,
    is_order_notification,
    layout,
    order_event,
    parse_depth,
    parse_order_notification,
    parse_tick,
    tick_order,
)

log = logging.getLogger(__name__)

MAX_TOKENS_PER_CONNECTION = 2000  # ICICI's documented cap per socket
CONNECT_TIMEOUT_SECONDS = 5.0
CHECK_SECONDS = 1.0  # how often a connection's task looks at the session and the watchdog
_RATE_WINDOW_SECONDS = 5


@dataclass(frozen=True, slots=True)
class StreamCredentials:
    """The socket auth: the two halves of the decoded session token (§10.1)."""

    user_id: str
    session_key: str = field(repr=False)


class StreamContracts(Protocol):
    """What the feed needs of the symbol index."""

    def get(self, symbol: str, exchange: str) -> Any: ...

    def by_breeze(self, stock_code: str, exchange_code: str, product: str,
                  expiry: Any = None, strike: Any = None, right: str | None = None) -> Any: ...


@dataclass(frozen=True, slots=True)
class FeedTimings:
    """Backoff and watchdog: seconds. The watchdog doubles its patience after each silent
    connection it dropped (up to `watchdog_max_seconds`): a market that is shut is quiet
    too, and must not cost a reconnect every half minute all night."""

    backoff_seconds: float = 0.5
    backoff_max_seconds: float = 10.0
    watchdog_seconds: float = 30.0
    watchdog_max_seconds: float = 480.0
    # REST quotes while the stream has brought nothing this long (see feed_fallback.py),
    # one every so many seconds at most.
    fallback_after_seconds: float = 10.0
    fallback_seconds: float = 2.0


class IciciFeed:
    """The live feed of one ICICI account."""

    def __init__(self, *, livestream_url: str, livefeeds_url: str,
                 credentials: Callable[[], StreamCredentials | None],
                 contracts: Callable[[], StreamContracts], name: str = "icici",
                 timings: FeedTimings = FeedTimings(),
                 quotes: Callable[[str, str], Awaitable[Quote]] | None = None,
                 budget: CallBudget | None = None,
                 market_open: Callable[[Iterable[str]], bool] | None = None) -> None:
        """`quotes` (a REST quote by symbol and exchange) turns the REST fallback on;
        `budget` paces it. `market_open` says whether any of the given exchanges is in
        session now (the platform's calendar); without it the market never closes."""
        self.name = name
        self._credentials = credentials
        self._contracts = contracts
        self.timings = timings
        self._listeners: list[FeedListener] = []
        # (symbol, exchange, level) -> (stream token, how many want it)
        self._wants: dict[tuple[str, str, FeedLevel], tuple[str, int]] = {}
        # stream token -> the instruments wanting it, and whether each is a derivative:
        # NSE cash and NFO share prefix 4, so one token can stand for two instruments.
        self._tokens: dict[str, dict[tuple[str, str], bool]] = {}
        self._order_watchers = 0
        self._market_open = market_open
        # The order and frame of the last tick delivered per instrument (frame None: it
        # was a polled REST quote).
        self._last_tick: dict[tuple[str, str], tuple[TickOrder, list[Any] | None]] = {}
        self._last_depth: dict[tuple[str, str], tuple[TickOrder, list[Any] | None]] = {}
        self._wanted_since = 0.0  # when the first of the current subscriptions came
        self._delivered: deque[tuple[int, int]] = deque()  # (second, ticks) for the rate
        self._last_tick_at: float | None = None
        self.bad_frames = 0
        self.dropped_repeats = 0
        self.ticks = _Link(self, "livestream", livestream_url, watched=True)
        self.orders = _Link(self, "livefeeds", livefeeds_url, watched=False)
        self.ticks.client_events = {"stock": self._on_stock}
        self.orders.client_events = {"order": self._on_order}
        self.fallback = None if quotes is None else QuoteFallback(
            read=quotes, wanted=self.polled_instruments, quiet_for=self.stream_quiet_for,
            session_live=self._session_live, deliver=self.deliver_polled,
            budget=budget, after_seconds=timings.fallback_after_seconds,
            every_seconds=timings.fallback_seconds)

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        self.ticks.start()
        self.orders.start()
        if self.fallback is not None:
            self.fallback.start()

    async def stop(self) -> None:
        if self.fallback is not None:
            await self.fallback.stop()
        await self.ticks.stop()
        await self.orders.stop()

    # -- the Feed protocol -------------------------------------------------------------------

    def add_listener(self, listener: FeedListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: FeedListener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def subscribe(self, symbol: str, exchange: str, level: FeedLevel) -> None:
        key = (symbol, exchange, level)
        wanted = self._wants.get(key)
        if wanted is not None:
            self._wants[key] = (wanted[0], wanted[1] + 1)
            return
        inst = self._contracts().get(symbol, exchange)
        if inst is None:
            raise SubscriptionRefused(f"{symbol} is not an instrument of {exchange}")
        text = inst.depth_token if level is FeedLevel.DEPTH else inst.stream_token
        if text not in self._tokens and len(self._tokens) >= MAX_TOKENS_PER_CONNECTION:
            raise SubscriptionRefused(
                f"the broker's feed carries at most {MAX_TOKENS_PER_CONNECTION} "
                "instruments and levels at once; unsubscribe some first")
        if not self._tokens:
            self._wanted_since = time.monotonic()
        self._tokens.setdefault(text, {})[(symbol, exchange)] = bool(inst.is_derivative)
        self._wants[key] = (text, 1)
        self.ticks.changed()

    def unsubscribe(self, symbol: str, exchange: str, level: FeedLevel) -> None:
        key = (symbol, exchange, level)
        wanted = self._wants.get(key)
        if wanted is None:
            return
        text, count = wanted
        if count > 1:
            self._wants[key] = (text, count - 1)
            return
        del self._wants[key]
        # One level of one instrument is one token: nothing else of it wants this one.
        wanting = self._tokens[text]
        wanting.pop((symbol, exchange), None)
        if not wanting:
            del self._tokens[text]
        self.ticks.changed()

    def watch_orders(self) -> None:
        self._order_watchers += 1
        self.orders.changed()

    def unwatch_orders(self) -> None:
        self._order_watchers = max(0, self._order_watchers - 1)
        self.orders.changed()

    def state(self) -> FeedState:
        link = self.ticks
        now = time.monotonic()
        self._roll_rate(int(now))
        counted = sum(n for second, n in self._delivered if second < int(now))
        return FeedState(
            status=link.status, detail=link.detail, connected=link.connected,
            subscriptions=len(self._tokens),
            ticks_per_second=round(counted / _RATE_WINDOW_SECONDS, 1),
            last_tick_age=None if self._last_tick_at is None
            else round(now - self._last_tick_at, 3),
            reconnects=link.reconnects_today(), stalls=link.stalls_today(),
            fallback=self.fallback is not None and self.fallback.active,
            polled_today=self.fallback.polled_today() if self.fallback is not None else 0)

    # -- what the links ask ----------------------------------------------------------------

    def wanted_tokens(self) -> set[str]:
        return set(self._tokens)

    def watching_orders(self) -> bool:
        return self._order_watchers > 0

    def credentials(self) -> StreamCredentials | None:
        return self._credentials()

    def _session_live(self) -> bool:
        """A broker session the tick stream has seen too: right after a login the
        stream connects first (the wait for the login is no silence of the stream's)."""
        return self.ticks.status != "waiting" and self.credentials() is not None

    def in_session(self) -> bool:
        """Whether the market of some subscribed instrument is open now: silence from
        the tick stream only means something then."""
        if self._market_open is None:
            return True
        return self._market_open({exchange for wanting in self._tokens.values()
                                  for _symbol, exchange in wanting})

    # -- what the REST fallback asks --------------------------------------------------------

    def polled_instruments(self) -> list[tuple[str, str]]:
        """Every instrument subscribed at the quote level (a REST quote serves it)."""
        return [(symbol, exchange) for symbol, exchange, level in self._wants
                if level is FeedLevel.QUOTE]

    def stream_quiet_for(self) -> float:
        """Seconds the tick stream has brought nothing it should have: since its last
        data, its last (re)connection, the first of the subscriptions or the last moment
        without a broker session, the latest; 0 while the market is shut (no ticks are
        due)."""
        if not self.in_session():
            return 0.0
        link = self.ticks
        return time.monotonic() - max(link.data_at, link.connected_since, link.waited_at,
                                      self._wanted_since)

    def deliver_polled(self, tick: Tick) -> bool:
        """A REST quote's tick, delivered when it comes after the last tick of its
        instrument; the same trade the stream already brought is no news."""
        key = (tick.symbol, tick.exchange)
        if (tick.symbol, tick.exchange, FeedLevel.QUOTE) not in self._wants:
            return False  # unsubscribed while the quote was read
        order = TickOrder(int(tick.at.timestamp()), tick.volume)
        last = self._last_tick.get(key)
        # Strictly later than what was delivered: a REST quote of the trade the stream
        # (or an earlier quote) already brought is no news.
        if last is not None and (order.ltt, order.volume) <= (last[0].ltt, last[0].volume):
            self.dropped_repeats += 1
            return False
        self._last_tick[key] = (order, None)
        self._notify(tick)
        return True

    def order_events_since(self) -> float | None:
        """Since when (monotonic) order notifications have arrived without a break: the
        order stream's connection time; None while it is not connected. A list read
        after that instant and before a loss misses no change the broker notified."""
        return self.orders.connected_since if self.orders.connected else None

    # -- deliveries -------------------------------------------------------------------------

    def _on_stock(self, frame: Any) -> None:
        self.ticks.heard()
        kind = layout(frame)
        if kind is None:
            return
        wanting = self._tokens.get(frame[0])
        if wanting is None:
            return  # left since; the broker's leave and its last ticks crossed
        try:
            if kind is Layout.DEPTH:
                if len(wanting) == 1:  # a book cannot tell NSE cash from NFO
                    symbol, exchange = next(iter(wanting))
                    if self._fresh(self._last_depth, (symbol, exchange), frame, kind):
                        self._deliver_depth(parse_depth(frame, symbol, exchange))
                return
            derivative = kind is Layout.DERIVATIVE
            for (symbol, exchange), is_derivative in wanting.items():
                if kind is not Layout.MCX and is_derivative != derivative:
                    continue
                # An MCX quote carries five levels too; the book comes from the depth
                # token as for every exchange, so one source orders it.
                if self._fresh(self._last_tick, (symbol, exchange), frame, kind):
                    self._deliver_tick(parse_tick(frame, kind, symbol, exchange))
        except StreamFormatError as exc:
            self._bad_frame(exc)

    def _fresh(self, last: dict[tuple[str, str], tuple[TickOrder, list[Any] | None]],
               key: tuple[str, str], frame: list[Any], kind: Layout) -> bool:
        """Whether this frame comes after the last one delivered for the instrument
        (and, if so, it becomes the last one)."""
        order = tick_order(frame, kind)
        if not is_newer(order, frame, last.get(key)):
            self.dropped_repeats += 1
            return False
        last[key] = (order, frame)
        return True

    def _deliver_tick(self, tick: Tick) -> None:
        """A streamed tick: counted for the feed's state, then to the listeners."""
        now = time.monotonic()
        self._last_tick_at = now
        second = int(now)
        if self._delivered and self._delivered[-1][0] == second:
            self._delivered[-1] = (second, self._delivered[-1][1] + 1)
        else:
            self._delivered.append((second, 1))
            self._roll_rate(second)
        self._notify(tick)

    def _notify(self, tick: Tick) -> None:
        for listener in list(self._listeners):
            try:
                listener.on_tick(tick)
            except Exception:
                log.exception("a feed listener failed on a tick of %s", tick.symbol)

    def _deliver_depth(self, update: DepthUpdate) -> None:
        for listener in list(self._listeners):
            try:
                listener.on_depth(update)
            except Exception:
                log.exception("a feed listener failed on depth of %s", update.symbol)

    def _roll_rate(self, second: int) -> None:
        while self._delivered and self._delivered[0][0] < second - _RATE_WINDOW_SECONDS:
            self._delivered.popleft()

    def _on_order(self, frame: Any) -> None:
        self.orders.heard()
        if not is_order_notification(frame):
            return
        try:
            notice = parse_order_notification(frame)
        except StreamFormatError as exc:
            self._bad_frame(exc)
            return
        if notice is None:
            return
        inst = self._contracts().by_breeze(notice.stock_code, notice.exchange_code,
                                           notice.product, notice.expiry or None,
                                           notice.strike, notice.right or None)
        # Unknown to the master: the broker's names, as the order book shows the order.
        symbol, exchange = (inst.symbol, str(inst.exchange)) if inst is not None else (
            notice.stock_code, notice.exchange_code)
        event: OrderEvent = order_event(notice, symbol, exchange)
        for listener in list(self._listeners):
            try:
                listener.on_order(event)
            except Exception:
                log.exception("a feed listener failed on order %s", event.order_id)

    def _bad_frame(self, exc: Exception) -> None:
        self.bad_frames += 1
        if self.bad_frames == 1 or self.bad_frames % 1000 == 0:
            log.warning("feed: unreadable frame (%d so far): %s", self.bad_frames, exc)


class _Link:
    """One socket.io connection to one Breeze stream, kept up by one task."""

    def __init__(self, feed: IciciFeed, name: str, url: str, *, watched: bool) -> None:
        self.feed = feed
        self.name = name
        self.url = url
        self.watched = watched  # tick stream: joins tokens, and the watchdog looks at it
        self.client_events: dict[str, Callable[[Any], None]] = {}
        self.status = "idle"
        self.detail = self._idle_detail()
        self.connected = False
        self.connected_since = 0.0  # monotonic time of the current (or last) connection
        self._task: asyncio.Task[None] | None = None
        self._wakeup = asyncio.Event()
        self._last_heard = 0.0
        self.data_at = 0.0  # monotonic time of the last data, over every connection
        self.waited_at = 0.0  # of the last check that found no broker session
        self._day = _ist_day()
        self._reconnects = 0
        self._stalls = 0

    # -- what the feed tells it ------------------------------------------------------------

    def changed(self) -> None:
        self._wakeup.set()

    def heard(self) -> None:
        self._last_heard = self.data_at = time.monotonic()

    def reconnects_today(self) -> int:
        self._roll_day()
        return self._reconnects

    def stalls_today(self) -> int:
        self._roll_day()
        return self._stalls

    def _roll_day(self) -> None:
        today = _ist_day()
        if today != self._day:
            self._day, self._reconnects, self._stalls = today, 0, 0

    # -- the task ---------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(),
                                                            name=f"feed-{self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _idle_detail(self) -> str:
        return "nothing subscribed" if self.watched else "nobody watches orders"

    def _needed(self) -> bool:
        return bool(self.feed.wanted_tokens()) if self.watched else self.feed.watching_orders()

    def _set(self, status: str, detail: str) -> None:
        if (status, detail) != (self.status, self.detail):
            level = logging.WARNING if status == "reconnecting" else logging.INFO
            log.log(level, "feed %s: %s (%s)", self.name, status, detail)
        self.status, self.detail = status, detail

    async def _wait(self, seconds: float) -> None:
        """Sleep up to `seconds`, waking early when the subscriptions change."""
        self._wakeup.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), seconds)

    async def _run(self) -> None:
        failures = 0  # connections in a row that failed or were lost
        silent_drops = 0  # connections in a row the watchdog dropped
        while True:
            if not self._needed():
                self._set("idle", self._idle_detail())
                await self._wait(60.0)
                continue
            credentials = self.feed.credentials()
            if credentials is None:
                self._set("waiting", "no broker session: log in to the broker")
                await self._wait(CHECK_SECONDS)
                self.waited_at = time.monotonic()
                continue
            if not failures:
                self._set("connecting", f"to {self.url}")
            try:
                outcome = await self._session(credentials, silent_drops, again=failures > 0)
            except Exception as exc:  # a bug or a library surprise must not end the feed
                log.exception("feed %s: the connection failed unexpectedly", self.name)
                outcome = _Outcome(reason=f"unexpected error: {exc}")
            silent_drops = silent_drops + 1 if outcome.stalled else (
                0 if outcome.heard else silent_drops)
            if outcome.planned:
                failures = 0
                continue  # nothing wanted any more, or a new session to connect with
            failures = 1 if outcome.connected else failures + 1
            delay = min(self.feed.timings.backoff_max_seconds,
                        self.feed.timings.backoff_seconds * 2 ** (failures - 1))
            delay *= random.uniform(0.8, 1.2)
            self._set("reconnecting", f"in {delay:.1f} s: {outcome.reason}")
            await self._wait_out(delay)

    async def _wait_out(self, seconds: float) -> None:
        """Sleep the backoff through, unless nothing is wanted any more."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0 and self._needed():
            await self._wait(left)

    async def _session(self, credentials: StreamCredentials, silent_drops: int, *,
                       again: bool) -> _Outcome:
        """One connection, from connect to its end; says how it ended."""
        outcome = _Outcome()
        client = socketio.AsyncClient(reconnection=False, handle_sigint=False, logger=False,
                                      engineio_logger=False)
        lost = asyncio.Event()
        refusal: list[str] = []

        async def on_disconnect(reason: Any = None) -> None:
            lost.set()

        async def on_connect_error(data: Any = None) -> None:
            message = data.get("message") if isinstance(data, dict) else data
            refusal.append(str(message or "refused"))

        client.on("disconnect", on_disconnect)
        client.on("connect_error", on_connect_error)
        for event, handler in self.client_events.items():
            client.on(event, handler)
        try:
            try:
                await client.connect(
                    self.url, auth={"user": credentials.user_id, "token": credentials.session_key},
                    transports=["websocket"], socketio_path="socket.io",
                    wait_timeout=CONNECT_TIMEOUT_SECONDS)
            except (socketio.exceptions.ConnectionError, OSError, TimeoutError) as exc:
                outcome.reason = refusal[0] if refusal else (str(exc) or type(exc).__name__)
                return outcome
            self.connected_since = time.monotonic()
            outcome.connected = self.connected = True
            if again:
                self._roll_day()
                self._reconnects += 1
            self._set("connected", self.url)
            await self._serve(client, credentials, lost, outcome, silent_drops)
            return outcome
        finally:
            self.connected = False
            with contextlib.suppress(Exception):
                await client.shutdown()
            with contextlib.suppress(Exception):
                await client.eio.disconnect(abort=True)  # also closes its HTTP session

    async def _serve(self, client: socketio.AsyncClient, credentials: StreamCredentials,
                     lost: asyncio.Event, outcome: _Outcome, silent_drops: int) -> None:
        """Keep the joins equal to what is wanted until the connection must end."""
        joined: set[str] = set()
        timings = self.feed.timings
        patience = min(timings.watchdog_max_seconds,
                       timings.watchdog_seconds * 2 ** silent_drops)
        quiet_since = time.monotonic()
        self._last_heard = 0.0
        while True:
            if lost.is_set() or not client.connected:
                outcome.reason = "the broker closed the connection"
                return
            if not self._needed():
                outcome.planned = True
                return
            if self.feed.credentials() != credentials:
                log.info("feed %s: the broker session changed; connecting with the new one",
                         self.name)
                outcome.planned = True
                return
            if self.watched:
                wanted = self.feed.wanted_tokens()
                add, drop = sorted(wanted - joined), sorted(joined - wanted)
                try:
                    if add:
                        await client.emit("join", add)
                        joined.update(add)
                        quiet_since = time.monotonic()
                    if drop:
                        await client.emit("leave", drop)
                        joined.difference_update(drop)
                except socketio.exceptions.SocketIOError:
                    outcome.reason = "the connection was lost while joining"
                    return
                heard = self._last_heard
                outcome.heard = outcome.heard or heard > 0
                if not self.feed.in_session():
                    quiet_since = time.monotonic()  # a shut market is silent: not a stall
                if joined and time.monotonic() - max(heard, quiet_since) > patience:
                    self._roll_day()
                    self._stalls += 1
                    outcome.stalled = True
                    outcome.reason = f"no data for {patience:.0f} s while subscribed"
                    log.warning("feed %s: connected but silent for %.0f s; reconnecting",
                                self.name, patience)
                    return
            await _either(lost, self._wakeup, CHECK_SECONDS)
            self._wakeup.clear()


@dataclass(slots=True)
class _Outcome:
    connected: bool = False
    heard: bool = False  # data arrived on it
    stalled: bool = False  # the watchdog ended it
    planned: bool = False  # ended on purpose: nothing wanted, or a new session
    reason: str = ""


async def _either(first: asyncio.Event, second: asyncio.Event, seconds: float) -> None:
    """Until one of the events is set, or `seconds` pass."""
    if first.is_set() or second.is_set():
        return
    waiters = [asyncio.ensure_future(first.wait()), asyncio.ensure_future(second.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def _ist_day() -> dt.date:
    return dt.datetime.now(IST).date()


__all__ = ["FeedTimings", "IciciFeed", "StreamContracts", "StreamCredentials"]
