"""Breeze errors as broker-neutral failures (`brokers.base`): one HTTP status per class.

The table (README, "When ICICI fails") in code. Whether anything happened at the broker
decides the wording, never the status:

- a read (quotes, books, funds, the quote a MARKET order is priced from) changes nothing,
  so a timeout is a plain 504 and a transport failure or unreadable answer a 502;
- an order action refused before or by the broker was not done (the journal says
  rejected); one whose answer was lost is in doubt and answered by the order service
  itself (504, reconciled, never resent).
"""

from __future__ import annotations

from ..base import BrokerFailure, NotSent, OrderRefused, OutcomeUnknown
from .errors import (
    BreezeError,
    BrokerOutage,
    BrokerRejected,
    InvalidAppKey,
    MalformedResponse,
    RateLimited,
    ResponseTimeout,
    SessionExpired,
    TransportError,
)

# Most specific first: BrokerOutage is a BrokerRejected, AuthenticationFailed a
# SessionExpired.
STATUS_OF_ERROR: tuple[tuple[type[BreezeError], int], ...] = (
    (SessionExpired, 403),
    (InvalidAppKey, 403),
    (RateLimited, 429),
    (ResponseTimeout, 504),
    (TransportError, 502),
    (MalformedResponse, 502),
    (BrokerOutage, 502),
    (BrokerRejected, 400),
)
UNKNOWN_ERROR_STATUS = 502  # a BreezeError of no listed class: the broker failed
RETRY_AFTER_RATE_LIMIT = 60  # Breeze's per-minute window


def http_status(exc: BreezeError) -> int:
    for kind, status in STATUS_OF_ERROR:
        if isinstance(exc, kind):
            return status
    return UNKNOWN_ERROR_STATUS


def _words(exc: BreezeError) -> str:
    return exc.broker_error or exc.message


def read_failure(exc: BreezeError, what: str, consequence: str = "") -> BrokerFailure:
    """A read that failed: `what` could not be read ("the quote for SBIN"), and
    `consequence` says what did not happen because of it ("the MARKET order was not
    sent"). The message says what happened and what to do."""
    status = http_status(exc)
    then = f"; {consequence}" if consequence else ""
    retry_after: int | None = None
    if isinstance(exc, SessionExpired | InvalidAppKey):
        text = (f"ICICI refused the broker session while reading {what} ({_words(exc)})"
                f"{then}. Log in again on the broker page")
    elif isinstance(exc, RateLimited):
        text = (f"ICICI's call limit is reached ({_words(exc)}): {what} could not be "
                f"read{then}. Try again in a minute")
        retry_after = RETRY_AFTER_RATE_LIMIT
    elif isinstance(exc, ResponseTimeout):
        text = (f"ICICI did not answer in time: {what} could not be read ({exc.message})"
                f"{then}. Nothing was changed at ICICI; try again in a moment")
    elif isinstance(exc, TransportError):
        text = (f"Could not reach ICICI: {what} could not be read ({exc.message}){then}. "
                "Check the network connection and try again")
    elif isinstance(exc, MalformedResponse):
        text = (f"ICICI's answer was unreadable: {what} could not be read ({exc.message})"
                f"{then}. Try again in a moment")
    elif isinstance(exc, BrokerOutage):
        text = (f"ICICI is not available right now ({_words(exc)}): {what} could not be "
                f"read{then}. Try again later")
    elif isinstance(exc, BrokerRejected):
        text = f"ICICI refused to give {what}: {_words(exc)}{then}"
    else:
        text = f"ICICI failed: {what} could not be read ({_words(exc)}){then}"
    # A read changes nothing at the broker, whatever the class.
    return BrokerFailure(text, status=status, retry_after=retry_after,
                         broker_message=_words(exc))


def action_failure(exc: BreezeError, what: str) -> BrokerFailure:
    """An order action ICICI did not take (`what`: "order", "modification",
    "cancellation"); lost answers are the order service's (in doubt, 504)."""
    status = http_status(exc)
    retry_after: int | None = None
    kind: type[BrokerFailure] = OrderRefused
    if isinstance(exc, SessionExpired | InvalidAppKey):
        text = (f"ICICI refused the broker session ({_words(exc)}); the {what} was not "
                "accepted. Log in again on the broker page")
    elif isinstance(exc, RateLimited):
        text = f"ICICI's call limit is reached ({_words(exc)}); the {what} was not sent"
        retry_after, kind = RETRY_AFTER_RATE_LIMIT, NotSent
    elif isinstance(exc, TransportError):
        text = f"Could not reach ICICI; the {what} was not sent ({exc.message})"
        kind = NotSent
    elif isinstance(exc, ResponseTimeout | MalformedResponse):
        kind = OutcomeUnknown
        text = (f"ICICI's answer to the {what} was lost or unreadable ({exc.message}); it "
                "may have been done: check the order book before sending it again")
    elif isinstance(exc, BrokerOutage):
        text = f"ICICI is not available right now; the {what} was not accepted: {_words(exc)}"
    elif isinstance(exc, BrokerRejected):
        text = f"ICICI rejected the {what}: {_words(exc)}"
    else:
        text = f"ICICI failed; the {what} was not accepted: {_words(exc)}"
    return kind(text, status=status, retry_after=retry_after, broker_message=_words(exc))


__all__ = ["STATUS_OF_ERROR", "action_failure", "http_status", "read_failure"]
