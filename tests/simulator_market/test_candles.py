"""Candles: one per-second series behind every interval, sessions, and the `now` cut-off."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from algodesk.simulator.market import Candle, Instrument, Market

from .helpers import epoch


def _instruments(m: Market) -> list[Instrument]:
    picks = [m.find("NSE", "RELIND", "cash"), m.find("NSE", "NIFTY", "cash"),
             m.futures("NFO", "NIFTY")[0], m.chain("NFO", "CNXBAN")[7]]
    assert all(p is not None for p in picks)
    return picks  # type: ignore[return-value]


def _combine(parts: list[Candle]) -> tuple[Decimal, Decimal, Decimal, Decimal, int, int, int]:
    return (parts[0].open, max(c.high for c in parts), min(c.low for c in parts),
            parts[-1].close, sum(c.volume for c in parts), parts[-1].open_interest,
            sum(c.count for c in parts))


def _fields(c: Candle) -> tuple[Decimal, Decimal, Decimal, Decimal, int, int, int]:
    return c.open, c.high, c.low, c.close, c.volume, c.open_interest, c.count


@pytest.mark.parametrize("fixture", ["market", "exchange_market"])
def test_coarse_candles_aggregate_fine_ones(fixture: str, request: pytest.FixtureRequest) -> None:
    m: Market = request.getfixturevalue(fixture)
    # bars align to the session open: 09:15 in exchange hours, midnight when always open
    opening = 15 if m.hours == "exchange" else 0
    start, end = datetime(2026, 11, 23, 9, opening), datetime(2026, 11, 23, 15, 29)
    minutes = 390 - opening
    now = epoch(2026, 11, 24, 12, 0)
    for inst in _instruments(m):
        one = m.candles(inst, "1minute", start, end, now=now)
        five = m.candles(inst, "5minute", start, end, now=now)
        thirty = m.candles(inst, "30minute", start, end, now=now)
        assert len(one) == minutes and len(five) == minutes // 5
        assert len(thirty) == 13 and thirty[0].start == start
        # a trader's 15-minute bar from three 5-minute bars = the same from 1-minute bars
        for k in range(0, minutes // 5, 3):
            from_five = _combine(five[k:k + 3])
            from_one = _combine(one[5 * k:5 * k + 15])
            assert from_five == from_one
            assert five[k].start == one[5 * k].start
        for k, bar in enumerate(thirty):
            assert _fields(bar) == _combine(one[30 * k:30 * k + 30]), (inst, k)
        for bar in one:
            assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high


def test_one_second_candles_are_the_path(market: Market) -> None:
    for inst in _instruments(market):
        t0 = epoch(2026, 11, 23, 10, 0)
        bars = market.candles(inst, "1second", datetime(2026, 11, 23, 10, 0),
                              datetime(2026, 11, 23, 10, 9, 59), now=t0 + 86_400)
        path = market.path(inst, t0, t0 + 599)
        assert len(bars) == 600
        assert [float(b.close) for b in bars] == path.tolist()
        assert all(b.open == b.close == b.high == b.low for b in bars)


def test_daily_candle_matches_the_session(market: Market, exchange_market: Market) -> None:
    for m, first, last in ((market, (0, 0, 0), (23, 59, 59)),
                           (exchange_market, (9, 15, 0), (15, 29, 59))):
        for inst in _instruments(m):
            (day,) = m.candles(inst, "1day", datetime(2026, 11, 23), datetime(2026, 11, 23),
                               now=epoch(2026, 11, 25))
            assert day.start == datetime(2026, 11, 23, 0, 0)
            assert day.open == m.ltp(inst, epoch(2026, 11, 23, *first))
            assert day.close == m.ltp(inst, epoch(2026, 11, 23, *last))
            thirty = m.candles(inst, "30minute", datetime(2026, 11, 23),
                               datetime(2026, 11, 23, 23, 59), now=epoch(2026, 11, 25))
            assert _fields(day) == _combine(thirty)


def test_exchange_sessions(exchange_market: Market) -> None:
    m = exchange_market
    rel = m.find("NSE", "RELIND", "cash")
    assert rel is not None
    week = m.candles(rel, "5minute", datetime(2026, 11, 20), datetime(2026, 11, 23, 23, 59),
                     now=epoch(2026, 11, 24))
    days = sorted({c.start.date() for c in week})
    assert [d.isoformat() for d in days] == ["2026-11-20", "2026-11-23"]  # no weekend
    monday = [c for c in week if c.start.date().isoformat() == "2026-11-23"]
    assert monday[0].start == datetime(2026, 11, 23, 9, 15)
    assert monday[-1].start == datetime(2026, 11, 23, 15, 25)
    assert all(c.start.minute % 5 == 0 for c in monday)
    thirty = m.candles(rel, "30minute", datetime(2026, 11, 23), datetime(2026, 11, 23, 23, 59),
                       now=epoch(2026, 11, 24))
    assert [c.start.strftime("%H:%M") for c in thirty][:2] == ["09:15", "09:45"]
    assert thirty[-1].start == datetime(2026, 11, 23, 15, 15)  # the short last half hour
    daily = m.candles(rel, "1day", datetime(2026, 11, 16), datetime(2026, 11, 22),
                      now=epoch(2026, 11, 24))
    assert [c.start.weekday() for c in daily] == [0, 1, 2, 3, 4]
    assert all(c.start.hour == 0 for c in daily)


def test_now_cuts_off_the_forming_candle(market: Market) -> None:
    for inst in _instruments(market):
        now = epoch(2026, 11, 23, 10, 7, 20) + 0.9
        bars = market.candles(inst, "5minute", datetime(2026, 11, 23, 9, 0),
                              datetime(2026, 11, 23, 12, 0), now=now)
        assert bars[-1].start == datetime(2026, 11, 23, 10, 5)
        assert bars[-1].close == market.ltp(inst, now)
        forming = market.path(inst, epoch(2026, 11, 23, 10, 5), int(now))
        assert float(bars[-1].high) == forming.max() and float(bars[-1].low) == forming.min()
        later = market.candles(inst, "5minute", datetime(2026, 11, 23, 9, 0),
                               datetime(2026, 11, 23, 12, 0), now=now + 600)
        assert later[len(bars) - 2] == bars[-2]  # completed candles never change
        assert later[len(bars) - 1] != bars[-1]
        assert market.candles(inst, "1day", datetime(2026, 11, 24), datetime(2026, 11, 30),
                              now=now) == []


def test_index_candles_have_no_volume(market: Market) -> None:
    nifty = market.find("NSE", "NIFTY", "cash")
    assert nifty is not None
    bars = market.candles(nifty, "1minute", datetime(2026, 11, 23, 10, 0),
                          datetime(2026, 11, 23, 10, 9), now=epoch(2026, 11, 24))
    assert all(b.volume == 0 and b.open_interest == 0 and b.count == 60 for b in bars)


def test_derivative_candles_carry_open_interest(market: Market) -> None:
    future = market.futures("NFO", "NIFTY")[0]
    bars = market.candles(future, "30minute", datetime(2026, 11, 23), datetime(2026, 11, 23, 23, 0),
                          now=epoch(2026, 11, 24))
    assert all(b.open_interest > 0 and b.open_interest % future.lot_size == 0 for b in bars)
    assert all(b.volume % future.lot_size == 0 and b.volume > 0 for b in bars)
    assert len({b.open_interest for b in bars}) > 1


def test_limit_and_bad_interval(market: Market) -> None:
    rel = market.find("NSE", "RELIND", "cash")
    assert rel is not None
    start = datetime(2026, 11, 1)
    bars = market.candles(rel, "1minute", start, start + timedelta(days=5),
                          now=epoch(2026, 11, 24), limit=1_000)
    assert len(bars) == 1_000 and bars[0].start == start
    assert bars[-1].start == start + timedelta(minutes=999)
    with pytest.raises(ValueError):
        market.candles(rel, "2minute", start, start, now=epoch(2026, 11, 24))


def test_volumes_add_up(market: Market) -> None:
    rel = market.find("NSE", "RELIND", "cash")
    assert rel is not None
    seconds = market.candles(rel, "1second", datetime(2026, 11, 23, 11, 0),
                             datetime(2026, 11, 23, 11, 4, 59), now=epoch(2026, 11, 24))
    (five,) = market.candles(rel, "5minute", datetime(2026, 11, 23, 11, 0),
                             datetime(2026, 11, 23, 11, 0), now=epoch(2026, 11, 24))
    assert five.volume == sum(s.volume for s in seconds) > 0
    assert five.count == sum(1 for s in seconds if s.volume > 0)
    assert np.mean([s.count for s in seconds]) > 0.5  # a liquid stock trades most seconds
