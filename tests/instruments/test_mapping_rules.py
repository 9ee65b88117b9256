"""The written naming and ambiguity rules, on hand-made member files."""

from __future__ import annotations

from algodesk.domain import Exchange
from algodesk.instruments import SymbolIndex
from algodesk.instruments.mapping import map_members
from algodesk.instruments.names import equity_symbol, index_name
from algodesk.instruments.security_master import MEMBERS, parse_member

from .test_security_master import fno_row, fno_text

NSE, BSE, FONSE, FOBSE = (next(m for m in MEMBERS if m.file_name == name) for name in (
    "NSEScripMaster.txt", "BSEScripMaster.txt", "FONSEScripMaster.txt", "FOBSEScripMaster.txt"))
HEADER = '"Token", "ShortName", "Series", "CompanyName", "ticksize", "Lotsize", "ExchangeCode"'


def cash(*rows: str) -> str:
    return "\n".join([HEADER, *rows])


def test_index_names() -> None:
    assert [index_name(n) for n in ("NIFTY 50", "Nifty Bank", "NIFTY FIN SERVICE",
                                    "NIFTY MIDCAP SELECT", "NIFTY NEXT 50", "INDIA VIX",
                                    "SENSEX", "BSE SENSEX 50", "NIFTY 100", "NIFTY  IT",
                                    "BSE 500")] == [
        "NIFTY", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY", "NIFTYNXT50", "INDIAVIX", "SENSEX",
        "SENSEX50", "NIFTY100", "NIFTYIT", "BSE500"]
    assert equity_symbol("M&M") == "M&M" and equity_symbol(" BAJAJ-AUTO ") == "BAJAJ-AUTO"


def test_series_rule_gives_the_bare_symbol_to_eq() -> None:
    member = parse_member(NSE, cash('"10","ABCLTD","BL","ABC LTD",5,1,"ABC"',
                                    '"11","ABCLTD2","EQ","ABC LTD",5,1,"ABC"',
                                    '"12","ABCLTD3","SM","ABC LTD",5,1,"ABC"'))
    mapped = map_members([member])
    symbols = {i.token: i.symbol for i in mapped.instruments}
    assert symbols == {"11": "ABC", "10": "ABC-BL", "12": "ABC-SM"}


def test_derivative_names_come_from_the_underlying() -> None:
    nse = parse_member(NSE, cash('"NIFTY BANK","CNXBAN","0","NIFTY BANK",0,1,"NIFTY BANK"',
                                 '"2885","RELIND","EQ","RELIANCE INDUSTRIES",10,1,"RELIANCE"'))
    fonse = parse_member(FONSE, fno_text(
        fno_row(token="1", short="CNXBAN", code='"NIFTY BANK"'),
        fno_row(token="2", short="RELIND", code='"RELIANCE"', strike="1400"),
        fno_row(token="3", short="RELIND", code='""', strike="1410")))  # no ExchangeCode
    index = SymbolIndex(map_members([nse, fonse]).instruments)
    assert index.by_token("NFO", "1").symbol == "BANKNIFTY29SEP2672600CE"
    assert index.by_token("NFO", "2").symbol == "RELIANCE29SEP261400CE"
    assert index.by_token("NFO", "3").symbol == "RELIANCE29SEP261410CE"  # lent by NSE row
    assert index.get("BANKNIFTY", Exchange.NSE_INDEX).stock_code == "CNXBAN"


def test_collisions_keep_the_first_row_and_are_reported() -> None:
    fonse = parse_member(FONSE, fno_text(fno_row(token="1"), fno_row(token="2"),
                                         fno_row(token="1", strike="70000")))
    mapped = map_members([fonse])
    assert [i.token for i in mapped.instruments] == ["1"]
    assert mapped.duplicate_count == 2
    assert "twice" in mapped.duplicates[0] and "token 2 left out" in mapped.duplicates[0]
    assert "token 1 on NFO twice" in mapped.duplicates[1]


def test_one_stock_code_with_two_underlying_names_still_round_trips() -> None:
    fonse = parse_member(FONSE, fno_text(fno_row(token="1", code='"NIFTY BANK"'),
                                         fno_row(token="2", code='"BANKNIFTY2"', strike="72700")))
    index = SymbolIndex(map_members([fonse]).instruments)
    for inst in index:
        assert index.by_breeze_key(inst.breeze_key) is inst
