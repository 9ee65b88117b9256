"""The platform's WebSocket feed against a real simulator: `algodesk serve` connected
through the broker login, with an API key, on a simulator streaming four ticks a token a
second; clients are the unmodified `openalgo` client and a plain `websockets` client."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.conftest import IST, SimulatorProcess
from tests.market.conftest import MarketDesk, open_desk

STREAM_RATE = "4"
MAX_SUBSCRIPTIONS = 40
SLOW_CLIENT_SECONDS = 2
AUTH_GRACE_SECONDS = 3
WATCHDOG_SECONDS = 3
FALLBACK_AFTER_SECONDS = 3


@pytest.fixture(scope="session")
def feed_desk(tmp_path_factory: pytest.TempPathFactory,
              simulator_factory: Callable[..., SimulatorProcess]) -> Iterator[MarketDesk]:
    opened = open_desk(tmp_path_factory.mktemp("feed-desk"), simulator_factory,
                       ["--stream-rate", STREAM_RATE], platform_env={
                           "WEBSOCKET_MAX_SUBSCRIPTIONS": str(MAX_SUBSCRIPTIONS),
                           "WEBSOCKET_SLOW_CLIENT_SECONDS": str(SLOW_CLIENT_SECONDS),
                           "WEBSOCKET_AUTH_GRACE_SECONDS": str(AUTH_GRACE_SECONDS),
                           "FEED_WATCHDOG_SECONDS": str(WATCHDOG_SECONDS),
                           "FEED_FALLBACK_AFTER_SECONDS": str(FALLBACK_AFTER_SECONDS),
                           "FEED_FALLBACK_SECONDS": "1",
                           # the simulator's market never shuts: nor does the feed's
                           "FEED_MARKET_HOURS": "always"})
    try:
        yield opened
    finally:
        opened.admin.close()
        opened.platform.stop()


def ws_port(desk: MarketDesk) -> int:
    return int(desk.platform.env["WEBSOCKET_PORT"])


def ws_url(desk: MarketDesk) -> str:
    return f"ws://127.0.0.1:{ws_port(desk)}"


class Socket:
    """A plain WebSocket client speaking the protocol by hand (for what the openalgo
    client cannot send: batches, bad messages, replies it does not expose)."""

    def __init__(self, desk: MarketDesk, **options: Any) -> None:
        self._stack = contextlib.ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(
            connect(ws_url(desk), open_timeout=5, **options))

    def send(self, message: dict[str, Any] | str) -> None:
        self.ws.send(message if isinstance(message, str) else json.dumps(message))

    def recv(self, timeout: float = 5.0) -> dict[str, Any]:
        return json.loads(self.ws.recv(timeout=timeout))

    def reply(self, where: Callable[[dict[str, Any]], bool], timeout: float = 5.0
              ) -> dict[str, Any]:
        """The next frame `where` accepts (market data in between is skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            frame = self.recv(max(0.01, deadline - time.monotonic()))
            if where(frame):
                return frame

    def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send and return the first frame that is not market data."""
        self.send(message)
        return self.reply(lambda frame: frame.get("type") != "market_data")

    def authenticate(self, key: str) -> dict[str, Any]:
        return self.ask({"action": "authenticate", "api_key": key})

    def close(self) -> None:
        self._stack.close()


@pytest.fixture
def socket_of(feed_desk: MarketDesk) -> Iterator[Callable[..., Socket]]:
    opened: list[Socket] = []

    def open_socket(**options: Any) -> Socket:
        sock = Socket(feed_desk, **options)
        opened.append(sock)
        return sock

    yield open_socket
    for sock in opened:
        sock.close()


def upcoming_option_expiry(desk: MarketDesk) -> str:
    """The nearest NIFTY options expiry after today (IST) as DDMMMYY."""
    reply = desk.post("expiry", {"symbol": "NIFTY", "exchange": "NFO",
                                 "instrumenttype": "options"}).json()
    assert reply["status"] == "success", reply
    today = dt.datetime.now(IST).date()
    days = [dt.datetime.strptime(text.title(), "%d-%b-%y").date() for text in reply["data"]]
    return min(day for day in days if day > today).strftime("%d%b%y").upper()


def nearest_future(desk: MarketDesk) -> str:
    reply = desk.post("expiry", {"symbol": "NIFTY", "exchange": "NFO",
                                 "instrumenttype": "futures"}).json()
    assert reply["status"] == "success", reply
    today = dt.datetime.now(IST).date()
    days = [dt.datetime.strptime(text.title(), "%d-%b-%y").date() for text in reply["data"]]
    return "NIFTY" + min(day for day in days if day >= today).strftime("%d%b%y").upper() + "FUT"


def atm_call(desk: MarketDesk) -> str:
    reply = desk.post("optionsymbol", {"underlying": "NIFTY", "exchange": "NSE_INDEX",
                                       "expiry_date": upcoming_option_expiry(desk),
                                       "offset": "ATM", "option_type": "CE"}).json()
    assert reply["status"] == "success", reply
    return str(reply["symbol"])


def rest_quote(desk: MarketDesk, symbol: str, exchange: str) -> dict[str, Any]:
    reply = desk.post("quotes", {"symbol": symbol, "exchange": exchange})
    assert reply.status_code == 200, reply.text
    return dict(reply.json()["data"])


def option_symbols(desk: MarketDesk, count: int) -> list[str]:
    """`count` NIFTY calls of the nearest expiry after today (strikes around the money
    first), from the platform's own instrument list."""
    expiry = upcoming_option_expiry(desk)
    reply = httpx.get(f"{desk.platform.base_url}/api/v1/instruments",
                      params={"apikey": desk.apikey, "exchange": "NFO"}, timeout=30)
    assert reply.status_code == 200, reply.text
    calls = sorted(row["symbol"] for row in reply.json()["data"]
                   if row["symbol"].startswith(f"NIFTY{expiry}") and row["symbol"].endswith("CE"))
    middle = len(calls) // 2
    chosen = calls[max(0, middle - count // 2):][:count]
    assert len(chosen) == count, (expiry, len(calls))
    return chosen
