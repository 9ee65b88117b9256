"""The pure parts of market data: Greeks against an independent reference, interval
parsing, range planning, resampling, the candle codec and the calendar file."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq
from scipy.stats import norm

from algodesk.brokers.icici.market_reads import HISTORY_PAGE
from algodesk.market import greeks
from algodesk.market.calendar import CalendarError, MarketCalendar, install, us_summer_time
from algodesk.market.candle_store import block_bounds, block_of, decode, encode
from algodesk.market.candles import Candles, merge, resample_calendar, resample_intraday
from algodesk.market.cli import pieces
from algodesk.market.history import _ist_midnight, plan_ranges
from algodesk.market.intervals import (
    DAY,
    FIVE_MINUTES,
    MINUTE,
    SECOND,
    THIRTY_MINUTES,
    IntervalError,
    parse_interval,
)

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
# What the history service plans a range to hold with ICICI: one candle short of a page.
PLANNED = HISTORY_PAGE - 1


# --------------------------------------------------------------------------- Greeks


def reference(price: float, forward: float, strike: float, years: float, rate: float,
              call: bool) -> dict[str, float]:
    """Black-76 written out independently with scipy: brentq for the volatility."""
    discount = math.exp(-rate * years)

    def value(vol: float) -> float:
        d1 = (math.log(forward / strike) + vol * vol * years / 2) / (vol * math.sqrt(years))
        d2 = d1 - vol * math.sqrt(years)
        if call:
            return discount * (forward * norm.cdf(d1) - strike * norm.cdf(d2))
        return discount * (strike * norm.cdf(-d2) - forward * norm.cdf(-d1))

    vol = brentq(lambda v: value(v) - price, 1e-6, 8.0, xtol=1e-15, rtol=1e-15, maxiter=500)
    d1 = (math.log(forward / strike) + vol * vol * years / 2) / (vol * math.sqrt(years))
    sign = 1 if call else -1
    return {
        "iv": vol,
        "delta": sign * discount * norm.cdf(sign * d1),
        "gamma": discount * norm.pdf(d1) / (forward * vol * math.sqrt(years)),
        "vega": discount * forward * norm.pdf(d1) * math.sqrt(years) / 100,
        "theta": (rate * price - discount * forward * norm.pdf(d1) * vol
                  / (2 * math.sqrt(years))) / 365,
        "rho": -years * price / 100,
    }


@pytest.mark.parametrize("call", [True, False])
@pytest.mark.parametrize("strike", [20_000.0, 24_000.0, 25_000.0, 26_000.0, 30_000.0])
@pytest.mark.parametrize("days", [0.2, 7.0, 45.0, 300.0])
def test_greeks_match_an_independent_reference(call: bool, strike: float, days: float) -> None:
    forward, rate, vol = 25_100.0, 0.065, 0.16
    years = days / 365
    price = greeks.black76_price(forward, strike, years, rate, vol, call)
    intrinsic = math.exp(-rate * years) * max((forward - strike) * (1 if call else -1), 0.0)
    if price - intrinsic < 0.005:  # a tenth of a tick of time value: nothing to invert
        return
    mine = greeks.option_greeks(price, forward, strike, years, rate, call)
    ref = reference(price, forward, strike, years, rate, call)
    assert mine.implied_volatility == pytest.approx(ref["iv"], abs=1e-6)
    for name in ("delta", "gamma", "vega", "theta", "rho"):
        assert getattr(mine, name) == pytest.approx(ref[name], abs=1e-6), name


@settings(max_examples=300, deadline=None)
@given(vol=st.floats(0.02, 2.5), moneyness=st.floats(-0.4, 0.4), days=st.floats(0.05, 700),
       call=st.booleans())
def test_the_solver_recovers_the_volatility(vol: float, moneyness: float, days: float,
                                            call: bool) -> None:
    forward = 1000.0
    strike = forward * math.exp(moneyness)
    years = days / 365
    price = greeks.black76_price(forward, strike, years, 0.05, vol, call)
    intrinsic = math.exp(-0.05 * years) * max((forward - strike) if call else (strike - forward), 0)
    if price - intrinsic < 1e-6 * forward:  # no time value left to invert
        return
    solved = greeks.implied_volatility(price, forward, strike, years, 0.05, call)
    assert solved is not None
    assert greeks.black76_price(forward, strike, years, 0.05, solved, call) == pytest.approx(
        price, rel=1e-9, abs=1e-9)


def test_no_time_value_and_impossible_prices() -> None:
    in_money = greeks.option_greeks(100.0, 25_100.0, 25_000.0, 0.01, 0.0, True)
    assert (in_money.implied_volatility, in_money.delta, in_money.gamma) == (0.0, 1.0, 0.0)
    put = greeks.option_greeks(0.0, 25_100.0, 25_000.0, 0.01, 0.0, False)
    assert (put.delta, put.vega) == (0.0, 0.0)
    with pytest.raises(greeks.VolatilityError):
        greeks.implied_volatility(30_000.0, 25_100.0, 25_000.0, 0.1, 0.0, True)


def test_parity_forward_inverts_put_call_parity() -> None:
    forward, strike, years, rate = 25_300.0, 25_000.0, 0.1, 0.07
    call = greeks.black76_price(forward, strike, years, rate, 0.2, True)
    put = greeks.black76_price(forward, strike, years, rate, 0.2, False)
    assert greeks.parity_forward(strike, call, put, years, rate) == pytest.approx(forward)


# --------------------------------------------------------------------------- intervals


@pytest.mark.parametrize(("text", "base", "seconds"), [
    ("1s", SECOND, 1), ("45s", SECOND, 45), ("1m", MINUTE, 60), ("3m", MINUTE, 180),
    ("5m", FIVE_MINUTES, 300), ("15m", FIVE_MINUTES, 900), ("20m", FIVE_MINUTES, 1200),
    ("30m", THIRTY_MINUTES, 1800), ("1h", THIRTY_MINUTES, 3600), ("4h", THIRTY_MINUTES, 14400),
    ("7m", MINUTE, 420)])
def test_intraday_intervals_build_from_the_coarsest_native_divisor(text: str, base: object,
                                                                   seconds: int) -> None:
    interval = parse_interval(text)
    assert (interval.base, interval.seconds) == (base, seconds)
    assert interval.is_native == (seconds == interval.base.seconds)


@pytest.mark.parametrize("text", ["D", "W", "M", "Q", "Y", "2W", "3M"])
def test_calendar_intervals_build_from_days(text: str) -> None:
    interval = parse_interval(text)
    assert interval.base is DAY and interval.daily_type


@pytest.mark.parametrize("text", ["", "7x", "0m", "1d", "2D", "25h", "m5", "1 m"])
def test_bad_intervals_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(IntervalError, match=f"Invalid interval '{text}'"):
        parse_interval(text)


# --------------------------------------------------------------------------- planning


def _expected_slots(first: int, last: int, step: int) -> int:
    """NSE slots by brute force: 09:15-15:30 on weekdays that are not 2026 holidays."""
    calendar = MarketCalendar()
    total = 0
    day = dt.datetime.fromtimestamp(first, IST).date()
    while day <= dt.datetime.fromtimestamp(last, IST).date():
        if calendar.trades_on("NSE", day):
            opening = int(dt.datetime.combine(day, dt.time(9, 15), IST).timestamp())
            total += sum(1 for k in range(22_500 // step + 1)
                         if opening + k * step < opening + 22_500
                         and first <= opening + k * step <= last)
        day += dt.timedelta(days=1)
    return total


@pytest.mark.parametrize("native", [MINUTE, FIVE_MINUTES, THIRTY_MINUTES])
def test_ranges_are_contiguous_and_hold_at_most_1000_expected_candles(native: object) -> None:
    first = _ist_midnight(dt.date(2026, 9, 1))
    last = _ist_midnight(dt.date(2026, 11, 21)) - 1
    ranges = plan_ranges(first, last, native, "NSE", MarketCalendar(), PLANNED)  # type: ignore[arg-type]
    assert ranges[0][0] == first and ranges[-1][1] == last
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(ranges))
    counts = [_expected_slots(a, b, native.seconds) for a, b in ranges]  # type: ignore[attr-defined]
    # One short of Breeze's 1,000-candle page: a full reply means "more".
    assert PLANNED == 999 and max(counts) <= 999
    assert sum(counts) == _expected_slots(first, last, native.seconds)  # type: ignore[attr-defined]
    assert len(ranges) == math.ceil(sum(counts) / 999)  # packed tight


def test_daily_and_second_ranges() -> None:
    calendar = MarketCalendar()
    first, last = _ist_midnight(dt.date(2022, 1, 1)), _ist_midnight(dt.date(2026, 11, 21)) - 1
    assert len(plan_ranges(first, last, DAY, "NSE", calendar, PLANNED)) == 2  # ~1,230 days
    day = _ist_midnight(dt.date(2026, 11, 20))
    assert len(plan_ranges(day, day + 86_399, SECOND, "NSE", calendar, PLANNED)) == 23  # 22,500 s


# --------------------------------------------------------------------------- candles


def _minutes(day: dt.date, count: int, start: dt.time = dt.time(9, 15)) -> Candles:
    opening = int(dt.datetime.combine(day, start, IST).timestamp())
    rng = np.random.default_rng(7)
    close = 10_000_000 + np.cumsum(rng.integers(-500, 500, count))
    return Candles(ts=opening + 60 * np.arange(count, dtype=np.int64), open=close - 50,
                   high=close + 300, low=close - 300, close=close,
                   volume=rng.integers(1, 1000, count), oi=np.arange(count, dtype=np.int64))


def test_resampling_counts_from_the_session_open() -> None:
    day = _minutes(dt.date(2026, 11, 20), 375)
    hours = resample_intraday(day, 3600, 9 * 3600 + 15 * 60)
    stamps = [dt.datetime.fromtimestamp(t, IST).strftime("%H:%M") for t in hours.ts]
    assert stamps == ["09:15", "10:15", "11:15", "12:15", "13:15", "14:15", "15:15"]
    assert hours.volume.sum() == day.volume.sum()
    assert hours.open[0] == day.open[0] and hours.close[-1] == day.close[-1]
    assert hours.high[0] == day.high[:60].max() and hours.low[-1] == day.low[360:].min()
    assert hours.oi[-1] == day.oi[-1]


def test_weeks_start_on_monday_and_are_stamped_with_their_first_trading_day() -> None:
    days = [dt.date(2026, 11, 16) + dt.timedelta(days=i) for i in range(12)
            if (dt.date(2026, 11, 16) + dt.timedelta(days=i)).weekday() < 5
            and i != 1]  # Tuesday the 17th missing
    stamps = np.array([_ist_midnight(d) for d in days], dtype=np.int64)
    ones = np.ones(len(days), dtype=np.int64)
    daily = Candles(stamps, ones, ones * 2, ones, ones, ones * 10, ones)
    weeks = resample_calendar(daily, "W")
    assert [dt.datetime.fromtimestamp(t, IST).date() for t in weeks.ts] == [
        dt.date(2026, 11, 16), dt.date(2026, 11, 23)]
    assert weeks.volume.tolist() == [40, 50]
    months = resample_calendar(daily, "M")
    assert len(months) == 1


def test_merge_sorts_and_prefers_the_later_part() -> None:
    day = _minutes(dt.date(2026, 11, 20), 10)
    newer = day.take(slice(3, 5))
    newer = Candles(newer.ts, newer.open, newer.high, newer.low, newer.close + 1, newer.volume,
                    newer.oi)
    merged = merge([day.take(slice(5, 10)), day.take(slice(0, 5)), newer])
    assert merged.ts.tolist() == day.ts.tolist()
    assert merged.close[3] == day.close[3] + 1


def test_block_codec_and_bounds() -> None:
    day = _minutes(dt.date(2026, 11, 20), 375)
    restored = decode(encode(day), len(day))
    assert all(np.array_equal(a, b) for a, b in zip(restored.matrix(), day.matrix(), strict=True))
    number = block_of(int(day.ts[0]), daily=False)
    start, end = block_bounds(number, daily=False)
    assert start == _ist_midnight(dt.date(2026, 11, 20)) and end - start == 86_400
    month = block_of(_ist_midnight(dt.date(2026, 2, 14)), daily=True)
    assert block_bounds(month, daily=True) == (_ist_midnight(dt.date(2026, 2, 1)),
                                               _ist_midnight(dt.date(2026, 3, 1)))


def test_backfill_pieces_are_months_or_days() -> None:
    assert pieces(dt.date(2026, 1, 15), dt.date(2026, 3, 2), per_day=False) == [
        (dt.date(2026, 1, 15), dt.date(2026, 1, 31)), (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 2))]
    assert len(pieces(dt.date(2026, 1, 1), dt.date(2026, 1, 3), per_day=True)) == 3


# --------------------------------------------------------------------------- calendar


def test_us_daylight_saving_moves_the_mcx_close() -> None:
    assert not us_summer_time(dt.date(2026, 3, 6)) and us_summer_time(dt.date(2026, 3, 9))
    assert us_summer_time(dt.date(2026, 10, 30)) and not us_summer_time(dt.date(2026, 11, 2))
    calendar = MarketCalendar()
    assert calendar.regular_session("MCX", dt.date(2026, 7, 1))[1] == dt.time(23, 30)
    assert calendar.regular_session("MCX", dt.date(2026, 12, 1))[1] == dt.time(23, 55)


def test_an_imported_calendar_overrides_the_shipped_year(tmp_path: Path) -> None:
    newer = {"years": {"2027": {"status": "published", "holidays": [
        {"date": "2027-03-22", "description": "Holi", "closed": ["NSE", "BSE", "NFO", "BFO"],
         "sessions": {"MCX": ["17:00", None]}}]}}}
    source = tmp_path / "new.json"
    source.write_text(json.dumps(newer))
    target, years = install(source, tmp_path / "data")
    assert years == [2027]
    calendar = MarketCalendar(target)
    assert [h.description for h in calendar.holidays(2027)] == ["Holi"]
    assert len(calendar.holidays(2026)) == 16  # the shipped year stays
    assert [s.exchange for s in calendar.sessions(dt.date(2027, 3, 22))] == ["CDS", "BCD", "MCX"]


@pytest.mark.parametrize(("document", "message"), [
    ({}, "'years'"), ({"years": {"1999": {"holidays": []}}}, "2020-2050"),
    ({"years": {"2027": {"holidays": [{"date": "2027-13-01"}]}}}, "YYYY-MM-DD"),
    ({"years": {"2027": {"holidays": [{"date": "2026-01-01"}]}}}, "not in 2027"),
    ({"years": {"2027": {"holidays": [{"date": "2027-01-26", "closed": ["NYSE"]}]}}}, "closed"),
])
def test_a_broken_calendar_file_is_refused_with_the_place(tmp_path: Path, document: dict,
                                                          message: str) -> None:
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(document))
    with pytest.raises(CalendarError, match=message):
        install(source, tmp_path / "data")
    assert not (tmp_path / "data" / "holidays.json").exists()


# --------------------------------------------------------------------------- the ladder


class _Ladder:
    """Just enough of a SymbolIndex for `OptionsService.pick`."""

    def __init__(self, strikes: list[int]) -> None:
        from decimal import Decimal

        self._strikes = [Decimal(k) for k in strikes]

    def strikes(self, name: str, exchange: str, expiry: dt.date) -> list:
        return list(self._strikes)

    def get(self, symbol: str, exchange: str) -> str:
        return symbol


def _service(strikes: list[int]) -> object:
    from algodesk.market.options import OptionsService

    class Data:
        def instruments(self) -> _Ladder:
            return _Ladder(strikes)

    return OptionsService(Data())  # type: ignore[arg-type]


@pytest.mark.parametrize(("offset", "option_type", "strike"), [
    ("ATM", "CE", 300), ("ITM1", "CE", 200), ("OTM2", "CE", 500), ("ITM2", "PE", 500),
    ("OTM1", "PE", 200), ("atm", "PE", 300)])
def test_offsets_walk_listed_strikes(offset: str, option_type: str, strike: int) -> None:
    from algodesk.market.options import Underlying

    service = _service([100, 200, 300, 450, 500, 600])  # an uneven ladder
    under = Underlying("X", "X", "NFO", dt.date(2026, 12, 1), None)  # type: ignore[arg-type]
    pick = service.pick(under, 310.0, offset, option_type)  # type: ignore[attr-defined]
    assert pick.instrument == f"X01DEC26{strike}{option_type.upper()}"
    assert pick.atm == 300


def test_an_offset_off_the_ladder_is_400() -> None:
    from algodesk.market.market_data import MarketDataError
    from algodesk.market.options import Underlying

    service = _service([100, 200, 300])
    under = Underlying("X", "X", "NFO", dt.date(2026, 12, 1), None)  # type: ignore[arg-type]
    with pytest.raises(MarketDataError, match="Offset OTM3 is out of range"):
        service.pick(under, 210.0, "OTM3", "CE")  # type: ignore[attr-defined]



def test_in_session_at_pinned_instants() -> None:
    """The feed's watchdog and REST fallback ask whether a subscribed market is open."""
    calendar = MarketCalendar()
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
    monday = dt.date(2026, 12, 7)

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), ist)

    assert calendar.in_session(["NSE", "NFO"], at(monday, 10))
    assert calendar.in_session(["NSE"], at(monday, 9, 15))  # the open is in
    assert not calendar.in_session(["NSE"], at(monday, 15, 30))  # the close is out
    assert not calendar.in_session(["NSE", "NFO"], at(monday, 8, 59))
    assert calendar.in_session(["NSE_INDEX"], at(monday, 11))  # an index: its cash market
    # MCX trades into the evening: one MCX subscription keeps the feed's hours long.
    assert not calendar.in_session(["NSE"], at(monday, 20))
    assert calendar.in_session(["NSE", "MCX"], at(monday, 20))
    assert not calendar.in_session(["NSE", "MCX"], at(dt.date(2026, 12, 5), 11))  # Saturday
    assert not calendar.in_session(["NSE"], at(dt.date(2026, 1, 26), 11))  # Republic Day
    assert not calendar.in_session([], at(monday, 10))
    # An aware instant in any zone: 04:30 UTC is 10:00 IST.
    assert calendar.in_session(["BSE"], dt.datetime(2026, 12, 7, 4, 30, tzinfo=dt.UTC))
