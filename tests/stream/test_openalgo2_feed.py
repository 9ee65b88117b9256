"""The newest client, openalgo 2.0.5 (Python 3.12+, in its own venv behind the proxy of
`tests/clients`), against the platform's WebSocket feed: LTP, quote and depth of an
equity, a future and an option, equal to `/api/v1/quotes` at the same simulated instant,
and unsubscribing one mode stops it. Callbacks cannot cross the proxy, so the test
reads what the client keeps (`get_ltp`, `get_quotes`, `get_depth`), as a polling
strategy would."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.clients.remote import RemoteOpenalgo
from tests.market.conftest import MarketDesk
from tests.stream.conftest import atm_call, nearest_future, rest_quote, ws_port

SAME_FIELDS = ("ltp", "open", "high", "low", "volume")


def wait_for(condition: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.05)
    return found


@pytest.fixture
def client(feed_desk: MarketDesk, openalgo2: RemoteOpenalgo) -> Iterator[Any]:
    feed = openalgo2.api(api_key=feed_desk.apikey, host=feed_desk.platform.base_url,
                         ws_port=ws_port(feed_desk))
    assert openalgo2.about()["openalgo"] == "2.0.5"
    assert feed.connect(), "openalgo 2.0.5 could not connect and authenticate"
    try:
        yield feed
    finally:
        feed.disconnect()


def test_ltp_quote_and_depth_equal_rest_quotes(feed_desk: MarketDesk, client: Any) -> None:
    instruments = [{"exchange": "NSE", "symbol": "RELIANCE"},
                   {"exchange": "NFO", "symbol": nearest_future(feed_desk)},
                   {"exchange": "NFO", "symbol": atm_call(feed_desk)}]
    assert client.subscribe_ltp(instruments)
    assert client.subscribe_quote(instruments)
    assert client.subscribe_depth(instruments)

    def kept(reader: str, key: str, item: dict[str, str]) -> dict[str, Any] | None:
        found = getattr(client, reader)()[key].get(item["exchange"], {})
        return found.get(item["symbol"])  # type: ignore[no-any-return]

    for item in instruments:
        wait_for(lambda i=item: kept("get_ltp", "ltp", i) and kept("get_quotes", "quote", i)
                 and kept("get_depth", "depth", i), 20, f"all three modes of {item}")

    for item in instruments:
        def same_instant(i: dict[str, str] = item) -> dict[str, Any] | None:
            """The client's latest quote when it is of REST's instant (read either side
            of the REST call, so a tick landing between them is noticed, not compared)."""
            before = kept("get_quotes", "quote", i)
            rest = rest_quote(feed_desk, i["symbol"], i["exchange"])
            after = kept("get_quotes", "quote", i)
            if before == after and after and all(after[k] == rest[k] for k in SAME_FIELDS) \
                    and after["close"] == rest["prev_close"]:
                return {"feed": after, "rest": rest}
            return None

        pair = wait_for(same_instant, 10, f"a quote of {item} at REST's instant")
        feed, rest = pair["feed"], pair["rest"]
        assert feed["change"] == pytest.approx(rest["ltp"] - rest["prev_close"], abs=1e-6)
        assert feed["avg_trade_price"] > 0
        book = kept("get_depth", "depth", item)
        assert book is not None
        # five real levels a side (the client pads missing ones with zeros), best first
        for side in ("buyBook", "sellBook"):
            assert all(book[side][str(n)]["qty"] > 0 for n in range(1, 6)), book
        assert book["buyBook"]["1"]["price"] < book["sellBook"]["1"]["price"]


def test_unsubscribe_stops_that_mode_only(client: Any) -> None:
    sbin = [{"exchange": "NSE", "symbol": "SBIN"}]
    assert client.subscribe_ltp(sbin)
    assert client.subscribe_quote(sbin)
    wait_for(lambda: "SBIN" in client.get_ltp()["ltp"].get("NSE", {})
             and "SBIN" in client.get_quotes()["quote"].get("NSE", {}), 10,
             "SBIN in both modes")

    assert client.unsubscribe_ltp(sbin)
    assert "SBIN" not in client.get_ltp()["ltp"].get("NSE", {})
    time.sleep(1.0)  # a frame already on its way may still land: then it would be back
    assert "SBIN" not in client.get_ltp()["ltp"].get("NSE", {})
    first = client.get_quotes()["quote"]["NSE"]["SBIN"]["timestamp"]
    wait_for(lambda: client.get_quotes()["quote"]["NSE"]["SBIN"]["timestamp"] != first, 10,
             "quote frames going on after the LTP unsubscribe")
