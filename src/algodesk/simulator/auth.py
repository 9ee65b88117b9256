"""Apps, API_Sessions, session tokens, checksum verification and call budgets.

Everything here answers the way ICICI's gateway answers (reference §2–§4): a refused
signature, an unknown or expired session token and an exhausted budget all come back as
HTTP 401 with `{"Status": 5, "Error": …}`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .clock import IST, Clock
from .config import SimulatorConfig
from .wire import INVALID_CHECKSUM, LIMIT_PER_DAY, LIMIT_PER_MINUTE


@dataclass
class Session:
    user_id: str
    session_key: str
    api_session: str
    created_at: float
    expires_at: float
    minute_calls: deque[float] = field(default_factory=deque)
    day: str = ""
    day_calls: int = 0

    @property
    def token(self) -> str:
        return base64.b64encode(f"{self.user_id}:{self.session_key}".encode()).decode()


@dataclass
class ApiSession:
    value: str
    created_at: float
    expires_at: float
    session: Session | None = None


class AuthError(Exception):
    """Refused at the gateway; the text is ICICI's."""


class CustomerDetailsError(Exception):
    """Refused by customerdetails; the text is ICICI's."""


def checksum(timestamp: str, body: bytes, secret: str) -> str:
    digest = hashlib.sha256(timestamp.encode() + body + secret.encode()).hexdigest()
    return f"token {digest}"


class Gatekeeper:
    """Issues API_Sessions and session tokens, and admits or refuses each signed call."""

    def __init__(self, config: SimulatorConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.api_sessions: dict[str, ApiSession] = {}
        self.sessions: dict[str, Session] = {}  # by session_key
        self.calls_per_minute = config.calls_per_minute
        self.calls_per_day = config.calls_per_day

    # -- expiry ---------------------------------------------------------------------

    def next_expiry(self, after: float) -> float:
        """The next daily expiry (IST wall clock) strictly after `after`."""
        hour, minute = (int(part) for part in self.config.session_expiry.split(":"))
        moment = datetime.fromtimestamp(after, IST)
        candidate = moment.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if candidate.timestamp() <= after:
            candidate += timedelta(days=1)
        return candidate.timestamp()

    def expire_all(self) -> None:
        now = self.clock.now()
        for session in self.sessions.values():
            session.expires_at = min(session.expires_at, now - 1)
        for api_session in self.api_sessions.values():
            api_session.expires_at = min(api_session.expires_at, now - 1)

    # -- login ----------------------------------------------------------------------

    def check_credentials(self, user_id: str, password: str, otp: str) -> bool:
        expected = (self.config.user_id.upper(), self.config.password, self.config.otp)
        given = (user_id.strip().upper(), password, otp.strip())
        return all(hmac.compare_digest(a, b) for a, b in zip(given, expected, strict=True))

    def issue_api_session(self) -> str:
        """A fresh API_Session: short and numeric like ICICI's (8 digits)."""
        now = self.clock.now()
        value = str(secrets.randbelow(90_000_000) + 10_000_000)
        while value in self.api_sessions:
            value = str(secrets.randbelow(90_000_000) + 10_000_000)
        self.api_sessions[value] = ApiSession(value, now, self.next_expiry(now))
        return value

    def customer_details(self, app_key: str, api_session: str) -> Session:
        """Exchange an API_Session for a session; the same API_Session keeps giving the
        same session until the daily expiry (the SDK calls customerdetails twice)."""
        if not hmac.compare_digest(app_key.encode(), self.config.app_key.encode()):
            raise CustomerDetailsError("Public Key does not exist.")
        record = self.api_sessions.get(api_session)
        if record is None:
            raise CustomerDetailsError("Invalid session.")
        now = self.clock.now()
        if now >= record.expires_at:
            raise CustomerDetailsError("Resource not available.")
        if record.session is None or record.session.expires_at <= now:
            key = str(secrets.randbelow(90_000_000) + 10_000_000)
            session = Session(self.config.user_id, key, api_session, now, record.expires_at)
            self.sessions[key] = session
            record.session = session
        return record.session

    # -- signed calls ---------------------------------------------------------------

    def session_from_token(self, token: str) -> Session:
        try:
            user_id, _, key = base64.b64decode(token, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise AuthError(INVALID_CHECKSUM) from exc
        session = self.sessions.get(key)
        if session is None or session.user_id != user_id:
            raise AuthError(INVALID_CHECKSUM)
        if self.clock.now() >= session.expires_at:
            raise AuthError(INVALID_CHECKSUM)
        return session

    def verify_signed(self, headers: dict[str, str], body: bytes) -> Session:
        """Admit a signed v1 call or raise AuthError with ICICI's text."""
        app_key = headers.get("x-appkey", "")
        timestamp = headers.get("x-timestamp", "")
        given = headers.get("x-checksum", "")
        token = headers.get("x-sessiontoken", "")
        if not (app_key and timestamp and given and token):
            raise AuthError(INVALID_CHECKSUM)
        if not hmac.compare_digest(app_key.encode(), self.config.app_key.encode()):
            raise AuthError(INVALID_CHECKSUM)
        # An empty body is read as `{}`: a client that signed "" instead fails here, as
        # it does at ICICI.
        expected = checksum(timestamp, body or b"{}", self.config.app_secret)
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise AuthError(INVALID_CHECKSUM)
        self._check_skew(timestamp)
        session = self.session_from_token(token)
        self.count_call(session)
        return session

    def verify_history_v2(self, headers: dict[str, str]) -> Session:
        """v2 history carries only the session token and the app key."""
        app_key = headers.get("apikey") or headers.get("x-apikey") or ""
        if not hmac.compare_digest(app_key.encode(), self.config.app_key.encode()):
            raise AuthError(INVALID_CHECKSUM)
        session = self.session_from_token(headers.get("x-sessiontoken", ""))
        self.count_call(session)
        return session

    def _check_skew(self, timestamp: str) -> None:
        try:
            sent = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.000Z")
        except ValueError as exc:
            raise AuthError(INVALID_CHECKSUM) from exc
        if abs(self.clock.now() - sent.replace(tzinfo=UTC).timestamp()) > self.config.timestamp_skew_seconds:
            raise AuthError(INVALID_CHECKSUM)

    def count_call(self, session: Session) -> None:
        """Count one call against the session's budgets, refusing it when spent.
        Refused calls are not counted."""
        now = self.clock.now()
        day = datetime.fromtimestamp(now, IST).strftime("%Y-%m-%d")
        if session.day != day:
            session.day, session.day_calls = day, 0
        window = session.minute_calls
        while window and window[0] <= now - 60:
            window.popleft()
        if session.day_calls >= self.calls_per_day:
            raise AuthError(LIMIT_PER_DAY)
        if len(window) >= self.calls_per_minute:
            raise AuthError(LIMIT_PER_MINUTE)
        window.append(now)
        session.day_calls += 1
