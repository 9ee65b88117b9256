"""ICICI's daily login, the session it yields, and its death (`IciciConnection`).

One `BreezeClient` lives for the whole process. The trader connects through the browser
(`begin_connect` → ICICI's login page → `/icici/callback` → `complete_connect`); the
session token is kept encrypted by the login store (`brokers.base.LoginStore`, the
database) so a restart on the same day needs no new login (real mode; the demo
simulator forgets its sessions when it restarts).

Every Breeze call goes through `call`, which refuses at once while the connection is
not usable and turns the broker's "session invalid/expired" answer into the expired
state, so no further call is sent. A scheduled task does the same at the broker's daily
expiry time (default 00:00 IST).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from ...background import stop_tasks
from ...config import Settings
from ...domain.values import IST
from ...logging_setup import redactor
from ..base import (
    BrokerState,
    BrokerStatus,
    BrokerUnavailable,
    CallUsage,
    ConnectFailed,
    FundsOverview,
    LoginStore,
    Mode,
    SavedLogin,
)
from . import connect_failures as failures
from .budget import CallBudget
from .calls import CallUsageLog
from .client import BreezeClient
from .errors import (
    AuthenticationFailed,
    BreezeError,
    InvalidAppKey,
    ResponseTimeout,
    SessionExpired,
    TransportError,
)
from .funds import overview
from .login import api_session_from, login_url
from .schemas import BreezeCustomerDetails

log = logging.getLogger(__name__)

T = TypeVar("T")
PENDING_CONNECT_SECONDS = 15 * 60
_FLUSH_SECONDS = 10.0


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


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class IciciConnection:
    """The `brokers.base.BrokerConnection` of an ICICI Direct account (or the
    simulator playing it), and the way every Breeze call reaches it (`call`)."""

    def __init__(self, settings: Settings, store: LoginStore, *, mode: Mode,
                 clock: Callable[[], dt.datetime] = _utcnow) -> None:
        self._settings = settings
        self._store = store
        self.mode: Mode = mode
        self.broker_name = "simulator" if mode == "demo" else "icici"
        self._clock = clock
        self._expiry_time = parse_clock_time(settings.broker_session_expiry)
        self._app_key = settings.broker_api_key.get_secret_value()
        redactor.add(settings.broker_api_secret.get_secret_value())
        #: Breeze's call budget (per minute, per IST day); the services pace and admit
        #: calls with it, the broker page shows it.
        self.budget = CallBudget()
        self.calls = CallUsageLog(self.budget)
        self.client = BreezeClient.from_settings(
            settings, on_request=self.calls.record, clock=clock,
            session_expiry_ist=self._expiry_time)
        # What a stored session belongs to: another app key or endpoint drops it.
        self._credentials = f"{self._app_key}\n{settings.breeze_api_url}"
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
        self.calls.restore(self._store)
        if self.mode == "demo":
            self._store.forget()  # the demo simulator starts with no sessions
            return
        saved = self._store.load(self._credentials)
        if saved is None:
            return
        self._user_id, self._user_name = saved.user_id, saved.user_name
        self._connected_at, self._expires_at = saved.connected_at, saved.expires_at
        self._ended_reason = saved.ended_reason
        if saved.state == BrokerState.EXPIRED:
            self._state = BrokerState.EXPIRED
            return
        if saved.state != BrokerState.CONNECTED or saved.token is None:
            return
        redactor.add(saved.token)
        self.client.set_session(saved.token)
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

    def call_usage(self) -> CallUsage:
        return self.calls.usage()

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
        self._end(BrokerState.EXPIRED, reason)
        log.warning("broker session expired: %s; log in again at %s", reason,
                    self.reconnect_url)

    def disconnect(self) -> None:
        """End the session here (ICICI's own ends at the daily expiry) and drop the token."""
        if self._state is BrokerState.NOT_CONNECTED:
            return
        self._end(BrokerState.NOT_CONNECTED, "disconnected here")
        log.info("broker disconnected")

    def _end(self, state: BrokerState, reason: str) -> None:
        self._state = state
        self._ended_reason = reason
        self.client.clear_session()
        self._store.end(state, reason, self._clock())

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

    async def funds_overview(self) -> FundsOverview:
        return overview(await self.call(lambda client: client.get_funds()))

    # ------------------------------------------------------------------ login

    def begin_connect(self) -> str:
        """Open the window in which a callback is accepted; returns ICICI's login URL."""
        self._pending_until = time.monotonic() + PENDING_CONNECT_SECONDS
        return login_url(self._settings.breeze_login_url, self._app_key)

    @property
    def connect_pending(self) -> bool:
        return time.monotonic() < self._pending_until

    async def complete_connect(self, query: Mapping[str, str],
                               form: Mapping[str, str] | None = None) -> BrokerStatus:
        """Exchange the API_Session of a callback for a session, prove it, store it.

        The callback cannot carry a CSRF token (ICICI posts it from its own site), so it
        is accepted only while a Connect started here is pending, and only once.
        """
        api_session = api_session_from(query, form)
        if not self.connect_pending:
            raise failures.no_pending_connect()
        if not api_session:
            raise failures.missing_api_session(self._settings.redirect_url)
        redactor.add(api_session)
        # One callback per Connect, whatever it brings: the window closes here.
        self._pending_until = 0.0
        seen = hashlib.sha256(api_session.encode()).digest()
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
        self._store.save(self._credentials, SavedLogin(
            BrokerState.CONNECTED, self._user_id, self._user_name, now, self._expires_at,
            token=details.session_token))
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

    def _unreachable(self, exc: BreezeError) -> ConnectFailed:
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
                await asyncio.to_thread(self.calls.save, self._store, state)
            except Exception:
                log.exception("could not save the broker call count")

    def flush_calls(self) -> None:
        """Write the day's calls and the last minute's call times now (at stop; waits
        for a write still running in the flush's thread, then writes the newest)."""
        state = self.calls.to_save(final=True)
        if state is not None:
            self.calls.save(self._store, state)


__all__ = ["IciciConnection", "next_daily", "parse_clock_time"]
