"""The real platform as a process, and a client that uses it the way a browser does.

`PlatformProcess` runs `python -m algodesk.cli serve` with its own DATA_DIR, HOST/PORT on
loopback and either demo mode or BROKER_* settings pointed at a simulator. `Browser`
is an httpx client that keeps cookies, reads CSRF tokens out of forms, and follows the
broker login through the simulator's page back to /icici/callback.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx

from tests.conftest import SimulatorProcess, daily_time_away, free_port

ADMIN = "trader"
ADMIN_PASSWORD = "Correct-Horse-42"

_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
_FORM_ACTION = re.compile(r"<form id='back' method='post' action='([^']+)'>")
_API_SESSION = re.compile(r"name='API_Session' value='([^']+)'")


def env_file(api_key: str, secret: str, redirect_url: str) -> str:
    """The three lines exactly as ICICI's setup guide writes them: spaces and quotes."""
    return (f"BROKER_API_KEY = '{api_key}'\n"
            f"BROKER_API_SECRET = '{secret}'\n"
            f"REDIRECT_URL = '{redirect_url}'\n")


def simulator_env(sim: SimulatorProcess) -> dict[str, str]:
    return {
        "BREEZE_API_URL": sim.api_url,
        "BREEZE_HISTORY_URL": sim.history_url,
        "BREEZE_LOGIN_URL": sim.login_url,
        "SECURITY_MASTER_URL": sim.security_master_url,
        # ICICI's three stream hosts are one socket.io server on the simulator's port.
        "BREEZE_LIVESTREAM_URL": sim.base_url,
        "BREEZE_LIVEFEEDS_URL": sim.base_url,
        "BREEZE_OHLCV_URL": sim.base_url,
    }


# How long a test platform waits for a Breeze answer (the platform's default is 10 s): a
# whole option chain from a simulator on two loaded cores took longer once.
BREEZE_TIMEOUT_SECONDS = 30
# The paper broker's MIS square-off (ANALYZER_SQUAREOFF_TIMES) on every exchange at 02:59
# IST: its session day turns at 03:00, so MIS stays open all day but that last minute,
# whatever the hour of the run (analyzer desks wait out the minutes before the turn).
PAPER_SQUAREOFF_TIMES = ",".join(
    f"{exchange}=02:59" for exchange in ("NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX"))


@dataclass
class PlatformProcess:
    workdir: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    @property
    def output_path(self) -> Path:
        return self.workdir / "console.txt"

    def output(self) -> str:
        return self.output_path.read_text(errors="replace")

    def start(self) -> PlatformProcess:
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("BROKER_", "BREEZE_", "REDIRECT_URL"))}
        # The WebSocket feed's port too: 8765 may be another platform's on this machine.
        env.update({"HOST": "127.0.0.1", "PORT": str(self.port), "DATA_DIR": "data",
                    "WEBSOCKET_PORT": str(free_port()),
                    "PYTHONUNBUFFERED": "1", "BROKER_SESSION_EXPIRY": daily_time_away(),
                    "MIS_SQUAREOFF_TIME": daily_time_away(),
                    "ANALYZER_SQUAREOFF_TIMES": PAPER_SQUAREOFF_TIMES,
                    # the tests of that timeout set their own
                    "BREEZE_TIMEOUT_SECONDS": str(BREEZE_TIMEOUT_SECONDS), **self.env})
        with self.output_path.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "algodesk.cli", "serve"], cwd=self.workdir, env=env,
                stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"platform exited:\n{self.output()}")
            try:
                httpx.get(f"{self.base_url}/healthz", timeout=1).raise_for_status()
                return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"platform did not start:\n{self.output()}")

    def stop(self) -> int | None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode if self.process else None

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """`algodesk <args>` on the same DATA_DIR (as the trader would run it)."""
        env = {**os.environ, "DATA_DIR": "data", **self.env}
        return subprocess.run([sys.executable, "-m", "algodesk.cli", *args], cwd=self.workdir,
                              env=env, input=stdin, capture_output=True, text=True, timeout=60)

    def browser(self, local_address: str | None = None) -> Browser:
        return Browser(self, local_address)

    def api(self, endpoint: str, payload: dict[str, Any],
            local_address: str | None = None) -> httpx.Response:
        transport = httpx.HTTPTransport(local_address=local_address) if local_address else None
        with httpx.Client(base_url=self.base_url, timeout=20, transport=transport) as client:
            return client.post(f"/api/v1/{endpoint}", json=payload)


class Browser:
    """Cookies, forms with their CSRF token, and the broker login dance."""

    def __init__(self, platform: PlatformProcess, local_address: str | None = None) -> None:
        transport = httpx.HTTPTransport(local_address=local_address) if local_address else None
        self.platform = platform
        self.http = httpx.Client(base_url=platform.base_url, timeout=20, transport=transport,
                                 follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def csrf(self, path: str) -> str:
        page = self.http.get(path)
        match = _CSRF.search(page.text)
        assert match, f"no CSRF token on {path}: {page.status_code} {page.text[:300]}"
        return match.group(1)

    def submit(self, path: str, data: dict[str, str], *, token_from: str | None = None,
               csrf: str | None = None) -> httpx.Response:
        """Post a form the way the page would, with the token read from `token_from`."""
        token = csrf if csrf is not None else self.csrf(token_from or path)
        return self.http.post(path, data={"csrf_token": token, **data})

    def setup(self, username: str = ADMIN, password: str = ADMIN_PASSWORD) -> httpx.Response:
        return self.submit("/setup", {"username": username, "password": password,
                                      "confirm": password})

    def login(self, username: str = ADMIN, password: str = ADMIN_PASSWORD,
              totp: str = "") -> httpx.Response:
        data = {"username": username, "password": password, "next": "/"}
        if totp:
            data["totp"] = totp
        return self.submit("/login", data)

    def generate_api_key(self) -> str:
        """Click Generate (or Rotate) on the API key page: the POST answers with a
        redirect (a refresh must not rotate again), and the page it leads to shows the
        new key this once. Returns the key."""
        answer = self.submit("/apikey/generate", {}, token_from="/apikey")
        assert (answer.status_code, answer.headers.get("location")) == (303, "/apikey"), \
            answer.text
        page = self.get("/apikey")
        match = re.search(r'id="new-api-key">([0-9a-f]{64})<', page.text)
        assert match, page.text
        return match.group(1)

    def start_connect(self) -> str:
        """Click Connect; returns the broker login URL it redirects to."""
        answer = self.submit("/broker/connect", {}, token_from="/broker")
        assert answer.status_code == 303, answer.text
        return answer.headers["location"]

    def broker_login(self, sim_user: tuple[str, str, str]) -> tuple[str, str]:
        """Click Connect and log in on the simulator's page: returns (callback URL,
        API_Session) as the simulator's auto-submitted form carries them."""
        login_url = self.start_connect()
        page = self.http.get(login_url)
        assert page.status_code == 200 and "User ID" in page.text, page.text
        api_key = html.unescape(re.search(r"name='api_key' value='([^']*)'", page.text)[1])
        user_id, password, otp = sim_user
        answer = self.http.post(login_url.split("?")[0], data={
            "api_key": api_key, "user_id": user_id, "password": password, "otp": otp})
        assert answer.status_code == 200, answer.text
        action = html.unescape(_FORM_ACTION.search(answer.text)[1])
        return action, _API_SESSION.search(answer.text)[1]

    def finish_login(self, action: str, api_session: str,
                     variant: Literal["post", "get"] = "post") -> httpx.Response:
        if variant == "post":  # what the browser does: the auto-submitted form
            return self.http.post(action, data={"API_Session": api_session})
        return self.http.get(action)  # the `?apisession=` on the redirect URL

    def connect(self, sim_user: tuple[str, str, str],
                variant: Literal["post", "get"] = "post") -> tuple[httpx.Response, str]:
        action, api_session = self.broker_login(sim_user)
        return self.finish_login(action, api_session, variant), api_session


def without_master(start: Callable[..., PlatformProcess], sim: SimulatorProcess,
                   retry_seconds: int) -> tuple[PlatformProcess, str]:
    """A platform (from the `spare_platform` fixture's `start`) on `sim` whose master
    contract download finds nothing listening, made usable as `first_run` does; returns
    it and its API key. Its next try comes `retry_seconds` after a failure."""
    platform = start(
        {**simulator_env(sim),
         "SECURITY_MASTER_URL": f"http://127.0.0.1:{free_port()}/SecurityMaster.zip",
         "CONTRACTS_RETRY_SECONDS": str(retry_seconds)},
        dot_env=env_file(sim.app_key, sim.app_secret, "http://127.0.0.1:5000/icici/callback"))
    return platform, first_run(platform, sim)


def sim_login(sim: SimulatorProcess) -> tuple[str, str, str]:
    return sim.user_id, sim.password, sim.otp


def first_run(platform: PlatformProcess, sim: SimulatorProcess) -> str:
    """A fresh platform made usable: setup, login, Connect and ICICI's callback (with an
    API_Session from the simulator's admin API), then an API key, which it returns."""
    browser = platform.browser()
    try:
        assert browser.setup().status_code == 303
        assert browser.login().status_code == 303
        browser.start_connect()
        api_session = sim.admin("api-session")["api_session"]
        assert browser.http.post("/icici/callback",
                                 data={"API_Session": api_session}).status_code == 303
    finally:
        browser.close()
    created = platform.cli("apikey", "create")
    assert created.returncode == 0, created.stderr
    return created.stdout.strip()


__all__ = ["ADMIN", "ADMIN_PASSWORD", "Browser", "PlatformProcess", "env_file", "first_run",
           "sim_login", "simulator_env", "without_master"]
