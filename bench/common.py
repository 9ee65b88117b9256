"""Shared bench plumbing: start a simulator process, time things, save figures.

Figures go to bench/results/<name>.json and into the README between the bench markers.
"""

from __future__ import annotations

import asyncio
import json
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"

APP_KEY = "bench+app=key"
APP_SECRET = "bench-secret"
USER_ID = "BE123456"
PASSWORD = "bench-pass"
OTP = "112233"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def simulator(*extra: str) -> Iterator[str]:
    """A simulator process on a free loopback port; yields its base URL."""
    with simulator_process(*extra) as (base, _):
        yield base


@contextmanager
def simulator_process(*extra: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A simulator process on a free loopback port; yields its base URL and process."""
    port = free_port()
    command = [
        sys.executable, "-m", "algodesk.cli", "simulator", "--port", str(port),
        "--app-key", APP_KEY, "--app-secret", APP_SECRET, "--user-id", USER_ID,
        "--password", PASSWORD, "--otp", OTP, "--calls-per-minute", "100000000",
        "--calls-per-day", "100000000", *extra,
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{base}/admin/state", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("simulator did not start") from None
                time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def api_session(base: str) -> str:
    return httpx.post(f"{base}/admin/api-session", timeout=10).json()["api_session"]


def percentiles(samples_seconds: list[float]) -> dict[str, float]:
    """p50/p99/mean in milliseconds."""
    ordered = sorted(samples_seconds)
    p99_index = min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(ordered[p99_index] * 1000, 3),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 3),
        "samples": len(ordered),
    }


def save(name: str, figures: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = {
        "bench": name,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": _cpus(),
                    "platform": platform.platform()},
        "figures": figures,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    return path


def load(name: str) -> dict[str, Any]:
    """The figures a bench saved last time."""
    record = json.loads((RESULTS / f"{name}.json").read_text())
    return record["figures"]  # type: ignore[no-any-return]


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def update_readme(lines: list[str]) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    block = "<!-- bench:start -->\n" + "\n".join(lines) + "\n<!-- bench:end -->"
    text = re.sub(r"<!-- bench:start -->.*?<!-- bench:end -->", block, text, flags=re.S)
    readme.write_text(text)


class KeepAliveClient:
    """The thinnest HTTP/1.1 client: one keep-alive connection, a JSON POST, the whole
    answer read by its Content-Length.

    For measuring what a server adds: a full client library spends about as long
    building and parsing a request as a lean server spends answering it, and that time
    belongs to the client, not to the server being measured.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> KeepAliveClient:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()

    async def post_json(self, path: str, body: bytes) -> tuple[int, bytes]:
        assert self._reader is not None and self._writer is not None
        self._writer.write(
            f"POST {path} HTTP/1.1\r\nhost: {self.host}:{self.port}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
            .encode() + body)
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = next(int(line.split(":", 1)[1]) for line in lines[1:]
                      if line.lower().startswith("content-length:"))
        return status, await self._reader.readexactly(length)
