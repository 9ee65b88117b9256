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
from dataclasses import dataclass
from enum import StrEnum
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
from ..domain.stream import DepthUpdate, OrderEvent, Tick


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

    async def quote(self, symbol: str, exchange: str) -> Quote: ...

    async def quotes(self, instruments: Sequence[tuple[str, str]]) -> list[Quote]: ...

    async def depth(self, symbol: str, exchange: str) -> Depth: ...

    async def history(self, symbol: str, exchange: str, interval: str,
                      start: dt.datetime, end: dt.datetime) -> list[Candle]: ...

    async def option_chain(self, underlying: str, exchange: str,
                           expiry: dt.date) -> list[OptionChainRow]: ...


__all__ = ["Broker", "BrokerFailure", "NotSent", "OrderRefused", "OutcomeUnknown"]


# -- the live feed (issue 17) ----------------------------------------------------------
#
# A broker's push streams: ticks, market depth and order events as domain types. The
# feed joins the union of what its users want (reference-counted: the broker is asked
# once per instrument and level however many users want it), reconnects on its own, and
# hands each tick of an instrument to its listeners once, in the exchange's order.


class FeedLevel(StrEnum):
    QUOTE = "quote"  # last trade, the day's open/high/low, previous close, best bid/ask
    DEPTH = "depth"  # five price levels a side


class SubscriptionRefused(ValueError):
    """A subscription the feed cannot take (unknown instrument, the broker's cap); the
    message says which and why."""


class FeedListener(Protocol):
    """Called on the event loop for every delivery; a listener must not block or await
    (it queues what it needs and returns)."""

    def on_tick(self, tick: Tick) -> None: ...

    def on_depth(self, update: DepthUpdate) -> None: ...

    def on_order(self, event: OrderEvent) -> None: ...


@dataclass(frozen=True, slots=True)
class FeedState:
    """A snapshot for the broker page and `/ping`."""

    status: str  # idle, waiting (no broker session), connecting, connected, reconnecting
    detail: str  # what is happening, in words ("reconnecting in 4 s: connection refused")
    connected: bool
    subscriptions: int  # instruments and levels joined at the broker
    ticks_per_second: float  # over the last few seconds
    last_tick_age: float | None  # seconds since the last tick; None before the first
    reconnects: int  # today (IST)
    stalls: int  # connected-but-silent connections dropped by the watchdog, today


@runtime_checkable
class Feed(Protocol):
    """One broker account's live streams."""

    name: str

    def add_listener(self, listener: FeedListener) -> None: ...

    def remove_listener(self, listener: FeedListener) -> None: ...

    def subscribe(self, symbol: str, exchange: str, level: FeedLevel) -> None:
        """Want this instrument's data at this level; raises `SubscriptionRefused`.
        Returns at once: the broker is asked (or asked again after a reconnect) by the
        feed's own task."""
        ...

    def unsubscribe(self, symbol: str, exchange: str, level: FeedLevel) -> None:
        """Undo one `subscribe`; the broker leaves when the last one is undone."""
        ...

    def watch_orders(self) -> None:
        """Want order events (reference-counted like subscriptions)."""
        ...

    def unwatch_orders(self) -> None: ...

    def state(self) -> FeedState: ...


__all__ += ["Feed", "FeedLevel", "FeedListener", "FeedState", "SubscriptionRefused"]
