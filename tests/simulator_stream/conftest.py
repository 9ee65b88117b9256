"""Fixtures for the stream tests: the official SDK, logged in to the session simulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import SimulatorProcess
from tests.simulator.test_breeze_sdk import _load_sdk
from tests.simulator_stream.streamkit import Collector, stream_state, wait_until


@pytest.fixture(scope="module")
def breeze(simulator: SimulatorProcess, tmp_path_factory: pytest.TempPathFactory) -> Any:
    sdk_class = _load_sdk(simulator, tmp_path_factory.mktemp("sdk-stream"))
    client = sdk_class(api_key=simulator.app_key)
    client.generate_session(api_secret=simulator.app_secret,
                            session_token=simulator.new_api_session())
    return client


@pytest.fixture
def ticks(breeze: Any, simulator: SimulatorProcess) -> Iterator[Collector]:
    """A connected rate-refresh socket whose every callback lands in the collector."""
    collector = Collector()
    breeze.on_ticks = collector
    breeze.ws_connect()
    try:
        yield collector
    finally:
        breeze.ws_disconnect()
        wait_until(lambda: stream_state(simulator)["connections"] == 0, 10,
                   "the simulator closing the SDK's sockets")
