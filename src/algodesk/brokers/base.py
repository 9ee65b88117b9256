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
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal, Protocol, runtime_checkable

from ..domain.gtt import Gtt, GttAck, GttIntent, PreparedGtt
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


@runtime_checkable
class GttBroker(Protocol):
    """A broker that keeps GTT (good-till-triggered) orders for the account: a second
    protocol beside `Broker`, so an adapter without them (the paper broker) needs
    nothing; the GTT service answers 501 for it.

    As with orders, a GTT goes in two steps so the journal stays first:
    `prepare_gtt` checks it and writes the broker's request without sending it, then
    `place_gtt` sends it once. Failures are the `BrokerFailure`s above; a GTT whose
    answer was lost (`OutcomeUnknown`) is looked for in `gtt_orders`, never resent."""

    async def prepare_gtt(self, intent: GttIntent) -> PreparedGtt:
        """Check an intent and write the broker's request (nothing is sent); what the
        broker's GTT cannot take is an `OrderRefused` saying what it accepts."""
        ...

    async def place_gtt(self, gtt: PreparedGtt) -> GttAck: ...

    async def modify_gtt(self, gtt_id: str, change: PreparedGtt) -> GttAck:
        """Replace an active GTT's legs with the prepared intent's."""
        ...

    async def cancel_gtt(self, gtt_id: str, exchange: str) -> GttAck: ...

    async def gtt_orders(self, *, exchange: str | None = None,
                         max_age: float | None = None) -> list[Gtt]:
        """The account's GTTs, whatever their state (`exchange`: one exchange's;
        `max_age` as for `Broker.orders`)."""
        ...




# -- the broker login, as the pages and the API see it -------------------------------
#
# Logging in is each broker's own business (ICICI: a browser login, an API_Session
# exchanged for a session token that dies every night); the pages and the API see only
# this: the state, starting a login, completing it from the callback, disconnecting,
# and the broker's call budget in use. The adapter's package implements it
# (`brokers.icici.session`), `runtime.py` wires it, `access.broker` keeps its secrets.

Mode = Literal["demo", "real"]


class BrokerState(StrEnum):
    NOT_CONNECTED = "not_connected"
    CONNECTED = "connected"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class CallUsage:
    """The broker's call budget in use: calls on `day` and in the last minute."""

    day: str
    today: int
    last_minute: int
    per_day: int
    per_minute: int


@dataclass(frozen=True, slots=True)
class BrokerStatus:
    """A snapshot of the login for pages and API errors."""

    state: BrokerState
    mode: Mode
    broker: str  # as API replies name it ("simulator", "icici")
    user_id: str | None  # the broker account
    user_name: str | None
    connected_at: dt.datetime | None
    expires_at: dt.datetime | None
    ended_reason: str | None  # why the last session ended, in words
    usage: CallUsage
    api_url: str
    reconnect_url: str

    @property
    def connected(self) -> bool:
        return self.state is BrokerState.CONNECTED


class BrokerUnavailable(Exception):
    """No usable broker session: `message` says so and where to log in again."""

    def __init__(self, message: str, state: BrokerState) -> None:
        super().__init__(message)
        self.message = message
        self.state = state


class ConnectFailed(Exception):
    """A login that did not complete, in the trader's words: what happened, what to do.
    `kind` names the case (the page picks its HTTP status by it)."""

    def __init__(self, kind: str, title: str, happened: str, todo: str) -> None:
        super().__init__(title)
        self.kind = kind
        self.title = title
        self.happened = happened
        self.todo = todo

    def __str__(self) -> str:
        return f"{self.title}: {self.happened}"


class RawFailure(BrokerFailure):
    """A failure as the adapter's wire raised it, before anything said which operation
    it broke. Whoever knows (the API: "the funds data") words it with `reading`."""

    def reading(self, what: str, consequence: str = "") -> BrokerFailure:
        """This failure as the failed read of `what`, and what did not happen then."""
        return self


@dataclass(frozen=True, slots=True)
class SegmentFunds:
    """One segment's allocation, what trades block in it, and what is free."""

    name: str
    allocated: Decimal
    blocked: Decimal

    @property
    def free(self) -> Decimal:
        return self.allocated - self.blocked


@dataclass(frozen=True, slots=True)
class FundsOverview:
    """The dashboard's funds: the bank balance, what trades block, what a cash order
    can use, what no order can use yet, and each segment."""

    limit: Decimal
    used: Decimal
    available: Decimal
    unallocated: Decimal
    segments: tuple[SegmentFunds, ...] = ()


@runtime_checkable
class BrokerConnection(Protocol):
    """The login to one broker account, as the pages and the API use it."""

    #: Named in every API reply ("icici", "simulator").
    broker_name: str

    def status(self) -> BrokerStatus: ...

    def session_started(self) -> dt.datetime | None:
        """When the usable session began, or None without one (the cheap check made
        on every API call)."""
        ...

    def unavailable_message(self) -> str:
        """Why there is no usable session, and where to log in."""
        ...

    def begin_connect(self) -> str:
        """Open the window in which a login is accepted; the URL to send the trader to."""
        ...

    async def complete_connect(self, query: Mapping[str, str],
                               form: Mapping[str, str] | None = None) -> BrokerStatus:
        """Complete the login from the callback's query (and form, when posted);
        raises `ConnectFailed`."""
        ...

    def disconnect(self) -> None:
        """End the session here and forget its token."""
        ...

    def call_usage(self) -> CallUsage: ...

    async def funds_overview(self) -> FundsOverview:
        """Raises `BrokerUnavailable` without a session, `BrokerFailure` otherwise."""
        ...


# -- where a login is kept between runs ------------------------------------------------


@dataclass(frozen=True, slots=True)
class SavedLogin:
    """A login as kept between runs; `token` is the session's secret, decrypted."""

    state: BrokerState
    user_id: str | None = None
    user_name: str | None = None
    connected_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    ended_reason: str | None = None
    token: str | None = None


@dataclass(frozen=True, slots=True)
class SavedCalls:
    """The broker calls counted on `day`, and when the last minute's calls went out
    (Unix times), so a restart keeps the budget."""

    day: str
    calls: int
    recent: tuple[float, ...] = ()


class LoginStore(Protocol):
    """The database side of a login (`access.broker.BrokerSessionStore`): the token
    encrypted, tied to the `credentials` it was made with."""

    def load(self, credentials: str) -> SavedLogin | None:
        """The kept login; one made with other credentials, or whose token cannot be
        decrypted, is dropped."""
        ...

    def forget(self) -> None: ...

    def save(self, credentials: str, login: SavedLogin) -> None: ...

    def end(self, state: BrokerState, reason: str, at: dt.datetime) -> None:
        """The session ended: keep why, drop the token."""
        ...

    def load_calls(self) -> SavedCalls | None:
        """The newest day's count."""
        ...

    def save_calls(self, calls: SavedCalls) -> None:
        """Write a day's count (from any thread)."""
        ...


__all__ = [
    "Broker",
    "BrokerConnection",
    "BrokerFailure",
    "BrokerState",
    "BrokerStatus",
    "BrokerUnavailable",
    "CallUsage",
    "ConnectFailed",
    "FundsOverview",
    "GttBroker",
    "LoginStore",
    "Mode",
    "NotSent",
    "OrderRefused",
    "OutcomeUnknown",
    "RawFailure",
    "SavedCalls",
    "SavedLogin",
    "SegmentFunds",
]
__all__ = ["Broker", "BrokerFailure", "GttBroker", "NotSent", "OrderRefused",
           "OutcomeUnknown"]


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
    #: Subscribed instruments are being served by REST quotes (the stream is down).
    fallback: bool = False
    polled_today: int = 0  # REST quotes read for that today (IST)


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
