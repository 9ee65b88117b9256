"""The optional second factor: RFC 6238 codes from an authenticator app (pyotp)."""

from __future__ import annotations

import threading
import time

import pyotp

ISSUER = "algodesk"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app imports (or type the secret by hand)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


class TotpVerifier:
    """Checks codes, accepting the neighbouring 30 s steps for clock drift, and refuses a
    code whose time step was already used: a code read over a shoulder is spent."""

    def __init__(self) -> None:
        self._last_step: dict[int, int] = {}
        self._lock = threading.Lock()

    def verify(self, user_id: int, secret: str, code: str, now: float | None = None) -> bool:
        code = "".join(code.split())
        if not (code.isdigit() and len(code) == 6):
            return False
        moment = time.time() if now is None else now
        totp = pyotp.TOTP(secret)
        for drift in (0, -1, 1):
            step = int(moment // totp.interval) + drift
            if totp.verify(code, for_time=step * totp.interval, valid_window=0):
                with self._lock:
                    if self._last_step.get(user_id, -1) >= step:
                        return False
                    self._last_step[user_id] = step
                return True
        return False


__all__ = ["ISSUER", "TotpVerifier", "new_secret", "provisioning_uri"]
