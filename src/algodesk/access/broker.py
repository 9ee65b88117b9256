"""The broker connection: ICICI's daily login, the session it yields, and its death.

One `BreezeClient` lives for the whole process. The trader connects through the browser
(`begin_connect` → ICICI's login page → `/icici/callback` → `complete_connect`); the
session token is kept encrypted in the database so a restart on the same day needs no
new login (real mode; the demo simulator forgets its sessions when it restarts).

Every broker call from the API or the pages goes through `call`, which refuses at once
while the connection is not usable and turns the broker's "session invalid/expired"
answer into the expired state, so no further call is sent. A scheduled task does the
same at the broker's daily expiry time (default 00:00 IST).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, TypeVar

from ..background import stop_tasks
from ..brokers.icici import (
    AuthenticationFailed,
    BreezeClient,
    BreezeError,
    InvalidAppKey,
    ResponseTimeout,
    SessionExpired,
    TransportError,
    login_url,
)
from ..brokers.icici.budget import CallBudget
from ..brokers.icici.schemas import BreezeCustomerDetails
from ..config import Settings
from ..domain.values import IST
from ..logging_setup import redactor
from ..storage import Database, utcnow
from . import connect_failures as failures
from .broker_calls import CallUsage, CallUsageLog
from .connect_failures import ConnectFailed
from .models import BrokerConnectionRow
from .secretbox import SecretBox, SecretBoxError

log = logging.getLogger(__name__)

T = TypeVar("T")
Mode = Literal["demo", "real"]
_TOKEN_PURPOSE = "broker-session-token"
PENDING_CONNECT_SECONDS = 15 * 60
_FLUSH_SECONDS = 10.0


class BrokerState(StrEnum):
    NOT_CONNECTED = "not_connected"
    CONNECTED = "connected"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class BrokerStatus:
    """A snapshot for pages and API errors."""

    state: BrokerState
    mode: Mode
    broker: str  # "simulator" or "icici", as API replies name it
    user_id: str | None
    user_name: str | None
    connected_at: dt.datetime | None
    expires_at: dt.datetime | None
    ended_reason: str | None
    usage: CallUsage
    api_url: str
    reconnect_url: str

    @property
    def connected(self) -> bool:
        return self.state is BrokerState.CONNECTED


class BrokerUnavailable(Exception):
    """No usable broker session: `message` says so and where to log in again."""

    def __init__(self, message: str, state: BrokerState) -> None:
        super().__init__(message)
        self.message = message
        self.state = state


def parse_clock_time(text: str) -> dt.time:
    parts = [int(p) for p in text.split(":")]
    return dt.time(*parts)


def next_daily(after: dt.datetime, at: dt.time) -> dt.datetime:
    """The first IST `at` strictly after `after` (aware UTC in, aware UTC out)."""
    local = after.astimezone(IST)
    moment = dt.datetime.combine(local.date(), at, tzinfo=IST)
    if moment <= local:
        moment += dt.timedelta(days=1)
    return moment.astimezone(dt.UTC)


class BrokerConnection:
    def __init__(self, settings: Settings, db: Database, box: SecretBox, *, mode: Mode,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._settings = settings
        self._db = db
        self._box = box
        self.mode: Mode = mode
        self.broker_name = "simulator" if mode == "demo" else "icici"
        self._clock = clock
        self._expiry_time = parse_clock_time(settings.broker_session_expiry)
        self._app_key = settings.broker_api_key.get_secret_value()
        redactor.add(settings.broker_api_secret.get_secret_value())
        #: Breeze's call budget (per minute, per IST day); the services layer paces and
        #: admits calls with it, the broker page shows it.
        self.budget = CallBudget()
        self.calls = CallUsageLog(self.budget)
        self.client = BreezeClient.from_settings(
            settings, on_request=self.calls.record, clock=clock,
            session_expiry_ist=self._expiry_time)
        self._credentials = box.digest(f"{self._app_key}\n{settings.breeze_api_url}",
                                       "broker-credentials")
        self.reconnect_url = f"{settings.public_base_url}/broker"
        self._state = BrokerState.NOT_CONNECTED
        self._user_id: str | None = None
        self._user_name: str | None = None
        self._connected_at: dt.datetime | None = None
        self._expires_at: dt.datetime | None = None
        self._ended_reason: str | None = None
        self._pending_until = 0.0
        self._used_api_sessions: dict[bytes, float] = {}
        self._tasks: list[asyncio.Task[None]] = []

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._restore()
        self._tasks = [asyncio.create_task(self._expiry_loop(), name="broker-expiry"),
                       asyncio.create_task(self._flush_loop(), name="broker-calls-flush")]

    async def stop(self) -> None:
        await stop_tasks(*self._tasks)
        self._tasks = []
        self.flush_calls()
        await self.client.aclose()

    def _restore(self) -> None:
        # The budget carries on with the day's calls and the last minute's window.
        self.calls.restore(self._db)
        with self._db.session() as s:
            row = s.get(BrokerConnectionRow, 1)
            if row is None:
                return
            if self.mode == "demo" or row.credentials_digest != self._credentials:
                # The demo simulator starts with no sessions; another app key or
                # endpoint means the stored session belongs to something else.
                s.delete(row)
                return
            self._user_id, self._user_name = row.user_id, row.user_name
            self._connected_at, self._expires_at = row.connected_at, row.expires_at
            self._ended_reason = row.ended_reason
            if row.state == BrokerState.EXPIRED:
                self._state = BrokerState.EXPIRED
                return
            if row.state != BrokerState.CONNECTED or row.token_ciphertext is None:
                return
            try:
                token = self._box.decrypt(row.token_ciphertext, _TOKEN_PURPOSE)
            except SecretBoxError:
                log.warning("the stored broker session cannot be decrypted (was "
                            "secret.key replaced?); connect again")
                s.delete(row)
                self._user_id = self._user_name = None
                return
        redactor.add(token)
        self.client.set_session(token)
        self._state = BrokerState.CONNECTED
        log.info("broker session of %s restored (valid until %s IST)", self._user_id,
                 self._expires_at.astimezone(IST).strftime("%H:%M") if self._expires_at else "?")
        self._check_expiry()

    # ------------------------------------------------------------------ state

    def status(self) -> BrokerStatus:
        self._check_expiry()
        return BrokerStatus(
            state=self._state, mode=self.mode, broker=self.broker_name,
            user_id=self._user_id, user_name=self._user_name,
            connected_at=self._connected_at, expires_at=self._expires_at,
            ended_reason=self._ended_reason, usage=self.calls.usage(),
            api_url=self._settings.breeze_api_url, reconnect_url=self.reconnect_url)

    def session_started(self) -> dt.datetime | None:
        """When the usable session began (it names the session), or None without one.
        The cheap check for every API call: `status()` also counts the day's calls."""
        self._check_expiry()
        return self._connected_at if self._state is BrokerState.CONNECTED else None

    def unavailable_message(self) -> str:
        if self._state is BrokerState.EXPIRED:
            return f"broker session expired — log in again at {self.reconnect_url}"
        return f"broker not connected — log in at {self.reconnect_url}"

    def _check_expiry(self) -> None:
        if self._state is not BrokerState.CONNECTED:
            return
        if self._expires_at is not None and self._clock() >= self._expires_at:
            self.mark_expired(self._daily_reason())
        elif self.client.session_state != "active":
            self.mark_expired("the broker session is no longer valid")

    def _daily_reason(self) -> str:
        return (f"ICICI's daily session expiry ({self._settings.broker_session_expiry} IST) "
                "passed")

    def mark_expired(self, reason: str) -> None:
        """The session is dead: stop using it, drop the token, say why."""
        if self._state is not BrokerState.CONNECTED:
            return
        self._state = BrokerState.EXPIRED
        self._ended_reason = reason
        self.client.clear_session()
        log.warning("broker session expired: %s; log in again at %s", reason,
                    self.reconnect_url)
        with self._db.session() as s:
            row = s.get(BrokerConnectionRow, 1)
            if row is not None:
                row.state = BrokerState.EXPIRED
                row.token_ciphertext = None
                row.ended_at = self._clock()
                row.ended_reason = reason

    # ------------------------------------------------------------------ calls

    async def call(self, operation: Callable[[BreezeClient], Awaitable[T]]) -> T:
        """Run one broker operation on the connected client.

        Raises `BrokerUnavailable` (with the reconnect message) when there is no usable
        session, and when the broker refuses the session — which also marks it expired.
        Every other `BreezeError` propagates unchanged.
        """
        self._check_expiry()
        if self._state is not BrokerState.CONNECTED:
            raise BrokerUnavailable(self.unavailable_message(), self._state)
        try:
            return await operation(self.client)
        except SessionExpired as exc:
            self.mark_expired(f"ICICI refused the session ({exc.broker_error or exc.message})")
            raise BrokerUnavailable(self.unavailable_message(), self._state) from None

    # ------------------------------------------------------------------ login

    def begin_connect(self) -> str:
        """Open the window in which a callback is accepted; returns ICICI's login URL."""
        self._pending_until = time.monotonic() + PENDING_CONNECT_SECONDS
        return login_url(self._settings.breeze_login_url, self._app_key)

    @property
    def connect_pending(self) -> bool:
        return time.monotonic() < self._pending_until

    async def complete_connect(self, api_session: str | None) -> BrokerStatus:
        """Exchange the API_Session of a callback for a session, prove it, store it.

        The callback cannot carry a CSRF token (ICICI posts it from its own site), so it
        is accepted only while a Connect started here is pending, and only once.
        """
        if not self.connect_pending:
            raise failures.no_pending_connect()
        if not api_session:
            raise failures.missing_api_session(self._settings.redirect_url)
        redactor.add(api_session)
        # One callback per Connect, whatever it brings: the window closes here.
        self._pending_until = 0.0
        seen = self._box.digest(api_session, "api-session")
        self._forget_old_api_sessions()
        if seen in self._used_api_sessions:
            raise failures.reused_api_session()
        self._used_api_sessions[seen] = time.monotonic()
        details = await self._exchange(api_session)
        redactor.add(details.session_token, details.session_key)
        await self._prove_session()
        now = self._clock()
        self._state = BrokerState.CONNECTED
        self._user_id = details.idirect_userid or details.user_id
        self._user_name = details.idirect_user_name
        self._connected_at = now
        self._expires_at = min(next_daily(now, self._expiry_time), now + dt.timedelta(hours=24))
        self._ended_reason = None
        with self._db.session() as s:
            row = s.get(BrokerConnectionRow, 1)
            if row is None:
                row = BrokerConnectionRow(id=1, state=BrokerState.CONNECTED,
                                          credentials_digest=self._credentials)
                s.add(row)
            row.state = BrokerState.CONNECTED
            row.credentials_digest = self._credentials
            row.user_id, row.user_name = self._user_id, self._user_name
            row.token_ciphertext = self._box.encrypt(details.session_token, _TOKEN_PURPOSE)
            row.connected_at, row.expires_at = now, self._expires_at
            row.ended_at = row.ended_reason = None
        log.info("broker connected as %s (%s)", self._user_name, self._user_id)
        return self.status()

    def _forget_old_api_sessions(self) -> None:
        horizon = time.monotonic() - 24 * 3600
        for key in [k for k, t in self._used_api_sessions.items() if t < horizon]:
            del self._used_api_sessions[key]

    async def _exchange(self, api_session: str) -> BreezeCustomerDetails:
        try:
            return await self.client.customer_details(api_session)
        except InvalidAppKey:
            raise failures.invalid_app_key() from None
        except SessionExpired as exc:
            raise failures.expired_api_session(exc.broker_error or exc.message) from None
        except (TransportError, ResponseTimeout) as exc:
            raise self._unreachable(exc) from None
        except BreezeError as exc:
            raise failures.broker_error(str(exc)) from None

    async def _prove_session(self) -> None:
        """One signed call (funds): customerdetails is unsigned, so a wrong secret key
        would otherwise only show on the trader's first order."""
        try:
            await self.client.get_funds()
        except AuthenticationFailed:
            self.client.clear_session()
            raise failures.wrong_secret() from None
        except (TransportError, ResponseTimeout) as exc:
            self.client.clear_session()
            raise self._unreachable(exc) from None
        except BreezeError as exc:
            # The signature was accepted; a funds-specific refusal does not make the
            # session unusable.
            log.warning("funds check after login failed: %s", exc)

    def _unreachable(self, exc: BreezeError) -> failures.ConnectFailed:
        return failures.unreachable(self._settings.breeze_api_url, exc.message)

    # ------------------------------------------------------------------ background

    async def _expiry_loop(self) -> None:
        while True:
            target = next_daily(self._clock(), self._expiry_time)
            # Short slices: after a laptop sleeps, the loop wakes late but still fires.
            while True:
                remaining = (target - self._clock()).total_seconds()
                if remaining <= 0:
                    break
                await asyncio.sleep(min(remaining, 30.0))
            if self._state is BrokerState.CONNECTED:
                self.mark_expired(self._daily_reason())

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(_FLUSH_SECONDS)
            state = self.calls.to_save()  # memory only, on the loop
            if state is None:
                continue
            try:  # the disk write (a full sync) in a worker thread, off the order path
                await asyncio.to_thread(self.calls.save, self._db, state)
            except Exception:
                log.exception("could not save the broker call count")

    def flush_calls(self) -> None:
        """Write the day's calls and the last minute's call times now (at stop; waits
        for a write still running in the flush's thread, then writes the newest)."""
        state = self.calls.to_save(final=True)
        if state is not None:
            self.calls.save(self._db, state)


__all__ = [
    "BrokerConnection",
    "BrokerState",
    "BrokerStatus",
    "BrokerUnavailable",
    "ConnectFailed",
    "next_daily",
    "parse_clock_time",
]
