"""The unmodified `openalgo` client's feed against the platform and the simulator: LTP,
quote and depth of an equity, a future and an option, equal to `/api/v1/quotes` at the
same simulated instant; unsubscribing one mode stops it and leaves the others."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from openalgo import api

from tests.market.conftest import MarketDesk
from tests.stream.conftest import atm_call, nearest_future, rest_quote, ws_port

# What a quote frame and /api/v1/quotes both carry, under the same names.
SAME_FIELDS = ("ltp", "open", "high", "low", "volume")


class Frames:
    """What the client's callbacks were given, with the (monotonic) time of arrival."""

    def __init__(self) -> None:
        self.items: list[tuple[float, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def __call__(self, frame: dict[str, Any]) -> None:
        with self._lock:
            self.items.append((time.monotonic(), frame))

    def of(self, symbol: str, since: float = 0.0) -> list[dict[str, Any]]:
        with self._lock:
            return [f for at, f in self.items if at >= since and f["symbol"] == symbol]


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.05)


@pytest.fixture
def client(feed_desk: MarketDesk) -> Iterator[Any]:
    feed = api(api_key=feed_desk.apikey, host=feed_desk.platform.base_url,
               ws_port=ws_port(feed_desk))
    assert feed.connect(), "the client could not connect and authenticate"
    try:
        yield feed
    finally:
        feed.disconnect()


def test_ltp_quote_and_depth_equal_rest_quotes(feed_desk: MarketDesk, client: Any) -> None:
    instruments = [{"exchange": "NSE", "symbol": "RELIANCE"},
                   {"exchange": "NFO", "symbol": nearest_future(feed_desk)},
                   {"exchange": "NFO", "symbol": atm_call(feed_desk)}]
    ltp, quote, depth = Frames(), Frames(), Frames()
    assert client.subscribe_ltp(instruments, on_data_received=ltp)
    assert client.subscribe_quote(instruments, on_data_received=quote)
    assert client.subscribe_depth(instruments, on_data_received=depth)
    symbols = [i["symbol"] for i in instruments]
    wait_for(lambda: all(ltp.of(s) and quote.of(s) and depth.of(s) for s in symbols), 20,
             "LTP, quote and depth frames of all three")

    for item in instruments:
        symbol, exchange = item["symbol"], item["exchange"]
        rest = rest_quote(feed_desk, symbol, exchange)

        def matching(rest: dict[str, Any] = rest, symbol: str = symbol) -> list[dict[str, Any]]:
            """Quote frames of the REST quote's instant: the same cumulative volume and
            last price, and the day's open, high, low and previous close with them."""
            return [f for f in quote.of(symbol)
                    if all(f["data"][k] == rest[k] for k in SAME_FIELDS)
                    and f["data"]["close"] == rest["prev_close"]]

        # The tick of that instant reaches the client within a second or two of REST.
        wait_for(lambda m=matching: bool(m()), 5,
                 f"a quote frame of {symbol} equal to REST's {rest}")
        frame = matching()[0]
        assert (frame["exchange"], frame["mode"]) == (exchange, 2)
        data = frame["data"]
        # change and change_percent from Breeze's last price and previous close.
        assert data["change"] == pytest.approx(rest["ltp"] - rest["prev_close"], abs=1e-6)
        assert data["change_percent"] == pytest.approx(
            (rest["ltp"] - rest["prev_close"]) / rest["prev_close"] * 100, abs=0.006)
        assert data["avg_trade_price"] > 0
        # LTP frames carry the same prices as the quote frames of the same ticks.
        wait_for(lambda s=symbol, p=rest["ltp"]: any(f["data"]["ltp"] == p for f in ltp.of(s)),
                 5, f"an LTP frame of {symbol} at REST's price")
        assert {f["mode"] for f in ltp.of(symbol)} == {1}
        # Depth: five levels a side, best first, at the instant's last price.
        book = depth.of(symbol)[-1]
        assert book["mode"] == 3
        buy, sell = book["data"]["depth"]["buy"], book["data"]["depth"]["sell"]
        assert len(buy) == len(sell) == 5
        assert [lv["price"] for lv in buy] == sorted((lv["price"] for lv in buy), reverse=True)
        assert [lv["price"] for lv in sell] == sorted(lv["price"] for lv in sell)
        assert buy[0]["price"] < sell[0]["price"]
        assert all(lv["quantity"] > 0 and lv["orders"] > 0 for lv in buy + sell)
        assert book["data"]["ltp"] in {f["data"]["ltp"] for f in quote.of(symbol)}
    assert client.get_depth()["depth"]["NSE"]["RELIANCE"]["buyBook"]["5"]["qty"] > 0


def test_unsubscribe_stops_that_mode_only(feed_desk: MarketDesk, client: Any) -> None:
    sbin = [{"exchange": "NSE", "symbol": "SBIN"}]
    ltp, quote = Frames(), Frames()
    assert client.subscribe_ltp(sbin, on_data_received=ltp)
    assert client.subscribe_quote(sbin, on_data_received=quote)
    wait_for(lambda: ltp.of("SBIN") and quote.of("SBIN"), 10, "SBIN frames in both modes")

    assert client.unsubscribe_ltp(sbin)
    time.sleep(0.5)  # a frame already on its way may still land
    after = time.monotonic()
    wait_for(lambda: len(quote.of("SBIN", since=after)) >= 2, 10, "quote frames going on")
    assert ltp.of("SBIN", since=after) == []
    assert "SBIN" not in client.get_ltp().get("ltp", {}).get("NSE", {})

    assert client.unsubscribe_quote(sbin)
    time.sleep(0.5)
    after = time.monotonic()
    time.sleep(2.0)  # two simulated seconds: two ticks would have come
    assert quote.of("SBIN", since=after) == []


def test_a_wrong_api_key_is_refused(feed_desk: MarketDesk) -> None:
    feed = api(api_key="0" * 64, host=feed_desk.platform.base_url, ws_port=ws_port(feed_desk))
    try:
        assert feed.connect() is False
        assert not feed.authenticated
    finally:
        feed.disconnect()
