"""The running platform's parts, built once from the settings and shared by every request.

`build_runtime` wires storage, the access layer and the broker connection (ICICI's
login, its secrets kept by `access.broker`); the app's lifespan starts and stops
`services` in order (the demo simulator first, so the broker connection finds it).
Later parts that need `start()/stop()` (the instrument service, the WebSocket feed)
join `services` in `app.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from fastapi import Request

from .access import models as _models  # noqa: F401  (registers the tables)
from .access.apikeys import ApiKeyService
from .access.broker import BrokerSessionStore
from .access.ratelimit import FailureLimiter
from .access.secretbox import SecretBox
from .access.users import UserStore
from .access.web_sessions import WebSessions
from .brokers.base import BrokerConnection, Feed, Mode
from .brokers.icici.adapter import IciciBroker
from .brokers.icici.feed import FeedTimings, IciciFeed, StreamCredentials
from .brokers.icici.gateway import BrokerGateway
from .brokers.icici.session import IciciConnection
from .config import Settings
from .demo import DemoSimulator, demo_settings, load_or_create_credentials
from .instruments.service import InstrumentService
from .market.desk import MarketDesk  # also registers the candle store's tables
from .sandbox.broker import PaperBroker
from .sandbox.margin import Leverages
from .sandbox.reset import ScheduledReset, parse_schedule
from .sandbox.store import PaperStore
from .storage import Database
from .trading.analyzer import AnalyzerSwitch, Venue
from .trading.order_updates import ANALYZE
from .trading.squareoff import parse_times
from .trading.trading import Trading  # also registers the order journal's table

CALLBACK_PATH = "/icici/callback"
# Five wrong passwords per address, then a pause: the sixth attempt is refused.
LOGIN_FAILURES = 5
LOGIN_WINDOW_SECONDS = 15 * 60
# Scripts with a stale key retry often; twenty misses a minute is plenty for a typo.
APIKEY_FAILURES = 20
APIKEY_WINDOW_SECONDS = 60


class Service(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


@dataclass
class Runtime:
    settings: Settings  # effective: in demo mode, pointed at the simulator
    mode: Mode
    db: Database
    box: SecretBox
    users: UserStore
    web_sessions: WebSessions
    api_keys: ApiKeyService
    #: The broker login as the pages and the API see it.
    broker: BrokerConnection
    login_limiter: FailureLimiter
    apikey_limiter: FailureLimiter
    demo: DemoSimulator | None
    redirect_problem: str | None
    instruments: InstrumentService
    #: Orders and books: one order service, journal, pacer and read cache for everyone.
    trading: Trading
    #: Quotes, history (and its candle store), options, the trading calendar.
    market: MarketDesk
    #: Analyzer mode's switch, and its order stack on the paper broker.
    analyzer: AnalyzerSwitch
    paper: Trading
    paper_broker: PaperBroker
    #: The broker's live streams (ticks, depth, order events), joined on demand.
    feed: Feed | None = None
    services: list[Service] = field(default_factory=list)

    @property
    def broker_name(self) -> str:
        return self.broker.broker_name

    def trading_for(self, venue: Venue) -> Trading:
        """The order stack of a venue: the broker's (live) or the paper broker's."""
        return self.paper if venue is Venue.ANALYZE else self.trading


def _loopback(host: str | None) -> bool:
    return (host or "").lower() in ("localhost", "::1") or (host or "").startswith("127.")


def redirect_url_problem(settings: Settings) -> str | None:
    """Why ICICI's redirect would not reach this server, with the fix; None if it will."""
    expected = f"{settings.public_base_url}{CALLBACK_PATH}"
    parts = urlsplit(settings.redirect_url.strip())
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = -1
    wildcard = settings.host.strip() in ("0.0.0.0", "::", "")
    host_ok = wildcard or parts.hostname == settings.host.strip() or (
        _loopback(parts.hostname) and _loopback(settings.host.strip()))
    if (parts.scheme in ("http", "https") and port == settings.port and host_ok
            and parts.path.rstrip("/") == CALLBACK_PATH):
        return None
    return (
        f"REDIRECT_URL is {settings.redirect_url!r}, but algodesk receives the broker login "
        f"at {expected} (HOST {settings.host}, PORT {settings.port}), so ICICI's redirect "
        f"after login would not arrive here. Fix: set REDIRECT_URL = '{expected}' in .env "
        "and register exactly that redirect URL for your app on the Breeze portal "
        "(https://api.icicidirect.com/apiuser/home) - or change HOST/PORT to match the "
        "registered URL."
    )


def stream_credentials(broker: IciciConnection) -> StreamCredentials | None:
    """The live session's socket auth, or None without a usable session."""
    if broker.session_started() is None:
        return None
    user_id, key = broker.client.user_id, broker.client.session_key
    return StreamCredentials(user_id, key) if user_id and key else None


def build_runtime(settings: Settings) -> Runtime:
    data_dir = Path(settings.data_dir)
    # Owner-only when created here: the database, the key file and the logs live here.
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    box = SecretBox.load_or_create(data_dir)
    demo: DemoSimulator | None = None
    mode: Mode = "real"
    problem: str | None = None
    if settings.demo_mode:
        mode = "demo"
        credentials = load_or_create_credentials(data_dir)
        settings = demo_settings(settings, credentials)
        demo = DemoSimulator(settings, credentials)
    else:
        problem = redirect_url_problem(settings)
    db = Database.from_settings(settings)
    db.migrate()  # raises SchemaTooNew for a database a newer algodesk has upgraded
    broker = IciciConnection(settings, BrokerSessionStore(db, box), mode=mode)
    broker.budget.per_minute = settings.breeze_calls_per_minute
    broker.budget.per_day = settings.breeze_calls_per_day
    # The master contract loads from the database (or downloads) after the demo
    # simulator is up, so its SecurityMaster URL answers.
    instruments = InstrumentService(settings, db)
    # The one place that picks the broker adapter: ICICI's Breeze API (the simulator
    # plays it in demo mode). The services see it as a `brokers.base.Broker`.
    gateway = BrokerGateway(broker, broker.budget)
    adapter = IciciBroker(gateway, lambda: instruments.index, name=broker.broker_name,
                          budget=broker.budget, equity_mis_as_cash=settings.equity_mis_as_cash)
    trading = Trading.build(
        database=db, broker=adapter, instruments=lambda: instruments.index,
        mis_squareoff_time=settings.mis_squareoff_time)
    feed = IciciFeed(livestream_url=settings.breeze_livestream_url,
                     livefeeds_url=settings.breeze_livefeeds_url,
                     credentials=lambda: stream_credentials(broker),
                     contracts=lambda: instruments.index, name=broker.broker_name,
                     timings=FeedTimings(
                         watchdog_seconds=settings.feed_watchdog_seconds,
                         fallback_after_seconds=settings.feed_fallback_after_seconds,
                         fallback_seconds=settings.feed_fallback_seconds),
                     quotes=adapter.quote, budget=broker.budget,
                     market_open=None if settings.feed_market_hours == "always"
                     # read when asked: the desk (and its calendar) is built below
                     else lambda exchanges: runtime.market.calendar.in_session(
                         exchanges, dt.datetime.now(dt.UTC)))
    if settings.order_updates_enabled:
        adapter.follow_orders(feed)  # the books refresh on order events, not by polling
        trading.updates.follow(feed)  # order updates for the WebSocket's subscribe_orders
    # Analyzer mode: the paper broker fills against the live broker's quotes and feed;
    # its orders go through an order stack of their own, journaled as the paper venue's,
    # squared off per exchange at the contract's times.
    squareoff_times = parse_times(settings.analyzer_squareoff_times)
    paper_broker = PaperBroker(
        PaperStore(db), contracts=lambda: instruments.index, market=adapter, feed=feed,
        capital=Decimal(str(settings.analyzer_capital)), leverages=Leverages(
            equity_mis=Decimal(str(settings.analyzer_leverage_equity_mis)),
            equity_delivery=Decimal(str(settings.analyzer_leverage_equity_cnc)),
            futures=Decimal(str(settings.analyzer_leverage_futures)),
            option_buy=Decimal(str(settings.analyzer_leverage_option_buy)),
            option_sell=Decimal(str(settings.analyzer_leverage_option_sell))),
        squareoff_times=squareoff_times)
    paper = Trading.build(
        database=db, broker=paper_broker, instruments=lambda: instruments.index,
        mis_squareoff_time=settings.mis_squareoff_time,
        journal=trading.journal.for_venue(Venue.ANALYZE, durable_intents=False),
        squareoff_times=squareoff_times)
    if settings.order_updates_enabled:
        paper.updates.follow(paper_broker, ANALYZE)  # paper orders' updates (`mode` analyze)
    runtime = Runtime(
        settings=settings, mode=mode, db=db, box=box,
        users=UserStore(db, box), web_sessions=WebSessions(db, box),
        api_keys=ApiKeyService(db, box), broker=broker,
        login_limiter=FailureLimiter(LOGIN_FAILURES, LOGIN_WINDOW_SECONDS),
        apikey_limiter=FailureLimiter(APIKEY_FAILURES, APIKEY_WINDOW_SECONDS),
        demo=demo, redirect_problem=problem, instruments=instruments, trading=trading,
        market=MarketDesk.build(
            database=db, broker=adapter, instruments=lambda: instruments.index,
            data_dir=data_dir, orders=trading.orders,
            splitter=trading.composite, interest_rate_percent=settings.options_interest_rate),
        analyzer=AnalyzerSwitch(db), paper=paper, paper_broker=paper_broker,
    )
    runtime.feed = feed
    if demo is not None:
        runtime.services.append(demo)
    runtime.services.append(broker)
    runtime.services.append(instruments)
    runtime.services.append(trading)  # reconciles the journal once the broker is there
    runtime.services.append(paper_broker)  # watches what the paper account holds
    runtime.services.append(paper)
    reset = parse_schedule(settings.analyzer_reset_schedule)
    if reset is not None:
        runtime.services.append(ScheduledReset(paper_broker, reset))
    runtime.services.append(feed)  # idle until something subscribes or follows orders
    return runtime


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


__all__ = [
    "CALLBACK_PATH",
    "Runtime",
    "Service",
    "build_runtime",
    "client_address",
    "get_runtime",
    "redirect_url_problem",
]
