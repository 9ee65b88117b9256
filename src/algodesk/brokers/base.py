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
from decimal import Decimal
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

    async def orders(self) -> list[BrokerOrder]: ...

    async def order(self, order_id: str, exchange: str) -> BrokerOrder | None: ...

    async def trades(self) -> list[Trade]: ...

    # -- account ---------------------------------------------------------------------

    async def positions(self) -> list[Position]: ...

    async def holdings(self) -> list[Holding]: ...

    async def funds(self) -> Funds: ...

    async def margin(self, orders: Sequence[OrderIntent]) -> MarginResult: ...

    # -- market data -----------------------------------------------------------------

    #: The most candles one `history` call answers.
    history_page_size: int

    async def quote(self, symbol: str, exchange: str) -> Quote: ...

    async def quotes(self, instruments: Sequence[tuple[str, str]]) -> list[Quote]: ...

    async def depth(self, symbol: str, exchange: str) -> Depth: ...

    async def history(self, symbol: str, exchange: str, interval: str,
                      start: dt.datetime, end: dt.datetime) -> list[Candle]:
        """One broker read: the candles of `interval` opening in [start, end], oldest
        first, at most `history_page_size` of them; a full page may mean there are more
        (ask again from after its last candle). `interval` is a base interval as
        OpenAlgo spells it (1s, 1m, 5m, 30m, D); an interval the broker does not serve
        is an `OrderRefused`."""
        ...

    async def option_chain(self, underlying: str, exchange: str, expiry: dt.date, *,
                           strike: Decimal | None = None) -> list[OptionChainRow]:
        """The listed strikes of `underlying` (an OpenAlgo name: NIFTY, SBIN) on its option
        exchange for one expiry, calls and puts side by side, by strike; with `strike`,
        that strike alone (both sides in one read)."""
        ...

    def option_chain_exchanges(self) -> tuple[str, ...]:
        """The option exchanges `option_chain` serves (it refuses the others)."""
        ...

    def reads_left(self) -> int | None:
        """How many more broker reads today's allowance takes, beyond what is kept for
        order actions (None: no limit), so a service can refuse a bulk read up front."""
        ...


__all__ = ["Broker", "BrokerFailure", "NotSent", "OrderRefused", "OutcomeUnknown"]
