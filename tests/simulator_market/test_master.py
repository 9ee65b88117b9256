"""SecurityMaster.zip: members, exact headers, column counts, and the SDK's way of reading."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest

from algodesk.simulator.market import Market
from algodesk.simulator.market.master import (
    BSE_COLUMNS,
    FNO_COLUMNS,
    MCX_COLUMNS,
    MEMBERS,
    MF_COLUMNS,
    NSE_COLUMNS,
)

from .conftest import TODAY

WIDTHS = {"NSEScripMaster.txt": 61, "BSEScripMaster.txt": 34, "FONSEScripMaster.txt": 69,
          "FOBSEScripMaster.txt": 69, "CDNSEScripMaster.txt": 69, "MCXScripMaster.txt": 27,
          "MFScripMaster.txt": 17}


def _members(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture(scope="module")
def small_files(market: Market) -> dict[str, str]:
    return _members(market.security_master_zip())


@pytest.fixture(scope="module")
def full_files(full_market: Market) -> dict[str, str]:
    return _members(full_market.security_master_zip())


def test_members(small_files: dict[str, str]) -> None:
    assert list(small_files) == list(MEMBERS)
    assert set(MEMBERS) == set(WIDTHS)


def test_exact_headers(small_files: dict[str, str]) -> None:
    first = {name: text.split("\r\n", 1)[0] for name, text in small_files.items()}
    assert first["NSEScripMaster.txt"].startswith(
        '"Token", "ShortName", "Series", "CompanyName", "ticksize", "Lotsize", ')
    assert first["NSEScripMaster.txt"].endswith('"MarginPercentage", "ExchangeCode"')
    assert first["NSEScripMaster.txt"] == ", ".join(f'"{c}"' for c in NSE_COLUMNS)
    assert first["MFScripMaster.txt"] == ", ".join(f'"{c}"' for c in MF_COLUMNS)
    assert first["BSEScripMaster.txt"] == ",".join(f'"{c}"' for c in BSE_COLUMNS)
    for name in ("FONSEScripMaster.txt", "FOBSEScripMaster.txt", "CDNSEScripMaster.txt"):
        assert first[name] == ",".join(f'"{c}"' for c in FNO_COLUMNS)
    assert first["MCXScripMaster.txt"] == ",".join(f'"{c}"' for c in MCX_COLUMNS)
    # the names the reference lists, at the positions it lists them
    assert (NSE_COLUMNS[0], NSE_COLUMNS[1], NSE_COLUMNS[10], NSE_COLUMNS[56], NSE_COLUMNS[60]) == (
        "Token", "ShortName", "ISINCode", "OddLotlMarketEligibility", "ExchangeCode")
    assert FNO_COLUMNS[:7] == ("Token", "InstrumentName", "ShortName", "Series", "ExpiryDate",
                               "StrikePrice", "OptionType")
    assert (FNO_COLUMNS[27], FNO_COLUMNS[28], FNO_COLUMNS[29], FNO_COLUMNS[-1]) == (
        "LotSize", "TickSize", "CompanyName", "ExchangeCode")
    assert (MCX_COLUMNS[7], MCX_COLUMNS[8], MCX_COLUMNS[9], MCX_COLUMNS[-1]) == (
        "ExpiryDate", "OptionType", "StrikePrice", "ExchangeCode")


def test_every_row_has_the_header_width(small_files: dict[str, str]) -> None:
    for name, text in small_files.items():
        rows = _rows(text)
        assert len(rows) > 1, name
        assert {len(r) for r in rows} == {WIDTHS[name]}, name
        assert text.endswith("\r\n")


def test_pandas_style_header_names(small_files: dict[str, str]) -> None:
    """The SDK's get_names() indexes NSE columns as ' "ShortName"' (leading space, quotes)."""
    header = next(csv.reader(io.StringIO(small_files["NSEScripMaster.txt"])))
    assert header[0] == "Token" and header[1] == ' "ShortName"'
    assert header[60] == ' "ExchangeCode"' and header[3] == ' "CompanyName"'


def test_equity_rows(small_files: dict[str, str]) -> None:
    nse = {r[0]: r for r in _rows(small_files["NSEScripMaster.txt"])[1:]}
    rel = nse["2885"]
    assert (rel[1], rel[2], rel[3], rel[4], rel[5], rel[10], rel[60]) == (
        "RELIND", "EQ", "RELIANCE INDUSTRIES", "10", "1", "INE002A01018", "RELIANCE")
    nifty = nse["NIFTY 50"]
    assert (nifty[1], nifty[2], nifty[3], nifty[60]) == ("NIFTY", "0", "NIFTY 50", "NIFTY 50")
    assert nse["NIFTY BANK"][1] == "CNXBAN"
    bse = {r[0]: r for r in _rows(small_files["BSEScripMaster.txt"])[1:]}
    assert (bse["500325"][1], bse["500325"][33]) == ("RELIND", "RELIANCE")
    assert (bse["500112"][1], bse["500112"][33]) == ("STABAN", "SBIN")
    assert bse["SENSEX"][1] == "BSESEN" and bse["BANKEX"][1] == "BANKEX"


def test_raw_quoting(small_files: dict[str, str]) -> None:
    """Text cells are quoted, numeric cells (lot, tick, flags) are bare."""
    line = next(row for row in small_files["NSEScripMaster.txt"].split("\r\n")
                if row.startswith('"2885"'))
    assert line.startswith('"2885","RELIND","EQ","RELIANCE INDUSTRIES",10,1,"')
    line = small_files["FONSEScripMaster.txt"].split("\r\n")[1]
    assert line.startswith('"35000","FUTIDX","NIFTY","FUTURE","')
    assert ',0,65,65,10,"NIFTY 50",' in line and line.endswith(',"NIFTY 50"')


def _sdk_contract(columns: list[str]) -> str:
    """The SDK's get_contract_name(): FUT-<code>-<expiry> or OPT-<code>-<expiry>-<strike>-<CE|PE>."""
    series = columns[3].strip('"').upper()
    code, expiry = columns[2].strip('"'), columns[4].strip('"')
    if "FUT" in series:
        return f"FUT-{code}-{expiry}"
    right = "CE" if "C" in columns[6].strip('"').upper() else "PE"
    strike = columns[5].strip('"')
    return f"OPT-{code}-{expiry}-{strike}-{right}"


def test_sdk_style_fno_read(market: Market, small_files: dict[str, str]) -> None:
    exchanges = {"FONSEScripMaster.txt": "NFO", "FOBSEScripMaster.txt": "BFO",
                 "CDNSEScripMaster.txt": "NDX"}
    for name, exchange in exchanges.items():
        with zipfile.ZipFile(io.BytesIO(market.security_master_zip())) as archive, \
                archive.open(name) as raw:
            reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8"))
            next(reader)
            seen = 0
            contracts: set[str] = set()
            for columns in reader:
                token = columns[0].strip('"')
                inst = market.by_token(exchange, token)
                assert inst is not None and inst.expiry is not None
                short, series, expiry, strike, option_type, company = (
                    c.strip('"') for c in (columns[2], columns[3], columns[4], columns[5],
                                           columns[6], columns[29]))
                assert short == inst.stock_code
                assert series == ("OPTION" if inst.product == "options" else "FUTURE")
                assert datetime.strptime(expiry, "%d-%b-%Y").date() == inst.expiry
                assert Decimal(strike) == inst.strike
                assert "." not in strike or not strike.endswith("0")
                assert option_type == {"call": "CE", "put": "PE", "others": "XX"}[
                    inst.right or ""]
                assert company == inst.name
                assert columns[68] == inst.exchange_symbol
                assert Decimal(columns[28]) / 100 == inst.tick  # paise
                assert int(columns[27]) == inst.lot_size
                key = _sdk_contract(columns)
                plain = (str(int(inst.strike)) if inst.strike == int(inst.strike)
                         else str(inst.strike.normalize()))
                expected = (f"OPT-{inst.stock_code}-{inst.expiry:%d-%b-%Y}-{plain}-"
                            f"{'CE' if inst.right == 'call' else 'PE'}"
                            if inst.product == "options"
                            else f"FUT-{inst.stock_code}-{inst.expiry:%d-%b-%Y}")
                assert key == expected
                assert key not in contracts  # the SDK maps each contract to one token
                contracts.add(key)
                seen += 1
            assert seen == len([i for i in market.instruments if i.exchange_code == exchange])


def test_whole_and_fractional_strikes_as_text(small_files: dict[str, str]) -> None:
    rows = _rows(small_files["FONSEScripMaster.txt"])[1:]
    strikes = {r[5] for r in rows if r[2] == "NIFTY" and r[3] == "OPTION"}
    assert all(s.isdigit() for s in strikes)
    fractional = {r[5] for r in rows if "." in r[5]}
    assert fractional and all(not s.endswith("0") for s in fractional)
    assert any(s.endswith(".5") for s in fractional)
    assert {r[5] for r in rows if r[3] == "FUTURE"} == {"0"}


def test_sdk_style_mcx_read(market: Market, small_files: dict[str, str]) -> None:
    rows = _rows(small_files["MCXScripMaster.txt"])[1:]
    for columns in rows:
        inst = market.by_token("MCX", columns[0].strip('"'))
        assert inst is not None and inst.expiry is not None
        assert columns[2] == inst.stock_code
        assert columns[3] == ("OPTION" if inst.product == "options" else "FUTURE")
        assert columns[4] == inst.name
        assert datetime.strptime(columns[7], "%d-%b-%Y").date() == inst.expiry
        assert columns[8] in ("CE", "PE", "XX")
        assert Decimal(columns[9]) == inst.strike
        assert columns[26] == inst.stock_code


def test_full_archive_row_counts(full_files: dict[str, str]) -> None:
    counts = {name: len(_rows(text)) - 1 for name, text in full_files.items()}
    assert sum(counts.values()) >= 150_000
    assert counts["FONSEScripMaster.txt"] == max(counts.values())
    assert all(count > 0 for count in counts.values())
    for name, text in full_files.items():
        header = text.split("\r\n", 1)[0]
        assert len(next(csv.reader([header]))) == WIDTHS[name]


def test_archive_is_deterministic() -> None:
    a = Market(seed=3, today=TODAY).security_master_zip()
    b = Market(seed=3, today=TODAY).security_master_zip()
    c = Market(seed=4, today=TODAY).security_master_zip()
    assert a == b
    assert a != c


def test_archive_is_cached(market: Market) -> None:
    assert market.security_master_zip() is market.security_master_zip()
