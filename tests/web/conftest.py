"""Platforms for the access tests: real mode against a simulator, and demo mode.

`real` is one platform for the session, configured like a trader's ICICI setup (a
`.env` in ICICI's format) but with the Breeze endpoints pointed at a simulator whose
redirect URL is this platform's /icici/callback. Its admin account is created with
`algodesk user create`, as a headless install would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

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


@dataclass
class RealSetup:
    platform: PlatformProcess
    sim: SimulatorProcess
    admin: Browser

    @property
    def sim_user(self) -> tuple[str, str, str]:
        return sim_login(self.sim)

    def ensure_connected(self) -> None:
        if "connected as" not in self.admin.get("/broker").text:
            answer, _ = self.admin.connect(self.sim_user)
            assert answer.status_code == 303, answer.text


def start_real(tmp: Path, simulator_factory: Callable[..., SimulatorProcess],
               **sim_options: Any) -> tuple[PlatformProcess, SimulatorProcess]:
    port = free_port()
    sim = simulator_factory(redirect_url=f"http://127.0.0.1:{port}/icici/callback",
                            **sim_options)
    platform = PlatformProcess(tmp, port=port, env=simulator_env(sim))
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / ".env").write_text(env_file(sim.app_key, sim.app_secret,
                                       f"http://127.0.0.1:{port}/icici/callback"))
    return platform.start(), sim


@pytest.fixture(scope="session")
def real(tmp_path_factory: pytest.TempPathFactory,
         simulator_factory: Callable[..., SimulatorProcess]) -> Iterator[RealSetup]:
    platform, sim = start_real(tmp_path_factory.mktemp("real"), simulator_factory)
    created = platform.cli("user", "create", "--username", ADMIN, "--password-stdin",
                           stdin=ADMIN_PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    admin = platform.browser()
    assert admin.login().status_code == 303
    try:
        yield RealSetup(platform, sim, admin)
    finally:
        admin.close()
        platform.stop()


@pytest.fixture()
def spare_platform(tmp_path: Path, simulator_factory: Callable[..., SimulatorProcess],
                   ) -> Iterator[Callable[..., PlatformProcess]]:
    """Start a platform with other settings (stopped after the test)."""
    started: list[PlatformProcess] = []

    def start(env: dict[str, str], dot_env: str = "") -> PlatformProcess:
        folder = tmp_path / f"platform{len(started)}"
        folder.mkdir()
        if dot_env:
            (folder / ".env").write_text(dot_env)
        platform = PlatformProcess(folder, env=env)
        started.append(platform)
        return platform.start()

    try:
        yield start
    finally:
        for platform in started:
            platform.stop()
