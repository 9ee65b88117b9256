"""SecurityMaster.zip -> typed rows, one member file at a time (breeze-api.md §11).

Quirks honoured:
- columns are found by header name, never by position (the F&O files exist with 31 and
  with 69 columns); header names are matched without quotes, spaces or case, so NSE's
  `"Token", "ShortName", ...` (comma plus space) reads like the others;
- cells may be quoted or bare; a row is split on commas when it has exactly the header's
  number of commas, and handed to the csv module otherwise (a quoted comma inside a
  company name), which is ~15 times slower but rare;
- dates are `DD-Mon-YYYY` in any case; strikes are rupees;
- TickSize units: see `tick_unit` (one rule per member file).

A malformed row is skipped and reported; too many of them fail the whole member (see
`MemberData.check_tolerance`). Nothing here does I/O beyond reading the archive bytes.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from .errors import MasterError
from .model import parse_breeze_date

EQUITY, FNO, MCX_LAYOUT = "equity", "fno", "mcx"
_new = tuple.__new__  # a NamedTuple row without its Python-level __new__


@dataclass(frozen=True, slots=True)
class MemberSpec:
    file_name: str
    layout: str  # equity (NSE, BSE), fno (FONSE, FOBSE, CDNSE) or mcx
    breeze_exchange: str
    required: bool
    currency: bool = False


# Required: the two cash files and NSE's F&O, without which the platform cannot trade
# at all. The others are optional: ICICI ships them empty or header-only on some days
# (and MCX only in the MotherAppMaster archive), and one of them must not void the
# rest; an unusable optional member is skipped and its exchange's earlier rows are
# kept (refresh.py). MF is not tradable here.
MEMBERS: tuple[MemberSpec, ...] = (
    MemberSpec("NSEScripMaster.txt", EQUITY, "NSE", True),
    MemberSpec("BSEScripMaster.txt", EQUITY, "BSE", True),
    MemberSpec("FONSEScripMaster.txt", FNO, "NFO", True),
    MemberSpec("FOBSEScripMaster.txt", FNO, "BFO", False),
    MemberSpec("CDNSEScripMaster.txt", FNO, "NDX", False, currency=True),
    MemberSpec("MCXScripMaster.txt", MCX_LAYOUT, "MCX", False),
)
IGNORED_MEMBERS = ("MFScripMaster.txt",)

# Column names per layout: (attribute, header name, required).
_EQUITY_COLUMNS = (("token", "token", True), ("short_name", "shortname", True),
                   ("series", "series", True), ("company", "companyname", True),
                   ("tick", "ticksize", True), ("lot", "lotsize", True),
                   ("exchange_code", "exchangecode", True), ("isin", "isincode", False),
                   ("symbol", "symbol", False))
_DERIVATIVE_COLUMNS = (("token", "token", True), ("instrument", "instrumentname", True),
                       ("short_name", "shortname", True), ("expiry", "expirydate", True),
                       ("strike", "strikeprice", True), ("option_type", "optiontype", True),
                       ("lot", "lotsize", True), ("tick", "ticksize", True),
                       ("company", "companyname", True), ("exchange_code", "exchangecode", True),
                       ("freeze", "freezeqty", False))


class EquityRow(NamedTuple):
    line: int
    token: str
    short_name: str
    series: str
    company: str
    tick: str  # as written; converted with MemberData.ticks
    lot: int
    exchange_code: str
    isin: str
    symbol: str


class DerivativeRow(NamedTuple):
    line: int
    token: str
    instrument: str  # FUTIDX, OPTSTK, FUTCUR, FUTCOM, ...
    short_name: str
    expiry: date
    strike: Decimal
    option_type: str  # CE, PE or XX (futures)
    lot: int
    tick: str
    company: str
    exchange_code: str
    freeze: int


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    reason: str


@dataclass
class MemberData:
    """One member file, parsed."""

    spec: MemberSpec
    rows: list[EquityRow] | list[DerivativeRow]
    data_lines: int  # non-blank lines after the header
    bad: list[BadRow] = field(default_factory=list)
    tick_unit: str = "rupees"
    ticks: dict[str, Decimal] = field(default_factory=dict)  # as written -> rupees

    def check_tolerance(self, tolerance: float) -> None:
        """Fail when more rows are malformed than the tolerance allows (at least 5)."""
        if not self.bad:
            return
        allowed = max(5, int(self.data_lines * tolerance))
        if len(self.bad) > allowed:
            sample = "; ".join(f"line {b.line}: {b.reason}" for b in self.bad[:3])
            raise MasterError(
                "rows", f"{self.spec.file_name}: {len(self.bad)} of {self.data_lines} rows are "
                f"malformed (at most {allowed} may be skipped), e.g. {sample}")


def open_archive(data: bytes) -> dict[str, zipfile.ZipInfo]:
    """The archive's members by lower-case base name. Raises MasterError if not a zip."""
    if not data:
        raise MasterError("archive", "the download was empty (0 bytes)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise MasterError("archive", f"the download is not a valid zip archive ({exc}); "
                          f"{len(data):,} bytes starting {data[:16]!r}") from None
    return {info.filename.rsplit("/", 1)[-1].lower(): info for info in archive.infolist()
            if not info.is_dir()}


def read_member(data: bytes, info: zipfile.ZipInfo) -> str:
    """A member's text: UTF-8 (BOM tolerated), else Latin-1, which cannot fail."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            raw = archive.read(info)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise MasterError("archive", f"{info.filename} cannot be extracted: {exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _header(line: str) -> list[str]:
    return [cell.strip().strip('"').strip().lower() for cell in line.split(",")]


def _columns(spec: MemberSpec, names: list[str],
             wanted: tuple[tuple[str, str, bool], ...]) -> dict[str, int]:
    position = {name: index for index, name in reversed(list(enumerate(names)))}
    found: dict[str, int] = {}
    missing = []
    for attribute, header, required in wanted:
        if header in position:
            found[attribute] = position[header]
        elif required:
            missing.append(header)
    if missing:
        raise MasterError("member", f"{spec.file_name}: header lacks column(s) "
                          f"{', '.join(missing)} (has {len(names)} columns)")
    return found


class _Splitter:
    """Cuts a data line into the cells we need, fast when the line is plain.

    A line with exactly the header's number of commas has no quoted comma, so `str.split`
    is exact; only as many cells as needed are split off, and the last column (where
    `ExchangeCode` lives) is cut from the end of the remainder. Cells keep their quotes
    here and the row readers strip them; a name that still holds a quote after that had
    an escaped quote (`""`) and is read again with `exact()`, the csv module, as is any
    line with another number of commas (a quoted comma in a name).
    """

    def __init__(self, width: int, positions: dict[str, int]) -> None:
        self.width = width
        self.commas = width - 1
        last = width - 1
        inner = [p for p in positions.values() if p != last]
        self.head = (max(inner) + 1) if inner else 0
        if self.head >= last:
            self.head = width  # every column is needed: plain split
        #: attribute -> index into the list `cells()` returns
        self.slots = {name: (p if p < self.head else self.head) for name, p in positions.items()}

    def cells(self, line: str) -> list[str] | None:
        if line.count(",") == self.commas:
            if self.head == self.width:
                parts = line.split(",")
            else:
                parts = line.split(",", self.head)
                rest = parts[self.head]
                parts[self.head] = rest[rest.rfind(",") + 1:]
            return parts
        return self.exact(line)

    def exact(self, line: str) -> list[str] | None:
        try:
            row = next(csv.reader([line]))
        except (csv.Error, StopIteration):
            return None
        if len(row) != self.width:
            return None
        if self.head == self.width:
            return row
        return [*row[:self.head], row[-1]]


class _Caches:
    """Shared per import: the same few hundred dates and strikes recur 100,000 times."""

    def __init__(self) -> None:
        self.dates: dict[str, date] = {}
        self.decimals: dict[str, Decimal] = {}
        self.ints: dict[str, int] = {}

    def date(self, text: str) -> date:
        value = self.dates.get(text)
        if value is None:
            value = self.dates[text] = parse_breeze_date(text)
        return value

    def decimal(self, text: str) -> Decimal:
        value = self.decimals.get(text)
        if value is None:
            try:
                value = Decimal(text)
            except InvalidOperation:
                raise ValueError(f"{text!r} is not a number") from None
            if not value.is_finite():
                raise ValueError(f"{text!r} is not a number")
            self.decimals[text] = value
        return value

    def int(self, text: str) -> int:
        value = self.ints.get(text)
        if value is None:
            number = self.decimal(text or "0")
            if number != number.to_integral_value():
                raise ValueError(f"{text!r} is not a whole number")
            value = self.ints[text] = int(number)
        return value


def parse_member(spec: MemberSpec, text: str, caches: _Caches | None = None) -> MemberData:
    """Parse one member file's text. Raises MasterError for a file that cannot be used."""
    caches = caches or _Caches()
    lines = text.splitlines()
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first == len(lines):
        raise MasterError("member", f"{spec.file_name} is empty (no header, no rows)")
    names = _header(lines[first])
    wanted = _EQUITY_COLUMNS if spec.layout == EQUITY else _DERIVATIVE_COLUMNS
    columns = _columns(spec, names, wanted)
    splitter = _Splitter(len(names), columns)
    data = MemberData(spec, [], 0)
    if spec.layout == EQUITY:
        _equity_rows(lines, first + 1, splitter, caches, data)
    else:
        _derivative_rows(lines, first + 1, splitter, caches, data)
    if not data.rows:
        detail = (f"{data.data_lines} data lines, {len(data.bad)} malformed"
                  if data.data_lines else "a header and no data lines")
        raise MasterError("rows", f"{spec.file_name} has no usable rows ({detail})")
    _decide_tick_unit(data, caches)
    return data


def _equity_rows(lines: list[str], start: int, splitter: _Splitter, caches: _Caches,
                 data: MemberData) -> None:
    rows: list[EquityRow] = []
    bad = data.bad
    slot = splitter.slots
    s_token, s_short, s_series = slot["token"], slot["short_name"], slot["series"]
    s_company, s_tick, s_lot = slot["company"], slot["tick"], slot["lot"]
    s_code, s_isin, s_symbol = slot["exchange_code"], slot.get("isin"), slot.get("symbol")
    count = 0
    for number in range(start, len(lines)):
        line = lines[number]
        if not line.strip():
            continue
        count += 1
        cells = splitter.cells(line)
        if cells is None:
            bad.append(BadRow(number + 1, f"not {splitter.width} cells"))
            continue
        if '"' in cells[s_company].strip(' "') or '"' in cells[s_code].strip(' "'):
            cells = splitter.exact(line)
            if cells is None:
                bad.append(BadRow(number + 1, "unbalanced quotes"))
                continue
        token, short = cells[s_token].strip(' "'), cells[s_short].strip(' "')
        if not token or not short:
            bad.append(BadRow(number + 1, "empty Token or ShortName"))
            continue
        tick = cells[s_tick].strip(' "')
        try:
            caches.decimal(tick or "0")
            lot = caches.int(cells[s_lot].strip(' "') or "1")
        except ValueError as exc:
            bad.append(BadRow(number + 1, str(exc)))
            continue
        rows.append(_new(EquityRow, (
            number + 1, token, short, cells[s_series].strip(' "'),
            cells[s_company].strip(' "'), tick or "0", lot or 1, cells[s_code].strip(' "'),
            cells[s_isin].strip(' "') if s_isin is not None else "",
            cells[s_symbol].strip(' "') if s_symbol is not None else "")))
    data.rows = rows
    data.data_lines = count


_KINDS = {"CE": "CE", "PE": "PE", "XX": "XX", "": "XX", "FF": "XX"}


def _derivative_rows(lines: list[str], start: int, splitter: _Splitter, caches: _Caches,
                     data: MemberData) -> None:
    rows: list[DerivativeRow] = []
    bad = data.bad
    slot = splitter.slots
    s_token, s_instrument = slot["token"], slot["instrument"]
    s_short, s_expiry, s_strike = slot["short_name"], slot["expiry"], slot["strike"]
    s_option, s_lot, s_tick = slot["option_type"], slot["lot"], slot["tick"]
    s_company, s_code, s_freeze = slot["company"], slot["exchange_code"], slot.get("freeze")
    to_date, to_decimal, to_int = caches.date, caches.decimal, caches.int
    # The caches' dicts, read directly: the method call would double the cost of a hit.
    dates, decimals, ints = caches.dates, caches.decimals, caches.ints
    kinds, make, split = _KINDS, DerivativeRow, splitter.cells
    count = 0
    for number in range(start, len(lines)):
        line = lines[number]
        if not line or line.isspace():
            continue
        count += 1
        cells = split(line)
        if cells is None:
            bad.append(BadRow(number + 1, f"not {splitter.width} cells"))
            continue
        company, code = cells[s_company].strip(' "'), cells[s_code].strip(' "')
        if '"' in company or '"' in code:  # an escaped quote: read the line exactly
            cells = splitter.exact(line)
            if cells is None:
                bad.append(BadRow(number + 1, "unbalanced quotes"))
                continue
            company, code = cells[s_company].strip(' "'), cells[s_code].strip(' "')
        token, short = cells[s_token].strip(' "'), cells[s_short].strip(' "')
        kind = kinds.get(cells[s_option].strip(' "').upper())
        if not token or not short or kind is None:
            bad.append(BadRow(number + 1, "empty Token or ShortName, or OptionType not CE/PE/XX"))
            continue
        tick = cells[s_tick].strip(' "') or "0"
        expiry_text, strike_text = cells[s_expiry].strip(' "'), cells[s_strike].strip(' "')
        lot_text = cells[s_lot].strip(' "')
        freeze_text = cells[s_freeze].strip(' "') if s_freeze is not None else "0"
        try:
            expiry = dates.get(expiry_text) or to_date(expiry_text)
            strike = decimals.get(strike_text) or to_decimal(strike_text or "0")
            lot = ints.get(lot_text) or to_int(lot_text)
            if tick not in decimals:
                to_decimal(tick)
            freeze = ints.get(freeze_text)
            if freeze is None:
                freeze = to_int(freeze_text or "0")
        except ValueError as exc:
            bad.append(BadRow(number + 1, str(exc)))
            continue
        if kind != "XX" and strike <= 0:
            bad.append(BadRow(number + 1, f"option with strike {strike}"))
            continue
        if lot <= 0:
            bad.append(BadRow(number + 1, f"lot size {lot}"))
            continue
        rows.append(_new(make, (number + 1, token, cells[s_instrument].strip(' "').upper(),
                                short, expiry, strike, kind, lot, tick, company, code, freeze)))
    data.rows = rows
    data.data_lines = count


def tick_unit(smallest: Decimal | None, currency: bool) -> str:
    """Which unit a member file writes TickSize in, decided once for the whole file.

    Rule: a file is in paise when its smallest non-zero tick is at least 1 (at least 0.1
    for the currency file), otherwise in rupees. Why it holds: no tick is finer than one
    paisa outside currencies, so a paise file never writes a value below 1, while a rupee
    file always holds the common ₹0.05/₹0.01 ticks; currency ticks are ₹0.0025 (0.25
    paise). One rule per file, because a per-row guess cannot tell ₹5 (NSE's top price
    band) from 5 paise. The simulator writes paise everywhere; ICICI's samples show both.
    """
    if smallest is None:
        return "rupees"
    return "paise" if smallest >= (Decimal("0.1") if currency else 1) else "rupees"


_HUNDRED = Decimal(100)


def _decide_tick_unit(data: MemberData, caches: _Caches) -> None:
    written = {row.tick for row in data.rows}
    values = {text: caches.decimal(text) for text in written}
    nonzero = [value for value in values.values() if value > 0]
    data.tick_unit = tick_unit(min(nonzero) if nonzero else None, data.spec.currency)
    if data.tick_unit == "paise":
        data.ticks = {text: _canonical(value / _HUNDRED) for text, value in values.items()}
    else:
        data.ticks = {text: _canonical(value) for text, value in values.items()}


def _canonical(value: Decimal) -> Decimal:
    """0.0500 -> 0.05, 100 -> 100: equal values print the same way."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def new_caches() -> _Caches:
    return _Caches()
