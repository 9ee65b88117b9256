"""Broker failures as the order services answer them (`OrderError`).

The words and the status are the adapter's (`BrokerFailure`); this only carries them
over, so every endpoint answers a broker failure the same way.
"""

from __future__ import annotations

from ..brokers.base import BrokerFailure
from .ports import OrderError


def as_order_error(failure: BrokerFailure) -> OrderError:
    extra = {} if failure.retry_after is None else {"retry_after": failure.retry_after}
    return OrderError(failure.status, failure.message, **extra)


__all__ = ["as_order_error"]
