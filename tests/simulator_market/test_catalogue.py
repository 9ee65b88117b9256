"""The instrument universe: real codes, expiry calendars, strikes and look-ups."""

from __future__ import annotations

import calendar
import itertools
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

from algodesk.simulator.market import Instrument, Market

from .conftest import TODAY


def test_real_equities_carry_their_codes_and_tokens(market: Market) -> None:
    rel = market.find("NSE", "RELIND", "cash")
    assert rel is not None
    assert (rel.token, rel.exchange_symbol, rel.name) == ("2885", "RELIANCE",
                                                          "RELIANCE INDUSTRIES")
    assert rel.isin == "INE002A01018"
    assert market.by_token("NSE", "2885") is rel
    bse = market.find("BSE", "RELIND", "cash")
    assert bse is not None and bse.token == "500325"
    sbi = market.find("nse", "staban", "CASH")
    assert sbi is not None and (sbi.token, sbi.exchange_symbol) == ("3045", "SBIN")
    assert market.find("BSE", "STABAN", "cash").token == "500112"  # type: ignore[union-attr]
    for code, symbol in (("TATSTE", "TATASTEEL"), ("INFTEC", "INFY"), ("HDFBAN", "HDFCBANK"),
                         ("ICIBAN", "ICICIBANK"), ("ITC", "ITC"), ("TCS", "TCS")):
        inst = market.find("NSE", code, "cash")
        assert inst is not None and inst.exchange_symbol == symbol


def test_indices_on_nse_and_bse(market: Market) -> None:
    expected = {("NSE", "NIFTY"): "NIFTY 50", ("NSE", "CNXBAN"): "NIFTY BANK",
                ("NSE", "NIFFIN"): "NIFTY FIN SERVICE", ("NSE", "NIFSEL"): "NIFTY MIDCAP SELECT",
                ("NSE", "INDVIX"): "INDIA VIX", ("BSE", "BSESEN"): "SENSEX",
                ("BSE", "BANKEX"): "BANKEX"}
    for (exchange, code), token in expected.items():
        inst = market.find(exchange, code, "cash")
        assert inst is not None, code
        assert inst.is_index and inst.token == token and inst.exchange_symbol == token
        assert market.by_token(exchange, token) is inst


def test_lot_sizes(market: Market) -> None:
    assert {i.lot_size for i in market.chain("NFO", "CNXBAN")} == {30}
    assert {i.lot_size for i in market.chain("NFO", "NIFTY")} == {65}
    assert {i.lot_size for i in market.futures("NFO", "STABAN")} == {750}
    assert {i.lot_size for i in market.chain("NFO", "RELIND")} == {500}
    assert all(i.lot_size == 1 for i in market.instruments if i.product == "cash")


def _last_weekday(day: date, weekday: int) -> bool:
    month_end = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return day.weekday() == weekday and (month_end - day).days < 7


def test_nifty_has_weekly_and_monthly_expiries(market: Market) -> None:
    expiries = sorted({i.expiry for i in market.chain("NFO", "NIFTY") if i.expiry})
    assert all(e.weekday() == 1 for e in expiries)  # Tuesdays
    weeklies = [TODAY + timedelta(weeks=w) for w in range(8)]
    assert set(weeklies) <= set(expiries)
    assert TODAY in expiries  # a contract expiring today is still listed
    monthlies = [e for e in expiries if _last_weekday(e, 1)]
    assert len(monthlies) == 3
    assert max(expiries) > weeklies[-1]  # the third monthly lies beyond the weeklies
    futures = [f.expiry for f in market.futures("NFO", "NIFTY")]
    assert futures == monthlies


def test_monthly_only_underlyings(market: Market) -> None:
    for code in ("CNXBAN", "NIFFIN", "RELIND"):
        expiries = {i.expiry for i in market.chain("NFO", code)}
        assert len(expiries) == 3
        assert all(e is not None and _last_weekday(e, 1) for e in expiries), code
    bankex = {i.expiry for i in market.chain("BFO", "BANKEX")}
    assert len(bankex) == 3 and all(e is not None and _last_weekday(e, 3) for e in bankex)
    sensex = {i.expiry for i in market.chain("BFO", "BSESEN")}
    assert len(sensex) >= 9 and all(e is not None and e.weekday() == 3 for e in sensex)


def test_strike_ladders(market: Market) -> None:
    def strikes(code: str) -> list[Decimal]:
        return sorted({i.strike for i in market.chain("NFO", code)})

    nifty, bank = strikes("NIFTY"), strikes("CNXBAN")
    assert {b - a for a, b in itertools.pairwise(nifty)} == {Decimal(50)}
    assert {b - a for a, b in itertools.pairwise(bank)} == {Decimal(100)}
    spot = float(market.ltp(market.find("NSE", "NIFTY", "cash"), datetime(2026, 11, 24).timestamp()))
    assert nifty[0] < Decimal(spot) * Decimal("1.05") and nifty[-1] > Decimal(spot) * Decimal("0.95")
    fractional = [i for i in market.instruments
                  if i.product == "options" and i.strike != i.strike.to_integral_value()]
    assert fractional, "some underlying must list a fractional strike"
    sample = fractional[0]
    assert market.find(sample.exchange_code, sample.stock_code, "option", sample.expiry,
                       Decimal(str(float(sample.strike))), sample.right) is sample


def test_find_rules(market: Market) -> None:
    option = market.chain("NFO", "NIFTY")[3]
    assert option.expiry is not None and option.right is not None
    assert market.find("nfo", "nifty", "options", option.expiry, option.strike,
                       option.right.upper()) is option
    # datetime expiries, CE/PE spellings, strikes as text or with zeros all work
    right = "CE" if option.right == "call" else "PE"
    as_datetime = datetime.combine(option.expiry, datetime.min.time())
    assert market.find("NFO", "NIFTY", "option", as_datetime, f"{option.strike}.00",  # type: ignore[arg-type]
                       right) is option
    # options need all three fields
    assert market.find("NFO", "NIFTY", "options", option.expiry, option.strike) is None
    assert market.find("NFO", "NIFTY", "options", None, option.strike, "call") is None
    future = market.futures("NFO", "NIFTY")[0]
    assert market.find("NFO", "NIFTY", "futures", future.expiry) is future
    assert market.find("NFO", "NIFTY", "future", future.expiry, Decimal(0), "others") is future
    # cash ignores derivative fields
    assert market.find("NSE", "ITC", "cash", future.expiry, Decimal(5), "call") is not None
    assert market.find("NSE", "NOSUCH", "cash") is None
    assert market.find("NSE", "ITC", "margin-ish") is None


def test_chain_filters_and_order(market: Market) -> None:
    everything = market.chain("NFO", "NIFTY")
    keys = [(i.expiry, i.strike, i.right) for i in everything]
    assert keys == sorted(keys)  # type: ignore[type-var]
    assert all(i.product == "options" and i.stock_code == "NIFTY" for i in everything)
    expiry = everything[0].expiry
    calls = market.chain("NFO", "NIFTY", expiry=expiry, right="call")
    assert calls and all(i.expiry == expiry and i.right == "call" for i in calls)
    strike = calls[1].strike
    by_strike = market.chain("NFO", "NIFTY", right="put", strike=strike)
    assert len(by_strike) == len({i.expiry for i in everything})
    assert market.chain("NFO", "NIFTY", right="others") == []
    futures = market.futures("nfo", "nifty")
    assert [f.expiry for f in futures] == sorted(f.expiry for f in futures)  # type: ignore[type-var]


def test_underlying_of(market: Market) -> None:
    option = market.chain("NFO", "RELIND")[0]
    assert market.underlying_of(option) is market.find("NSE", "RELIND", "cash")
    sensex = market.chain("BFO", "BSESEN")[0]
    assert market.underlying_of(sensex) is market.find("BSE", "BSESEN", "cash")
    cash = market.find("NSE", "ITC", "cash")
    assert cash is not None and market.underlying_of(cash) is cash
    usd = market.futures("NDX", "USDINR")[0]
    spot = market.underlying_of(usd)
    assert spot.product == "cash" and spot.stock_code == "USDINR" and spot.is_index
    assert market.futures("MCX", "CRUDEOIL") and market.chain("MCX", "CRUDEOIL")
    assert market.futures("MCX", "GOLD") and market.futures("MCX", "SILVER")
    assert market.futures("NDX", "EURINR") and market.chain("NDX", "USDINR")


def test_tokens_and_keys_are_unique(market: Market, full_market: Market) -> None:
    for m in (market, full_market):
        tokens = Counter((i.exchange_code, i.token) for i in m.instruments)
        assert max(tokens.values()) == 1
        keys = Counter((i.exchange_code, i.stock_code, i.product, i.expiry, i.strike, i.right)
                       for i in m.instruments)
        assert max(keys.values()) == 1
    codes = [i.stock_code for i in full_market.instruments
             if i.exchange_code == "NSE" and not i.is_index]
    assert len(codes) == len(set(codes)) > 2_000
    invented = [c for c in codes if len(c) == 6]
    assert all(c.isalpha() and c.isupper() for c in invented)
    symbols = [i.exchange_symbol for i in full_market.instruments
               if i.exchange_code == "NSE" and not i.is_index]
    assert len(symbols) == len(set(symbols))


def test_sizes(market: Market, full_market: Market) -> None:
    assert 300 <= len(market.instruments) < 10_000  # option ladders cover a week's moves
    assert len(full_market.instruments) >= 150_000
    by_exchange = Counter(i.exchange_code for i in full_market.instruments)
    assert by_exchange["NFO"] > sum(by_exchange.values()) / 2
    stocks_with_options = {i.stock_code for i in full_market.instruments
                           if i.exchange_code == "NFO" and not i.is_index}
    assert len(stocks_with_options) >= 150
    both = {i.stock_code for i in full_market.instruments if i.exchange_code == "NSE"} & {
        i.stock_code for i in full_market.instruments if i.exchange_code == "BSE"}
    only_bse = {i.stock_code for i in full_market.instruments if i.exchange_code == "BSE"} - both
    assert len(both) > 1_000 and len(only_bse) > 1_000


def test_same_seed_same_universe_other_seed_other_names() -> None:
    a = Market(seed=11, today=TODAY)
    b = Market(seed=11, today=TODAY)
    c = Market(seed=12, today=TODAY)
    assert a.instruments == b.instruments
    assert [i.stock_code for i in a.instruments] != [i.stock_code for i in c.instruments]


def test_expiries_follow_today() -> None:
    later = Market(today=date(2027, 3, 2))
    expiries = sorted({i.expiry for i in later.chain("NFO", "NIFTY") if i.expiry})
    assert expiries[0] == date(2027, 3, 2)
    friday = Market(today=date(2027, 3, 5))
    first = min(i.expiry for i in friday.chain("NFO", "NIFTY") if i.expiry)
    assert first == date(2027, 3, 9)


def test_derivative_fields(market: Market) -> None:
    option: Instrument = market.chain("NFO", "CNXBAN")[0]
    assert (option.instrument_name, option.underlying, option.exchange_symbol, option.name) == (
        "OPTIDX", "CNXBAN", "NIFTY BANK", "NIFTY BANK")
    assert option.is_index and option.tick == Decimal("0.05")
    future = market.futures("NFO", "RELIND")[0]
    assert (future.instrument_name, future.right, future.strike) == ("FUTSTK", "others",
                                                                     Decimal(0))
    assert future.exchange_symbol == "RELIANCE" and not future.is_index
    assert market.futures("NDX", "USDINR")[0].instrument_name == "FUTCUR"
    assert market.chain("NDX", "USDINR")[0].instrument_name == "OPTCUR"
