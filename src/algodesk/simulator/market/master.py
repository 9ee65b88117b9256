"""SecurityMaster.zip: the seven ScripMaster text files ICICI publishes every morning.

Layouts follow reference section 11 column for column:
NSE 61 columns, BSE 34, the F&O layout (FONSE, FOBSE, CDNSE) 69 with ``ExchangeCode``
last, MCX 27, MF 17.

Formatting choices (following published real rows where there are any):
- headers are quoted column names; NSE and MF separate them with comma+space (the SDK
  reads NSE columns as ``' "ShortName"'``), the others with a bare comma;
- data cells holding text, tokens, dates and strikes are double-quoted; counts, flags,
  lot and tick sizes are bare numbers;
- dates are ``DD-Mon-YYYY``; ``LocalUpdateDateTime`` is ``YYYY-MM-DD 08:00:00`` of the
  archive's day (ICICI refreshes it around 08:00 IST);
- F&O ``StrikePrice`` is rupees without trailing zeros (``24000``, ``27.5``, ``88.25``);
  ``OptionType`` is CE, PE or XX and ``Series`` FUTURE or OPTION;
- **every TickSize column is in paise**: "5" is ₹0.05, "10" is ₹0.10, "0.25" is
  ₹0.0025 (currency), "100" is ₹1 (MCX). A real F&O sample shows paise; the unit of the
  equity files is not settled (reference 13.1), and one rule for all files is easiest
  to parse. Index rows on NSE/BSE carry 0 (not tradable). Instrument.tick is rupees;
- lines end with CRLF (the csv module's default; readers split either way);
- BSE ``Series`` carries the scrip's group letter (A, B, T, X); index rows have "0".

The SDK's positional reads hold: F&O columns 0, 2-6, 29 are Token, ShortName, Series,
ExpiryDate, StrikePrice, OptionType, CompanyName; MCX 0, 2, 3, 4, 7, 8, 9 are Token,
ShortName, Series, CompanyName, ExpiryDate, OptionType, StrikePrice.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal

from .catalogue import Catalogue, Underlying
from .types import Instrument

NSE_COLUMNS = (
    "Token", "ShortName", "Series", "CompanyName", "ticksize", "Lotsize", "DateOfListing",
    "DateOfDeListing", "IssuePrice", "FaceValue", "ISINCode", "52WeeksHigh", "52WeeksLow",
    "LifeTimeHigh", "LifeTimeLow", "HighDate", "LowDate", "Symbol", "InstrumentType",
    "PermittedToTrade", "IssueCapital", "WarningPercent", "FreezePercent", "CreditRating",
    "IssueRate", "IssueStartDate", "InterestPaymentDate", "IssueMaturityDate", "BoardLotQty",
    "Name", "ListingDate", "ExpulsionDate", "ReAdmissionDate", "RecordDate", "ExpiryDate",
    "NoDeliveryStartDate", "NoDeliveryEndDate", "MFill", "AON", "ParticipantInMarketIndex",
    "BookClsStartDate", "BookClsEndDate", "EGM", "AGM", "Interest", "Bonus", "Rights",
    "Dividends", "LocalUpdateDateTime", "DeleteFlag", "Remarks", "NormalMarketStatus",
    "OddLotMarketStatus", "SpotMarketStatus", "AuctionMarketStatus",
    "NormalMarketEligibility", "OddLotlMarketEligibility", "SpotMarketEligibility",
    "AuctionlMarketEligibility", "MarginPercentage", "ExchangeCode",
)
BSE_COLUMNS = (
    "Token", "ShortName", "Series", "CompanyName", "TickSize", "LotSize", "ScripCode",
    "MarketLot", "BCastFlag", "AVMBuyMargin", "AVMSellMargin", "ScripID", "ScripName",
    "GroupName", "NdFlag", "NDSDate", "NDEDate", "SuspStatus", "avmflag", "SuspensionReason",
    "Suspensiondate", "DateOfListing", "DateOfDeListing", "IssuePrice", "FaceValue",
    "ISINCode", "52WeeksHigh", "52WeeksLow", "LifeTimeHigh", "LifeTimeLow", "HighDate",
    "LowDate", "MarginPercentage", "ExchangeCode",
)
FNO_COLUMNS = (
    "Token", "InstrumentName", "ShortName", "Series", "ExpiryDate", "StrikePrice",
    "OptionType", "CALevel", "PermittedToTrade", "IssueCapital", "WarningQty", "FreezeQty",
    "CreditRating", "NormalMarketStatus", "OddLotMarketStatus", "SpotMarketStatus",
    "AuctionMarketStatus", "NormalMarketEligibility", "OddLotMarketEligibility",
    "SpotMarketEligibility", "AuctionMarketEligibility", "IssueRate", "IssueStartDate",
    "InterestPaymentDate", "IssueMaturityDate", "MarginPercentage", "MinimumLotQty",
    "LotSize", "TickSize", "CompanyName", "ListingDate", "ExpulsionDate", "ReAdmissionDate",
    "RecordDate", "LowPriceRange", "HighPriceRange", "SecurityExpiryDate",
    "NoDeliveryStartDate", "NoDeliveryEndDate", "MF", "AON", "ParticipantInMarketIndex",
    "BookClsStartDate", "BookClsEndDate", "ExcerciseStartDate", "ExcerciseEndDate",
    "OldToken", "AssetInstrument", "AssetName", "AssetToken", "IntrinsicValue",
    "ExtrinsicValue", "ExcerciseStyle", "EGM", "AGM", "Interest", "Bonus", "Rights",
    "Dividends", "ExAllowed", "ExRejectionAllowed", "PlAllowed", "IsThisAsset",
    "IsCorpAdjusted", "LocalUpdateDatetime", "DeleteFlag", "Remarks", "BasePrice",
    "ExchangeCode",
)
MCX_COLUMNS = (
    "Token", "InstrumentName", "ShortName", "Series", "CompanyName", "TickSize", "LotSize",
    "ExpiryDate", "OptionType", "StrikePrice", "StartDate", "EndDate", "ExpiryMonth",
    "MarketLot", "MarginPercentage", "LowerCktLimit", "UpperCktLimit", "OpenInterest",
    "LifeTimeLow", "LifeTimeHigh", "LowPriceRange", "HighPriceRange", "QuantityUnit",
    "PriceUnit", "DeliveryUnit", "Exchange", "ExchangeCode",
)
MF_COLUMNS = (
    "CompanyCode", "SchemeCode", "AmfiCd", "NAV", "NAVDate", "RecommendationFlag", "Rating",
    "SchemeName", "SchemeOption", "NFOFlag", "AMCName", "SubCategory", "Category", "ISIN",
    "DR_ISIN", "Type", "Direct_flag",
)

MEMBERS = ("NSEScripMaster.txt", "BSEScripMaster.txt", "FONSEScripMaster.txt",
           "FOBSEScripMaster.txt", "CDNSEScripMaster.txt", "MCXScripMaster.txt",
           "MFScripMaster.txt")
_FNO_MEMBER = {"NFO": "FONSEScripMaster.txt", "BFO": "FOBSEScripMaster.txt",
               "NDX": "CDNSEScripMaster.txt"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RIGHT = {"call": "CE", "put": "PE", "others": "XX"}
_ASSET = {"index": "INDEX", "stock": "EQUITIES", "currency": "CURRENCY",
          "commodity": "COMMODITY"}
_PRICE_UNIT = {"CRUDEOIL": "1 BBL", "GOLD": "10 GRMS", "SILVER": "1 KGS"}
NEWLINE = "\r\n"


def ddmonyyyy(value: date) -> str:
    """DD-Mon-YYYY with English month names whatever the process locale."""
    return f"{value.day:02d}-{_MONTHS[value.month - 1]}-{value.year}"


def decimal_text(value: Decimal) -> str:
    """Rupees as the files write them: no exponent, no trailing zeros ("24000", "27.5")."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def paise(tick: Decimal) -> str:
    return decimal_text(tick * 100)


def header(columns: Iterable[str], spaced: bool) -> str:
    return (", " if spaced else ",").join(f'"{c}"' for c in columns)


class _Writer:
    def __init__(self, cat: Catalogue) -> None:
        self.cat = cat
        self.updated = f"{cat.today.isoformat()} 08:00:00"

    # -- equities ------------------------------------------------------------------

    def nse(self, rows: list[Instrument]) -> Iterator[str]:
        yield header(NSE_COLUMNS, spaced=True)
        for inst in rows:
            if inst.is_index:
                tick, series, listed, face, isin, weight = "0", "0", "", "0", "", "0"
            else:
                listing = self.cat.listings[inst.stock_code]
                tick, series, listed = paise(inst.tick), "EQ", ddmonyyyy(listing.listed_on)
                face, isin, weight = str(listing.face_value), listing.isin, "1"
            yield (
                f'"{inst.token}","{inst.stock_code}","{series}","{inst.name}",{tick},1,'
                f'"{listed}","",0,{face},"{isin}",0,0,0,0,"","","",0,1,0,0,0,"",0,"","","",1,'
                f'"","{listed}","","","","","","",0,0,{weight},"","",0,0,0,0,0,0,'
                f'"{self.updated}","N","",0,0,0,0,1,1,1,1,0,"{inst.exchange_symbol}"'
            )

    def bse(self, rows: list[Instrument]) -> Iterator[str]:
        yield header(BSE_COLUMNS, spaced=False)
        for inst in rows:
            if inst.is_index:
                tick, series, listed, face, isin, scrip = "0", "0", "", "0", "", "0"
            else:
                listing = self.cat.listings[inst.stock_code]
                tick, series = paise(inst.tick), listing.group
                listed, face = ddmonyyyy(listing.listed_on), str(listing.face_value)
                isin, scrip = listing.isin, inst.token
            yield (
                f'"{inst.token}","{inst.stock_code}","{series}","{inst.name}",{tick},1,{scrip},'
                f'1,"Y",0,0,"{inst.exchange_symbol}","{inst.name}","{series}","N","","","A",'
                f'"","","","{listed}","",0,{face},"{isin}",0,0,0,0,"","",0,'
                f'"{inst.exchange_symbol}"'
            )

    # -- derivatives -----------------------------------------------------------------

    def _fno_tail(self, inst: Instrument, u: Underlying, expiry_text: str) -> str:
        option = inst.product == "options"
        freeze = inst.lot_size * (24 if u.kind == "index" else 20)
        token = u.asset_token if u.asset_token.isdigit() else "0"
        style = "E" if option else ""
        return (
            f'0,1,0,0,{freeze},"",0,0,0,0,"","","","",0,"","","",0,{inst.lot_size},'
            f'{inst.lot_size},{paise(inst.tick)},"{u.name}","","","","",0,0,"{expiry_text}",'
            f'"","",0,0,0,"","","{expiry_text}","{expiry_text}",0,"{_ASSET[u.kind]}",'
            f'"{u.symbol}",{token},0,0,"{style}",0,0,0,0,0,0,1,1,1,0,0,"{self.updated}","N",'
            f'"",0,"{u.symbol}"'
        )

    def fno(self, rows: list[Instrument]) -> Iterator[str]:
        yield header(FNO_COLUMNS, spaced=False)
        tails: dict[tuple[str, date | None, str], str] = {}
        underlyings = self.cat.underlyings
        for inst in rows:
            assert inst.expiry is not None
            expiry_text = ddmonyyyy(inst.expiry)
            key = (inst.stock_code, inst.expiry, inst.product)
            tail = tails.get(key)
            if tail is None:
                tail = tails[key] = self._fno_tail(inst, underlyings[inst.stock_code],
                                                   expiry_text)
            series = "OPTION" if inst.product == "options" else "FUTURE"
            yield (
                f'"{inst.token}","{inst.instrument_name}","{inst.stock_code}","{series}",'
                f'"{expiry_text}","{decimal_text(inst.strike)}","{_RIGHT[inst.right or "others"]}",'
                f"{tail}"
            )

    def mcx(self, rows: list[Instrument]) -> Iterator[str]:
        yield header(MCX_COLUMNS, spaced=False)
        start = ddmonyyyy(self.cat.today - timedelta(days=60))
        for inst in rows:
            assert inst.expiry is not None
            u = self.cat.underlyings[inst.stock_code]
            expiry_text = ddmonyyyy(inst.expiry)
            month = f"{_MONTHS[inst.expiry.month - 1].upper()}{inst.expiry.year}"
            series = "OPTION" if inst.product == "options" else "FUTURE"
            units = "BBL" if u.code == "CRUDEOIL" else "KGS"
            yield (
                f'"{inst.token}","{inst.instrument_name}","{inst.stock_code}","{series}",'
                f'"{u.name}",{paise(inst.tick)},{inst.lot_size},"{expiry_text}",'
                f'"{_RIGHT[inst.right or "others"]}","{decimal_text(inst.strike)}","{start}",'
                f'"{expiry_text}","{month}",{inst.lot_size},10,0,0,0,0,0,0,0,"{units}",'
                f'"{_PRICE_UNIT.get(u.code, "1 KGS")}","{units}","MCX","{u.code}"'
            )

    def mf(self) -> Iterator[str]:
        yield header(MF_COLUMNS, spaced=True)
        nav_date = ddmonyyyy(self.cat.today - timedelta(days=1))
        for s in self.cat.schemes:
            yield (
                f'"{s.company_code}","{s.scheme_code}","{s.amfi_code}","{s.nav:.4f}",'
                f'"{nav_date}","N","","{s.name}","{s.option}","N","{s.amc}",'
                f'"{s.sub_category}","{s.category}","{s.isin}","{s.reinvest_isin}",'
                f'"{"Open Ended"}","{"Y" if s.direct else "N"}"'
            )


def member_texts(cat: Catalogue) -> dict[str, str]:
    """Each member file's full text."""
    by_exchange: dict[str, list[Instrument]] = {}
    for inst in cat.instruments:
        by_exchange.setdefault(inst.exchange_code, []).append(inst)
    writer = _Writer(cat)
    lines: dict[str, Iterable[str]] = {
        "NSEScripMaster.txt": writer.nse(by_exchange.get("NSE", [])),
        "BSEScripMaster.txt": writer.bse(by_exchange.get("BSE", [])),
        "MCXScripMaster.txt": writer.mcx(by_exchange.get("MCX", [])),
        "MFScripMaster.txt": writer.mf(),
    }
    for exchange, member in _FNO_MEMBER.items():
        lines[member] = writer.fno(by_exchange.get(exchange, []))
    return {name: NEWLINE.join(lines[name]) + NEWLINE for name in MEMBERS}


def security_master_zip(cat: Catalogue) -> bytes:
    """The archive, byte-identical for the same catalogue (fixed member timestamps)."""
    stamp = (cat.today.year, cat.today.month, cat.today.day, 8, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in member_texts(cat).items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"), compresslevel=6)
    return buffer.getvalue()
