"""The two openalgo clients the suite drives, and the proxy that carries 2.0.5 here."""

from __future__ import annotations

import importlib
import json
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import openalgo
import pandas as pd
import pytest

from tests import clients
from tests.clients import venv
from tests.clients.child import decode_frame, encode_frame
from tests.clients.plugin import uses_openalgo
from tests.clients.remote import RemoteOpenalgo


def test_each_client_is_the_version_its_id_names(openalgo2: RemoteOpenalgo) -> None:
    assert openalgo.__version__ == "1.0.47" and sys.version_info[:2] == (3, 11)
    about = openalgo2.about()
    assert about["openalgo"] == "2.0.5"
    assert tuple(about["python"][:2]) >= (3, 12)
    assert venv.is_built() and venv.REQUIREMENT == "openalgo==2.0.5"


def round_trip(frame: pd.DataFrame) -> pd.DataFrame:
    return decode_frame(json.loads(json.dumps(encode_frame(frame))))


def test_frames_cross_with_their_dtypes_index_and_zone() -> None:
    # What `history` builds: seconds -> datetime64[us] -> UTC -> IST, index "timestamp".
    stamps = pd.to_datetime(pd.Series([1767239100, 1767239400, 1767239700]), unit="s")
    intraday = pd.DataFrame({
        "timestamp": stamps.dt.tz_localize("UTC").dt.tz_convert("Asia/Kolkata"),
        "open": [101.05, 101.1, np.nan], "high": [102.0, 101.9, 101.2],
        "low": [100.95, 100.0, 99.1], "close": [101.1, 100.05, 101.15],
        "volume": [1200, 0, 9_000_000_001], "oi": [0, 0, 0]}).set_index("timestamp")
    daily = pd.DataFrame({"close": [1.5, 2.25]},
                         index=pd.DatetimeIndex(["2026-11-02", "2026-11-03"], name="timestamp"))
    listing = pd.DataFrame({"symbol": ["SBIN", "NIFTY26DEC25800CE"], "strike": [-1.0, 25800.0],
                            "lotsize": [1, 75], "expiry": ["", "26-DEC-26"]})
    for frame in (intraday, daily, listing):
        back = round_trip(frame)
        pd.testing.assert_frame_equal(back, frame, check_exact=True)
        assert back.index.dtype == frame.index.dtype and type(back.index) is type(frame.index)
        assert list(back.dtypes) == list(frame.dtypes)
    assert str(round_trip(intraday).index.tz) == "Asia/Kolkata"


def test_a_client_exception_is_raised_here_as_itself(openalgo2: RemoteOpenalgo) -> None:
    local = openalgo.api(api_key="k", host="http://127.0.0.1:9")
    remote = openalgo2.api(api_key="k", host="http://127.0.0.1:9")
    with pytest.raises(TypeError) as here:
        local.quotes(symbol="SBIN")
    with pytest.raises(TypeError) as there:
        remote.quotes(symbol="SBIN")
    assert str(there.value) == str(here.value)
    assert "raised by the openalgo 2.0.5 client" in there.value.__notes__[0]
    with pytest.raises(AttributeError):
        remote.no_such_method()


def test_calls_from_threads_run_concurrently(openalgo2: RemoteOpenalgo) -> None:
    """A listening socket that never answers: each call waits out the client's 2 s
    timeout. Four at once take about 2 s, one after another they would take 8."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        host = f"http://127.0.0.1:{silent.getsockname()[1]}"
        answers: list[dict[str, Any]] = []

        def call() -> None:
            answers.append(openalgo2.api(api_key="k", host=host, timeout=2).funds())

        started = time.monotonic()
        threads = [threading.Thread(target=call) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.monotonic() - started
    assert [a["error_type"] for a in answers] == ["timeout_error"] * 4, answers
    assert took < 6, took


def _direct(desk: Any) -> None:
    desk.client.funds()


def _through_a_helper(desk: Any) -> None:
    _helper(desk).funds()


def _helper(desk: Any) -> Any:
    return desk.client


def _in_a_thread(desk: Any) -> None:
    threading.Thread(target=lambda: desk.client.funds()).start()


def _posts_only(desk: Any) -> None:
    desk.post("funds", {})


# Reached through a dict, which the detection does not follow: this module's own tests
# are not parametrized by it.
SAMPLES = {_direct: True, _through_a_helper: True, _in_a_thread: True, _posts_only: False}


def test_the_tests_that_use_a_client_are_the_ones_parametrized() -> None:
    assert {f: uses_openalgo(f, ["desk"]) for f in SAMPLES} == SAMPLES
    assert not uses_openalgo(_direct, ["broker"])  # a BrokerConnection's `.client`
    flow = importlib.import_module("tests.web.test_connect_flow")  # `api(...)` imported
    assert uses_openalgo(flow.test_api_answers_with_the_broker_behind_it, ["real"])
    crash = importlib.import_module("tests.orders_robustness.test_crash")  # both at once
    assert not uses_openalgo(
        crash.test_sigkill_mid_burst_every_accepted_order_exists_exactly_once,
        ["stack_factory", "both_openalgo_clients"])


def test_a_client_outside_a_parametrized_test_is_refused() -> None:
    build = clients.api
    with pytest.raises(RuntimeError, match="not parametrized over the clients"):
        build(api_key="k", host="http://127.0.0.1:9")


@pytest.fixture(scope="module")
def shared_setup_client() -> Any:
    return clients.api(api_key="k", host="http://127.0.0.1:9")


def test_a_module_fixture_gets_the_first_client(shared_setup_client: Any) -> None:
    assert type(shared_setup_client) is openalgo.api


def fake_python(path: Path, answer: str, status: int = 0) -> Path:
    """An executable answering venv.py's version probe as a Python would (or a shim)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho '{answer}'\nexit {status}\n")
    path.chmod(0o755)
    return path


def test_the_setup_finds_a_python_312_or_says_there_is_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # On PATH a pyenv shim that refuses to run (as on this machine), and an empty pyenv.
    fake_python(tmp_path / "bin" / "python3.12", "pyenv: python3.12: command not found", 127)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    with pytest.raises(venv.NoPython312, match=r"needs Python >= 3\.12, and none was found"):
        venv.find_python()
    # pyenv's versions: the oldest that is new enough.
    versions = tmp_path / "pyenv" / "versions"
    fake_python(versions / "3.11.9" / "bin" / "python3", "3 11")
    fake_python(versions / "3.13.0" / "bin" / "python3", "3 13")
    chosen = fake_python(versions / "3.12.1" / "bin" / "python3", "3 12")
    assert venv.find_python() == str(chosen)
