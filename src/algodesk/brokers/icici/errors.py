"""Typed errors of the Breeze client.

Every error carries the broker's own words (`broker_error`), its envelope `Status`
(`breeze_status`), the HTTP status of the answer (`http_status`) and the route name, and
never a secret: messages are built from the broker's error text and from fixed
explanations only, and the client scrubs its own secrets out of them before raising.

Each is a `brokers.base` failure of the family it belongs to (refused, not sent, outcome
unknown): `status` is the HTTP status the platform answers with and `retry_after` when
waiting is the remedy (both by the class's `kind`, from `failures.py`), and `reading`
words it as the failed read of something.

Two families matter most to callers that change state:

- `TransportError`: the request certainly did not reach the server (connection refused,
  connect timeout, no pooled connection free). Nothing happened at the broker; sending
  again is safe.
- `ResponseTimeout`: the request was (or may have been) sent but no complete answer came
  back. The outcome is unknown: an order may exist. Reconcile against the order book,
  never resend.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from ..base import BrokerFailure, NotSent, OrderRefused, OutcomeUnknown, RawFailure
from . import failures

RateLimitScope = Literal["minute", "day"]


class BreezeError(RawFailure):
    """Base of every error raised by the Breeze client."""

    #: Its status and words in `failures.py`.
    kind = "failed"
    #: True when the request may have reached the broker and its effect is unknown.
    outcome_unknown: bool = False

    def __init__(
        self,
        message: str,
        *,
        broker_error: str | None = None,
        breeze_status: int | None = None,
        http_status: int | None = None,
        endpoint: str | None = None,
    ) -> None:
        super().__init__(message, status=failures.http_status(self),
                         retry_after=failures.retry_after(self),
                         broker_message=broker_error or message)
        self.broker_error = broker_error
        self.breeze_status = breeze_status
        self.http_status = http_status
        self.endpoint = endpoint

    def reading(self, what: str, consequence: str = "") -> BrokerFailure:
        return failures.read_failure(self, what, consequence)

    def __str__(self) -> str:
        where = [
            part
            for part in (
                self.endpoint,
                f"Status {self.breeze_status}" if self.breeze_status is not None else None,
                f"HTTP {self.http_status}" if self.http_status is not None else None,
            )
            if part
        ]
        return f"{self.message} [{', '.join(where)}]" if where else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, endpoint={self.endpoint!r}, "
            f"breeze_status={self.breeze_status!r}, http_status={self.http_status!r})"
        )

    def redact(self, secrets: tuple[str, ...]) -> None:
        """Replace every occurrence of the given secrets in the texts this error carries.

        Long secrets are replaced wherever they appear; short ones (a numeric session
        key) only as whole words, so that order ids containing the same digits survive.
        """
        for secret in secrets:
            if len(secret) < 4:
                continue
            if len(secret) >= 12:
                pattern = re.compile(re.escape(secret))
            else:
                pattern = re.compile(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])")
            self.message = pattern.sub("***", self.message)
            if self.broker_error is not None:
                self.broker_error = pattern.sub("***", self.broker_error)
        self.broker_message = self.broker_error or self.message
        self.args = (self.message,)


class SessionExpired(BreezeError, OrderRefused):
    """The broker session is dead: the trader must log in again through the browser.

    Raised for `customerdetails` answers "Resource not available." (API_Session expired or
    already used) and "Invalid session.", and by the client itself once the daily expiry
    (midnight IST) has passed or after the broker refused the session once.
    """

    kind = "session"


class AuthenticationFailed(SessionExpired):
    """`Status 5` "Authentication Fail :: Invalid Checksum." on a signed call.

    ICICI gives this same answer for a wrong secret key, a bad checksum (body or clock
    skew) and an expired or unknown session token, so it cannot say which one happened.
    It is a `SessionExpired` because the usual cause in daily use is the session.
    """


class InvalidAppKey(BreezeError, OrderRefused):
    """`customerdetails` said "Public Key does not exist.": the AppKey is not registered."""

    kind = "app_key"


class RateLimited(BreezeError, NotSent):
    """The broker refused the call because the per-minute or per-day budget is spent."""

    kind = "rate_limited"

    def __init__(self, message: str, *, scope: RateLimitScope, **details: Any) -> None:
        super().__init__(message, **details)
        self.scope: RateLimitScope = scope


class BrokerRejected(BreezeError, OrderRefused):
    """The broker answered with `Status` other than 200: `message` holds its reason."""

    kind = "rejected"


class BrokerOutage(BrokerRejected):
    """The broker refused because its own back end is down ("Error while calling service",
    "Currently, We are not able to process", or an HTTP 5xx with an error envelope): the
    request was not processed; trying again later may work."""

    kind = "outage"


class TransportError(BreezeError, NotSent):
    """The request was not sent: the connection could not be made. Safe to send again."""

    kind = "transport"


class ResponseTimeout(BreezeError, OutcomeUnknown):
    """The request was sent but no complete answer arrived: the outcome is unknown.

    Covers read timeouts, write timeouts and connections dropped mid-exchange. For an
    order action, reconcile against the order book; never send it again blindly.
    """

    kind = "timeout"
    outcome_unknown = True


class MalformedResponse(BreezeError, OutcomeUnknown):
    """The answer is not a Breeze envelope: non-JSON, an HTML page, or keys missing.

    For a state-changing route the request did reach a server, so `outcome_unknown` is
    set by the client in that case. The family is `OutcomeUnknown` whatever the route
    (a class cannot tell): whoever catches it around an action reconciles, the safe side.
    """

    kind = "unreadable"

    def __init__(self, message: str, *, outcome_unknown: bool = False, **details: Any) -> None:
        super().__init__(message, **details)
        self.outcome_unknown = outcome_unknown


__all__ = [
    "AuthenticationFailed",
    "BreezeError",
    "BrokerOutage",
    "BrokerRejected",
    "InvalidAppKey",
    "MalformedResponse",
    "RateLimitScope",
    "RateLimited",
    "ResponseTimeout",
    "SessionExpired",
    "TransportError",
]
