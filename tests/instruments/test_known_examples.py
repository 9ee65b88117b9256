"""Known instruments from the references, found both ways in the simulator's full master."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from algodesk.domain import Exchange, InstrumentType, format_expiry
from algodesk.instruments import SymbolIndex, breeze_key

from .conftest import TODAY


def test_sbin_is_staban(full_index: SymbolIndex) -> None:
    sbin = full_index.get("SBIN", "NSE")
    assert sbin is not None
    assert (sbin.stock_code, sbin.breeze_exchange, sbin.product) == ("STABAN", "NSE", "cash")
    assert sbin.instrument_type is InstrumentType.EQ
    assert (sbin.token, sbin.stream_token, sbin.depth_token) == ("3045", "4.1!3045", "4.2!3045")
    assert (sbin.lot_size, sbin.expiry, sbin.strike, sbin.expiry_text) == (1, None, 0, "")
    assert full_index.by_breeze("STABAN", "NSE", "cash") is sbin
    assert full_index.by_breeze("staban", "nse", "margin") is sbin  # any cash product


def test_reliance_is_relind_on_both_exchanges(full_index: SymbolIndex) -> None:
    nse, bse = full_index.get("RELIANCE", "NSE"), full_index.get("RELIANCE", Exchange.BSE)
    assert nse is not None and bse is not None
    assert nse.stock_code == bse.stock_code == "RELIND"
    assert (nse.stream_token, bse.stream_token) == ("4.1!2885", "1.1!500325")
    assert nse.name == "RELIANCE INDUSTRIES" and nse.isin == "INE002A01018"
    assert full_index.by_breeze("RELIND", "BSE", "cash") is bse
    futures = full_index.futures("RELIANCE", "NFO")
    assert [f.expiry for f in futures] == sorted(f.expiry for f in futures)
    assert all(f.stock_code == "RELIND" and f.lot_size == 500 for f in futures)


def test_banknifty_options_are_cnxban(full_index: SymbolIndex) -> None:
    expiry = full_index.expiries("BANKNIFTY", "NFO", "options")[0]
    chain = full_index.options("BANKNIFTY", "NFO", expiry)
    assert chain and all(o.stock_code == "CNXBAN" and o.name == "BANKNIFTY" for o in chain)
    call = next(o for o in chain if o.instrument_type is InstrumentType.CE)
    assert call.symbol == f"BANKNIFTY{format_expiry(expiry)}{call.strike}CE"
    assert call.brsymbol == f"OPT-CNXBAN-{call.breeze_expiry}-{call.strike}-CE"
    assert call.right == "call" and call.product == "options" and call.lot_size == 30
    found = full_index.by_breeze("CNXBAN", "NFO", "Options", call.breeze_expiry,
                                 f"{call.strike}.00", "Call")
    assert found is call
    assert full_index.by_stream_token(call.stream_token) is call
    # the chain is by strike, CE before PE
    assert [(o.strike, o.instrument_type.value) for o in chain] == sorted(
        (o.strike, o.instrument_type.value) for o in chain)


def test_a_fractional_strike(full_index: SymbolIndex) -> None:
    expiry = full_index.expiries("YESBANK", "NFO", "options")[0]
    fractional = [o for o in full_index.options("YESBANK", "NFO", expiry)
                  if o.strike != o.strike.to_integral_value()]
    assert fractional
    option = fractional[0]
    text = format(option.strike.normalize(), "f")
    assert "." in text and option.symbol.endswith(f"{text}{option.instrument_type.value}")
    assert full_index.by_breeze("YESBAN", "NFO", "options", option.expiry, text,
                                option.right) is option
    usdinr = [o for e in full_index.expiries("USDINR", "CDS", "options")
              for o in full_index.options("USDINR", "CDS", e) if o.strike % 1]
    assert usdinr and usdinr[0].breeze_exchange == "NDX"
    assert usdinr[0].stream_token.startswith("13.1!")
    assert usdinr[0].tick_size == Decimal("0.0025")


def test_weekly_and_monthly_expiries(full_index: SymbolIndex) -> None:
    options = full_index.expiries("NIFTY", "NFO", "options")
    futures = full_index.expiries("NIFTY", "NFO", "futures")
    assert options[0] == TODAY == date(2026, 11, 24)  # a weekly expiring today is listed
    weekly = [d for d in options if d not in futures]
    assert weekly and all(d.weekday() == 1 for d in options)  # Tuesdays
    monthly = futures[0]  # the last Tuesday of November 2026
    assert monthly == date(2026, 11, 24) and monthly in options
    assert full_index.get("NIFTY24NOV26FUT", "NFO") is not None
    week = weekly[0]
    assert week == date(2026, 12, 1)
    chain = full_index.options("NIFTY", "NFO", week)
    assert chain and all(o.symbol.startswith("NIFTY01DEC26") for o in chain)
    sensex = full_index.expiries("SENSEX", "BFO", "options")
    assert all(d.weekday() == 3 for d in sensex)  # BSE: Thursdays


def test_indices_on_nse_index_and_bse_index(full_index: SymbolIndex) -> None:
    expected = {("NIFTY", "NSE_INDEX"): ("NIFTY", "NIFTY 50", "4.1!NIFTY 50"),
                ("BANKNIFTY", "NSE_INDEX"): ("CNXBAN", "NIFTY BANK", "4.1!NIFTY BANK"),
                ("FINNIFTY", "NSE_INDEX"): ("NIFFIN", "NIFTY FIN SERVICE", None),
                ("MIDCPNIFTY", "NSE_INDEX"): ("NIFSEL", "NIFTY MIDCAP SELECT", None),
                ("INDIAVIX", "NSE_INDEX"): ("INDVIX", "INDIA VIX", None),
                ("SENSEX", "BSE_INDEX"): ("BSESEN", "SENSEX", "1.1!SENSEX"),
                ("BANKEX", "BSE_INDEX"): ("BANKEX", "BANKEX", None)}
    for (symbol, exchange), (code, token, stream) in expected.items():
        index = full_index.get(symbol, exchange)
        assert index is not None, symbol
        assert index.instrument_type is InstrumentType.INDEX and index.is_index
        assert (index.stock_code, index.token) == (code, token)
        if stream:
            assert index.stream_token == stream
        assert full_index.by_breeze(code, index.breeze_exchange, "cash") is index
    assert full_index.get("NIFTY", "NSE") is None  # indices are not equities
    # derivatives of an index carry the index's OpenAlgo name
    assert full_index.futures("SENSEX", "BFO")[0].stock_code == "BSESEN"
    assert full_index.futures("FINNIFTY", "NFO")[0].stock_code == "NIFFIN"


def test_commodities_and_currencies(full_index: SymbolIndex) -> None:
    crude = full_index.futures("CRUDEOIL", "MCX")[0]
    assert crude.symbol.startswith("CRUDEOIL") and crude.symbol.endswith("FUT")
    assert crude.stream_token.startswith("6.1!") and crude.tick_size == 1
    assert crude.ohlcv_token == crude.stream_token
    sensex = full_index.futures("SENSEX", "BFO")[0]
    assert sensex.stream_token.startswith("8.1!") and sensex.ohlcv_token.startswith("2.1!")
    usdinr = full_index.futures("USDINR", "CDS")[0]
    assert usdinr.exchange is Exchange.CDS and usdinr.lot_size == 1000


def test_breeze_key_spellings() -> None:
    iso = breeze_key("cnxban", "nfo", "Options", "2026-11-24T06:00:00.000Z", "52000.00", "CE")
    plain = breeze_key("CNXBAN", "NFO", "options", date(2026, 11, 24), 52000, "call")
    short = breeze_key("CNXBAN", "NFO", "optionplus", "24-NOV-26", Decimal(52000), "Call")
    assert iso == plain == short
    future = breeze_key("NIFTY", "NFO", "Futures", "24-Nov-2026", "0", "*")
    assert (future.right, future.strike) == ("others", 0)


def test_search(full_index: SymbolIndex) -> None:
    first = full_index.search("SBIN")
    assert [(i.symbol, str(i.exchange)) for i in first[:2]] == [("SBIN", "NSE"), ("SBIN", "BSE")]
    assert full_index.search("sbin", exchange="BSE")[0].exchange is Exchange.BSE
    assert full_index.search("state bank")[0].symbol == "SBIN"
    found = full_index.search("BANKNIFTY 52000 CE")
    assert found and all(i.symbol.startswith("BANKNIFTY") and "52000" in i.symbol
                         and i.instrument_type is InstrumentType.CE for i in found)
    futures = full_index.search("NIFTY", instrument_type="FUT")
    assert futures and all(i.instrument_type is InstrumentType.FUT for i in futures)
    assert futures[0].name == "NIFTY"  # starts-with ranks before contains (BANKNIFTY)
    nifty = full_index.search("NIFTY", limit=5)
    assert nifty[0].symbol == "NIFTY" and nifty[0].exchange is Exchange.NSE_INDEX
    assert len(nifty) == 5
    contains = full_index.search("BANK", exchange="NSE", limit=500)
    assert any(i.symbol == "HDFCBANK" for i in contains)
    assert any(i.symbol.startswith("BANK") for i in full_index.search("BANK", limit=1))
    assert full_index.search("ZZZZNOTHING") == []
    assert full_index.search("NIFTY", exchange="MCX") == []
    assert full_index.search("NIFTY", instrument_type="FUT", limit=0) == []
