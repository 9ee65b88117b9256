"""What the order services need from the rest of the platform, and how they fail.

The broker itself is `brokers.base.Broker`; besides it the services need

- `InstrumentLookup`: the live symbol index (`TradableInstrument`: what the order path
  checks of an instrument before the broker sees the order);
- `OrderError`: an order action that did not happen, or whose outcome is not known yet,
  with the HTTP status and the message the client should see.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..domain.instruments import InstrumentType


class TradableInstrument(Protocol):
    """An instrument of the symbol index, as far as the order path looks at it."""

    symbol: str
    instrument_type: InstrumentType
    lot_size: int
    freeze_qty: int  # the exchange's largest quantity per order; 0 when unknown

    @property
    def exchange(self) -> Any: ...

    @property
    def is_index(self) -> bool: ...


class InstrumentLookup(Protocol):
    """The live symbol index (`SymbolIndex`); it is replaced whole on each refresh, so
    services ask for the current one every time."""

    def get(self, symbol: str, exchange: str) -> Any: ...


class OrderError(Exception):
    """An order action that did not happen (or whose outcome is not yet known), with the
    HTTP status and the message the client should see."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


__all__ = ["InstrumentLookup", "OrderError", "TradableInstrument"]
