"""Demo mode as a newcomer meets it: first-run setup, the simulator as the broker,
banners and `"broker": "simulator"`, two-factor login, restarts and clean stops."""

from __future__ import annotations

import json
import re
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from algodesk.cli import build_parser
from algodesk.config import Settings
from algodesk.demo import (
    DEMO_OTP,
    DEMO_PASSWORD,
    DEMO_USER_ID,
    DemoCredentials,
    DemoSimulator,
    port_is_taken,
)
from tests.conftest import free_port
from tests.web.platform import ADMIN, ADMIN_PASSWORD, Browser, PlatformProcess

DEMO_LOGIN = (DEMO_USER_ID, DEMO_PASSWORD, DEMO_OTP)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformProcess]:
    platform = PlatformProcess(tmp_path_factory.mktemp("demo"),
                               env={"SIMULATOR_PORT": str(free_port()), "BROKER_API_KEY": ""})
    platform.start()
    try:
        yield platform
    finally:
        platform.stop()


def admin_browser(platform: PlatformProcess) -> Browser:
    browser = platform.browser()
    if browser.get("/setup").status_code == 200:
        assert browser.setup().status_code == 303
    assert browser.login().status_code == 303
    return browser


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_console_says_demo_and_files_are_private(demo: PlatformProcess) -> None:
    output = demo.output()
    assert "DEMO MODE" in output
    assert f"user id {DEMO_USER_ID} / password {DEMO_PASSWORD} / OTP {DEMO_OTP}" in output
    stored = json.loads((demo.data_dir / "demo-broker.json").read_text())
    assert f"demo app key      {stored['app_key']}" in output
    assert stored["app_secret"] not in output  # the secret is never printed
    assert mode(demo.data_dir / "demo-broker.json") == 0o600
    assert mode(demo.data_dir / "secret.key") == 0o600
    assert mode(demo.data_dir) == 0o700


def test_first_run_setup_then_gone(demo: PlatformProcess) -> None:
    browser = demo.browser()
    try:
        first = browser.get("/")
        assert (first.status_code, first.headers["location"]) == (303, "/setup")
        assert "DEMO MODE" in browser.get("/setup").text  # the banner on every page
        weak = browser.setup(password="short")
        assert weak.status_code == 400 and "at least 10 characters" in weak.text
        assert browser.setup(password="onlylettershere").status_code == 400
        assert browser.setup(password=f"{ADMIN}-Password-1").status_code == 400
        differ = browser.submit("/setup", {"username": ADMIN, "password": ADMIN_PASSWORD,
                                           "confirm": ADMIN_PASSWORD + "x"})
        assert differ.status_code == 400 and "differ" in differ.text
        created = browser.setup()
        assert (created.status_code, created.headers["location"]) == (303, "/login?m=created")
        token = browser.csrf("/login")
        gone = browser.get("/setup")
        assert gone.status_code == 404 and "Setup is done" in gone.text
        again = browser.http.post("/setup", data={"csrf_token": token, "username": "other",
                                                  "password": ADMIN_PASSWORD,
                                                  "confirm": ADMIN_PASSWORD})
        assert again.status_code == 404
        assert demo.cli("user", "create", "--username", "x2", "--password-stdin",
                        stdin=ADMIN_PASSWORD + "\n").returncode == 1
        # Not logged in yet: pages send to the login, keeping where you wanted to go.
        login = browser.get("/broker")
        assert (login.status_code, login.headers["location"]) == (303, "/login?next=%2Fbroker")
    finally:
        browser.close()


def test_demo_broker_is_the_simulator(demo: PlatformProcess) -> None:
    browser = admin_browser(demo)
    try:
        broker = browser.get("/broker").text
        assert "demo — the bundled Breeze simulator" in broker
        assert re.search(r'id="broker-state">\s*not connected', broker)
        assert DEMO_PASSWORD in broker  # the practice login is shown where it is needed
        answer, _ = browser.connect(DEMO_LOGIN)
        assert answer.status_code == 303, answer.text
        dashboard = browser.get("/").text
        assert "DEMO MODE" in dashboard and "DEMO TRADER" in dashboard
        assert re.search(r'id="funds-limit">₹[\d,]+\.\d\d<', dashboard)

        key = browser.generate_api_key()
        ping = demo.api("ping", {"apikey": key})
        pong = ping.json()
        assert pong["data"].pop("budget")["minute_limit"] == 100  # Breeze calls in use
        assert pong["data"].pop("feed")["status"] == "idle"  # the broker feed: unused yet
        assert pong == {"status": "success", "broker": "simulator",
                        "data": {"message": "pong", "broker": "simulator"}}
        funds = demo.api("funds", {"apikey": key})
        assert funds.status_code == 200 and funds.json()["broker"] == "simulator"
    finally:
        browser.close()


def test_two_factor_login(demo: PlatformProcess) -> None:
    browser = admin_browser(demo)
    try:
        assert browser.submit("/security/totp/begin", {}, token_from="/security"
                              ).status_code == 303
        secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', browser.get("/security").text)[1]
        totp = pyotp.TOTP(secret)
        wrong = browser.submit("/security/totp/confirm", {"totp": "000000"},
                               token_from="/security")
        assert wrong.status_code == 400
        confirm = browser.submit("/security/totp/confirm", {"totp": totp.now()},
                                 token_from="/security")
        assert confirm.status_code == 303

        fresh = demo.browser()
        try:
            assert 'name="totp"' in fresh.get("/login").text
            assert fresh.login().status_code == 401  # password alone is not enough
            # The next 30-second step's code (the current one was spent on confirming).
            code = totp.at(int(time.time()) + 30)
            assert fresh.login(totp=code).status_code == 303
            replay = demo.browser()
            try:
                assert replay.login(totp=code).status_code == 401  # a code works once
            finally:
                replay.close()
            off = fresh.submit("/security/totp/disable", {"password": ADMIN_PASSWORD},
                               token_from="/security")
            assert off.status_code == 303
        finally:
            fresh.close()
        assert 'name="totp"' not in demo.browser().get("/login").text
    finally:
        browser.close()


def test_sigterm_stops_cleanly_and_restart_keeps_the_demo_key(demo: PlatformProcess) -> None:
    stored = json.loads((demo.data_dir / "demo-broker.json").read_text())
    simulator_port = int(demo.env["SIMULATOR_PORT"])
    assert demo.stop() == 0
    assert "Application shutdown complete" in demo.output()
    with socket.socket() as probe:  # the simulator child is gone with it
        assert probe.connect_ex(("127.0.0.1", simulator_port)) != 0

    demo.start()
    assert json.loads((demo.data_dir / "demo-broker.json").read_text()) == stored
    browser = admin_browser(demo)
    try:
        # The simulator restarted, so the old session is gone: not connected.
        assert re.search(r'id="broker-state">\s*not connected', browser.get("/broker").text)
        login_url = browser.start_connect()
        assert login_url.endswith("api_key=" + stored["app_key"].replace("+", "%2B")
                                  .replace("=", "%3D"))
        answer, _ = browser.connect(DEMO_LOGIN)
        assert answer.status_code == 303
    finally:
        browser.close()


def test_the_demo_simulator_ends_with_a_killed_platform(tmp_path: Path) -> None:
    """SIGKILL gives the platform no chance to stop its child: the simulator must end
    by itself (it asked the kernel for a signal when its parent dies) and free its port."""
    port = free_port()
    platform = PlatformProcess(tmp_path, env={"SIMULATOR_PORT": str(port),
                                              "BROKER_API_KEY": ""}).start()
    try:
        deadline = time.monotonic() + 30
        while not _answers(port):
            assert time.monotonic() < deadline, "the demo simulator never started"
            time.sleep(0.1)
    finally:
        assert platform.process is not None
        platform.process.kill()
        platform.process.wait(timeout=10)
    deadline = time.monotonic() + 15
    while _answers(port):
        assert time.monotonic() < deadline, "the demo simulator outlived its platform"
        time.sleep(0.1)


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_demo_credentials_that_begin_with_a_dash_reach_the_simulator(tmp_path: Path) -> None:
    """One generated key or secret in 64 begins with "-": the simulator's command line
    must still carry it as a value, not as an option (it once failed to start)."""
    settings = Settings(_env_file=None, data_dir=str(tmp_path), simulator_port=free_port())
    credentials = DemoCredentials(app_key="-Kx+demo=0a1b", app_secret="-S3cr3t_-")
    command = DemoSimulator(settings, credentials).command()
    assert command[1:4] == ["-m", "algodesk.cli", "simulator"]
    parsed = build_parser().parse_args(command[3:])
    assert (parsed.app_key, parsed.app_secret) == (credentials.app_key, credentials.app_secret)
    assert (parsed.user_id, parsed.password, parsed.otp) == (DEMO_USER_ID, DEMO_PASSWORD,
                                                             DEMO_OTP)
    assert parsed.port == settings.simulator_port


def test_a_port_left_in_time_wait_is_free_for_a_quick_restart() -> None:
    """A stopped simulator leaves its closed connections in TIME_WAIT for a minute; the
    restarted platform must not call its port taken (it once refused to start)."""
    port = free_port()
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen()
    assert port_is_taken(port)  # something listens: taken
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()  # the server's side closes first: its port goes to TIME_WAIT
    client.recv(1)
    client.close()
    server.close()
    # What the old probe did (no SO_REUSEADDR): refused by the TIME_WAIT.
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))
    assert not port_is_taken(port)
