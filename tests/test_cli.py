"""The `algodesk` command as a newcomer runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "algodesk.cli", *args], capture_output=True,
                          text=True, timeout=60, env=env)


def test_help_lists_the_subcommands() -> None:
    answer = run("--help")
    assert answer.returncode == 0
    for command in ("serve", "simulator", "user", "apikey"):
        assert command in answer.stdout
    options = run("simulator", "--help").stdout
    for option in ("--seed", "--app-key", "--app-secret", "--user-id", "--password", "--otp",
                   "--redirect-url", "--contracts", "--market-hours", "--calls-per-minute"):
        assert option in options


def test_bad_session_expiry_is_refused_clearly() -> None:
    answer = run("simulator", "--session-expiry", "25:99")
    assert answer.returncode != 0
    assert "--session-expiry must be HH:MM" in answer.stderr


def test_serve_without_broker_key_starts_demo_mode(tmp_path: Path) -> None:
    port, web_port = free_port(), free_port()
    env = {**os.environ, "SIMULATOR_PORT": str(port), "PORT": str(web_port),
           "WEBSOCKET_PORT": str(free_port()), "BROKER_API_KEY": "", "DATA_DIR": "data"}
    process = subprocess.Popen([sys.executable, "-m", "algodesk.cli", "serve"], cwd=tmp_path,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                state = httpx.get(f"http://127.0.0.1:{port}/admin/state", timeout=1).json()
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.terminate()
                    pytest.fail(f"the demo simulator did not start:\n{process.communicate()[0]}")
                time.sleep(0.2)
        assert state["instruments"] > 100
        # The app key is generated on the first run and kept in the data folder.
        app_key = json.loads((tmp_path / "data" / "demo-broker.json").read_text())["app_key"]
        login = httpx.get(f"http://127.0.0.1:{port}/apiuser/login", params={"api_key": app_key})
        assert login.status_code == 200 and "User ID" in login.text
        # The web port opens once start-up is done, which now waits for the simulator
        # (and the services after it), so it may open a moment after the simulator.
        while True:
            try:
                web = httpx.get(f"http://127.0.0.1:{web_port}/healthz", timeout=5)
                break
            except httpx.ConnectError:
                assert process.poll() is None and time.monotonic() < deadline, \
                    "the platform's web port never opened"
                time.sleep(0.2)
        assert web.json() == {"status": "ok"}
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=15)
    assert process.returncode == 0
    assert "DEMO MODE" in output
    assert app_key in output  # the demo credentials are printed
