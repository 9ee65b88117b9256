"""What each kind of Breeze error means to the trader: one HTTP status, and the words.

The table (README, "When ICICI fails") in code. Each error class of the client
(`errors.py`) names its `kind`; its status and words come from here. Whether anything
happened at the broker decides the wording, never the status:

- a read (quotes, books, funds, the quote a MARKET order is priced from) changes nothing,
  so a timeout is a plain 504 and a transport failure or unreadable answer a 502;
- an order action refused before or by the broker was not done (the journal says
  rejected); one whose answer was lost is in doubt and answered by the order service
  itself (504, reconciled, never resent).
"""

from __future__ import annotations

from typing import Protocol

from ..base import BrokerFailure, NotSent, OrderRefused, OutcomeUnknown

STATUS_OF_KIND: dict[str, int] = {
    "session": 403,  # SessionExpired, AuthenticationFailed
    "app_key": 403,  # InvalidAppKey
    "rate_limited": 429,  # RateLimited
    "timeout": 504,  # ResponseTimeout
    "transport": 502,  # TransportError
    "unreadable": 502,  # MalformedResponse
    "outage": 502,  # BrokerOutage
    "rejected": 400,  # BrokerRejected
    "failed": 502,  # a BreezeError of no other kind: the broker failed
}
RETRY_AFTER_RATE_LIMIT = 60  # Breeze's per-minute window
#: What an order action the broker did not take was: never sent, or perhaps done.
#: Every other kind was refused (nothing happened).
ACTION_FAMILY: dict[str, type[BrokerFailure]] = {
    "rate_limited": NotSent, "transport": NotSent,
    "timeout": OutcomeUnknown, "unreadable": OutcomeUnknown,
}


class Described(Protocol):
    """A Breeze error as far as the words need it (`errors.BreezeError`)."""

    kind: str
    message: str  # the client's own account of what went wrong
    broker_error: str | None  # ICICI's words, when it answered


def http_status(exc: Described) -> int:
    return STATUS_OF_KIND.get(exc.kind, STATUS_OF_KIND["failed"])


def retry_after(exc: Described) -> int | None:
    return RETRY_AFTER_RATE_LIMIT if exc.kind == "rate_limited" else None


def _words(exc: Described) -> str:
    return exc.broker_error or exc.message


def read_failure(exc: Described, what: str, consequence: str = "") -> BrokerFailure:
    """A read that failed: `what` could not be read ("the quote for SBIN"), and
    `consequence` says what did not happen because of it ("the MARKET order was not
    sent"). The message says what happened and what to do."""
    then = f"; {consequence}" if consequence else ""
    kind = exc.kind
    if kind in ("session", "app_key"):
        text = (f"ICICI refused the broker session while reading {what} ({_words(exc)})"
                f"{then}. Log in again on the broker page")
    elif kind == "rate_limited":
        text = (f"ICICI's call limit is reached ({_words(exc)}): {what} could not be "
                f"read{then}. Try again in a minute")
    elif kind == "timeout":
        text = (f"ICICI did not answer in time: {what} could not be read ({exc.message})"
                f"{then}. Nothing was changed at ICICI; try again in a moment")
    elif kind == "transport":
        text = (f"Could not reach ICICI: {what} could not be read ({exc.message}){then}. "
                "Check the network connection and try again")
    elif kind == "unreadable":
        text = (f"ICICI's answer was unreadable: {what} could not be read ({exc.message})"
                f"{then}. Try again in a moment")
    elif kind == "outage":
        text = (f"ICICI is not available right now ({_words(exc)}): {what} could not be "
                f"read{then}. Try again later")
    elif kind == "rejected":
        text = f"ICICI refused to give {what}: {_words(exc)}{then}"
    else:
        text = f"ICICI failed: {what} could not be read ({_words(exc)}){then}"
    # A read changes nothing at the broker, whatever the kind.
    return BrokerFailure(text, status=http_status(exc), retry_after=retry_after(exc),
                         broker_message=_words(exc))


def action_failure(exc: Described, what: str) -> BrokerFailure:
    """An order action ICICI did not take (`what`: "order", "modification",
    "cancellation"); lost answers are the order service's (in doubt, 504)."""
    kind = exc.kind
    if kind in ("session", "app_key"):
        text = (f"ICICI refused the broker session ({_words(exc)}); the {what} was not "
                "accepted. Log in again on the broker page")
    elif kind == "rate_limited":
        text = f"ICICI's call limit is reached ({_words(exc)}); the {what} was not sent"
    elif kind == "transport":
        text = f"Could not reach ICICI; the {what} was not sent ({exc.message})"
    elif kind in ("timeout", "unreadable"):
        text = (f"ICICI's answer to the {what} was lost or unreadable ({exc.message}); it "
                "may have been done: check the order book before sending it again")
    elif kind == "outage":
        text = f"ICICI is not available right now; the {what} was not accepted: {_words(exc)}"
    elif kind == "rejected":
        text = f"ICICI rejected the {what}: {_words(exc)}"
    else:
        text = f"ICICI failed; the {what} was not accepted: {_words(exc)}"
    family = ACTION_FAMILY.get(kind, OrderRefused)
    return family(text, status=http_status(exc), retry_after=retry_after(exc),
                  broker_message=_words(exc))


__all__ = ["ACTION_FAMILY", "RETRY_AFTER_RATE_LIMIT", "STATUS_OF_KIND", "action_failure",
           "http_status", "read_failure", "retry_after"]
