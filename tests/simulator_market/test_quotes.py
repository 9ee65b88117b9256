"""Quotes: a consistent snapshot of book, session and circuits at any moment."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from algodesk.simulator.market import Instrument, Market, Quote

from .helpers import epoch


def _instruments(m: Market) -> list[Instrument]:
    nifty = m.chain("NFO", "NIFTY", expiry=m.futures("NFO", "NIFTY")[0].expiry)
    picks = [m.find("NSE", "RELIND", "cash"), m.find("BSE", "STABAN", "cash"),
             m.find("NSE", "YESBAN", "cash"), m.futures("NFO", "NIFTY")[0],
             m.futures("NFO", "RELIND")[2], m.futures("BFO", "BSESEN")[0],
             m.futures("NDX", "USDINR")[0], m.futures("MCX", "GOLD")[0],
             nifty[0], nifty[len(nifty) // 2], nifty[-1], m.chain("NFO", "YESBAN")[0],
             m.chain("MCX", "CRUDEOIL")[1], m.chain("NDX", "USDINR")[-1]]
    assert all(p is not None for p in picks)
    return picks  # type: ignore[return-value]


def _check(m: Market, inst: Instrument, q: Quote, t: float) -> None:
    tick = inst.tick
    assert q.ltp == m.ltp(inst, t)
    assert q.low <= q.ltp <= q.high and q.low <= q.open <= q.high
    assert q.best_bid < q.best_ask and q.best_bid <= q.ltp <= q.best_ask
    assert q.best_ask - q.best_bid <= 2 * tick
    if q.ltp > tick:
        assert q.best_bid < q.ltp
    assert q.lower_circuit <= q.ltp <= q.upper_circuit
    assert q.lower_circuit <= q.previous_close <= q.upper_circuit
    assert q.lower_circuit > 0
    assert len(q.depth) == 5
    lot = inst.lot_size
    for level, row in enumerate(q.depth):
        assert row.ask_price == q.best_ask + level * tick
        assert row.ask_qty >= lot and row.ask_qty % lot == 0 and row.ask_orders >= 1
        assert row.ask_orders <= row.ask_qty // lot
        if row.bid_price > 0:
            assert row.bid_price == q.best_bid - level * tick
            assert row.bid_qty >= lot and row.bid_qty % lot == 0 and row.bid_orders >= 1
        else:
            assert row.bid_qty == 0 and row.bid_orders == 0
    assert (q.best_bid, q.best_bid_qty, q.best_ask, q.best_ask_qty) == (
        q.depth[0].bid_price, q.depth[0].bid_qty, q.depth[0].ask_price, q.depth[0].ask_qty)
    second = int(t)
    liquidity = m.liquidity(inst, m.sessions.effective(second))
    assert min(q.best_bid_qty, q.best_ask_qty) == liquidity
    assert q.total_buy_qty >= sum(r.bid_qty for r in q.depth)
    assert q.total_sell_qty >= sum(r.ask_qty for r in q.depth)
    assert q.volume % lot == 0 and q.ltq % lot == 0
    if q.volume:  # a thin option may not have traded yet just after the open
        assert q.low <= q.avg_price <= q.high
    else:
        assert q.avg_price == 0
    assert q.ltt <= second
    if inst.product == "cash":
        assert q.spot is None and q.open_interest == 0 and q.oi_change == 0
    else:
        assert q.spot == m.ltp(m.underlying_of(inst), t)
        assert q.open_interest > 0 and q.open_interest % lot == 0 and q.oi_change % lot == 0


@pytest.mark.parametrize("fixture", ["market", "exchange_market"])
def test_quote_invariants(fixture: str, request: pytest.FixtureRequest) -> None:
    m: Market = request.getfixturevalue(fixture)
    rng = random.Random(5)
    start = epoch(2026, 11, 16)
    for inst in _instruments(m):
        for _ in range(12):
            t = start + rng.randrange(8 * 86_400) + rng.random()
            _check(m, inst, m.quote(inst, t), t)


def test_session_fields(exchange_market: Market) -> None:
    m = exchange_market
    for inst in _instruments(m):
        t = epoch(2026, 11, 23, 13, 7, 11)
        q = m.quote(inst, t)
        assert q.open == m.ltp(inst, epoch(2026, 11, 23, 9, 15))
        assert q.previous_close == m.ltp(inst, epoch(2026, 11, 20, 15, 29, 59))
        (today,) = m.candles(inst, "1day", datetime(2026, 11, 23), datetime(2026, 11, 23), now=t)
        assert (q.open, q.high, q.low, q.volume) == (today.open, today.high, today.low,
                                                     today.volume)
        if inst.product != "cash":
            assert q.open_interest == today.open_interest
        # closed: the quote freezes at the close, all weekend long
        friday = m.quote(inst, epoch(2026, 11, 20, 15, 29, 59))
        assert m.quote(inst, epoch(2026, 11, 21, 10, 0)) == friday
        assert m.quote(inst, epoch(2026, 11, 23, 8, 0)) == friday


def test_late_quote_equals_a_fresh_market(market: Market) -> None:
    """Cached block aggregates give the same answer as computing from nothing."""
    rel = market.find("NSE", "RELIND", "cash")
    assert rel is not None
    late = epoch(2026, 11, 23, 23, 10, 5)
    for t in (epoch(2026, 11, 23, 12, 0), late - 3_000, late):
        market.quote(rel, t)
    fresh = Market(seed=market.seed, size="small", today=market.today)
    twin = fresh.by_token("NSE", "2885")
    assert twin is not None
    assert fresh.quote(twin, late) == market.quote(rel, late)


def test_index_quote(market: Market) -> None:
    for code, exchange in (("NIFTY", "NSE"), ("BSESEN", "BSE"), ("INDVIX", "NSE")):
        inst = market.find(exchange, code, "cash")
        assert inst is not None
        q = market.quote(inst, epoch(2026, 11, 23, 11, 0))
        assert q.volume == 0 and q.best_bid == q.best_ask == 0 and q.best_bid_qty == 0
        assert q.upper_circuit == q.lower_circuit == 0 and q.spot is None
        assert q.low <= q.ltp <= q.high and len(q.depth) == 5
        assert q.previous_close > 0


def test_circuit_widths(market: Market) -> None:
    t = epoch(2026, 11, 23, 11, 0)
    rel = market.find("NSE", "RELIND", "cash")
    assert rel is not None
    q = market.quote(rel, t)
    assert float(q.upper_circuit / q.previous_close) == pytest.approx(1.20, abs=1e-3)
    assert float(q.lower_circuit / q.previous_close) == pytest.approx(0.80, abs=1e-3)
    future = market.futures("NFO", "NIFTY")[0]
    q = market.quote(future, t)
    assert float(q.upper_circuit / q.previous_close) == pytest.approx(1.10, abs=1e-3)
    assert float(q.lower_circuit / q.previous_close) == pytest.approx(0.90, abs=1e-3)
