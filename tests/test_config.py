"""Settings: `.env` read exactly as ICICI's guide writes it; endpoints overridable."""

from __future__ import annotations

from pathlib import Path

import pytest

from algodesk.config import ICICI_API_URL, ICICI_SECURITY_MASTER_URL, Settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("BROKER_API_KEY", "BROKER_API_SECRET", "REDIRECT_URL", "BREEZE_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_env_file_in_icici_guide_format(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "BROKER_API_KEY = 'ab+cd=ef~12(3'\n"
        "BROKER_API_SECRET = 'se cret'\n"
        "REDIRECT_URL = 'http://127.0.0.1:5000/icici/callback'\n"
    )
    settings = Settings()
    assert settings.broker_api_key.get_secret_value() == "ab+cd=ef~12(3"
    assert settings.broker_api_secret.get_secret_value() == "se cret"
    assert settings.redirect_url == "http://127.0.0.1:5000/icici/callback"
    assert not settings.demo_mode
    assert "ab+cd" not in repr(settings)  # secrets never show in reprs or logs


def test_defaults_are_icici_and_demo_without_key() -> None:
    settings = Settings()
    assert settings.demo_mode
    assert settings.breeze_api_url == ICICI_API_URL
    assert settings.security_master_url == ICICI_SECURITY_MASTER_URL
    assert (settings.host, settings.port, settings.websocket_port) == ("127.0.0.1", 5000, 8765)


def test_environment_points_endpoints_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BREEZE_API_URL", "http://127.0.0.1:5001/breezeapi/api/v1/")
    assert Settings().breeze_api_url == "http://127.0.0.1:5001/breezeapi/api/v1/"


def test_example_env_lists_every_setting() -> None:
    example = (Path(__file__).parents[1] / ".env.example").read_text()
    for name in Settings.model_fields:
        assert f"\n{name.upper()} = " in example, f"{name} missing from .env.example"
