"""A restart on the same day keeps the broker session (decrypted from the database);
`algodesk user reset-password` recovers the account headless."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import SimulatorProcess
from tests.web.platform import (
    ADMIN_PASSWORD,
    PlatformProcess,
    env_file,
    first_run,
    simulator_env,
)


def test_session_survives_restart_and_password_reset(
        spare_platform: Callable[..., PlatformProcess], simulator: SimulatorProcess) -> None:
    platform = spare_platform(simulator_env(simulator), dot_env=env_file(
        simulator.app_key, simulator.app_secret, "http://127.0.0.1:5000/icici/callback"))
    key = first_run(platform, simulator)
    assert platform.api("funds", {"apikey": key}).status_code == 200

    assert platform.stop() == 0
    platform.start()
    # No new login: the encrypted token was restored and still works at the broker.
    funds = platform.api("funds", {"apikey": key})
    assert funds.status_code == 200, funds.text
    assert "session of TE123456 restored" in platform.output()

    new_password = "Fresh-Start-2026"
    reset = platform.cli("user", "reset-password", "--username", "trader", "--password-stdin",
                         stdin=new_password + "\n")
    assert reset.returncode == 0, reset.stderr
    browser = platform.browser()
    try:
        assert browser.login(password=ADMIN_PASSWORD).status_code == 401
        assert browser.login(password=new_password).status_code == 303
        assert "connected as DEMO TRADER" in browser.get("/broker").text
    finally:
        browser.close()
