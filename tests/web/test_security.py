"""CSRF, login rate limit, API key verification, and no plaintext secrets at rest."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx

from tests.web.conftest import RealSetup
from tests.web.platform import ADMIN_PASSWORD

INVALID = {"status": "error", "message": "Invalid openalgo apikey"}


def test_forms_without_the_csrf_token_are_refused(real: RealSetup) -> None:
    admin = real.admin
    before = admin.get("/apikey").text
    for path in ("/apikey/generate", "/apikey/revoke", "/broker/connect", "/logout",
                 "/security/totp/begin", "/analyzer/switch"):
        missing = admin.http.post(path, data={})
        assert missing.status_code == 403, path
        assert "Form refused" in missing.text
        forged = admin.http.post(path, data={"csrf_token": "0" * 64})
        assert forged.status_code == 403, path
    assert admin.get("/apikey").text == before  # nothing was generated or revoked
    assert admin.get("/").status_code == 200  # and the session survived /logout

    # A token from another browser is no good either (it is bound to that browser).
    other = real.platform.browser()
    try:
        foreign = other.csrf("/login")
        assert admin.http.post("/apikey/generate", data={"csrf_token": foreign}).status_code == 403
        assert other.http.post("/login", data={
            "username": "trader", "password": ADMIN_PASSWORD}).status_code == 403
    finally:
        other.close()


def test_sixth_wrong_password_is_rate_limited_per_address(real: RealSetup) -> None:
    attacker = real.platform.browser(local_address="127.0.0.2")
    neighbour = real.platform.browser(local_address="127.0.0.3")
    try:
        for _ in range(5):
            assert attacker.login(password="wrong-password-1").status_code == 401
        sixth = attacker.login(password="wrong-password-1")
        assert sixth.status_code == 429
        assert "Too many failed logins" in sixth.text
        assert int(sixth.headers["retry-after"]) > 0
        # Even the right password waits now, from that address ...
        assert attacker.login().status_code == 429
        # ... while another address logs in as usual.
        assert neighbour.login().status_code == 303
    finally:
        attacker.close()
        neighbour.close()


def test_api_key_verification(real: RealSetup) -> None:
    platform = real.platform
    real.ensure_connected()
    key = real.admin.generate_api_key()
    assert platform.api("ping", {"apikey": key}).status_code == 200
    # Revealed once: a refresh of the page shows no key and rotates nothing.
    refreshed = real.admin.get("/apikey").text
    assert "shown only this once" not in refreshed and key not in refreshed
    assert platform.api("ping", {"apikey": key}).status_code == 200

    wrong = platform.api("ping", {"apikey": key[:-1] + ("0" if key[-1] != "0" else "1")})
    assert (wrong.status_code, wrong.json()) == (403, INVALID)
    assert platform.api("funds", {"apikey": "x" * 300}).status_code == 403

    # Rotate: the old key stops at once, the new one works.
    new_key = real.admin.generate_api_key()
    old = platform.api("ping", {"apikey": key})
    assert (old.status_code, old.json()) == (403, INVALID)
    assert platform.api("ping", {"apikey": new_key}).status_code == 200

    # Revoke: nothing works.
    revoked = real.admin.submit("/apikey/revoke", {}, token_from="/apikey")
    assert revoked.status_code == 303
    gone = platform.api("funds", {"apikey": new_key})
    assert (gone.status_code, gone.json()) == (403, INVALID)

    missing = platform.api("funds", {})
    assert missing.status_code == 400
    assert missing.json()["message"] == {"apikey": ["Missing data for required field."]}
    broken = httpx.post(f"{platform.base_url}/api/v1/funds", content=b"{not json",
                        headers={"content-type": "application/json"})
    assert broken.status_code == 400 and broken.json()["status"] == "error"


def test_repeated_invalid_keys_are_rate_limited(real: RealSetup) -> None:
    platform = real.platform
    answers = [platform.api("ping", {"apikey": f"wrong-key-{i}"}, local_address="127.0.0.5")
               for i in range(21)]
    assert [a.status_code for a in answers[:20]] == [403] * 20
    assert answers[20].status_code == 429
    assert answers[20].json()["retry_after"] > 0
    # Other addresses are not affected.
    other = platform.api("ping", {"apikey": "wrong-key-x"}, local_address="127.0.0.6")
    assert other.status_code == 403


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_no_plaintext_secrets_at_rest(real: RealSetup) -> None:
    platform, sim = real.platform, real.sim
    answer, api_session = real.admin.connect(real.sim_user)
    assert answer.status_code == 303
    # The simulator hands the same session to the same API_Session: read its token.
    details = httpx.request("GET", f"{sim.api_url}customerdetails",
                            json={"SessionToken": api_session, "AppKey": sim.app_key}).json()
    token = details["Success"]["session_token"]
    session_key = base64.b64decode(token).decode().split(":")[1]
    key = platform.cli("apikey", "create").stdout.strip()
    assert platform.api("funds", {"apikey": key}).status_code == 200
    # A GET callback puts the API_Session in the URL, which the access log records.
    real.admin.start_connect()
    real.admin.get("/icici/callback", params={"apisession": api_session})

    secrets = {"session token": token, "session key": session_key,
               "API_Session": api_session, "API key": key, "admin password": ADMIN_PASSWORD}
    files = [*_files(platform.data_dir), platform.workdir / ".env"]
    assert any(p.name.endswith(".db-wal") or p.name.endswith(".db") for p in files)
    logs = [p for p in files if p.suffix == ".log"]
    assert logs and "apisession=***" in logs[0].read_text()  # the line was there, scrubbed
    for path in files:
        data = path.read_bytes()
        for name, secret in secrets.items():
            assert secret.encode() not in data, f"{name} in plain text in {path.name}"
    assert (platform.data_dir / "secret.key").stat().st_mode & 0o777 == 0o600
