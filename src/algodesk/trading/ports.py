"""What the order services need from the rest of the platform, and how they fail.

- `BrokerPort`: the connected broker, with every call admitted by the call budget
  (`read` for reads, `act` for order actions, which keep priority);
- `InstrumentLookup`: the live symbol index;
- `OrderError`: an order action that did not happen, or whose outcome is not known yet,
  with the HTTP status and the message the client should see.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Protocol, TypeVar

from ..brokers.icici import BreezeClient

T = TypeVar("T")


class BrokerPort(Protocol):
    async def read(self, operation: Callable[[BreezeClient], Awaitable[T]], *,
                   for_order: bool = False) -> T:
        """A read; `for_order` when an order action waits for it (a quote for a MARKET
        order) so it gets an order's priority in the budget."""
        ...

    async def act(self, operation: Callable[[BreezeClient], Awaitable[T]]) -> T:
        """An order action (place, modify, cancel)."""
        ...

    def session(self) -> Hashable | None:
        """Identifies the current broker session (None when there is none); it changes
        on every connect, which is when unsettled journal rows are reconciled again."""
        ...


class InstrumentLookup(Protocol):
    """The live symbol index (`SymbolIndex`); it is replaced whole on each refresh, so
    services ask for the current one every time."""

    def get(self, symbol: str, exchange: str) -> Any: ...

    def by_breeze(self, stock_code: str, exchange_code: str, product: str,
                  expiry: Any = None, strike: Any = None, right: str | None = None) -> Any: ...


class OrderError(Exception):
    """An order action that did not happen (or whose outcome is not yet known), with the
    HTTP status and the message the client should see."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


__all__ = ["BrokerPort", "InstrumentLookup", "OrderError"]
