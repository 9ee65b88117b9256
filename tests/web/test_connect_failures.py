"""Every broker-login failure ends on a page that says what happened and what to do."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import SimulatorProcess, free_port
from tests.web.platform import Browser, PlatformProcess, env_file, simulator_env


def connect_with_minted_session(platform: PlatformProcess, sim: SimulatorProcess,
                                variant: str = "post") -> str:
    """Log in to the platform, click Connect, and come back with a fresh API_Session
    (minted by the simulator's admin API: the platform's own key may be unknown there)."""
    browser: Browser = platform.browser()
    try:
        assert browser.setup().status_code == 303
        assert browser.login().status_code == 303
        browser.start_connect()
        api_session = sim.admin("api-session")["api_session"]
        if variant == "post":
            answer = browser.http.post("/icici/callback", data={"API_Session": api_session})
        else:
            answer = browser.get("/icici/callback", params={"apisession": api_session})
        assert "connected as" not in browser.get("/broker").text
        return f"{answer.status_code}\n{answer.text}"
    finally:
        browser.close()


@pytest.mark.parametrize(("case", "status", "title", "advice"), [
    ("wrong key", "400", "ICICI does not know this app key", "BROKER_API_KEY"),
    ("wrong secret", "400", "ICICI refused the signature", "BROKER_API_SECRET"),
    ("unreachable", "502", "The broker could not be reached", "internet connection"),
])
def test_failure_pages(case: str, status: str, title: str, advice: str,
                       spare_platform: Callable[..., PlatformProcess],
                       simulator: SimulatorProcess) -> None:
    key, secret, env = simulator.app_key, simulator.app_secret, simulator_env(simulator)
    if case == "wrong key":
        key = "no+such=key"
    elif case == "wrong secret":
        secret = "not-the-secret"
    else:
        env["BREEZE_API_URL"] = f"http://127.0.0.1:{free_port()}/breezeapi/api/v1/"
    platform = spare_platform(env, dot_env=env_file(key, secret,
                                                    "http://127.0.0.1:5000/icici/callback"))
    page = connect_with_minted_session(platform, simulator)
    assert page.startswith(status + "\n"), page[:400]
    assert title in page
    assert "What happened" in page and "What to do" in page
    assert advice in page
