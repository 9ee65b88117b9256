"""Fixtures for the instruments tests.

The full-size master (150,000+ rows) is generated once per session from the simulator's
own generator; tests that need the network fetch masters from the real simulator
process, or from `BadServer`, a loopback HTTP server of ours for faults the simulator
cannot produce (corrupt bytes, missing members, stalls).
"""

from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from algodesk.config import Settings
from algodesk.instruments import SymbolIndex
from algodesk.instruments.refresh import import_archive
from algodesk.simulator.market import Market
from algodesk.storage import Database

# A Tuesday: NIFTY's weekly expiry day (and not its monthly one).
TODAY = date(2026, 11, 24)


@pytest.fixture(scope="session")
def full_zip() -> bytes:
    return Market(seed=7, size="full", today=TODAY).security_master_zip()


@pytest.fixture(scope="session")
def small_zip() -> bytes:
    return Market(seed=7, size="small", today=TODAY).security_master_zip()


@pytest.fixture(scope="session")
def full_index(full_zip: bytes) -> SymbolIndex:
    instruments, _summary = import_archive(full_zip, 0.001)
    return SymbolIndex(instruments)


@pytest.fixture(scope="session")
def small_index(small_zip: bytes) -> SymbolIndex:
    instruments, _summary = import_archive(small_zip, 0.001)
    return SymbolIndex(instruments)


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@dataclass
class Answer:
    """What BadServer answers: a status, a body, and how slowly."""

    status: int = 200
    body: bytes = b""
    stall_seconds: float = 0.0  # pause after sending half the body


class BadServer:
    """A loopback HTTP server that answers every GET with `answer`."""

    def __init__(self) -> None:
        self.answer = Answer()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                answer = server.answer
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/zip")
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                half = len(answer.body) // 2
                try:
                    self.wfile.write(answer.body[:half])
                    self.wfile.flush()
                    if answer.stall_seconds:
                        time.sleep(answer.stall_seconds)
                    self.wfile.write(answer.body[half:])
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/MotherAppMaster/SecurityMaster.zip"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def bad_server() -> Iterator[BadServer]:
    server = BadServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**changes: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": str(tmp_path), "database_url": f"sqlite:///{tmp_path / 'algodesk.db'}",
            "contracts_auto_refresh": False, "contracts_download_timeout_seconds": 20.0,
        }
        values.update(changes)
        return Settings(_env_file=None, **values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'algodesk.db'}")
    try:
        yield db
    finally:
        db.dispose()
