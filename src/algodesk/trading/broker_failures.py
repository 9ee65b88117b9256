"""Broker failures as the order services answer them (`OrderError`).

The words and the status are the adapter's (`BrokerFailure`); this only carries them
over, so every endpoint answers a broker failure the same way.
"""

from __future__ import annotations

from ..brokers.base import BrokerFailure
from ..brokers.icici import BreezeError
from ..brokers.icici import failures as icici_failures
from .ports import OrderError


def as_order_error(failure: BrokerFailure) -> OrderError:
    extra = {} if failure.retry_after is None else {"retry_after": failure.retry_after}
    return OrderError(failure.status, failure.message, **extra)


def read_failure(exc: BreezeError, what: str, consequence: str = "") -> OrderError:
    return as_order_error(icici_failures.read_failure(exc, what, consequence))


def action_failure(exc: BreezeError, what: str) -> OrderError:
    return as_order_error(icici_failures.action_failure(exc, what))


__all__ = ["action_failure", "as_order_error", "read_failure"]
