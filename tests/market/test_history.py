"""History through the `openalgo` client against a simulator with NSE hours: native and
resampled intervals checked candle by candle against the simulator's own candles, the
DataFrame the client builds, open interest, the candle store (a repeated request costs
no broker call), two years of one-minute bars, the backfill command, and the 400s."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from algodesk.market.history import SETTLE_SECONDS
from algodesk.simulator.market import Market
from algodesk.simulator.market.types import Candle
from tests import clients
from tests.conftest import ist_today, wait_out_midnight
from tests.market.conftest import MarketDesk

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
COLUMNS = ["open", "high", "low", "close", "volume", "oi"]


@pytest.fixture(scope="module")
def market() -> Market:
    """The simulator's market computed here: same seed, same per-second price series."""
    return Market(seed=7, size="small", hours="exchange")


def last_final_day() -> dt.date:
    """The latest IST day all of whose candles the platform stores as final: yesterday,
    except just after midnight. A candle is final SETTLE_SECONDS after it closes, so
    yesterday's last 30-minute candle is final only 32 minutes into today."""
    settled = dt.datetime.now(IST) - dt.timedelta(seconds=SETTLE_SECONDS + 30 * 60)
    return settled.date() - dt.timedelta(days=1)


def last_week() -> tuple[dt.date, dt.date]:
    """Seven complete days ending on the last final day."""
    end = last_final_day()
    return end - dt.timedelta(days=6), end


def sim_candles(market: Market, stock_code: str, interval: str, start: dt.date, end: dt.date,
                exchange: str = "NSE", product: str = "cash", **contract: Any) -> list[Candle]:
    inst = market.find(exchange, stock_code, product, **contract)
    assert inst is not None
    return market.candles(inst, interval, dt.datetime.combine(start, dt.time()),
                          dt.datetime.combine(end, dt.time(23, 59, 59)))


def aggregate(candles: list[Candle], minutes: int) -> list[tuple[dt.datetime, tuple]]:
    """Bars of `minutes` counted from 09:15 IST, built by hand from finer candles."""
    groups: dict[dt.datetime, list[Candle]] = {}
    for c in candles:
        opening = c.start.replace(hour=9, minute=15)
        offset = int((c.start - opening).total_seconds() // 60) // minutes * minutes
        groups.setdefault(opening + dt.timedelta(minutes=offset), []).append(c)
    out = []
    for start, part in sorted(groups.items()):
        out.append((start, (float(part[0].open), float(max(c.high for c in part)),
                            float(min(c.low for c in part)), float(part[-1].close),
                            sum(c.volume for c in part), part[-1].open_interest)))
    return out


def frame_rows(df: pd.DataFrame) -> list[tuple[dt.datetime, tuple]]:
    return [(stamp.tz_convert("Asia/Kolkata").tz_localize(None).to_pydatetime(),
             (row.open, row.high, row.low, row.close, int(row.volume), int(row.oi)))
            for stamp, row in df.iterrows()]


def check_frame(df: Any, *, intraday: bool) -> None:
    assert isinstance(df, pd.DataFrame), df
    assert list(df.columns) == COLUMNS
    assert df.index.is_monotonic_increasing and not df.index.duplicated().any()
    if intraday:
        assert str(df.index.tz) == "Asia/Kolkata"
    else:
        assert df.index.tz is None and (df.index.hour == 0).all()


def test_native_5m_equals_the_simulator(exchange_desk: MarketDesk, market: Market) -> None:
    start, end = last_week()
    df = exchange_desk.client.history(symbol="RELIANCE", exchange="NSE", interval="5m",
                                      start_date=start.isoformat(), end_date=end.isoformat())
    check_frame(df, intraday=True)
    expected = aggregate(sim_candles(market, "RELIND", "5minute", start, end), 5)
    assert frame_rows(df) == expected
    assert df.index[0].strftime("%H:%M") == "09:15"


@pytest.mark.parametrize(("interval", "minutes", "base"), [
    ("15m", 15, "5minute"), ("10m", 10, "5minute"), ("3m", 3, "1minute"),
    ("1h", 60, "30minute"), ("2h", 120, "30minute")])
def test_resampled_intervals_equal_the_aggregate_of_simulator_candles(
        exchange_desk: MarketDesk, market: Market, interval: str, minutes: int,
        base: str) -> None:
    start, end = last_week()
    df = exchange_desk.client.history(symbol="SBIN", exchange="NSE", interval=interval,
                                      start_date=start.isoformat(), end_date=end.isoformat())
    check_frame(df, intraday=True)
    expected = aggregate(sim_candles(market, "STABAN", base, start, end), minutes)
    assert frame_rows(df) == expected
    days = {stamp.date() for stamp, _ in expected}
    assert len(df) == len(days) * -(-375 // minutes)  # the last bar of a day may be short
    if interval == "1h":
        times = sorted({stamp.strftime("%H:%M") for stamp in df.index})
        assert times == ["09:15", "10:15", "11:15", "12:15", "13:15", "14:15", "15:15"]


def test_daily_and_weekly_bars(exchange_desk: MarketDesk, market: Market) -> None:
    end = last_final_day()
    start = end - dt.timedelta(days=40)
    daily = exchange_desk.client.history(symbol="INFY", exchange="NSE", interval="D",
                                         start_date=start.isoformat(), end_date=end.isoformat())
    check_frame(daily, intraday=False)
    truth = sim_candles(market, "INFTEC", "1day", start, end)
    assert [d.date() for d in daily.index] == [c.start.date() for c in truth]
    assert daily["close"].tolist() == [float(c.close) for c in truth]
    assert daily["volume"].tolist() == [c.volume for c in truth]
    weekly = exchange_desk.client.history(symbol="INFY", exchange="NSE", interval="W",
                                          start_date=start.isoformat(), end_date=end.isoformat())
    check_frame(weekly, intraday=False)
    assert all(d.weekday() == 0 for d in weekly.index[1:])  # weeks start on Monday
    assert weekly["volume"].sum() == daily["volume"].sum()
    assert weekly["high"].max() == daily["high"].max()


def test_both_clients_build_the_same_frame(
        exchange_desk: MarketDesk, both_openalgo_clients: dict[str, Callable[..., Any]]) -> None:
    """1.0.47 and 2.0.5 build the DataFrame with the same code (2.0.5's `history` differs
    only in keeping its HTTP connection): one reply, one frame, index dtype and zone too."""
    start, end = last_week()
    frames = [make(api_key=exchange_desk.apikey, host=exchange_desk.platform.base_url,
                   timeout=120).history(symbol="RELIANCE", exchange="NSE", interval="5m",
                                        start_date=start.isoformat(), end_date=end.isoformat())
              for make in both_openalgo_clients.values()]
    check_frame(frames[0], intraday=True)
    pd.testing.assert_frame_equal(frames[1], frames[0], check_exact=True)


def test_futures_history_carries_open_interest(exchange_desk: MarketDesk) -> None:
    futures = exchange_desk.client.search(query="NIFTY FUT", exchange="NFO")
    symbol = sorted(item["symbol"] for item in futures["data"]
                    if item["symbol"].startswith("NIFTY") and item["instrumenttype"] == "FUT")
    nearest = next(s for s in symbol if exchange_desk.post("quotes", {
        "symbol": s, "exchange": "NFO"}).status_code == 200)
    start, end = last_week()
    df = exchange_desk.client.history(symbol=nearest, exchange="NFO", interval="30m",
                                      start_date=start.isoformat(), end_date=end.isoformat())
    check_frame(df, intraday=True)
    assert (df["oi"] > 0).all()


# A symbol per client (the test runs once with each): each run fetches two years the
# store does not hold yet. (OpenAlgo name, the simulator's stock code.)
TWO_YEARS_OF = {clients.OPENALGO_1: ("TCS", "TCS"), clients.OPENALGO_2: ("AXISBANK", "AXIBAN")}


def test_two_years_of_minutes_split_fetched_merged_and_then_free(
        exchange_desk: MarketDesk, market: Market, openalgo_client: str) -> None:
    symbol, stock_code = TWO_YEARS_OF[openalgo_client]
    wait_out_midnight(120)  # the calls are counted per IST day: the test takes a minute
    end = last_final_day()
    start = end - dt.timedelta(days=730)
    weekdays = sum(1 for n in range((end - start).days + 1)
                   if (start + dt.timedelta(days=n)).weekday() < 5)
    client = exchange_desk.client
    before = exchange_desk.broker_calls_today()
    df = client.history(symbol=symbol, exchange="NSE", interval="1m",
                        start_date=start.isoformat(), end_date=end.isoformat())
    calls = exchange_desk.broker_calls_today() - before
    check_frame(df, intraday=True)
    assert len(df) == weekdays * 375  # the simulator knows no holidays
    # At most 1,000 candles a call: the fewest calls possible, plus a continuation for
    # each range that held an exchange holiday the simulator traded through.
    least = -(-len(df) // 1000)
    assert least <= calls <= least + 40, calls
    for day in (start, start + dt.timedelta(days=365), end):
        # The nearest weekday inside the range (backwards from the end: a run on a
        # Sunday or Monday ends the range on a weekend day).
        step = dt.timedelta(days=-1 if day == end else 1)
        while day.weekday() >= 5:
            day += step
        expected = aggregate(sim_candles(market, stock_code, "1minute", day, day), 1)
        got = frame_rows(df[df.index.date == day])
        assert got == expected, day

    again = client.history(symbol=symbol, exchange="NSE", interval="1m",
                           start_date=start.isoformat(), end_date=end.isoformat())
    assert exchange_desk.broker_calls_today() - before == calls, "the repeat was not free"
    pd.testing.assert_frame_equal(again, df)
    stored = client.history(symbol=symbol, exchange="NSE", interval="1h",
                            start_date=start.isoformat(), end_date=end.isoformat(), source="db")
    assert isinstance(stored, pd.DataFrame) and stored.empty is False
    assert exchange_desk.broker_calls_today() - before == calls


def test_source_db_never_calls_the_broker(exchange_desk: MarketDesk) -> None:
    before = exchange_desk.broker_calls_today()
    reply = exchange_desk.client.history(symbol="WIPRO", exchange="NSE", interval="5m",
                                         start_date="2026-01-05", end_date="2026-01-09",
                                         source="db")
    assert reply["status"] == "error" and "No data" in reply["message"]
    assert exchange_desk.broker_calls_today() == before


def test_backfill_command_fills_the_store(exchange_desk: MarketDesk) -> None:
    end = last_final_day()
    start = end - dt.timedelta(days=45)
    done = exchange_desk.platform.cli(
        "history", "backfill", "ITC", "NSE", "--from", start.isoformat(), "--to",
        end.isoformat(), "--interval", "5m", "--apikey", exchange_desk.apikey,
        "--url", exchange_desk.platform.base_url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "stored ITC NSE" in done.stdout and "broker calls" in done.stdout
    before = exchange_desk.broker_calls_today()
    df = exchange_desk.client.history(symbol="ITC", exchange="NSE", interval="15m",
                                      start_date=start.isoformat(), end_date=end.isoformat(),
                                      source="db")
    assert len(df) > 25 * 25
    assert exchange_desk.broker_calls_today() == before


def test_history_errors_are_400_with_clear_messages(exchange_desk: MarketDesk) -> None:
    client = exchange_desk.client
    unknown = client.history(symbol="NOSUCH", exchange="NSE", interval="5m",
                             start_date="2026-11-02", end_date="2026-11-06")
    assert unknown["code"] == 400
    assert "Symbol 'NOSUCH' not found for exchange 'NSE'" in unknown["message"]
    bad = exchange_desk.post("history", {"symbol": "SBIN", "exchange": "NSE", "interval": "7x",
                                         "start_date": "2026-11-02", "end_date": "2026-11-06"})
    assert bad.status_code == 400
    assert "Invalid interval '7x'" in bad.json()["message"]["interval"][0]
    inverted = client.history(symbol="SBIN", exchange="NSE", interval="5m",
                              start_date="2026-11-06", end_date="2026-11-02")
    assert inverted["code"] == 400
    assert "start_date 2026-11-06 is after end_date 2026-11-02" in inverted["message"]
    garbled = exchange_desk.post("history", {"symbol": "SBIN", "exchange": "NSE",
                                             "interval": "5m", "start_date": "02/11/2026",
                                             "end_date": "2026-11-06"})
    assert garbled.status_code == 400 and "YYYY-MM-DD" in str(garbled.json()["message"])
    source = exchange_desk.post("history", {"symbol": "SBIN", "exchange": "NSE",
                                            "interval": "5m", "start_date": "2026-11-02",
                                            "end_date": "2026-11-06", "source": "cache"})
    assert source.status_code == 400 and "source" in source.json()["message"]


def test_prices_keep_their_ticks(exchange_desk: MarketDesk, market: Market) -> None:
    """Prices go through the store as exact ten-thousandths, not float arithmetic."""
    start, end = last_week()
    reply = exchange_desk.post("history", {"symbol": "YESBANK", "exchange": "NSE",
                                           "interval": "5m", "start_date": start.isoformat(),
                                           "end_date": end.isoformat()}).json()
    ticks = {Decimal(str(row["close"])) % Decimal("0.01") for row in reply["data"]}
    assert ticks == {Decimal(0)} or ticks <= {Decimal(0), Decimal("0.00")}
    assert all(isinstance(row["timestamp"], int) for row in reply["data"])


def test_today_is_read_fresh_up_to_now(desk: MarketDesk) -> None:
    """The always-open simulator trades now: today's bars end at the current one, and
    today is never served from the store (its last bars are still forming)."""
    wait_out_midnight()
    day = ist_today().isoformat()
    first = desk.client.history(symbol="HDFCBANK", exchange="NSE", interval="5m",
                                start_date=day, end_date=day)
    check_frame(first, intraday=True)
    now = pd.Timestamp.now(tz="Asia/Kolkata")
    assert first.index[-1] <= now < first.index[-1] + pd.Timedelta(minutes=10)
    before = desk.broker_calls_today()
    again = desk.client.history(symbol="HDFCBANK", exchange="NSE", interval="5m",
                                start_date=day, end_date=day)
    assert desk.broker_calls_today() - before == 1
    assert again.index[-1] >= first.index[-1]
