"""The least a journal-first order service in Python does per order: one HTTP hop and one
synced write. The order bench measures it beside the platform, in the same rounds, as the
floor under the platform's overhead on this machine.

A bare ASGI app under uvicorn, run as the platform runs (uvloop, httptools, no access
log): read the JSON body, INSERT it into SQLite in WAL mode with synchronous=FULL (the
journal's setting for intents; no checkpoint on the way), answer with the row id and how
long the synced INSERT took (`write_ms`), so the bench can split the floor into the write
and the hop. No framework, no validation, no broker.

    python bench/floor_server.py PORT DATABASE     # prints "ready" once it listens
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from typing import Any

import uvicorn


def app_writing_to(database: str) -> Any:
    connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "wal_autocheckpoint=0"):
        connection.execute(f"PRAGMA {pragma}")
    connection.execute("CREATE TABLE IF NOT EXISTS intent (id INTEGER PRIMARY KEY, body TEXT)")

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        started = time.perf_counter()
        row = connection.execute("INSERT INTO intent (body) VALUES (?)",
                                 (json.dumps(json.loads(body)),)).lastrowid
        write_ms = (time.perf_counter() - started) * 1000
        answer = json.dumps({"status": "success", "orderid": str(row),
                             "write_ms": round(write_ms, 4)}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(answer)).encode())]})
        await send({"type": "http.response.body", "body": answer})

    return app


class _Server(uvicorn.Server):
    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        print("ready", flush=True)


if __name__ == "__main__":
    port, database = int(sys.argv[1]), sys.argv[2]
    _Server(uvicorn.Config(app_writing_to(database), host="127.0.0.1", port=port,
                           log_level="warning", access_log=False)).run()
