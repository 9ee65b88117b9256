"""Platforms for the market-data tests: the real `algodesk serve` against a real
simulator, connected through the broker login, with an API key; the `openalgo` client
(1.0.47 or 2.0.5: the test's `openalgo_client`, tests/clients) talks to it over loopback.

Two desks per session: `desk` on a simulator whose market is always open (quotes,
options, option orders at any hour the tests run) with the full instrument universe,
and `exchange_desk` on one with NSE hours (09:15-15:30 IST on weekdays), where candles
have realistic sessions and two years of one-minute bars are a realistic volume.
Breeze's call limits are raised on both sides so the long history test is not
stretched over minutes of budget waiting; the budget's own arithmetic is tested
elsewhere.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import clients
from tests.conftest import SimulatorProcess, free_port
from tests.web.platform import (
    ADMIN,
    ADMIN_PASSWORD,
    Browser,
    PlatformProcess,
    env_file,
    sim_login,
    simulator_env,
)

CALLS_PER_MINUTE = "3000"
CALLS_PER_DAY = "20000"


@dataclass
class MarketDesk:
    platform: PlatformProcess
    sim: SimulatorProcess
    admin: Browser
    apikey: str = ""

    @property
    def client(self) -> Any:
        return clients.api(api_key=self.apikey, host=self.platform.base_url, timeout=120)

    def post(self, endpoint: str, payload: dict[str, Any]) -> httpx.Response:
        with httpx.Client(base_url=self.platform.base_url, timeout=120) as http:
            return http.post(f"/api/v1/{endpoint}", json={"apikey": self.apikey, **payload})

    def broker_calls_today(self) -> int:
        """The platform's own count of Breeze calls, as the broker page shows it."""
        page = self.admin.get("/broker").text
        match = re.search(r'id="broker-calls">\s*([\d,]+) of', page)
        assert match, page[:500]
        return int(match[1].replace(",", ""))


def open_desk(workdir: Path, simulator_factory: Callable[..., SimulatorProcess],
              sim_args: list[str], platform_env: dict[str, str] | None = None) -> MarketDesk:
    port = free_port()
    callback = f"http://127.0.0.1:{port}/icici/callback"
    sim = simulator_factory(redirect_url=callback, extra_args=[
        "--calls-per-minute", CALLS_PER_MINUTE, "--calls-per-day", CALLS_PER_DAY, *sim_args])
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / ".env").write_text(env_file(sim.app_key, sim.app_secret, callback))
    platform = PlatformProcess(workdir, port=port, env={
        **simulator_env(sim), "WEBSOCKET_PORT": str(free_port()),
        "BREEZE_CALLS_PER_MINUTE": CALLS_PER_MINUTE, "BREEZE_CALLS_PER_DAY": CALLS_PER_DAY,
        **(platform_env or {})})
    platform.start()
    try:
        created = platform.cli("user", "create", "--username", ADMIN, "--password-stdin",
                               stdin=ADMIN_PASSWORD + "\n")
        assert created.returncode == 0, created.stderr
        admin = platform.browser()
        assert admin.login().status_code == 303
        answer, _ = admin.connect(sim_login(sim))
        assert answer.status_code == 303, answer.text
        key = platform.cli("apikey", "create")
        assert key.returncode == 0, key.stderr
        desk = MarketDesk(platform, sim, admin, key.stdout.strip())
        # The master contract loads in the background; a store-only history read knows
        # the symbol once it has, and costs no broker call.
        deadline = time.monotonic() + 60
        probe = {"symbol": "SBIN", "exchange": "NSE", "interval": "D",
                 "start_date": "2026-01-01", "end_date": "2026-01-02", "source": "db"}
        while desk.post("history", probe).status_code != 200:
            assert time.monotonic() < deadline, "the master contract never loaded"
            time.sleep(0.2)
    except BaseException:
        platform.stop()
        raise
    return desk


@pytest.fixture(scope="session")
def desk(tmp_path_factory: pytest.TempPathFactory,
         simulator_factory: Callable[..., SimulatorProcess]) -> Iterator[MarketDesk]:
    # The full universe: real-sized strike ladders (201 NIFTY strikes an expiry).
    opened = open_desk(tmp_path_factory.mktemp("market-desk"), simulator_factory,
                       ["--contracts", "full"])
    try:
        yield opened
    finally:
        opened.admin.close()
        opened.platform.stop()


@pytest.fixture(scope="session")
def exchange_desk(tmp_path_factory: pytest.TempPathFactory,
                  simulator_factory: Callable[..., SimulatorProcess]) -> Iterator[MarketDesk]:
    opened = open_desk(tmp_path_factory.mktemp("exchange-desk"), simulator_factory,
                       ["--market-hours", "exchange"])
    try:
        yield opened
    finally:
        opened.admin.close()
        opened.platform.stop()


def upcoming_expiries(desk: MarketDesk, name: str = "NIFTY", exchange: str = "NFO") -> list[str]:
    """Options expiries after today (IST) as DDMMMYY, nearest first: today's expiry
    stops trading at 15:30, and tests run at any hour."""
    import datetime as dt

    reply = desk.client.expiry(symbol=name, exchange=exchange, instrumenttype="options")
    assert reply["status"] == "success", reply
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=5, minutes=30))).date()
    out = []
    for text in reply["data"]:
        day = dt.datetime.strptime(text.title(), "%d-%b-%y").date()
        if day > today:
            out.append(day.strftime("%d%b%y").upper())
    assert out, reply
    return out
