"""`bench_feed.py --stalls FILE`: the platform process records what holds its event loop
up, and writes FILE (JSON) when it ends. Python imports `sitecustomize` at start-up from
this folder, put on the platform's PYTHONPATH by the bench only.

- a heartbeat task on the loop (sleeps 1 ms): each wake-up later than 5 ms past its due
  time is a stall (when it ended, how long);
- a watcher thread: while the heartbeat is more than 10 ms late it samples the main
  thread's stack every 2 ms (what the loop is busy with, or the selector it waits in);
- `gc.callbacks`: each collection's generation, start and duration;
- the stamp's age (the bench's simulator writes its write instant into each tick's
  last traded quantity) where the tick reaches the feed's listeners and where a frame's
  send to a client returns.
"""

from __future__ import annotations

import asyncio
import atexit
import gc
import json
import os
import sys
import threading
import time
import traceback

_OUT = os.environ.get("ALGODESK_STALLS_OUT")
if _OUT:
    _beat = {"at": time.perf_counter()}
    _stalls: list[tuple[float, float]] = []  # (ended at, late by) seconds
    _samples: list[tuple[float, str]] = []  # (at, the main thread's stack)
    _collections: list[tuple[int, float, float, int]] = []  # (generation, at, seconds, objects)
    _gc_began: list[float] = [0.0]
    _main = threading.main_thread().ident
    _arrived: list[tuple[float, int]] = []  # (at, µs since the simulator wrote it)
    _sent: list[tuple[float, int]] = []
    # socket reads from the simulator: (at, bytes, oldest and newest stamp's age µs)
    _reads: list[tuple[float, int, int, int]] = []
    _engineio: list[tuple[float, int]] = []  # engine.io packets as they are handled

    def _on_gc(phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            _gc_began[0] = now
        else:
            _collections.append((info["generation"], _gc_began[0], now - _gc_began[0],
                                 info.get("collected", 0)))

    gc.callbacks.append(_on_gc)

    async def _heartbeat() -> None:
        while True:
            due = time.perf_counter() + 0.001
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            _beat["at"] = now
            if now - due > 0.005:
                _stalls.append((now, now - due))

    _every: list[tuple[float, list[str]]] = []  # (at, the main thread's innermost frames)

    def _frames(frame) -> list[str]:  # type: ignore[no-untyped-def]
        names = []
        while frame is not None and len(names) < 8:
            code = frame.f_code
            names.append("/".join(code.co_filename.split("/")[-2:]) + ":" + code.co_name)
            frame = frame.f_back
        return names

    def _watch() -> None:
        while True:
            time.sleep(0.002)
            if os.environ.get("ALGODESK_STALLS_SAMPLE") == "1":
                frame = sys._current_frames().get(_main)
                _every.append((time.perf_counter(), _frames(frame)))
            if time.perf_counter() - _beat["at"] > 0.010:
                frame = sys._current_frames().get(_main)
                if frame is not None:
                    stack = "".join(traceback.format_stack(frame, limit=14))
                    _samples.append((time.perf_counter(), stack))

    import uvicorn.server

    _serve = uvicorn.server.Server.serve

    def _probe() -> None:
        import re

        from algodesk.brokers.icici.feed import IciciFeed
        from algodesk.stream.outbox import Outbox

        deliver, next_text, done = IciciFeed._deliver_tick, Outbox.next, Outbox.done_sending
        stamp = re.compile(r'"last_trade_quantity":(\d+)')

        def _deliver_tick(self, tick):  # type: ignore[no-untyped-def]
            now = time.time_ns() // 1000
            if tick.last_quantity > 10**15:
                _arrived.append((time.perf_counter(), now - tick.last_quantity))
            return deliver(self, tick)

        async def _next(self):  # type: ignore[no-untyped-def]
            text = await next_text(self)
            found = stamp.search(text)
            self._probe_stamp = int(found[1]) if found else 0
            return text

        def _done(self):  # type: ignore[no-untyped-def]
            if getattr(self, "_probe_stamp", 0) > 10**15:
                _sent.append((time.perf_counter(),
                              time.time_ns() // 1000 - self._probe_stamp))
            return done(self)

        IciciFeed._deliver_tick, Outbox.next, Outbox.done_sending = (
            _deliver_tick, _next, _done)

        from aiohttp.client_proto import ResponseHandler
        from engineio.async_client import AsyncClient

        data_received, receive_packet = ResponseHandler.data_received, AsyncClient._receive_packet
        stamps = re.compile(rb"[,\[](1[6-9]\d{14})[,\]]")

        def _data_received(self, data):  # type: ignore[no-untyped-def]
            now = time.time_ns() // 1000
            found = stamps.findall(data)
            if found:
                _reads.append((time.perf_counter(), len(data), now - int(found[0]),
                               now - int(found[-1])))
            return data_received(self, data)

        async def _receive_packet(self, pkt):  # type: ignore[no-untyped-def]
            if isinstance(pkt.data, str):
                found = stamps.search(pkt.data.encode())
                if found:
                    _engineio.append((time.perf_counter(),
                                      time.time_ns() // 1000 - int(found[1])))
            return await receive_packet(self, pkt)

        ResponseHandler.data_received = _data_received
        AsyncClient._receive_packet = _receive_packet

    async def _serve_watched(self, sockets=None):  # type: ignore[no-untyped-def]
        if os.environ.get("ALGODESK_STALLS_PROBE", "1") == "1":
            _probe()
        task = asyncio.get_running_loop().create_task(_heartbeat())
        threading.Thread(target=_watch, daemon=True, name="stall-watch").start()
        try:
            return await _serve(self, sockets)
        finally:
            task.cancel()

    uvicorn.server.Server.serve = _serve_watched  # type: ignore[method-assign]

    @atexit.register
    def _dump() -> None:
        with open(_OUT.replace("{pid}", str(os.getpid())), "w") as out:
            json.dump({"stalls": _stalls, "samples": _samples,
                       "collections": _collections,
                       "arrived": _arrived, "sent": _sent,
                       "reads": _reads, "engineio": _engineio,
                       "every": _every}, out)
