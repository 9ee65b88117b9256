"""The WebSocket feed server of a running platform, built from its runtime."""

from __future__ import annotations

from ..runtime import Runtime
from ..trading.order_updates import BothVenues
from .server import StreamLimits, StreamServer


def build_stream_server(runtime: Runtime) -> StreamServer | None:
    """The server for `algodesk serve` (None when the runtime has no broker feed). It
    listens on HOST like the web app: loopback unless ALLOW_REMOTE_ACCESS allowed more."""
    if runtime.feed is None:
        return None
    settings = runtime.settings

    def user_name(user_id: int) -> str:
        account = runtime.users.get(user_id)
        return account.username if account is not None else ""

    return StreamServer(
        host=settings.host.strip() or "127.0.0.1", port=settings.websocket_port,
        feed=runtime.feed, keys=runtime.api_keys, key_failures=runtime.apikey_limiter,
        broker=runtime.broker_name, user_name=user_name,
        broker_ready=lambda: runtime.broker.session_started() is not None,
        limits=StreamLimits(max_subscriptions=settings.websocket_max_subscriptions,
                            auth_grace_seconds=settings.websocket_auth_grace_seconds,
                            slow_client_seconds=settings.websocket_slow_client_seconds),
        order_updates=BothVenues(runtime.trading.updates, runtime.paper.updates)
        if settings.order_updates_enabled else None)


__all__ = ["build_stream_server"]
