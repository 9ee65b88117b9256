"""Fixtures for the Breeze client and adapter tests.

`account` is a simulator of the test module's own (with `index`, its symbol index): the
adapter tests fill orders, and the positions they leave would change what other tests'
close-all and books see on the shared one.

`loopback` is a tiny HTTP/1.1 server on 127.0.0.1 that records every request exactly as
received (method, target, headers, raw body) and answers from a script: a JSON body, an
HTML page, silence (to provoke a read timeout), or a dropped connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from algodesk.instruments.index import SymbolIndex
from algodesk.instruments.refresh import import_archive


@dataclass
class Recorded:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""


@dataclass
class Reply:
    kind: str = "json"  # json | raw | hang | close
    http_status: int = 200
    body: bytes = b""
    content_type: str = "application/json"


OK_OBJECT = {"Success": {}, "Status": 200, "Error": None}


@dataclass
class Loopback:
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[Recorded] = field(default_factory=list)
    replies: deque[Reply] = field(default_factory=deque)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/breezeapi/api/v1/"

    @property
    def history_url(self) -> str:
        return f"{self.base_url}/api/v2/"

    def reply_json(self, document: Any, http_status: int = 200) -> None:
        self.replies.append(Reply("json", http_status, json.dumps(document).encode()))

    def reply_raw(self, body: bytes, http_status: int = 200, content_type: str = "text/html"):
        self.replies.append(Reply("raw", http_status, body, content_type))

    def reply_hang(self) -> None:
        self.replies.append(Reply("hang"))

    def reply_close(self) -> None:
        self.replies.append(Reply("close"))

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    if line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                self.requests.append(Recorded(method, target, headers, body))
                reply = self.replies.popleft() if self.replies else Reply(
                    "json", 200, json.dumps(OK_OBJECT).encode()
                )
                if reply.kind == "hang":
                    await asyncio.sleep(3600)
                    return
                if reply.kind == "close":
                    return
                writer.write(
                    (
                        f"HTTP/1.1 {reply.http_status} X\r\n"
                        f"Content-Type: {reply.content_type}\r\n"
                        f"Content-Length: {len(reply.body)}\r\n"
                        "Connection: keep-alive\r\n\r\n"
                    ).encode()
                    + reply.body
                )
                await writer.drain()
        finally:
            self._tasks.discard(task)
            writer.close()


@pytest.fixture
async def loopback() -> AsyncIterator[Loopback]:
    peer = Loopback()
    server = await asyncio.start_server(peer._handle, peer.host, 0)
    peer.port = server.sockets[0].getsockname()[1]
    try:
        yield peer
    finally:
        server.close()
        for task in list(peer._tasks):
            task.cancel()
        for task in list(peer._tasks):
            with contextlib.suppress(BaseException):
                await task
        await server.wait_closed()


@pytest.fixture(scope="module")
def account(simulator_factory: Callable[..., Any]) -> Any:
    return simulator_factory()


@pytest.fixture(scope="module")
def index(account: Any) -> SymbolIndex:
    archive = httpx.get(account.security_master_url, timeout=60).content
    instruments, _ = import_archive(archive, 0.001)
    return SymbolIndex(instruments)
