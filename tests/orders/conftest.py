"""One real platform and one real simulator per test module, connected, with an API key.

The platform runs as `algodesk serve` (its own process and DATA_DIR) against the Breeze
simulator (its own process), both on loopback; tests speak to it through the official
`openalgo` client or plain HTTP, and check the far side by reading the simulator through
a `BreezeClient` session of their own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from algodesk.brokers.icici import BreezeClient
from tests import clients
from tests.conftest import SimulatorProcess, free_port
from tests.web.platform import (
    ADMIN,
    ADMIN_PASSWORD,
    PlatformProcess,
    env_file,
    sim_login,
    simulator_env,
)

# Generous Breeze limits on both sides: these tests are about orders and books; the
# budget has tests of its own.
CALLS_PER_MINUTE = "3000"


@dataclass
class Desk:
    platform: PlatformProcess
    sim: SimulatorProcess
    apikey: str = ""
    _session: str | None = field(default=None, repr=False)

    @property
    def client(self) -> Any:
        """The official openalgo client (1.0.47 or 2.0.5: the test's `openalgo_client`),
        unmodified."""
        return clients.api(api_key=self.apikey, host=self.platform.base_url, timeout=60)

    def post(self, endpoint: str, payload: dict[str, Any], *, key: bool = True
             ) -> httpx.Response:
        body = {"apikey": self.apikey, **payload} if key else payload
        with httpx.Client(base_url=self.platform.base_url, timeout=60) as http:
            return http.post(f"/api/v1/{endpoint}", json=body)

    def get(self, path: str, **params: Any) -> httpx.Response:
        with httpx.Client(base_url=self.platform.base_url, timeout=60) as http:
            return http.get(path, params=params)

    def direct(self, operation: Callable[[BreezeClient], Any]) -> Any:
        """`operation(client)` on a BreezeClient session of our own at the simulator."""
        if self._session is None:
            self._session = self.sim.admin("api-session")["api_session"]

        async def run() -> Any:
            async with BreezeClient(self.sim.app_key, self.sim.app_secret,
                                    api_url=self.sim.api_url, history_url=self.sim.history_url,
                                    timeout=20) as client:
                await client.customer_details(self._session or "")
                return await operation(client)

        return asyncio.run(run())

    def ltp(self, stock_code: str, exchange: str, **contract: Any) -> Any:
        rows = self.direct(lambda c: c.get_quotes(stock_code, exchange, **contract))
        return next(r for r in rows if r.exchange_code == exchange)


def open_desk(workdir: Path, simulator_factory: Callable[..., SimulatorProcess],
              env: dict[str, str] | None = None) -> Desk:
    port = free_port()
    callback = f"http://127.0.0.1:{port}/icici/callback"
    sim = simulator_factory(redirect_url=callback,
                            extra_args=["--calls-per-minute", CALLS_PER_MINUTE])
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / ".env").write_text(env_file(sim.app_key, sim.app_secret, callback))
    platform = PlatformProcess(workdir, port=port, env={
        **simulator_env(sim), "WEBSOCKET_PORT": str(free_port()),
        "BREEZE_CALLS_PER_MINUTE": CALLS_PER_MINUTE, **(env or {})})
    platform.start()
    desk = Desk(platform, sim)
    try:
        created = platform.cli("user", "create", "--username", ADMIN, "--password-stdin",
                               stdin=ADMIN_PASSWORD + "\n")
        assert created.returncode == 0, created.stderr
        browser = platform.browser()
        try:
            assert browser.login().status_code == 303
            answer, _ = browser.connect(sim_login(sim))
            assert answer.status_code == 303, answer.text
        finally:
            browser.close()
        key = platform.cli("apikey", "create")
        assert key.returncode == 0, key.stderr
        desk.apikey = key.stdout.strip()
        deadline = time.monotonic() + 60
        while desk.post("symbol", {"symbol": "SBIN", "exchange": "NSE"}).status_code != 200:
            assert time.monotonic() < deadline, "the master contract never loaded"
            time.sleep(0.2)
    except BaseException:
        platform.stop()
        raise
    return desk


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory,
         simulator_factory: Callable[..., SimulatorProcess]) -> Iterator[Desk]:
    opened = open_desk(tmp_path_factory.mktemp("desk"), simulator_factory)
    try:
        yield opened
    finally:
        opened.platform.stop()
