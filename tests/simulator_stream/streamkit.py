"""Helpers for the stream tests: a thread-safe collector and a plain socket.io login."""

from __future__ import annotations

import base64
import io
import threading
import time
import zipfile
from collections.abc import Callable
from typing import Any

import httpx

from tests.conftest import SimulatorProcess

RELIND = "4.1!2885"  # RELIND's NSE quote token in the simulator's SecurityMaster


def symbol(name: str) -> Callable[[Any], bool]:
    return lambda tick: tick.get("symbol") == name


class Collector:
    """What a socket's callback thread received, with waits that tests can bound."""

    def __init__(self) -> None:
        self._items: list[tuple[float, Any]] = []
        self._lock = threading.Condition()

    def __call__(self, item: Any) -> None:
        with self._lock:
            self._items.append((time.monotonic(), item))
            self._lock.notify_all()

    def items(self, where: Callable[[Any], bool] = lambda _: True,
              since: float = 0.0) -> list[Any]:
        with self._lock:
            return [item for at, item in self._items if at >= since and where(item)]

    def timed(self, where: Callable[[Any], bool] = lambda _: True) -> list[tuple[float, Any]]:
        """(monotonic arrival time, item) pairs."""
        with self._lock:
            return [(at, item) for at, item in self._items if where(item)]

    def wait_for(self, where: Callable[[Any], bool], *, count: int = 1, since: float = 0.0,
                 timeout: float = 10.0) -> list[Any]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [item for at, item in self._items if at >= since and where(item)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"waited {timeout}s for {count} item(s); got "
                                         f"{len(found)} of {len(self._items)} received")
                self._lock.wait(left)


def wait_until(condition: Callable[[], bool], timeout: float = 10.0,
               what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s")
        time.sleep(0.05)


def stream_login(sim: SimulatorProcess) -> tuple[str, str]:
    """(user id, session key) of a fresh session: the socket auth's two halves."""
    answer = httpx.request("GET", f"{sim.api_url}customerdetails", json={
        "SessionToken": sim.new_api_session(), "AppKey": sim.app_key}, timeout=10).json()
    token = answer["Success"]["session_token"]
    user, _, key = base64.b64decode(token).decode().partition(":")
    return user, key


def master_tokens(sim: SimulatorProcess, file_name: str, count: int) -> list[str]:
    """The first `count` tokens of one SecurityMaster file the simulator serves."""
    archive = zipfile.ZipFile(io.BytesIO(httpx.get(sim.security_master_url, timeout=30).content))
    with archive.open(file_name) as rows:
        next(rows)
        return [next(rows).decode().split(",", 1)[0].strip('" ') for _ in range(count)]


def stream_state(sim: SimulatorProcess) -> dict[str, Any]:
    return sim.admin("state")["streams"]
