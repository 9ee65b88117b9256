"""`algodesk contracts update | status | search` against the real simulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from algodesk.cli import main
from algodesk.config import get_settings


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's leaks in
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_update_status_and_search(env: Path, simulator: Any, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contracts", "status"]) == 1
    assert "No master contract yet" in capsys.readouterr().out
    assert main(["contracts", "search", "SBIN"]) == 1
    capsys.readouterr()

    monkeypatch.setenv("SECURITY_MASTER_URL", simulator.security_master_url)
    get_settings.cache_clear()
    assert main(["contracts", "update"]) == 0
    out = capsys.readouterr().out
    assert "Installed master" in out and "NFO" in out

    assert main(["contracts", "status"]) == 0
    out = capsys.readouterr().out
    assert "instruments" in out and simulator.security_master_url in out and "cli" in out

    assert main(["contracts", "search", "state", "bank", "--exchange", "NSE"]) == 0
    out = capsys.readouterr().out
    assert "SBIN" in out and "STABAN" in out and "4.1!3045" in out

    assert main(["contracts", "search", "NIFTY", "--type", "FUT", "--limit", "2"]) == 0
    assert "2 match(es)" in capsys.readouterr().out


def test_update_failure_is_reported(env: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SECURITY_MASTER_URL", "http://127.0.0.1:9/SecurityMaster.zip")
    get_settings.cache_clear()
    assert main(["contracts", "update"]) == 1
    out = capsys.readouterr().out
    assert "Refresh failed" in out and "could not download" in out
    assert main(["contracts", "status"]) == 1
    out = capsys.readouterr().out
    assert "failed at download" in out and "No master contract yet" in out
    assert "no master contract yet" in out  # the attempt's own words
    assert "previous master stays in service" not in out  # there was none
