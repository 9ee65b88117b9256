"""Every Breeze call admitted by the call budget first (the ICICI adapter's own gate).

Order actions wait only for a free slot in the minute window; reads leave a reserve in
each window for order actions, never eat the day's reserve, and give up after a short
wait (the cache then serves the last answer, or the client is told to retry).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Protocol, TypeVar

from .budget import CallBudget
from .client import BreezeClient

T = TypeVar("T")
READ_WAIT_SECONDS = 5.0


class Connection(Protocol):
    """`session.IciciConnection` as far as the gateway needs it."""

    async def call(self, operation: Callable[[BreezeClient], Awaitable[T]]) -> T: ...

    def session_started(self) -> Any: ...


class BrokerGateway:
    def __init__(self, connection: Connection, budget: CallBudget) -> None:
        self.connection = connection
        self.budget = budget

    async def read(self, operation: Callable[[BreezeClient], Awaitable[T]], *,
                   for_order: bool = False, bulk: bool = False) -> T:
        """`bulk` (history): wait for the minute window as long as it takes, still
        leaving the order actions' reserve alone."""
        await self.budget.admit(order_action=for_order,
                                max_wait=None if for_order or bulk else READ_WAIT_SECONDS)
        return await self.connection.call(operation)

    def reads_left(self) -> int:
        """Reads today's budget still allows beyond the daily reserve kept for orders."""
        return self.budget.snapshot().day_left - self.budget.reserve_per_day

    async def act(self, operation: Callable[[BreezeClient], Awaitable[T]]) -> T:
        await self.budget.admit(order_action=True)
        return await self.connection.call(operation)

    def session(self) -> Hashable | None:
        return self.connection.session_started()  # type: ignore[no-any-return]


__all__ = ["BrokerGateway"]
