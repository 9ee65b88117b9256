"""Reading the member files: quirks of headers, quoting, dates and tick units."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from algodesk.instruments.errors import MasterError
from algodesk.instruments.security_master import (
    MEMBERS,
    MemberSpec,
    new_caches,
    open_archive,
    parse_member,
    tick_unit,
)

NSE = next(m for m in MEMBERS if m.file_name == "NSEScripMaster.txt")
FONSE = next(m for m in MEMBERS if m.file_name == "FONSEScripMaster.txt")
CDNSE = next(m for m in MEMBERS if m.file_name == "CDNSEScripMaster.txt")

# The F&O layout's 31-column variant (the first 30 plus ExchangeCode) is enough here.
FNO_HEADER = ",".join(f'"{c}"' for c in (
    "Token", "InstrumentName", "ShortName", "Series", "ExpiryDate", "StrikePrice",
    "OptionType", "CALevel", "PermittedToTrade", "IssueCapital", "WarningQty", "FreezeQty",
    "CreditRating", "NormalMarketStatus", "OddLotMarketStatus", "SpotMarketStatus",
    "AuctionMarketStatus", "NormalMarketEligibility", "OddLotMarketEligibility",
    "SpotMarketEligibility", "AuctionMarketEligibility", "IssueRate", "IssueStartDate",
    "InterestPaymentDate", "IssueMaturityDate", "MarginPercentage", "MinimumLotQty",
    "LotSize", "TickSize", "CompanyName", "ExchangeCode"))


def fno_row(token: str = "35000", short: str = "CNXBAN", expiry: str = "29-Sep-2026",
            strike: str = "72600", right: str = "CE", lot: str = "30", tick: str = "5",
            company: str = '"NIFTY BANK"', code: str = '"NIFTY BANK"') -> str:
    middle = ",".join(["0"] * 4 + ["900"] + ["0"] * 14)  # CALevel .. MarginPercentage
    return (f'"{token}","OPTIDX","{short}","OPTION","{expiry}","{strike}","{right}",{middle},'
            f"{lot},{lot},{tick},{company},{code}")


def fno_text(*rows: str) -> str:
    return "\r\n".join([FNO_HEADER, *rows]) + "\r\n"


def test_nse_header_with_comma_and_space_and_mixed_quoting() -> None:
    header = '"Token", "ShortName", "Series", "CompanyName", "ticksize", "Lotsize", "ExchangeCode"'
    text = "\n".join([header, '"2885","RELIND","EQ","RELIANCE INDUSTRIES",10,1,"RELIANCE"',
                      "3045,STABAN,EQ,STATE BANK OF INDIA,5,1,SBIN"])
    member = parse_member(NSE, text)
    first, second = member.rows
    assert (first.token, first.short_name, first.exchange_code) == ("2885", "RELIND", "RELIANCE")
    assert (second.token, second.company, second.exchange_code) == (
        "3045", "STATE BANK OF INDIA", "SBIN")
    assert member.tick_unit == "paise"
    assert member.ticks[first.tick] == Decimal("0.1")


def test_quoted_comma_and_escaped_quote_in_names() -> None:
    text = fno_text(fno_row(company='"TATA STEEL, LTD"', code='"TATASTEEL"'),
                    fno_row(token="35001", company='"THE ""BEST"" CO"', code='"BEST"'))
    first, second = parse_member(FONSE, text).rows
    assert first.company == "TATA STEEL, LTD" and first.exchange_code == "TATASTEEL"
    assert second.company == 'THE "BEST" CO' and second.exchange_code == "BEST"


def test_derivative_row_values() -> None:
    (row,) = parse_member(FONSE, fno_text(fno_row(expiry="13-FEB-2025", strike="23550.5"))).rows
    assert row.expiry == date(2025, 2, 13)
    assert row.strike == Decimal("23550.5")
    assert (row.option_type, row.lot, row.freeze, row.instrument) == ("CE", 30, 900, "OPTIDX")


def test_tick_unit_rule() -> None:
    assert tick_unit(Decimal(1), currency=False) == "paise"  # 1 paisa
    assert tick_unit(Decimal("0.05"), currency=False) == "rupees"
    assert tick_unit(Decimal("0.25"), currency=True) == "paise"  # ₹0.0025
    assert tick_unit(Decimal("0.0025"), currency=True) == "rupees"
    assert tick_unit(None, currency=False) == "rupees"  # only index rows (tick 0)


def test_tick_units_are_decided_per_file() -> None:
    in_paise = parse_member(FONSE, fno_text(fno_row(tick="5"), fno_row(token="2", tick="500")))
    assert sorted(in_paise.ticks.values()) == [Decimal("0.05"), Decimal(5)]
    in_rupees = parse_member(FONSE, fno_text(fno_row(tick="0.05"), fno_row(token="2", tick="5")))
    assert in_rupees.tick_unit == "rupees"
    assert sorted(in_rupees.ticks.values()) == [Decimal("0.05"), Decimal(5)]
    currency = parse_member(CDNSE, fno_text(fno_row(tick="0.25")))
    assert list(currency.ticks.values()) == [Decimal("0.0025")]


def test_malformed_rows_are_skipped_and_counted() -> None:
    good = [fno_row(token=str(n), strike=str(1000 + n)) for n in range(50)]
    bad = ['"1","OPTIDX","X"', fno_row(token="99", expiry="31-Foo-2026"),
           fno_row(token="98", right="ZZ"), fno_row(token="97", strike="0")]
    member = parse_member(FONSE, fno_text(*good, *bad))
    assert len(member.rows) == 50
    assert [b.line for b in member.bad] == [52, 53, 54, 55]
    member.check_tolerance(0.001)  # four is within the floor of five
    with pytest.raises(MasterError, match="malformed") as caught:
        parse_member(FONSE, fno_text(*good, *(bad * 2))).check_tolerance(0.001)
    assert caught.value.stage == "rows"
    assert "line 52" in caught.value.message


def test_missing_column_and_empty_members() -> None:
    with pytest.raises(MasterError, match="lacks column") as caught:
        parse_member(FONSE, fno_text().replace('"ExpiryDate"', '"Expiry"'))
    assert caught.value.stage == "member"
    with pytest.raises(MasterError, match="empty"):
        parse_member(FONSE, "")
    with pytest.raises(MasterError, match="no usable rows"):
        parse_member(FONSE, fno_text())


def test_not_a_zip() -> None:
    with pytest.raises(MasterError, match="not a valid zip") as caught:
        open_archive(b"<html>maintenance</html>")
    assert caught.value.stage == "archive"
    with pytest.raises(MasterError, match="empty"):
        open_archive(b"")


def test_simulator_archive_is_read_with_its_units(small_zip: bytes) -> None:
    members = open_archive(small_zip)
    caches = new_caches()
    from algodesk.instruments.security_master import read_member

    for spec in MEMBERS:
        member = parse_member(spec, read_member(small_zip, members[spec.file_name.lower()]),
                              caches)
        assert not member.bad, spec.file_name
        assert member.tick_unit == "paise", spec.file_name  # the simulator writes paise


def test_member_spec_is_frozen() -> None:
    with pytest.raises(AttributeError):
        NSE.required = False  # type: ignore[misc]
    assert isinstance(NSE, MemberSpec)
