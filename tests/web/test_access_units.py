"""The access layer's parts on their own: rules, keys, caches, limits, redaction."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import stat
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest

from algodesk.access import models
from algodesk.access.apikeys import ApiKeyService
from algodesk.access.passwords import password_problem, username_problem
from algodesk.access.ratelimit import FailureLimiter
from algodesk.access.secretbox import KEY_FILE, SecretBox, SecretBoxError
from algodesk.access.totp import TotpVerifier
from algodesk.access.users import UserStore
from algodesk.app import AccessLog
from algodesk.brokers.icici.formats import IST
from algodesk.brokers.icici.session import next_daily
from algodesk.config import Settings
from algodesk.logging_setup import RedactingFilter, Redactor, configure_logging, stop_logging
from algodesk.runtime import redirect_url_problem
from algodesk.storage import Database
from algodesk.web.common import inr, safe_next


@pytest.fixture()
def db(tmp_path: Path) -> Database:
    assert models.ApiKey
    database = Database(f"sqlite:///{tmp_path / 'units.db'}")
    database.migrate()
    return database


@pytest.fixture()
def box(tmp_path: Path) -> SecretBox:
    return SecretBox.load_or_create(tmp_path)


# --------------------------------------------------------------------------- passwords


@pytest.mark.parametrize(("password", "problem"), [
    ("short1A", "at least 10"),
    ("alllowercaseletters", "two kinds"),
    ("1234567890123", "two kinds"),
    ("aaaaaaaaaa11", "repetitive"),
    ("trader-is-me-7", "username"),
    ("password123", "every attacker"),
    ("Correct-Horse-42", None),
    ("river stone 9 lamp", None),
])
def test_password_rule(password: str, problem: str | None) -> None:
    answer = password_problem(password, "trader")
    if problem is None:
        assert answer is None
    else:
        assert answer is not None and problem in answer


def test_username_rule() -> None:
    assert username_problem("trader_1") is None
    assert username_problem("ab") is not None
    assert username_problem("bad name") is not None


# --------------------------------------------------------------------------- secret box


def test_secret_box_is_private_stable_and_purpose_bound(tmp_path: Path) -> None:
    box = SecretBox.load_or_create(tmp_path)
    path = tmp_path / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    sealed = box.encrypt("session-token-value", "broker-session-token")
    assert b"session-token-value" not in sealed
    again = SecretBox.load_or_create(tmp_path)  # the same key after a restart
    assert again.decrypt(sealed, "broker-session-token") == "session-token-value"
    with pytest.raises(SecretBoxError):
        again.decrypt(sealed, "totp-secret")
    with pytest.raises(SecretBoxError):
        again.decrypt(sealed[:-1] + bytes([sealed[-1] ^ 1]), "broker-session-token")
    assert box.digest("x", "a") != box.digest("x", "b")
    other = SecretBox.load_or_create(tmp_path / "elsewhere")
    with pytest.raises(SecretBoxError):
        other.decrypt(sealed, "broker-session-token")
    os.chmod(path, 0o644)  # someone loosened it: tightened on the next start
    SecretBox.load_or_create(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --------------------------------------------------------------------------- API keys


def test_api_key_cache_revocation_and_wrong_keys(db: Database, box: SecretBox) -> None:
    users = UserStore(db, box)
    admin = users.create("trader", "Correct-Horse-42")
    now = [0.0]
    keys = ApiKeyService(db, box, revalidate_seconds=30, clock=lambda: now[0])
    key = keys.create(admin.id)
    assert keys.verify_cached(key) is None  # not seen yet: "unknown", not "wrong"
    assert keys.verify_slow(key) == admin.id
    slow = keys.slow_checks
    for _ in range(1000):
        assert keys.verify_cached(key) == admin.id
    assert keys.slow_checks == slow  # the hot path never ran argon2 again

    assert keys.verify_cached(key[:-1] + "x") is None
    assert keys.verify_slow(key[:-1] + "x") is None
    assert keys.known_wrong(key[:-1] + "x")  # repeating a wrong key costs no argon2

    # Another process (the CLI) revokes it: noticed after the revalidation interval.
    ApiKeyService(db, box).revoke(admin.id)
    assert keys.verify_cached(key) == admin.id
    now[0] += 31
    assert keys.verify_cached(key) is None
    assert keys.verify_slow(key) is None

    # Revoking through this service drops the cache at once.
    fresh = keys.create(admin.id)
    assert keys.verify_slow(fresh) == admin.id
    keys.revoke(admin.id)
    assert keys.verify_cached(fresh) is None
    with db.session() as s:
        stored = [row.key_hash for row in s.query(models.ApiKey)]
    assert stored and all(key not in h and fresh not in h for h in stored)
    assert all(h.startswith("$argon2id$") for h in stored)


# --------------------------------------------------------------------------- limits, TOTP


def test_failure_limiter_window() -> None:
    now = [100.0]
    limiter = FailureLimiter(5, 60, clock=lambda: now[0])
    for _ in range(5):
        assert limiter.retry_after("a") == 0
        limiter.failed("a")
    assert limiter.retry_after("a") == pytest.approx(60)
    assert limiter.retry_after("b") == 0
    now[0] += 61
    assert limiter.retry_after("a") == 0


def test_totp_codes_work_once_and_tolerate_drift() -> None:
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    verifier = TotpVerifier()
    moment = 1_800_000_000.0
    assert verifier.verify(1, secret, totp.at(moment - 30), now=moment)  # a step behind
    assert not verifier.verify(1, secret, totp.at(moment - 30), now=moment)  # replayed
    assert verifier.verify(1, secret, totp.at(moment), now=moment)
    assert not verifier.verify(1, secret, totp.at(moment - 90), now=moment)  # too old
    assert not verifier.verify(1, secret, "12345", now=moment)


# --------------------------------------------------------------------------- redaction


def test_redaction_of_values_and_patterns() -> None:
    redactor = Redactor()
    redactor.add("S3cr3t-Session-Token==", "42", None)
    record = logging.LogRecord("x", logging.INFO, __file__, 1,
                               "%s GET /icici/callback?apisession=12345678&x=1 %s", (
                                   "token S3cr3t-Session-Token==",
                                   '{"apikey": "abcdef0123", "password":"hunter2-hunter"}'),
                               None)
    assert RedactingFilter(redactor).filter(record)
    text = record.getMessage()
    for leak in ("S3cr3t-Session-Token", "12345678", "abcdef0123", "hunter2"):
        assert leak not in text
    assert "apisession=***&x=1" in text
    assert "42" not in redactor._values  # too short to mask safely


# --------------------------------------------------------------------------- small rules


@pytest.mark.parametrize("api_access_log", [False, True])
def test_api_access_lines_only_when_asked(tmp_path: Path, api_access_log: bool) -> None:
    async def answer(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def call() -> None:
        transport = httpx.ASGITransport(app=AccessLog(answer, api_calls=api_access_log))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            assert (await http.post("/api/v1/orderbook", json={})).status_code == 200
            assert (await http.get("/broker", params={"x": "1"})).status_code == 200

    path = configure_logging(tmp_path, "INFO")
    try:
        asyncio.run(call())
    finally:
        stop_logging()  # writes out what is queued
        logging.getLogger().handlers.clear()
    text = path.read_text()
    assert '- "GET /broker?x=1 HTTP/1.1" 200' in text
    assert ('- "POST /api/v1/orderbook HTTP/1.1" 200' in text) is api_access_log


def test_redirect_url_must_match_the_served_address() -> None:
    def problem(url: str, host: str = "127.0.0.1", port: int = 5000) -> str | None:
        return redirect_url_problem(Settings(_env_file=None, redirect_url=url, host=host,
                                             port=port))

    assert problem("http://127.0.0.1:5000/icici/callback") is None
    assert problem("http://localhost:5000/icici/callback") is None
    assert problem("http://192.168.1.5:5000/icici/callback", host="0.0.0.0") is None
    wrong_port = problem("http://127.0.0.1:8000/icici/callback")
    assert wrong_port and "REDIRECT_URL = 'http://127.0.0.1:5000/icici/callback'" in wrong_port
    assert problem("http://127.0.0.1:5000/callback")
    assert problem("http://127.0.0.1:5000/icici/callback", port=5050)


def test_next_daily_expiry_is_ist() -> None:
    at = dt.time(0, 0)
    before = dt.datetime(2026, 3, 2, 18, 0, tzinfo=dt.UTC)  # 23:30 IST
    assert next_daily(before, at) == dt.datetime(2026, 3, 2, 18, 30, tzinfo=dt.UTC)
    exactly = dt.datetime(2026, 3, 2, 18, 30, tzinfo=dt.UTC)
    assert next_daily(exactly, at) == dt.datetime(2026, 3, 3, 18, 30, tzinfo=dt.UTC)
    assert next_daily(before, dt.time(15, 30)).astimezone(IST).hour == 15


def test_indian_money_format_and_safe_redirects() -> None:
    assert inr(Decimal("10000000")) == "₹1,00,00,000.00"
    assert inr(Decimal("-1234.5")) == "-₹1,234.50"
    assert inr(Decimal("999")) == "₹999.00"
    assert safe_next("/broker?x=1") == "/broker?x=1"
    for hostile in ("//evil.example", "https://evil.example", "/\\evil", ""):
        assert safe_next(hostile) == "/"


def test_env_example_is_read_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed's .env sample, ICICI's `KEY = 'value'` lines included, as the app reads it."""
    for name in list(os.environ):
        if name.startswith(("BROKER_", "BREEZE_", "REDIRECT_", "HOST", "PORT")):
            monkeypatch.delenv(name)
    example = (Path(__file__).parents[2] / ".env.example").read_text()
    filled = example.replace("BROKER_API_KEY = ''", "BROKER_API_KEY = 'k+y=1 (x)'").replace(
        "BROKER_API_SECRET = ''", "BROKER_API_SECRET = 'se cret'")
    (tmp_path / ".env").write_text(filled)
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.broker_api_key.get_secret_value() == "k+y=1 (x)"
    assert settings.broker_api_secret.get_secret_value() == "se cret"
    assert settings.redirect_url == "http://127.0.0.1:5000/icici/callback"
    assert (settings.host, settings.port, settings.allow_remote_access) == ("127.0.0.1", 5000,
                                                                            False)
    assert settings.broker_session_expiry == "00:00"
    assert redirect_url_problem(settings) is None
    (tmp_path / ".env").write_text(example)
    assert Settings().demo_mode


def test_platform_never_imports_the_simulator() -> None:
    code = ("import sys, algodesk.app, algodesk.server; "
            "print(sorted(m for m in sys.modules if m.startswith('algodesk.simulator')))")
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == "[]"


def test_remote_bind_needs_explicit_permission(tmp_path: Path) -> None:
    env = {**os.environ, "HOST": "0.0.0.0", "DATA_DIR": str(tmp_path / "data")}
    env.pop("ALLOW_REMOTE_ACCESS", None)
    answer = subprocess.run([sys.executable, "-m", "algodesk.cli", "serve"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=60)
    assert answer.returncode == 2
    assert "ALLOW_REMOTE_ACCESS = true" in answer.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was created
