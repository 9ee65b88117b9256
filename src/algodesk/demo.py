"""Demo mode: the bundled Breeze simulator, run as a child process, plays ICICI Direct.

The platform never imports the simulator: it starts `python -m algodesk.cli simulator`
on loopback, so the simulator stays on the far side of a real network boundary exactly
as ICICI's servers are. Its app key and secret are generated on the first run and kept
in DATA_DIR/demo-broker.json (mode 0600), so a restart keeps them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import signal
import socket
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import httpx
from pydantic import SecretStr

from .access.secretbox import read_owner_only, write_owner_only
from .config import Settings
from .logging_setup import redactor

log = logging.getLogger(__name__)

CREDENTIALS_FILE = "demo-broker.json"
#: Set for the simulator child: it ends itself when this process dies (`cli._end_with_parent`).
PARENT_PID_VARIABLE = "ALGODESK_PARENT_PID"
# The practice login the simulator accepts. Printed on the console and shown on the
# broker page: they open nothing but the simulator on this machine.
DEMO_USER_ID = "DE123456"
DEMO_PASSWORD = "demo1234"
DEMO_OTP = "123456"
# How long start-up waits for the simulator to answer (it takes about a second; more on
# a loaded machine).
READY_WITHIN_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class DemoCredentials:
    app_key: str
    app_secret: str


def load_or_create_credentials(data_dir: str | Path) -> DemoCredentials:
    path = Path(data_dir) / CREDENTIALS_FILE
    # ICICI's keys carry characters such as `+` and `=`; so do these, so a login URL
    # that forgets to encode the key fails in practice as it would for real.
    fresh = {
        "app_key": f"{secrets.token_urlsafe(12)}+demo={secrets.token_hex(2)}",
        "app_secret": secrets.token_urlsafe(24),
    }
    write_owner_only(path, json.dumps(fresh, indent=2).encode() + b"\n")
    stored = json.loads(read_owner_only(path))
    credentials = DemoCredentials(str(stored["app_key"]), str(stored["app_secret"]))
    redactor.add(credentials.app_secret)
    return credentials


def demo_settings(settings: Settings, credentials: DemoCredentials) -> Settings:
    """The settings with every Breeze endpoint pointed at the local simulator."""
    base = f"http://127.0.0.1:{settings.simulator_port}"
    return settings.model_copy(update={
        "broker_api_key": SecretStr(credentials.app_key),
        "broker_api_secret": SecretStr(credentials.app_secret),
        "redirect_url": f"{settings.public_base_url}/icici/callback",
        "breeze_api_url": f"{base}/breezeapi/api/v1/",
        "breeze_history_url": f"{base}/api/v2/",
        "breeze_login_url": f"{base}/apiuser/login",
        "breeze_livestream_url": base,
        "breeze_livefeeds_url": base,
        "breeze_ohlcv_url": base,
        "security_master_url": f"{base}/MotherAppMaster/SecurityMaster.zip",
        "feed_market_hours": "always",  # the demo simulator trades around the clock
    })


def port_is_taken(port: int) -> bool:
    """Whether something listens on the loopback `port`. The probe binds as the
    simulator's server will (SO_REUSEADDR), so the closed connections a stopped simulator
    leaves in TIME_WAIT for a minute do not count: a quick restart must not be refused."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class DemoSimulator:
    """The simulator child process: a service with `start()`/`stop()`."""

    def __init__(self, settings: Settings, credentials: DemoCredentials) -> None:
        self.port = settings.simulator_port
        self.seed = settings.simulator_seed
        self.redirect_url = settings.redirect_url
        # The simulator ends its sessions at the same IST time the platform expects
        # (it takes HH:MM).
        self.session_expiry = ":".join(settings.broker_session_expiry.split(":")[:2]).zfill(5)
        self.credentials = credentials
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._output: deque[str] = deque(maxlen=40)
        self._ready = asyncio.Event()
        self._watcher: asyncio.Task[None] | None = None

    def command(self) -> list[str]:
        options = {
            "host": "127.0.0.1", "port": self.port, "seed": self.seed,
            "app-key": self.credentials.app_key, "app-secret": self.credentials.app_secret,
            "user-id": DEMO_USER_ID, "password": DEMO_PASSWORD, "otp": DEMO_OTP,
            "redirect-url": self.redirect_url, "session-expiry": self.session_expiry,
        }
        # `--name=value`, never `--name value`: a generated key or secret may begin with
        # "-" (one in 64 does), which argparse would take for an option of its own.
        return [sys.executable, "-m", "algodesk.cli", "simulator",
                *(f"--{name}={value}" for name, value in options.items())]

    async def start(self) -> None:
        if port_is_taken(self.port):
            raise RuntimeError(
                f"SIMULATOR_PORT {self.port} is already in use, so the demo simulator "
                "cannot start. Stop whatever uses it or set SIMULATOR_PORT to a free "
                "port in .env.")
        self._process = await asyncio.create_subprocess_exec(
            *self.command(), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            stdin=asyncio.subprocess.DEVNULL, start_new_session=True,
            # The child ends with us (PR_SET_PDEATHSIG, set by itself: see the variable).
            env={**os.environ, "PYTHONUNBUFFERED": "1", PARENT_PID_VARIABLE: str(os.getpid())})
        self._reader = asyncio.create_task(self._read_output(), name="demo-simulator-output")
        self._watcher = asyncio.create_task(self._watch_ready(), name="demo-simulator-ready")
        log.info("demo mode: starting the Breeze simulator on %s", self.base_url)
        # The services after this one call the simulator at once (the master contract
        # download, the session restore): start them only once it answers, or the first
        # download fails with a refused connection. Bounded, so a simulator that never
        # comes up still leaves the pages to say so.
        await asyncio.wait({self._watcher}, timeout=READY_WITHIN_SECONDS)
        if not self._ready.is_set():
            log.error("the demo simulator is not answering on %s after %.0f s; the broker "
                      "page will say so", self.base_url, READY_WITHIN_SECONDS)

    async def _read_output(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        async for raw in self._process.stdout:
            line = raw.decode(errors="replace").rstrip()
            self._output.append(line)
            log.debug("simulator: %s", line)
        code = await self._process.wait()
        if code not in (0, -signal.SIGTERM, -signal.SIGINT):
            log.error("the demo simulator exited with code %s:\n%s", code, "\n".join(self._output))

    async def _watch_ready(self) -> None:
        async with httpx.AsyncClient(timeout=1.0) as client:
            for _ in range(600):
                if self._process is None or self._process.returncode is not None:
                    return
                try:
                    (await client.get(self.base_url + "/")).raise_for_status()
                except httpx.HTTPError:
                    await asyncio.sleep(0.05)
                    continue
                self._ready.set()
                log.info("demo Breeze simulator ready on %s", self.base_url)
                return

    async def wait_ready(self, within: float = 20.0) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), within)
        return self._ready.is_set()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def stop(self) -> None:
        if self._watcher is not None and not self._watcher.done():
            self._watcher.cancel()
        process = self._process
        if process is not None and process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._reader, 2)
        log.info("demo simulator stopped")


__all__ = [
    "CREDENTIALS_FILE",
    "DEMO_OTP",
    "DEMO_PASSWORD",
    "DEMO_USER_ID",
    "DemoCredentials",
    "DemoSimulator",
    "demo_settings",
    "load_or_create_credentials",
]
