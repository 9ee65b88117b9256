"""The `Broker` protocol: the whole contract between the services and a broker.

Services (`trading/`, `market/`) speak only this and the domain types; each adapter
(`brokers/icici/`, later `sandbox/`) keeps its own wire, limits and rules behind it:
ICICI's call budget and order pacing, the aggressive-limit rule for MARKET and SL-M,
stock codes, rupee strings and `user_remark` tags never reach a service.

Failures are the exceptions below, so a service can tell "not sent" (safe to answer
as refused) from "outcome unknown" (reconcile by tag, never resend).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from typing import Protocol, runtime_checkable

from ..domain.market import Candle, Depth, OptionChainRow, Quote
from ..domain.orders import (
    BrokerOrder,
    Funds,
    Holding,
    MarginResult,
    OrderAck,
    OrderIntent,
    Position,
    PreparedOrder,
    Trade,
)


class BrokerFailure(Exception):
    """A broker call that failed, worded for the trader: what happened and what to do.
    `status` is the HTTP status the platform answers with; `retry_after` (seconds) is
    set when waiting is the remedy."""

    default_status = 502

    def __init__(self, message: str, *, status: int | None = None,
                 retry_after: int | None = None, broker_message: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status if status is not None else self.default_status
        self.retry_after = retry_after
        self.broker_message = broker_message or message


class OrderRefused(BrokerFailure):
    """The adapter or the broker refused the request: nothing happened."""

    default_status = 400


class NotSent(BrokerFailure):
    """The request never left (no session, no budget, connection refused)."""

    default_status = 503


class OutcomeUnknown(BrokerFailure):
    """Sent, but the answer was lost or unreadable: find the order by its tag, never
    send it again."""

    default_status = 504


@runtime_checkable
class Broker(Protocol):
    """One trading account at one broker."""

    #: Named in every API reply ("icici", "simulator", "sandbox").
    name: str

    # -- the session a service needs ---------------------------------------------------

    def connected(self) -> bool:
        """A usable session now (logged in, not expired)."""
        ...

    def session(self) -> Hashable | None:
        """Identifies the current session; it changes on every login, which is when
        unsettled journal rows are reconciled again."""
        ...

    # -- orders ----------------------------------------------------------------------

    async def prepare_order(self, intent: OrderIntent) -> PreparedOrder:
        """Check and price an intent without sending it (a quote may be read)."""
        ...

    async def place_order(self, order: PreparedOrder) -> OrderAck:
        """Send once; the intent's tag travels with the order."""
        ...

    async def modify_order(self, order_id: str, change: PreparedOrder) -> OrderAck:
        """Change a working order to the prepared intent (quantity, price, trigger,
        price type; the instrument, side and product stay)."""
        ...

    async def cancel_order(self, order_id: str, exchange: str) -> OrderAck: ...

    async def orders(self, since: dt.date | None = None, *, exchange: str | None = None,
                     max_age: float | None = None) -> list[BrokerOrder]:
        """The account's orders of today, or of every trading day (IST date) from
        `since` through today: what reconciliation needs to find a journal row's order by
        its tag, when the row may be days old.

        `exchange` (an OpenAlgo exchange) limits the list to one exchange, which costs
        less at a broker that lists each exchange on its own. `max_age` asks for a list
        read at most that many seconds ago (0: read now), whatever the adapter caches;
        over every exchange, an adapter that lists them one by one may still answer an
        exchange that had no orders at its last look from that look."""
        ...

    async def order(self, order_id: str, exchange: str) -> BrokerOrder | None: ...

    async def trades(self) -> list[Trade]: ...

    # -- account ---------------------------------------------------------------------

    async def positions(self, *, max_age: float | None = None) -> list[Position]:
        """Net positions; `max_age` as for `orders` (0 before sizing a smart order)."""
        ...

    async def holdings(self) -> list[Holding]: ...

    async def funds(self) -> Funds: ...

    async def margin(self, orders: Sequence[OrderIntent]) -> MarginResult: ...

    # -- market data -----------------------------------------------------------------

    async def quote(self, symbol: str, exchange: str) -> Quote: ...

    async def quotes(self, instruments: Sequence[tuple[str, str]]) -> list[Quote]: ...

    async def depth(self, symbol: str, exchange: str) -> Depth: ...

    async def history(self, symbol: str, exchange: str, interval: str,
                      start: dt.datetime, end: dt.datetime) -> list[Candle]: ...

    async def option_chain(self, underlying: str, exchange: str,
                           expiry: dt.date) -> list[OptionChainRow]: ...


__all__ = ["Broker", "BrokerFailure", "NotSent", "OrderRefused", "OutcomeUnknown"]
