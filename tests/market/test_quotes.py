"""quotes, multiquotes, depth and intervals through the `openalgo` client, against the
real platform and simulator; values checked against the simulator's own answers."""

from __future__ import annotations

import asyncio
from typing import Any

from algodesk.brokers.icici import BreezeClient
from tests.market.conftest import MarketDesk, upcoming_expiries


def direct_quote(desk: MarketDesk, stock_code: str, exchange: str, **contract: Any) -> Any:
    """The simulator's quote, read with a Breeze session of the test's own."""
    sim = desk.sim
    session = sim.admin("api-session")["api_session"]

    async def run() -> Any:
        async with BreezeClient(sim.app_key, sim.app_secret, api_url=sim.api_url,
                                history_url=sim.history_url, timeout=20) as client:
            await client.customer_details(session)
            rows = await client.get_quotes(stock_code, exchange, **contract)
            return next(r for r in rows if r.exchange_code == exchange)

    return asyncio.run(run())


def test_quote_of_a_stock(desk: MarketDesk) -> None:
    reply = desk.client.quotes(symbol="SBIN", exchange="NSE")
    assert reply["status"] == "success", reply
    data = reply["data"]
    assert set(data) == {"open", "high", "low", "ltp", "ask", "bid", "prev_close", "volume", "oi"}
    truth = direct_quote(desk, "STABAN", "NSE", product_type="cash")
    # The day's open and the previous close do not move; the rest moves every second.
    assert data["open"] == float(truth.open)
    assert data["prev_close"] == float(truth.previous_close)
    assert data["low"] <= data["ltp"] <= data["high"]
    assert 0 < data["bid"] <= data["ask"]
    assert data["volume"] > 0 and data["oi"] == 0


def test_quotes_are_shared_for_a_second(desk: MarketDesk) -> None:
    client = desk.client
    client.quotes(symbol="TCS", exchange="NSE")
    before = desk.broker_calls_today()
    for _ in range(5):
        assert client.quotes(symbol="TCS", exchange="NSE")["status"] == "success"
    assert desk.broker_calls_today() - before <= 1


def test_index_and_option_quotes(desk: MarketDesk) -> None:
    index = desk.client.quotes(symbol="NIFTY", exchange="NSE_INDEX")
    assert index["status"] == "success" and index["data"]["ltp"] > 10_000
    chain = desk.client.optionchain(underlying="NIFTY", exchange="NSE_INDEX",
                                    expiry_date=upcoming_expiries(desk)[0], strike_count=1)
    symbol = chain["chain"][1]["ce"]["symbol"]
    option = desk.client.quotes(symbol=symbol, exchange="NFO")["data"]
    assert option["oi"] > 0, "NFO quotes read the option-chain row, which has open interest"
    assert option["ltp"] > 0


def test_multiquotes_with_an_unknown_symbol(desk: MarketDesk) -> None:
    reply = desk.client.multiquotes(symbols=[
        {"symbol": "RELIANCE", "exchange": "NSE"}, {"symbol": "FOO", "exchange": "NSE"},
        {"symbol": "SENSEX", "exchange": "BSE_INDEX"}])
    assert reply["status"] == "success", reply
    results = reply["results"]
    assert [r["symbol"] for r in results] == ["RELIANCE", "FOO", "SENSEX"]
    assert results[0]["data"]["ltp"] > 0 and "error" not in results[0]
    assert "data" not in results[1]
    assert "Symbol 'FOO' not found for exchange 'NSE'" in results[1]["error"]
    assert results[2]["data"]["ltp"] > 0


def test_multiquotes_with_nothing_known_is_400(desk: MarketDesk) -> None:
    answer = desk.post("multiquotes", {"symbols": [{"symbol": "FOO", "exchange": "NSE"}]})
    assert answer.status_code == 400
    body = answer.json()
    assert body["invalid_symbols"][0]["symbol"] == "FOO"
    assert "None of the requested symbols" in body["message"]


def test_depth_has_five_padded_levels_and_says_why(desk: MarketDesk) -> None:
    reply = desk.client.depth(symbol="INFY", exchange="NSE")
    assert reply["status"] == "success", reply
    data = reply["data"]
    assert len(data["bids"]) == len(data["asks"]) == 5
    assert data["bids"][0]["price"] > 0 and data["asks"][0]["price"] >= data["bids"][0]["price"]
    assert data["bids"][0]["quantity"] > 0
    assert all(level == {"price": 0.0, "quantity": 0}
               for level in data["bids"][1:] + data["asks"][1:])
    assert data["depth_levels"] == 1
    assert "only the best bid and offer" in reply["note"]
    for key in ("open", "high", "low", "ltp", "ltq", "prev_close", "volume", "oi",
                "totalbuyqty", "totalsellqty"):
        assert key in data


def test_unknown_symbol_and_exchange_are_400(desk: MarketDesk) -> None:
    unknown = desk.client.quotes(symbol="NOSUCH", exchange="NSE")
    assert unknown["status"] == "error" and unknown["code"] == 400
    assert "Symbol 'NOSUCH' not found for exchange 'NSE'" in unknown["message"]
    bad = desk.post("depth", {"symbol": "SBIN", "exchange": "NYSE"})
    assert bad.status_code == 400 and "exchange" in bad.json()["message"]


def test_intervals(desk: MarketDesk) -> None:
    reply = desk.client.intervals()
    assert reply["status"] == "success"
    data = reply["data"]
    assert data["minutes"] == ["1m", "2m", "3m", "5m", "10m", "15m", "20m", "30m"]
    assert data["hours"] == ["1h", "2h", "3h", "4h"]
    assert data["seconds"][0] == "1s" and data["days"] == ["D"]
    assert data["weeks"] == ["W"] and data["months"] == ["M"]
