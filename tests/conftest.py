"""Shared fixtures: the real simulator, started as its own process on a loopback port."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

# Every test that uses an openalgo client runs with 1.0.47 and with 2.0.5.
pytest_plugins = ["tests.clients.plugin"]

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


def ist_today() -> dt.date:
    """Today in India: the day the simulator and the platform trade and count in (the
    machine's local date differs from it for 5½ hours a day when the machine is on UTC)."""
    return dt.datetime.now(IST).date()


def wait_out_midnight(margin_seconds: float = 30.0) -> None:
    """For a test whose expectation is one IST day throughout (today's calls, today's
    bars): started in the last `margin_seconds` before midnight, it waits for the new
    day instead of straddling it."""
    now = dt.datetime.now(IST)
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), IST)
    left = (midnight - now).total_seconds()
    if left < margin_seconds:
        time.sleep(left + 0.5)


def daily_time_away() -> str:
    """An IST time of day (HH:MM) twelve hours from now.

    The platforms and simulators the tests start have their daily events there —
    ICICI's session expiry (00:00 IST by default) and the MIS square-off (15:15 IST) —
    so a run that starts at 23:59:59 or 15:14 is not cut in the middle by them. The
    tests of those events set their own times, a few seconds ahead."""
    return (dt.datetime.now(IST) + dt.timedelta(hours=12)).strftime("%H:%M")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SimulatorProcess:
    """A running `algodesk simulator` and what a client needs to reach it."""

    port: int
    app_key: str = "test+app=key/1"
    app_secret: str = "test-secret-0123"
    user_id: str = "TE123456"
    password: str = "pass-word-1"
    otp: str = "246810"
    redirect_url: str = "http://127.0.0.1:5999/icici/callback"
    extra_args: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/breezeapi/api/v1/"

    @property
    def history_url(self) -> str:
        return f"{self.base_url}/api/v2/"

    @property
    def login_url(self) -> str:
        return f"{self.base_url}/apiuser/login"

    @property
    def security_master_url(self) -> str:
        return f"{self.base_url}/MotherAppMaster/SecurityMaster.zip"

    def start(self, log_dir: Path) -> None:
        self.log_path = log_dir / f"simulator-{self.port}.log"
        command = [
            sys.executable, "-m", "algodesk.cli", "simulator",
            "--host", "127.0.0.1", "--port", str(self.port), "--seed", "7",
            "--app-key", self.app_key, "--app-secret", self.app_secret,
            "--user-id", self.user_id, "--password", self.password, "--otp", self.otp,
            "--redirect-url", self.redirect_url, "--contracts", "small", *self.extra_args,
        ]
        if "--session-expiry" not in self.extra_args:
            command += ["--session-expiry", daily_time_away()]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"simulator exited: {self.log_path.read_text()}")
            try:
                httpx.get(f"{self.base_url}/admin/state", timeout=1).raise_for_status()
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"simulator did not start: {self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def admin(self, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        url = f"{self.base_url}/admin/{path.strip('/')}"
        if payload is None and path.strip("/") == "state":
            response = httpx.get(url, timeout=10)
        else:
            response = httpx.post(url, json=payload or {}, timeout=10)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self.admin("reset", {})

    def new_api_session(self) -> str:
        """Log in through the simulator's login form, as a browser would."""
        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            page = client.get("/apiuser/login", params={"api_key": self.app_key})
            page.raise_for_status()
            answer = client.post("/apiuser/login", data={
                "api_key": self.app_key, "user_id": self.user_id,
                "password": self.password, "otp": self.otp,
            })
            answer.raise_for_status()
        match = re.search(r"name='API_Session' value='(\d+)'", answer.text)
        assert match, answer.text
        return match.group(1)


def _start(tmp_path_factory: pytest.TempPathFactory, **kwargs: Any) -> SimulatorProcess:
    sim = SimulatorProcess(port=free_port(), **kwargs)
    sim.start(tmp_path_factory.mktemp("simulator"))
    return sim


@pytest.fixture(scope="session")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorProcess]:
    sim = _start(tmp_path_factory)
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture(autouse=True)
def _reset_simulator_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    """Faults, limits and clock offsets never leak from one test into the next."""
    yield
    if "simulator" in request.fixturenames:
        request.getfixturevalue("simulator").reset()


@pytest.fixture(scope="session")
def simulator_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Start extra simulators with other options (stopped at the end of the session)."""
    started: list[SimulatorProcess] = []

    def start(**kwargs: Any) -> SimulatorProcess:
        sim = _start(tmp_path_factory, **kwargs)
        started.append(sim)
        return sim

    try:
        yield start
    finally:
        for sim in started:
            sim.stop()


os.environ.setdefault("PYTHONUNBUFFERED", "1")


def _pinned_instant() -> str | None:
    """Under `tests/run_at.py` (make test-at): the instant the clocks started at."""
    return os.environ.get("ALGODESK_TEST_AT")


def pytest_configure(config: pytest.Config) -> None:
    pinned = _pinned_instant()
    if not pinned:
        return
    wanted = dt.datetime.fromisoformat(pinned).timestamp()
    # The clocks start at the instant when run_at starts pytest: seconds before this.
    if abs(time.time() - wanted) > 300:
        raise pytest.UsageError(f"ALGODESK_TEST_AT={pinned} but this process's clock says "
                                f"{dt.datetime.now(dt.UTC).isoformat()}: libfaketime is not "
                                "loaded (run through `python -m tests.run_at`)")


def pytest_report_header(config: pytest.Config) -> str | None:
    pinned = _pinned_instant()
    if not pinned:
        return None
    return f"clock pinned: started at {pinned} (libfaketime, FAKETIME={os.environ.get('FAKETIME')})"
