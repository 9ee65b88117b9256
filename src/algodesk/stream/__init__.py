"""The OpenAlgo WebSocket feed (openalgo-api.md §6): a server on WEBSOCKET_PORT that
fans the broker feed out to clients. Broker-neutral: it speaks `brokers.base.Feed` and
domain types."""

from __future__ import annotations

from .server import StreamLimits, StreamServer
from .wiring import build_stream_server

__all__ = ["StreamLimits", "StreamServer", "build_stream_server"]
