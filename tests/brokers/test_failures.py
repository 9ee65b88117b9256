"""Every Breeze error is a `brokers.base` failure of its family, with the one status the
platform answers it with (README, "When ICICI fails"), so the pages and the API handle
`BrokerFailure` only (pure: no peer needed)."""

from __future__ import annotations

import pytest

from algodesk.brokers.base import (
    BrokerFailure,
    NotSent,
    OrderRefused,
    OutcomeUnknown,
    RawFailure,
)
from algodesk.brokers.icici import (
    AuthenticationFailed,
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
from algodesk.brokers.icici.budget import BudgetExhausted


@pytest.mark.parametrize(("error", "family", "status"), [
    (SessionExpired("Invalid session."), OrderRefused, 403),
    (AuthenticationFailed("Authentication Fail"), OrderRefused, 403),
    (InvalidAppKey("Public Key does not exist."), OrderRefused, 403),
    (RateLimited("Limit exceed", scope="minute"), NotSent, 429),
    (TransportError("connection refused"), NotSent, 502),
    # Sent, the answer lost or unreadable: whoever catches these around an order
    # action must reconcile, never resend.
    (ResponseTimeout("no answer"), OutcomeUnknown, 504),
    (MalformedResponse("an HTML page"), OutcomeUnknown, 502),
    (BrokerOutage("Error while calling service"), OrderRefused, 502),
    (BrokerRejected("Insufficient margin"), OrderRefused, 400),
    (BreezeError("something else"), RawFailure, 502),
])
def test_each_error_is_a_failure_of_its_family_with_one_status(
        error: BreezeError, family: type[BrokerFailure], status: int) -> None:
    assert isinstance(error, family) and isinstance(error, RawFailure)
    assert error.status == status
    assert error.retry_after == (60 if isinstance(error, RateLimited) else None)
    assert error.message == str(error)  # the client's own words, as before


def test_the_brokers_words_travel_and_are_redacted_with_the_message() -> None:
    error = BrokerRejected("order refused: key ABCDEFGHIJKLMNOP",
                           broker_error="refused for ABCDEFGHIJKLMNOP", breeze_status=500)
    assert error.broker_message == "refused for ABCDEFGHIJKLMNOP"
    error.redact(("ABCDEFGHIJKLMNOP",))
    assert "ABCDEFGHIJKLMNOP" not in error.message + error.broker_message
    assert error.breeze_status == 500 and error.status == 400


def test_a_raw_error_is_worded_as_the_failed_read_of_what_it_broke() -> None:
    timeout = ResponseTimeout("read timed out").reading("the funds data")
    assert type(timeout) is BrokerFailure and timeout.status == 504
    assert timeout.message == ("ICICI did not answer in time: the funds data could not be "
                               "read (read timed out). Nothing was changed at ICICI; try "
                               "again in a moment")
    limited = RateLimited("spent", broker_error="Limit exceed", scope="day").reading(
        "the quote for SBIN", "the MARKET order was not sent")
    assert (limited.status, limited.retry_after) == (429, 60)
    assert limited.message == ("ICICI's call limit is reached (Limit exceed): the quote for "
                               "SBIN could not be read; the MARKET order was not sent. Try "
                               "again in a minute")


def test_a_spent_call_budget_is_not_sent_and_keeps_its_exact_wait() -> None:
    spent = BudgetExhausted("Breeze's per-minute call budget is spent", retry_after=12.25)
    assert isinstance(spent, NotSent) and not isinstance(spent, RawFailure)
    assert (spent.status, spent.retry_after, spent.message) == (
        429, 12.25, "Breeze's per-minute call budget is spent")
