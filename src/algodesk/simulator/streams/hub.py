"""ICICI's socket.io streams on the simulator's own port (reference §10.1).

ICICI serves ticks/depth (livestream host) and order notifications (livefeeds host)
at the default path `/socket.io`, and OHLCV candles at `/ohlcvstream`. On one loopback
port the first two share a server and tell the roles apart by use: a socket receives
its user's `order` events until it joins a stock token, and from then on the `stock`
events of the tokens it joined.

Frames are computed from the same price process as the REST quotes, at the
simulator's clock, so a tick and a `get_quotes` at the same instant agree.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from ..auth import Gatekeeper
from ..clock import IST, Clock
from ..exchange import Exchange, Order
from ..market import Market, Quote
from . import frames
from .faults import StreamFaults
from .tokens import DEPTH_LEVEL, StreamToken, parse

log = logging.getLogger("algodesk.simulator.streams")

MAX_TOKENS_PER_CONNECTION = 2000  # ICICI's documented cap per connection
MAX_QUEUED_PER_SOCKET = 5000  # ticks waiting for one slow reader before it loses some
ORDERS_ROOM = "__orders__"
_INTERVAL_SECONDS = {"1second": 1, "1minute": 60, "5minute": 300, "30minute": 1800}
_SLICE_SECONDS = 0.005  # longest run of emits between yields to the loop
_SPREAD_SECONDS = 0.002  # a round of ticks goes out in slices this far apart


@dataclass
class _Channel:
    """One socket.io server: its sockets (sid -> session key) and joined tokens."""

    server: socketio.AsyncServer
    ohlcv: bool
    sockets: dict[str, str] = field(default_factory=dict)
    joined: dict[str, set[str]] = field(default_factory=dict)  # sid -> token texts
    members: dict[str, set[str]] = field(default_factory=dict)  # token text -> sids
    tokens: dict[str, StreamToken] = field(default_factory=dict)


class StreamHub:
    """The livestream/livefeeds server, the OHLCV server and their emitters."""

    def __init__(self, *, market: Market, clock: Clock, exchange: Exchange,
                 gate: Gatekeeper, user_id: str, ticks_per_second: float,
                 stamp: bool = False) -> None:
        if not 0 < ticks_per_second <= 1000:
            raise ValueError("ticks_per_second must be in (0, 1000]")
        self.market = market
        self.clock = clock
        self.gate = gate
        self.user_id = user_id
        self.ticks_per_second = ticks_per_second
        self.stamp = stamp  # ticks carry the instant they are written (a bench's probe)
        self.faults = StreamFaults()
        self.live = _Channel(self._server(), ohlcv=False)
        self.candles = _Channel(self._server(), ohlcv=True)
        for channel in (self.live, self.candles):
            self._register(channel)
        self.ticks_sent = 0
        self.ticks_dropped = 0  # not sent: the socket's reader was too far behind
        self.orders_sent = 0
        self.candles_sent = 0
        self.last_round_seconds = 0.0  # how long the last tick round took to emit
        self._quotes: dict[tuple[str, str, int], Quote] = {}  # (exchange, token, second)
        self._frames: dict[tuple[str, int], tuple[list[Any], eio_packet.Packet]] = {}
        self._order_states: dict[str, tuple[Any, ...]] = {}
        self._pending_orders: deque[list[str]] = deque()
        self._order_wakeup = asyncio.Event()
        self._order_sequence = 0
        self._last_candle: dict[tuple[str, str], datetime] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._closing: set[asyncio.Task[None]] = set()
        exchange.listeners.append(self._on_exchange_event)

    @staticmethod
    def _server() -> socketio.AsyncServer:
        # async_handlers=False: a client's join and leave are applied in the order sent.
        return socketio.AsyncServer(async_mode="asgi", async_handlers=False,
                                    logger=False, engineio_logger=False)

    def asgi(self, app: Any) -> socketio.ASGIApp:
        """`app` with the stream servers in front of it at ICICI's socket.io paths."""
        candles = socketio.ASGIApp(self.candles.server, other_asgi_app=app,
                                   socketio_path="ohlcvstream")
        return socketio.ASGIApp(self.live.server, other_asgi_app=candles,
                                socketio_path="socket.io")

    # -- connections ------------------------------------------------------------------

    def _register(self, channel: _Channel) -> None:
        server = channel.server

        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
            if self.faults.refusing_for() > 0:
                raise socketio.exceptions.ConnectionRefusedError(
                    "Connection refused: service temporarily unavailable")
            key = self._authenticate(auth)
            if key is None:
                raise socketio.exceptions.ConnectionRefusedError(
                    "Could not authenticate credentials")
            channel.sockets[sid] = key
            channel.joined[sid] = set()
            if not channel.ohlcv:
                await server.enter_room(sid, ORDERS_ROOM)

        async def disconnect(sid: str, reason: Any = None) -> None:
            self._forget(channel, sid)
            # The SDK's ws_disconnect emits an event named "disconnect" and walks away
            # without closing; like ICICI we end such a socket from our side.
            if server.manager.is_connected(sid, "/"):
                task = asyncio.get_running_loop().create_task(server.disconnect(sid))
                self._closing.add(task)  # held until done: the loop keeps weak references
                task.add_done_callback(self._closing.discard)

        async def join(sid: str, data: Any = None) -> None:
            await self._join(channel, sid, data)

        async def leave(sid: str, data: Any = None) -> None:
            for text in _texts(data):
                self._leave(channel, sid, text)
                await server.leave_room(sid, text)

        server.on("connect", connect)
        server.on("disconnect", disconnect)
        server.on("join", join)
        server.on("leave", leave)

    def _authenticate(self, auth: Any) -> str | None:
        """The session key when `auth` names a live session: ICICI's socket auth is the
        two halves of the decoded session token, `{"user": ..., "token": ...}`."""
        if not isinstance(auth, dict):
            return None
        user, key = str(auth.get("user") or ""), str(auth.get("token") or "")
        session = self.gate.sessions.get(key)
        if session is None or session.user_id != user or user != self.user_id:
            return None
        if self.clock.now() >= session.expires_at:
            return None
        return key

    async def _join(self, channel: _Channel, sid: str, data: Any) -> None:
        mine = channel.joined.get(sid)
        if mine is None:
            return
        for text in _texts(data):
            if text in mine:
                continue
            if len(mine) >= MAX_TOKENS_PER_CONNECTION:
                break  # ICICI's cap; what it answers beyond it is not documented
            token = channel.tokens.get(text) or parse(self.market, text, ohlcv=channel.ohlcv)
            if token is None:
                continue  # unknown tokens are ignored, no error event
            channel.tokens[text] = token
            if not mine and not channel.ohlcv:
                # A socket that joins tokens plays the livestream host, which sends no
                # order events; the SDK listens for `order` on it after a reconnect,
                # and would otherwise see every notification twice.
                await channel.server.leave_room(sid, ORDERS_ROOM)
            mine.add(text)
            channel.members.setdefault(text, set()).add(sid)
            await channel.server.enter_room(sid, text)

    def _leave(self, channel: _Channel, sid: str, text: str) -> None:
        channel.joined.get(sid, set()).discard(text)
        members = channel.members.get(text)
        if members is not None:
            members.discard(sid)
            if not members:
                del channel.members[text]

    def _forget(self, channel: _Channel, sid: str) -> None:
        for text in list(channel.joined.pop(sid, ())):
            self._leave(channel, sid, text)
        channel.sockets.pop(sid, None)

    async def drop_all(self) -> int:
        """Cut every stream socket as a network failure would; the number cut.

        The websocket is closed without socket.io's or engine.io's goodbye packets: a
        clean server disconnect tells a socket.io client not to come back, a cut
        connection makes it reconnect, which is what a dropped feed looks like."""
        dropped = 0
        for channel in (self.live, self.candles):
            server = channel.server
            for sid in list(channel.sockets):
                eio_sid = server.manager.eio_sid_from_sid(sid, "/")
                socket = server.eio.sockets.get(eio_sid) if eio_sid else None
                if socket is None:
                    continue
                await socket.close(wait=False, abort=True,
                                   reason=server.eio.reason.TRANSPORT_CLOSE)
                socket.queue.put_nowait(None)  # ends its writer, which closes the socket
                dropped += 1
        return dropped

    async def _drop_expired(self) -> None:
        """Sockets whose session died (daily expiry, admin expiry) are closed, as a new
        login is needed anyway."""
        now = self.clock.now()
        for channel in (self.live, self.candles):
            for sid, key in list(channel.sockets.items()):
                session = self.gate.sessions.get(key)
                if session is None or now >= session.expires_at:
                    await channel.server.disconnect(sid)

    # -- admin --------------------------------------------------------------------------

    async def admin(self, payload: dict[str, Any]) -> None:
        self.faults.update(payload)
        if payload.get("drop"):
            await self.drop_all()

    def reset(self) -> None:
        self.faults = StreamFaults()

    def state(self) -> dict[str, Any]:
        return {
            **self.faults.as_dict(),
            "ticks_per_second_per_token": self.ticks_per_second,
            "connections": len(self.live.sockets),
            "ohlcv_connections": len(self.candles.sockets),
            "joined_tokens": len(self.live.members),
            "ohlcv_tokens": len(self.candles.members),
            "ticks_sent": self.ticks_sent,
            "ticks_dropped": self.ticks_dropped,
            "orders_sent": self.orders_sent,
            "candles_sent": self.candles_sent,
            "last_round_seconds": round(self.last_round_seconds, 4),
        }

    # -- emitters -----------------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for run in (self._tick_loop, self._prefetch_loop, self._candle_loop,
                    self._order_loop):
            self._tasks.append(loop.create_task(_guarded(run)))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    def _quote(self, token: StreamToken, second: int) -> Quote:
        key = (token.inst.exchange_code, token.inst.token, second)
        quote = self._quotes.get(key)
        if quote is None:
            quote = self._quotes[key] = self.market.quote(token.inst, float(second))
        return quote

    def _packet(self, text: str, token: StreamToken,
                second: int) -> tuple[list[Any], eio_packet.Packet]:
        """The frame and its encoded engine.io packet. The market moves once a second,
        so both are built once per token and second, however high the tick rate."""
        cached = self._frames.get((text, second))
        if cached is not None:
            return cached
        quote = self._quote(token, second)
        built = (frames.depth(token, quote, second) if token.level == DEPTH_LEVEL
                 else frames.tick(token, quote))
        packet: eio_packet.Packet
        if self.stamp and token.level != DEPTH_LEVEL:
            packet = _StampedTick(built)
        else:
            event = sio_packet.Packet(sio_packet.EVENT, namespace="/", data=["stock", built])
            packet = eio_packet.Packet(eio_packet.MESSAGE, event.encode())
        cached = (built, packet)
        self._frames[(text, second)] = cached
        return cached

    def _forget_before(self, second: int) -> None:
        for frame_key in [k for k in self._frames if k[1] < second]:
            del self._frames[frame_key]
        for quote_key in [k for k in self._quotes if k[2] < second]:
            del self._quotes[quote_key]

    async def _prefetch_loop(self) -> None:
        """Builds the next second's frames during this one, in slices, so that the
        round at the turn of a second does not stall on a thousand fresh quotes (they
        cost 0.2-0.5 ms each). The market is a pure function of the second, so a frame
        built early is the frame REST would agree with at that second."""
        while True:
            now = self.clock.now()
            second = math.floor(now)
            self._forget_before(second)
            target = second + 1
            if not self.faults.stalled and self.market.is_open(target):
                slice_began = time.perf_counter()
                for text in list(self.live.members):
                    token = self.live.tokens.get(text)
                    if token is None or (text, target) in self._frames:
                        continue
                    if math.floor(self.clock.now()) >= target:
                        break  # behind: the rounds build what is missing themselves
                    self._packet(text, token, target)
                    if time.perf_counter() - slice_began > _SLICE_SECONDS:
                        await asyncio.sleep(0)
                        slice_began = time.perf_counter()
            now = self.clock.now()
            await asyncio.sleep(max(0.0, math.floor(now) + 1 - now) + 0.001)

    async def _tick_loop(self) -> None:
        """A round gives every joined token a tick; rounds come `ticks_per_second`
        times a second. A round is spread over its period in slices of a few
        milliseconds, as a real feed's ticks flow rather than arrive a thousand at one
        instant (a client's latency would otherwise measure the burst, not itself)."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        checked_second = 0
        while True:
            period = 1.0 / self.ticks_per_second
            due = max(due + period, loop.time() - period)  # never burst to catch up
            await asyncio.sleep(max(0.0, due - loop.time()))
            if self.faults.slow_ms:
                # Slow: at least slow_ms between two rounds, however late the last was.
                await asyncio.sleep(self.faults.slow_ms / 1000)
                due = loop.time()
            now = self.clock.now()
            second = math.floor(now)
            if second != checked_second:
                checked_second = second
                await self._drop_expired()
            if self.faults.stalled or not self.market.is_open(now):
                continue
            round_began = time.perf_counter()
            tokens = list(self.live.members.items())
            slices = max(1, min(len(tokens), round(period / _SPREAD_SECONDS)))
            k = 0
            while k < slices:
                if k:
                    await asyncio.sleep(max(0.0, due + k * period / slices - loop.time()))
                    if self.faults.stalled:
                        break
                upto = slices_due(loop.time() - due, period, slices, k)
                await self._emit(tokens[k * len(tokens) // slices:
                                        upto * len(tokens) // slices])
                k = upto
            self.last_round_seconds = time.perf_counter() - round_began

    async def _emit(self, tokens: list[tuple[str, set[str]]]) -> None:
        """One tick of each token to each of its members, at the simulator's clock."""
        server = self.live.server
        second = math.floor(self.clock.now())
        slice_began = time.perf_counter()
        for text, members in tokens:
            token = self.live.tokens[text]
            # One encoding per token and second, sent as is to each member: what
            # socket.io's room emit does, without a task per recipient.
            packet = self._packet(text, token, second)[1]
            for sid in list(members):
                eio_sid = server.manager.eio_sid_from_sid(sid, "/")
                socket = server.eio.sockets.get(eio_sid) if eio_sid else None
                if socket is None or socket.closed:
                    continue
                if socket.queue.qsize() >= MAX_QUEUED_PER_SOCKET:
                    # A reader this far behind loses ticks, as over a congested
                    # link, instead of growing the simulator's memory without end.
                    self.ticks_dropped += 1
                    continue
                await socket.send(packet)
                self.ticks_sent += 1
            if time.perf_counter() - slice_began > _SLICE_SECONDS:
                # A first quote of an instrument costs milliseconds (its series is
                # built); REST answers must not wait behind a thousand of them.
                await asyncio.sleep(0)
                slice_began = time.perf_counter()

    async def _candle_loop(self) -> None:
        """At each simulated second, the candles that just closed, per interval event."""
        while True:
            now = self.clock.now()
            await asyncio.sleep(max(0.0, math.floor(now) + 1 - now) + 0.01)
            if self.faults.stalled or not self.candles.members:
                continue
            if self.faults.slow_ms:
                await asyncio.sleep(self.faults.slow_ms / 1000)
            second = math.floor(self.clock.now())  # the first second not yet closed
            for text in list(self.candles.members):
                token = self.candles.tokens[text]
                for interval, step in _INTERVAL_SECONDS.items():
                    await self._emit_candle(text, token, interval, step, second)

    async def _emit_candle(self, text: str, token: StreamToken, interval: str, step: int,
                           second: int) -> None:
        start = datetime.fromtimestamp(second - step, IST).replace(tzinfo=None)
        found = self.market.candles(token.inst, interval, start, start, now=second - 1)
        if not found or found[0].start != start:
            return
        if self._last_candle.get((text, interval)) == start:
            return
        self._last_candle[(text, interval)] = start
        event = frames.INTERVAL_EVENTS[interval]
        await self.candles.server.emit(event, frames.ohlcv_line(token.inst, found[0], event),
                                       room=text)
        self.candles_sent += 1

    def _on_exchange_event(self, kind: str, payload: Any) -> None:
        """Called by the exchange, on the loop, at every order change: one notification
        per distinct state (the exchange may report the same state twice)."""
        if kind != "order":
            return
        order: Order = payload
        state = (order.status, order.filled, order.cancelled_quantity,
                 order.modification_number, order.price, order.quantity, order.trigger)
        if self._order_states.get(order.order_id) == state:
            return
        self._order_states[order.order_id] = state
        self._order_sequence += 1
        self._pending_orders.append(frames.order_notification(
            order, self.user_id, self._order_sequence, self.clock.now()))
        self._order_wakeup.set()

    async def _order_loop(self) -> None:
        while True:
            await self._order_wakeup.wait()
            self._order_wakeup.clear()
            if self.faults.slow_ms:
                await asyncio.sleep(self.faults.slow_ms / 1000)
            while self._pending_orders:
                frame = self._pending_orders.popleft()
                if self.faults.stalled:
                    continue  # silence is the fault: what happens meanwhile is lost
                await self.live.server.emit("order", frame, room=ORDERS_ROOM)
                self.orders_sent += 1


class _StampedTick(eio_packet.Packet):
    """A tick whose last-traded-quantity is, in the bytes written, the instant they are
    written (epoch microseconds): the socket's writer encodes each packet just before
    sending it. For benches measuring latency from here to a client downstream; every
    other element, and the array's layout, is the tick's own."""

    def __init__(self, frame: list[Any]) -> None:
        super().__init__(eio_packet.MESSAGE, "")
        slot = 6 if str(frame[0]).startswith("6.") else 10  # MCX's ltq comes earlier
        marked = list(frame)
        marked[slot] = _STAMP_MARK
        # engine.io MESSAGE (4), socket.io EVENT (2) on the default namespace
        text = "42" + json.dumps(["stock", marked], separators=(",", ":"))
        self.head, _, self.tail = text.partition(str(_STAMP_MARK))

    def encode(self, b64: bool = False) -> str:
        return f"{self.head}{time.time_ns() // 1000}{self.tail}"


_STAMP_MARK = 987_654_321_987_654_321  # stands in for the stamp while the frame is encoded


def _texts(data: Any) -> list[str]:
    """`join`/`leave` take one token or a list of them."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, list | tuple):
        return [str(item) for item in data if isinstance(item, str | int)]
    return []


def slices_due(elapsed: float, period: float, slices: int, sent: int) -> int:
    """How many of a round's `slices` should have gone out `elapsed` seconds into its
    `period`, `sent` having gone: at least one more, never more than the round. Every
    slice due goes out at a wake-up: one a wake-up fell behind whenever other work held
    the loop (the next second's frames are built in 5 ms slices), so the round trickled
    out at a third of its rate and burst when that work was done, and a client's
    latency measured the burst."""
    return min(slices, max(sent + 1, math.floor(elapsed * slices / period) + 1))


async def _guarded(run: Callable[[], Any]) -> None:
    """Keep an emitter alive through a bad frame; the fault is logged, not fatal."""
    while True:
        try:
            await run()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("stream emitter failed; restarting it")
            await asyncio.sleep(0.5)
