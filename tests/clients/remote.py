"""The near end of the openalgo 2.0.5 proxy: the 3.11 test process drives the client
that lives in the 2.0.5 venv (child.py there) as if it were imported here.

    remote = RemoteOpenalgo(venv.ensure(), log_path)
    client = remote.api(api_key=key, host=url, timeout=60)   # like openalgo.api(...)
    client.quotes(symbol="SBIN", exchange="NSE")             # a dict, as from the client
    client.history(...)                                      # a pandas DataFrame

Every method name goes through (`__getattr__`), so the REST methods, and the feed's
`connect`, `subscribe_*`, `get_*`, `subscribe_orders`, `get_orders` too (callbacks cannot
cross: poll with the `get_*` methods). A DataFrame comes back as a DataFrame with the
same dtypes, index and zone; an exception raised by the client is raised here (a
builtin type as itself, with the child's traceback as a note; others as RemoteError).
Calls from several threads run concurrently in the child.
"""

from __future__ import annotations

import builtins
import itertools
import json
import queue
import subprocess
import threading
import weakref
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from tests.clients.child import decode_frame

CHILD = Path(__file__).with_name("child.py")


class RemoteError(Exception):
    """An exception of a type this process does not have, raised by the remote client."""


class RemoteOpenalgo:
    """One child process holding any number of `openalgo.api` objects."""

    def __init__(self, python: Path, log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [str(python), "-u", str(CHILD)], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=log, text=True, encoding="utf-8")
        self._ids = itertools.count(1)
        self._pending: dict[int, Future[Any]] = {}
        self._lock = threading.Lock()
        # Handles of clients garbage-collected here, closed there with the next request
        # (a finalizer may run inside a write: it must not write itself).
        self._released: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._reader = threading.Thread(target=self._read, name="openalgo2-proxy", daemon=True)
        self._reader.start()

    def about(self) -> dict[str, Any]:
        """The child's openalgo, pandas and Python versions."""
        return self._request({"op": "about"})

    def api(self, **kwargs: Any) -> RemoteApi:
        """What `openalgo.api(**kwargs)` gives, living in the child."""
        handle = self._request({"op": "new", "kwargs": kwargs})
        return RemoteApi(self, handle)

    def call(self, handle: int, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return self._request({"op": "call", "handle": handle, "method": method,
                              "args": list(args), "kwargs": kwargs})

    def release(self, handle: int) -> None:
        self._released.put(handle)

    def close(self) -> None:
        if self._process.stdin and not self._process.stdin.closed:
            self._process.stdin.close()  # the child closes its clients and ends
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _request(self, request: dict[str, Any]) -> Any:
        answer: Future[Any] = Future()
        with self._lock:
            if self._process.poll() is not None:
                raise RuntimeError(f"the openalgo 2.0.5 proxy has exited: {self._log_tail()}")
            request_id = next(self._ids)
            self._pending[request_id] = answer
            lines = []
            while not self._released.empty():
                lines.append(json.dumps({"op": "close", "handle": self._released.get()}))
            lines.append(json.dumps({"id": request_id, **request}))
            assert self._process.stdin is not None
            self._process.stdin.write("\n".join(lines) + "\n")
            self._process.stdin.flush()
        return answer.result()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            reply = json.loads(line)
            with self._lock:
                answer = self._pending.pop(reply["id"])
            if "error" in reply:
                answer.set_exception(_exception(reply["error"]))
            elif "frame" in reply:
                answer.set_result(decode_frame(reply["frame"]))
            else:
                answer.set_result(reply["value"])
        self._process.wait()
        with self._lock:
            pending, self._pending = self._pending, {}
        for answer in pending.values():
            answer.set_exception(RuntimeError(
                f"the openalgo 2.0.5 proxy exited (code {self._process.returncode}): "
                f"{self._log_tail()}"))

    def _log_tail(self) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text[-2000:] or "(nothing on its stderr)"


class RemoteApi:
    """An `openalgo.api` object of the child, used as if it were local."""

    def __init__(self, remote: RemoteOpenalgo, handle: int) -> None:
        self._remote = remote
        self._handle = handle
        weakref.finalize(self, remote.release, handle)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        def method(*args: Any, **kwargs: Any) -> Any:
            return self._remote.call(self._handle, name, args, kwargs)

        method.__name__ = name
        return method

    def __repr__(self) -> str:
        return f"<openalgo 2.0.5 api #{self._handle} (proxy)>"


def _exception(error: dict[str, str]) -> BaseException:
    kind = getattr(builtins, error["type"], None)
    if isinstance(kind, type) and issubclass(kind, Exception):
        exc: Exception = kind(error["message"])
    else:
        exc = RemoteError(f"{error['type']}: {error['message']}")
    exc.add_note(f"raised by the openalgo 2.0.5 client in the proxy:\n{error['traceback']}")
    return exc
