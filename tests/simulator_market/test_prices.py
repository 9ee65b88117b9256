"""The price process: determinism, random access, ticks, sessions, futures and options."""

from __future__ import annotations

import hashlib
import math
import os
import random
import subprocess
import sys
from decimal import Decimal

import numpy as np
import pytest

from algodesk.simulator.market import Instrument, Market
from algodesk.simulator.market.hashing import mix64, mix64_array
from algodesk.simulator.market.options import black_scholes

from .conftest import TODAY
from .helpers import epoch

MONDAY_NOON = epoch(2026, 11, 23, 12, 0)


def _sample(m: Market) -> list[Instrument]:
    """One of each kind: NSE/BSE cash, index, futures, ITM/ATM/OTM options, NDX, MCX."""
    picks = [m.find("NSE", "RELIND", "cash"), m.find("BSE", "RELIND", "cash"),
             m.find("NSE", "YESBAN", "cash"), m.find("NSE", "NIFTY", "cash"),
             m.find("BSE", "BSESEN", "cash"), m.futures("NFO", "NIFTY")[0],
             m.futures("NFO", "STABAN")[1], m.futures("NDX", "USDINR")[0],
             m.futures("MCX", "CRUDEOIL")[0]]
    chain = m.chain("NFO", "NIFTY", expiry=m.futures("NFO", "NIFTY")[1].expiry)
    picks += [chain[0], chain[len(chain) // 2], chain[len(chain) // 2 + 1], chain[-1]]
    picks += [m.chain("NFO", "YESBAN")[3], m.chain("BFO", "BSESEN")[5], m.chain("NDX", "USDINR")[2]]
    assert all(p is not None for p in picks)
    return picks  # type: ignore[return-value]


def test_same_seed_same_prices_other_seed_other_prices() -> None:
    a, b, c = (Market(seed=s, today=TODAY) for s in (5, 5, 6))
    for inst in _sample(a):
        twin = b.by_token(inst.exchange_code, inst.token)
        assert twin is not None
        assert np.array_equal(a.path(inst, MONDAY_NOON, MONDAY_NOON + 600),
                              b.path(twin, MONDAY_NOON, MONDAY_NOON + 600))
        assert a.quote(inst, MONDAY_NOON) == b.quote(twin, MONDAY_NOON)
    rel_a, rel_c = a.find("NSE", "RELIND", "cash"), c.find("NSE", "RELIND", "cash")
    assert rel_a is not None and rel_c is not None
    assert not np.array_equal(a.path(rel_a, MONDAY_NOON, MONDAY_NOON + 600),
                              c.path(rel_c, MONDAY_NOON, MONDAY_NOON + 600))


@pytest.mark.parametrize("fixture", ["market", "exchange_market"])
def test_ltp_matches_path(fixture: str, request: pytest.FixtureRequest) -> None:
    m: Market = request.getfixturevalue(fixture)
    rng = random.Random(1)
    for inst in _sample(m):
        # a long span (computed in one go) and short ones (through the block cache)
        start = epoch(2026, 11, 20, 8, 0)
        long_path = m.path(inst, start, start + 3 * 86_400)
        for _ in range(40):
            t = start + rng.randrange(3 * 86_400)
            assert float(m.ltp(inst, t + 0.7)) == long_path[t - start], (inst, t)
            short = m.path(inst, t - 5, t + 5)
            assert np.array_equal(short, long_path[t - 5 - start:t + 6 - start])


def test_prices_sit_on_ticks(market: Market) -> None:
    for inst in _sample(market):
        prices = market.path(inst, MONDAY_NOON, MONDAY_NOON + 3_600)
        ticks = prices / float(inst.tick)
        assert np.allclose(ticks, np.round(ticks), atol=1e-6), inst
        assert (prices >= float(inst.tick) - 1e-12).all()
        value = market.ltp(inst, MONDAY_NOON)
        assert value % inst.tick == 0 and value.as_tuple().exponent >= inst.tick.as_tuple(
            ).exponent


def test_prices_move_and_look_like_their_base(market: Market) -> None:
    rel = market.find("NSE", "RELIND", "cash")
    assert rel is not None
    day = market.path(rel, MONDAY_NOON, MONDAY_NOON + 6 * 3_600)
    assert 900 < day.mean() < 2_200
    assert len(np.unique(day)) > 50  # it moves
    assert np.abs(np.diff(day)).max() < 0.01 * day.mean()  # but not in jumps
    nifty = market.find("NSE", "NIFTY", "cash")
    assert nifty is not None and 17_000 < float(market.ltp(nifty, MONDAY_NOON)) < 32_000


def test_daily_volatility_is_realistic(market: Market) -> None:
    """Close-to-close log returns have about the configured daily volatility."""
    checks = {"RELIND": 0.013, "TATSTE": 0.019, "NIFTY": 0.008}
    for code, vol in checks.items():
        inst = market.find("NSE", code, "cash")
        assert inst is not None
        closes = np.array([float(market.ltp(inst, MONDAY_NOON - d * 86_400))
                           for d in range(400)])
        measured = np.diff(np.log(closes)).std()
        assert 0.7 * vol < measured < 1.4 * vol, (code, measured)


def test_exchange_hours_hold_the_close(exchange_market: Market) -> None:
    m = exchange_market
    rel = m.find("NSE", "RELIND", "cash")
    assert rel is not None
    friday_close = epoch(2026, 11, 20, 15, 29, 59)
    assert m.is_open(friday_close) and not m.is_open(friday_close + 1)
    assert not m.is_open(epoch(2026, 11, 21, 11, 0))  # Saturday
    assert not m.is_open(epoch(2026, 11, 23, 9, 14, 59))
    assert m.is_open(epoch(2026, 11, 23, 9, 15))
    weekend = m.path(rel, friday_close, epoch(2026, 11, 23, 9, 14, 59))
    assert (weekend == weekend[0]).all()
    assert m.ltp(rel, epoch(2026, 11, 22, 20, 0)) == m.ltp(rel, friday_close)
    monday_open = m.ltp(rel, epoch(2026, 11, 23, 9, 15))
    assert float(monday_open) == m.path(rel, friday_close, epoch(2026, 11, 23, 9, 15))[-1]


def test_always_hours(market: Market) -> None:
    assert market.is_open(epoch(2026, 11, 21, 3, 0)) and market.is_open(epoch(2026, 11, 22, 23, 59))


def test_futures_carry_the_spot(market: Market) -> None:
    for future in market.futures("NFO", "NIFTY") + market.futures("NFO", "RELIND"):
        spot = market.underlying_of(future)
        assert future.expiry is not None
        t = MONDAY_NOON
        expires = epoch(future.expiry.year, future.expiry.month, future.expiry.day, 15, 30)
        years = (expires - t) / (365 * 86_400)
        fair = float(market.ltp(spot, t)) * math.exp(market.rate * years)
        assert abs(float(market.ltp(future, t)) - fair) <= float(future.tick) / 2 + 1e-9
        assert market.ltp(future, t) > market.ltp(spot, t)


def test_put_call_parity(market: Market) -> None:
    for code in ("NIFTY", "CNXBAN", "RELIND", "YESBAN"):
        for t in (MONDAY_NOON, MONDAY_NOON + 7_777):
            for call in market.chain("NFO", code, right="call"):
                put = market.find("NFO", code, "options", call.expiry, call.strike, "put")
                assert put is not None and call.expiry is not None
                c, p = float(market.ltp(call, t)), float(market.ltp(put, t))
                if min(c, p) <= float(call.tick):
                    continue  # the one-tick floor is not part of parity
                spot = float(market.ltp(market.underlying_of(call), t))
                expires = epoch(call.expiry.year, call.expiry.month, call.expiry.day, 15, 30)
                years = (expires - t) / (365 * 86_400)
                parity = spot - float(call.strike) * math.exp(-market.rate * years)
                assert abs((c - p) - parity) <= 2 * float(call.tick) + 1e-9, (call, t)


def test_black_scholes_reference_values() -> None:
    # Textbook case: S=100, K=100, T=1, r=5%, vol=20%: call 10.4506, put 5.5735.
    spot, years = np.array([100.0]), np.array([1.0])
    assert black_scholes(spot, 100.0, years, 0.05, 0.2, True)[0] == pytest.approx(10.4506, abs=1e-3)
    assert black_scholes(spot, 100.0, years, 0.05, 0.2, False)[0] == pytest.approx(5.5735, abs=1e-3)
    expired = black_scholes(spot, 90.0, np.array([-0.1]), 0.05, 0.2, True)
    assert expired[0] == pytest.approx(10.0)


def test_options_respond_to_strike_and_expiry(market: Market) -> None:
    expiry = market.futures("NFO", "NIFTY")[1].expiry
    calls = market.chain("NFO", "NIFTY", expiry=expiry, right="call")
    puts = market.chain("NFO", "NIFTY", expiry=expiry, right="put")
    call_prices = [market.ltp(c, MONDAY_NOON) for c in calls]
    put_prices = [market.ltp(p, MONDAY_NOON) for p in puts]
    assert call_prices == sorted(call_prices, reverse=True)
    assert put_prices == sorted(put_prices)
    near = market.find("NFO", "NIFTY", "options", market.futures("NFO", "NIFTY")[0].expiry,
                       calls[len(calls) // 2].strike, "call")
    far = calls[len(calls) // 2]
    assert near is not None and market.ltp(far, MONDAY_NOON) > market.ltp(near, MONDAY_NOON)


def test_expired_options_are_worth_intrinsic(market: Market) -> None:
    expiring = market.chain("NFO", "NIFTY", expiry=TODAY)
    after = epoch(2026, 11, 24, 16, 0)
    spot = float(market.ltp(market.find("NSE", "NIFTY", "cash"), after))  # type: ignore[arg-type]
    for option in expiring:
        strike = float(option.strike)
        intrinsic = max(spot - strike, 0.0) if option.right == "call" else max(strike - spot, 0.0)
        assert float(market.ltp(option, after)) == pytest.approx(max(intrinsic, 0.05), abs=0.026)


def test_liquidity(market: Market) -> None:
    for inst in _sample(market):
        for t in range(MONDAY_NOON, MONDAY_NOON + 50):
            quantity = market.liquidity(inst, t)
            if inst.is_index and inst.product == "cash":
                assert quantity == 0
            else:
                assert quantity >= inst.lot_size and quantity % inst.lot_size == 0


def test_rupee_strings_are_exact(market: Market) -> None:
    """Decimal prices carry the tick's precision, never binary noise."""
    usd = market.futures("NDX", "USDINR")[0]
    value = market.ltp(usd, MONDAY_NOON)
    assert value.as_tuple().exponent == -4 and value % Decimal("0.0025") == 0
    assert 70 < value < 110


def test_determinism_does_not_depend_on_the_process() -> None:
    """Nothing may lean on Python's per-process salted hash(): compare with a fresh process."""
    script = (
        "import hashlib, sys\n"
        "from datetime import date\n"
        "from algodesk.simulator.market import Market\n"
        f"m = Market(seed=3, today=date({TODAY.year}, {TODAY.month}, {TODAY.day}))\n"
        "digest = hashlib.sha256(m.security_master_zip())\n"
        "for inst in m.instruments[::25]:\n"
        f"    digest.update(m.path(inst, {MONDAY_NOON}, {MONDAY_NOON} + 300).tobytes())\n"
        "print(digest.hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                           text=True, check=True).stdout.strip()
    m = Market(seed=3, today=TODAY)
    digest = hashlib.sha256(m.security_master_zip())
    for inst in m.instruments[::25]:
        digest.update(m.path(inst, MONDAY_NOON, MONDAY_NOON + 300).tobytes())
    assert other == digest.hexdigest()


def test_scalar_and_vector_hashes_agree() -> None:
    values = [0, 1, 2**63 - 1, 2**64 - 1, 1_795_000_000, 123_456_789_012_345]
    vector = mix64_array(np.array(values, dtype=np.uint64))
    assert [mix64(v) for v in values] == [int(x) for x in vector]
