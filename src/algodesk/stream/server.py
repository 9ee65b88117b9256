"""The OpenAlgo WebSocket feed on WEBSOCKET_PORT (openalgo-api.md §6), a service of
`algodesk serve`.

The `websockets` library does the protocol (framing, the opening and closing handshakes,
ping/pong keepalive every 20 s); this module does OpenAlgo's messages on top of it:

- the first message authenticates with the platform API key (the same check, cache and
  failure limit as the REST API); a connection that has not authenticated after the
  grace period is closed with 4401 "auth timeout";
- subscribe / unsubscribe / unsubscribe_all in the single and batch forms, modes 1/2/3,
  replied to as the reference spells it; a connection may hold at most
  `max_subscriptions` (symbol, exchange, mode) subscriptions;
- market data through `Fanout` into each client's `Outbox`; a client whose writer is
  stuck on one send for `slow_client_seconds` (it stopped reading) is closed with 1008
  and the reason;
- subscribe_orders / unsubscribe_orders: every order change of the account through
  `OrderFanout` (from the order-update hub; none when order updates are turned off).

It speaks the `Feed` protocol and domain types only: nothing here knows Breeze.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from ..access.apikeys import ApiKeyService
from ..access.ratelimit import FailureLimiter
from ..background import stop_tasks
from ..brokers.base import Feed, SubscriptionRefused
from ..instruments.errors import MasterContractUnavailable
from . import protocol as p
from .fanout import Fanout
from .orders import OrderFanout, OrderSubscriber, OrderUpdateSource
from .outbox import Outbox, Overflow

log = logging.getLogger(__name__)
# The library logs every connection opened and closed at INFO: one line per client
# connect is noise in the platform's log; its warnings and errors stay.
_library_log = logging.getLogger("algodesk.stream.websockets")
_library_log.setLevel(logging.WARNING)

AUTH_TIMEOUT_CODE = 4401
TOO_SLOW_CODE = 1008  # policy violation: the client does not read what it asked for
MAX_MESSAGE_BYTES = 256 * 1024  # a batch of a thousand symbols is ~60 KB
SEND_BUFFER_BYTES = 64 * 1024  # kernel buffer per client: the backlog stays conflatable
PING_SECONDS = 20.0  # WS_PING_INTERVAL / WS_PING_TIMEOUT (§6.6)
CLOSE_TIMEOUT_SECONDS = 5.0
CHECK_SECONDS = 1.0


@dataclass(eq=False)
class _Client:
    ws: ServerConnection
    address: str
    outbox: Outbox = field(default_factory=Outbox)
    user_id: int | None = None
    subscriptions: set[tuple[str, str, int]] = field(default_factory=set)
    closing: bool = False


@dataclass(frozen=True, slots=True)
class StreamLimits:
    max_subscriptions: int = 1000
    auth_grace_seconds: float = 15.0
    slow_client_seconds: float = 10.0


class StreamServer:
    """A service: `start()` listens, `stop()` closes every connection and stops."""

    def __init__(self, *, host: str, port: int, feed: Feed, keys: ApiKeyService,
                 key_failures: FailureLimiter, broker: str,
                 user_name: Callable[[int], str], broker_ready: Callable[[], bool],
                 limits: StreamLimits = StreamLimits(),
                 order_updates: OrderUpdateSource | None = None) -> None:
        self.host = host
        self.port = port
        self.feed = feed
        self.keys = keys
        self.key_failures = key_failures
        self.broker = broker
        self.user_name = user_name
        self.broker_ready = broker_ready
        self.limits = limits
        self.order_updates = order_updates
        self.fanout: Fanout | None = None
        self.order_fanout: OrderFanout | None = None
        self.clients: set[_Client] = set()
        self._server: Server | None = None
        self._watch: asyncio.Task[None] | None = None
        self.closed_slow = 0

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        try:
            self._server = await serve(
                self._handle, self.host, self.port, compression=None,
                max_size=MAX_MESSAGE_BYTES, ping_interval=PING_SECONDS,
                ping_timeout=PING_SECONDS, close_timeout=CLOSE_TIMEOUT_SECONDS,
                server_header=None, logger=_library_log)
        except OSError as exc:
            raise OSError(exc.errno, f"the WebSocket feed cannot listen on {self.host}:"
                                     f"{self.port} ({exc.strerror}); set WEBSOCKET_PORT to a "
                                     "free port") from None
        self.fanout = Fanout(self.feed, self.broker)
        if self.order_updates is not None:
            self.order_fanout = OrderFanout(self.order_updates, self.broker, self.user_name,
                                            self._too_slow)
        self._watch = asyncio.get_running_loop().create_task(self._watch_slow(),
                                                             name="stream-slow-clients")
        log.info("OpenAlgo WebSocket feed on ws://%s:%d", self.host, self.port)

    async def stop(self) -> None:
        if self._watch is not None:
            await stop_tasks(self._watch)
            self._watch = None
        if self._server is not None:
            self._server.close(close_connections=True)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS + 1):
                    await self._server.wait_closed()
            self._server = None
        if self.fanout is not None:
            self.fanout.close()
            self.fanout = None
        if self.order_fanout is not None:
            self.order_fanout.close()
            self.order_fanout = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"ws://{host}:{self.port}"

    # -- one connection -------------------------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        _shrink_send_buffer(ws)
        peer = ws.remote_address
        client = _Client(ws, str(peer[0]) if peer else "unknown")
        self.clients.add(client)
        writer = asyncio.get_running_loop().create_task(self._write(client))
        grace = asyncio.get_running_loop().call_later(
            self.limits.auth_grace_seconds, self._auth_timeout, client)
        try:
            async for text in ws:
                try:
                    await self._on_message(client, text)
                except Overflow as exc:
                    self._close(client, TOO_SLOW_CODE, f"client too slow: {exc}")
                    break
                if client.user_id is not None:
                    grace.cancel()
        except ConnectionClosed:
            pass
        finally:
            grace.cancel()
            self._forget(client)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await writer
            self.clients.discard(client)

    async def _write(self, client: _Client) -> None:
        outbox = client.outbox
        while True:
            text = await outbox.next()
            outbox.sending()
            try:
                await client.ws.send(text)
            except ConnectionClosed:
                return
            outbox.done_sending()

    def _auth_timeout(self, client: _Client) -> None:
        if client.user_id is None:
            self._close(client, AUTH_TIMEOUT_CODE, "auth timeout")

    def _close(self, client: _Client, code: int, reason: str) -> None:
        if client.closing:
            return
        client.closing = True
        task = asyncio.get_running_loop().create_task(client.ws.close(code, reason))
        task.add_done_callback(lambda done: done.exception() if not done.cancelled() else None)

    def _too_slow(self, who: OrderSubscriber, reason: str) -> None:
        """A client let too many order updates pile up."""
        if isinstance(who, _Client) and not who.closing:
            self.closed_slow += 1
            log.warning("WebSocket client %s closed: %s", who.address, reason)
            self._close(who, TOO_SLOW_CODE, reason)

    def _forget(self, client: _Client) -> None:
        if self.order_fanout is not None:
            self.order_fanout.remove(client)
        if self.fanout is not None:
            for symbol, exchange, mode in list(client.subscriptions):
                self.fanout.remove(client, symbol, exchange, mode)
        client.subscriptions.clear()

    async def _watch_slow(self) -> None:
        """Close clients that stopped reading: their writer has waited on one send for
        `slow_client_seconds` (the socket's buffers are full)."""
        while True:
            await asyncio.sleep(CHECK_SECONDS)
            now = time.monotonic()
            for client in list(self.clients):
                stuck = client.outbox.stuck_for(now)
                if stuck > self.limits.slow_client_seconds and not client.closing:
                    self.closed_slow += 1
                    reason = (f"client too slow: nothing read for {stuck:.0f} s, "
                              f"{len(client.outbox)} frames waiting")
                    log.warning("WebSocket client %s closed: %s", client.address, reason)
                    self._close(client, TOO_SLOW_CODE, reason)

    # -- messages ---------------------------------------------------------------------------

    def _reply(self, client: _Client, reply: dict[str, Any],
               message: dict[str, Any] | None) -> None:
        client.outbox.reply(p.encode(p.with_request_id(reply, message)))

    async def _on_message(self, client: _Client, text: str | bytes) -> None:
        message: dict[str, Any] | None = None
        try:
            message = p.read(text)
            action = p.action(message)
            if action not in p.OPEN_ACTIONS and client.user_id is None:
                raise p.ProtocolError(p.NOT_AUTHENTICATED, "You must authenticate first")
            await self._dispatch(client, action, message)
        except p.ProtocolError as exc:
            self._reply(client, p.error(exc.code, exc.message), message)

    async def _dispatch(self, client: _Client, action: str, message: dict[str, Any]) -> None:
        if action in ("authenticate", "auth"):
            await self._authenticate(client, message)
        elif action == "subscribe":
            self._subscribe(client, message)
        elif action == "unsubscribe":
            self._unsubscribe(client, p.items(message, unsubscribe=True), message)
        elif action == "unsubscribe_all":
            self._unsubscribe(client, None, message)
        elif action in ("subscribe_orders", "unsubscribe_orders"):
            self._orders(client, action, message)
        elif action == "ping":
            self._reply(client, p.pong(message, int(time.time() * 1000)), message)
        elif action == "get_broker_info":
            self._reply(client, p.broker_info(self.broker, self.feed.state().status,
                                              self._user(client)), message)
        elif action == "get_supported_brokers":
            self._reply(client, p.supported_brokers(self.broker), message)
        else:
            raise p.ProtocolError(p.INVALID_ACTION, f"Unsupported action: {action}")

    def _user(self, client: _Client) -> str:
        return self.user_name(client.user_id) if client.user_id is not None else ""

    async def _authenticate(self, client: _Client, message: dict[str, Any]) -> None:
        key = p.api_key(message)
        if not key or len(key) > 256:
            raise p.ProtocolError(p.AUTHENTICATION_ERROR, "Invalid API key")
        user_id = self.keys.verify_cached(key)
        if user_id is None:
            wait = self.key_failures.retry_after(client.address)
            if wait > 0:
                raise p.ProtocolError(p.AUTHENTICATION_ERROR,
                                      "Too many invalid API keys from this address; try "
                                      f"again in {math.ceil(wait)} s")
            if not self.keys.known_wrong(key):
                user_id = await asyncio.to_thread(self.keys.verify_slow, key)
            if user_id is None:
                self.key_failures.failed(client.address)
                raise p.ProtocolError(p.AUTHENTICATION_ERROR, "Invalid API key")
        client.user_id = user_id
        self._reply(client, p.auth_success(self.broker, self._user(client)), message)

    def _subscribe(self, client: _Client, message: dict[str, Any]) -> None:
        assert self.fanout is not None
        results: list[dict[str, Any]] = []
        for item in p.items(message):
            key = (item.symbol, item.exchange, item.mode)
            if item.mode == 3 and item.depth != p.DEPTH_LEVELS:
                results.append(p.failed(item, f"depth level {item.depth} is not supported: "
                                              f"the broker streams {p.DEPTH_LEVELS} levels "
                                              f"({p.UNSUPPORTED_DEPTH_LEVEL})", self.broker))
                continue
            if key in client.subscriptions:
                results.append(p.subscribed(item, self.broker))
                continue
            if len(client.subscriptions) >= self.limits.max_subscriptions:
                results.append(p.failed(
                    item, f"subscription limit reached: at most "
                          f"{self.limits.max_subscriptions} per connection; unsubscribe some "
                          "first", self.broker))
                continue
            try:
                self.fanout.add(client, item.symbol, item.exchange, item.mode)
            except (SubscriptionRefused, MasterContractUnavailable) as exc:
                results.append(p.failed(item, str(exc), self.broker))
                continue
            client.subscriptions.add(key)
            results.append(p.subscribed(item, self.broker))
        note = "" if self.broker_ready() else \
            "data starts once the broker is logged in"
        self._reply(client, p.subscribe_reply(results, self.broker, note), message)

    def _orders(self, client: _Client, action: str, message: dict[str, Any]) -> None:
        """subscribe_orders / unsubscribe_orders: both idempotent."""
        if self.order_fanout is None:
            self._reply(client, p.orders_disabled(action), message)
        elif action == "subscribe_orders":
            self.order_fanout.add(client)
            self._reply(client, p.orders_subscribed(), message)
        else:
            self.order_fanout.remove(client)
            self._reply(client, p.orders_unsubscribed(), message)

    def _unsubscribe(self, client: _Client, items: list[p.Item] | None,
                     message: dict[str, Any]) -> None:
        assert self.fanout is not None
        everything = items is None
        if items is None:
            items = [p.Item(symbol, exchange, mode)
                     for symbol, exchange, mode in sorted(client.subscriptions)]
        successful: list[dict[str, Any]] = []
        failures: list[dict[str, Any]] = []
        for item in items:
            key = (item.symbol, item.exchange, item.mode)
            if key not in client.subscriptions:
                failures.append(p.failed(item, f"not subscribed in mode {item.mode}",
                                         self.broker))
                continue
            self.fanout.remove(client, item.symbol, item.exchange, item.mode)
            client.subscriptions.discard(key)
            successful.append(p.unsubscribed(item, self.broker))
        self._reply(client, p.unsubscribe_reply(successful, failures, self.broker,
                                                everything=everything), message)


def _shrink_send_buffer(ws: ServerConnection) -> None:
    """A small kernel send buffer per client, so a backlog waits in its outbox (where a
    newer tick replaces an older one) and not megabytes deep in the kernel, where it
    cannot be conflated and hides a client that stopped reading."""
    sock = ws.transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)


__all__ = ["StreamLimits", "StreamServer"]
