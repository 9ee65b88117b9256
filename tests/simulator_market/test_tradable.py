"""The demo market stays tradable at every second: realistic daily moves, prices well
inside the day's band, and ATM ± 10 listed strikes on every unexpired expiry.

Every instant is passed explicitly (never the wall clock). A day and a year are each
served by the archive built for that day, as the platform downloads one every trading
day; the week is served by one archive, as a simulator left running for a week is.
"""

from __future__ import annotations

import bisect
import csv
import io
import math
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from algodesk.simulator.market import Instrument, Market
from algodesk.simulator.market.catalogue import MONEY_STRIKES
from algodesk.simulator.market.prices import SpotProcess
from algodesk.simulator.market.sessions import DAY, day_of_date, day_start, today_ist

# What a real day looks like: an index rarely moves more than 1-2% from the previous
# close, a stock a few percent. The limits leave room above those, and stay far inside
# the bands (index futures 10%, stocks 20%).
INDEX_MOVE = 0.035
STOCK_MOVE = 0.09
# "Well inside the band": never in the outer half of either side.
BAND_ROOM = 0.5
_EXPIRY_SECOND = 15 * 3_600 + 30 * 60  # 15:30 IST


def _option_underlyings(m: Market) -> list[Instrument]:
    """The cash instrument (index or stock) of every underlying with listed options."""
    seen: dict[str, Instrument] = {}
    for inst in m.instruments:
        if inst.product == "options" and inst.exchange_code in ("NFO", "BFO"):
            seen.setdefault(inst.stock_code, m.underlying_of(inst))
    return list(seen.values())


def _check_moves(m: Market, spot: Instrument, t: int) -> None:
    index = spot.is_index
    limit = INDEX_MOVE if index else STOCK_MOVE
    q = m.quote(spot, t)
    prev = float(q.previous_close)
    for value in (q.ltp, q.high, q.low):
        move = abs(math.log(float(value) / prev))
        assert move < limit, (spot.stock_code, t, float(value), prev)
    tradables = [] if index else [spot]
    tradables += m.futures("NFO" if spot.exchange_code == "NSE" else "BFO", spot.stock_code)
    for inst in tradables:
        q = m.quote(inst, t)
        lower, upper = float(q.lower_circuit), float(q.upper_circuit)
        assert lower < float(q.previous_close) < upper
        half = (upper - lower) / 2
        room = BAND_ROOM * half
        for value in (q.ltp, q.high, q.low):
            assert lower + room <= float(value) <= upper - room, (
                inst.stock_code, inst.expiry, t, float(value), lower, upper)


def _check_strikes(m: Market, spot: Instrument, t: int) -> None:
    """ATM (the listed strike nearest the price) has MONEY_STRIKES strikes either side."""
    price = float(m.ltp(spot, t))
    exchange = "NFO" if spot.exchange_code == "NSE" else "BFO"
    by_expiry: dict[date, list[float]] = {}
    for inst in m.chain(exchange, spot.stock_code, right="put"):
        assert inst.expiry is not None
        by_expiry.setdefault(inst.expiry, []).append(float(inst.strike))
    assert by_expiry, spot.stock_code
    now_day = day_of_date(today_ist(t))
    for expiry, strikes in by_expiry.items():
        expiry_day = day_of_date(expiry)
        if expiry_day < now_day or (expiry_day == now_day
                                    and t >= day_start(now_day) + _EXPIRY_SECOND):
            continue  # expired: nothing left to trade
        at = bisect.bisect_left(strikes, price)
        nearest = min((i for i in (at - 1, at) if 0 <= i < len(strikes)),
                      key=lambda i: abs(strikes[i] - price))
        assert nearest >= MONEY_STRIKES and nearest + MONEY_STRIKES < len(strikes), (
            spot.stock_code, expiry, t, price, strikes[0], strikes[-1])


def _check(m: Market, t: int) -> None:
    for spot in _option_underlyings(m):
        _check_moves(m, spot, t)
        _check_strikes(m, spot, t)


def _midnight(day: date) -> int:
    return day_start(day_of_date(day))


@pytest.mark.parametrize("seed", [7, 2024])
def test_every_minute_of_a_day(seed: int) -> None:
    day = date(2026, 12, 7)
    m = Market(seed=seed, today=day)
    start = _midnight(day)
    for t in range(start, start + DAY, 23 * 60 + 13):  # ~62 instants, all hours
        _check(m, t)


def test_a_week_on_one_archive() -> None:
    """A simulator started on a Monday and left running: its archive still covers Sunday."""
    monday = date(2026, 12, 7)
    m = Market(seed=7, today=monday)
    start = _midnight(monday)
    for t in range(start, start + 7 * DAY, 2 * 3_600 + 7 * 60 + 1):  # ~80 instants
        _check(m, t)
    # and the next morning, before the platform's daily refresh at 08:00 IST
    _check(m, start + 7 * DAY + 7 * 3_600 + 59 * 60)


def test_a_week_in_exchange_hours() -> None:
    """Monday's moves count from Friday's close: the weekend holds the price."""
    monday = date(2026, 12, 7)
    m = Market(seed=7, hours="exchange", today=monday)
    for offset in range(5):
        open_s = _midnight(monday + timedelta(days=offset)) + 9 * 3_600 + 15 * 60
        for t in range(open_s, open_s + 22_500, 3_613):
            _check(m, t)


def test_a_year_of_days() -> None:
    """Each sampled day on that day's archive, at an hour that moves through the day."""
    first = date(2026, 1, 1)
    for n in range(0, 365, 10):  # 37 days, every weekday in turn (10 mod 7 = 3)
        day = first + timedelta(days=n)
        m = Market(seed=7, today=day)
        _check(m, _midnight(day) + (n * 3_917) % DAY)


def test_security_master_lists_the_chain() -> None:
    """The platform's ladder (SecurityMaster.zip) is the simulator's option chain."""
    m = Market(seed=7, today=date(2026, 12, 7))
    with zipfile.ZipFile(io.BytesIO(m.security_master_zip())) as archive:
        text = archive.read("FONSEScripMaster.txt").decode("utf-8")
    listed: dict[tuple[str, str], set[Decimal]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["Series"] == "OPTION" and row["OptionType"] == "PE":
            key = (row["ShortName"], row["ExpiryDate"])
            listed.setdefault(key, set()).add(Decimal(row["StrikePrice"]))
    nifty = [i for i in m.chain("NFO", "NIFTY", right="put")]
    assert nifty
    for inst in nifty:
        assert inst.expiry is not None
        expiry_text = datetime(inst.expiry.year, inst.expiry.month, inst.expiry.day).strftime(
            "%d-%b-%Y")
        assert inst.strike in listed[("NIFTY", expiry_text)], inst
    assert sum(len(v) for k, v in listed.items() if k[0] == "NIFTY") == len(nifty)


def test_full_market_ladders_cover_the_week(full_market: Market) -> None:
    """The full universe (~200 F&O stocks, wide ladders) keeps ATM ± 10 all week too."""
    start = _midnight(full_market.today)
    underlyings = _option_underlyings(full_market)
    assert len(underlyings) > 150
    for t in range(start, start + 7 * DAY, 21 * 3_600 + 17 * 60):  # 8 instants
        for spot in underlyings:
            _check_strikes(full_market, spot, t)


@pytest.mark.parametrize("seed", [1, 7, 99])
def test_the_envelope_bounds_every_second(seed: int) -> None:
    """The ladder's reach comes from the envelope: it must hold every second, tightly."""
    for code, base, vol in (("NIFTY", 24_000.0, 0.008), ("YESBAN", 21.0, 0.020)):
        process = SpotProcess.create(seed, code, base, vol)
        first = _midnight(date(2026, 12, 7)) + 123
        last = first + 3 * DAY
        values = process.values(first, last)
        low, high = process.envelope(first, last)
        assert low <= values.min() and values.max() <= high
        # not a loose bound: within a tenth of a day's typical move on either side
        assert high - values.max() < 0.1 * vol * high
        assert values.min() - low < 0.1 * vol * low
