"""Parsed SecurityMaster rows -> Instruments named both ways, with the ambiguity rules.

Rules (also in docs/architecture.md, "Instruments"):

1. Exchanges. NSE file -> NSE (NSE_INDEX for `Series` "0"); BSE file -> BSE (BSE_INDEX
   for `Series` "0"); FONSE -> NFO; FOBSE -> BFO; CDNSE -> CDS (Breeze NDX); MCX -> MCX.
2. Equity symbols are the exchange trading symbol (`ExchangeCode`, else `Symbol`, else
   `ShortName`). Rows of one exchange sharing it are ranked by series (EQ, BE, BZ, then
   alphabetical, then token); the first keeps the bare symbol, the others get `-SERIES`.
3. Index symbols: `names.index_name` of the index's `ExchangeCode` (NIFTY 50 -> NIFTY).
4. A derivative's base (and its OpenAlgo `name`) is its underlying's OpenAlgo name: for an
   index underlying (InstrumentName FUTIDX/OPTIDX/..., or an `ExchangeCode` that names an
   index row of the home exchange or a known index) `index_name(ExchangeCode)`; otherwise
   the `ExchangeCode` as an equity symbol. With no `ExchangeCode`, the home exchange's
   row with the same ShortName lends its symbol; failing that, the ShortName itself.
   The home exchange is NSE for FONSE and CDNSE, BSE for FOBSE.
5. Symbols: futures `BASE+DDMMMYY+FUT`, options `BASE+DDMMMYY+STRIKE+CE|PE`.
6. Uniqueness: (symbol, exchange), the Breeze key and (Breeze exchange, token) must each
   name one instrument. When rows collide, the first in file order keeps the name and
   the later row is left out and counted in the report as a duplicate.
7. Order: instruments are kept by exchange, type, underlying, expiry and strike (the
   order search results and option chains come in).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import itemgetter

from ..domain import Exchange, InstrumentType, format_expiry, format_strike
from .model import BREEZE_KEY, CALL, CASH, FUTURES, OPTIONS, OTHERS, PUT, ZERO, Instrument
from .names import INDEX_DERIVATIVES, equity_symbol, index_name, is_known_index, series_rank
from .security_master import DerivativeRow, EquityRow, MemberData

_CASH_EXCHANGE = {"NSE": (Exchange.NSE, Exchange.NSE_INDEX),
                  "BSE": (Exchange.BSE, Exchange.BSE_INDEX)}
_DERIVATIVE_EXCHANGE = {"NFO": Exchange.NFO, "BFO": Exchange.BFO, "NDX": Exchange.CDS,
                        "MCX": Exchange.MCX}
_HOME = {"NFO": "NSE", "NDX": "NSE", "BFO": "BSE"}
_EXCHANGE_RANK = {e: n for n, e in enumerate(
    (Exchange.NSE_INDEX, Exchange.NSE, Exchange.BSE_INDEX, Exchange.BSE, Exchange.NFO,
     Exchange.BFO, Exchange.CDS, Exchange.BCD, Exchange.MCX))}
_TYPE_RANK = {t: n for n, t in enumerate(
    (InstrumentType.INDEX, InstrumentType.EQ, InstrumentType.FUT, InstrumentType.CE,
     InstrumentType.PE))}
_new = tuple.__new__  # builds an Instrument without the NamedTuple's Python-level __new__


@dataclass
class Mapped:
    """What one import produced: the instruments, and what was left out and why."""

    instruments: list[Instrument] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # the first few, for the report
    duplicate_count: int = 0

    def drop(self, why: str) -> None:
        self.duplicate_count += 1
        if len(self.duplicates) < 10:
            self.duplicates.append(why)


class _Namer:
    """One string object per repeated value: ~150,000 rows share a few thousand."""

    def __init__(self) -> None:
        self.expiries: dict[date, str] = {}
        self.strikes: dict[Decimal, str] = {}
        self.strings: dict[str, str] = {}

    def expiry(self, day: date) -> str:
        text = self.expiries.get(day)
        if text is None:
            text = self.expiries[day] = format_expiry(day)
        return text

    def strike(self, value: Decimal) -> str:
        text = self.strikes.get(value)
        if text is None:
            text = self.strikes[value] = format_strike(value)
        return text

    def intern(self, text: str) -> str:
        return self.strings.setdefault(text, text)


def map_members(members: Iterable[MemberData]) -> Mapped:
    """Instruments from parsed members, cash files first (derivatives look up their home)."""
    ordered = sorted(members, key=lambda m: 0 if m.spec.layout == "equity" else 1)
    namer = _Namer()
    made: list[Instrument] = []
    home_symbols: dict[str, dict[str, str]] = {}  # Breeze exchange -> ShortName -> symbol
    home_indices: dict[str, set[str]] = {}  # Breeze exchange -> index ExchangeCodes
    for member in ordered:
        exchange = member.spec.breeze_exchange
        if member.spec.layout == "equity":
            cash = _cash(member, namer)
            home_symbols[exchange] = {i.stock_code: i.symbol for i in cash}
            home_indices[exchange] = {_spaced(r.exchange_code) for r in member.rows
                                      if isinstance(r, EquityRow) and r.series == "0"}
            made.extend(cash)
        else:
            home = _HOME.get(exchange, "")
            made.extend(_derivatives(member, namer, home_symbols.get(home, {}),
                                     home_indices.get(home, set())))
    out = Mapped()
    out.instruments = _unique(made, out)
    out.instruments.sort(key=natural_order)
    return out


def natural_order(inst: Instrument) -> tuple[int, int, str, date, Decimal]:
    return (_EXCHANGE_RANK[inst[1]], _TYPE_RANK[inst[3]], inst[2], inst[12] or date.min,
            inst[13])


def _unique(made: list[Instrument], out: Mapped) -> list[Instrument]:
    """Rule 6. The common case (no collision) is checked with set sizes, in C."""
    count = len(made)
    symbols = set(zip(map(itemgetter(0), made), map(itemgetter(1), made), strict=True))
    tokens = set(zip(map(itemgetter(10), made), map(itemgetter(7), made), strict=True))
    # Breeze keys: cash keys are (exchange, code); a derivative's symbol is a function of
    # its key when each (exchange, code) has one underlying name, so unique symbols
    # imply unique keys and the 150,000 six-tuples need not be hashed.
    cash = [(i[10], i[9]) for i in made if i[11] == CASH]
    derivatives = [i for i in made if i[11] != CASH]
    names = set(zip(map(itemgetter(10), derivatives), map(itemgetter(9), derivatives),
                    map(itemgetter(2), derivatives), strict=True))
    single_name = len({(exchange, code) for exchange, code, _name in names}) == len(names)
    if len(symbols) == len(tokens) == count and len(set(cash)) == len(cash) and single_name:
        return made
    seen_symbols: set[tuple[str, str]] = set()
    seen_tokens: set[tuple[str, str]] = set()
    seen_keys: set[tuple[object, ...]] = set()
    kept: list[Instrument] = []
    for inst in made:
        symbol, token, key = (inst[0], inst[1]), (inst[10], inst[7]), inst[BREEZE_KEY]
        if symbol in seen_symbols:
            out.drop(f"{inst.symbol} on {inst.exchange} twice (token {inst.token} left out)")
        elif token in seen_tokens:
            out.drop(f"token {inst.token} on {inst.breeze_exchange} twice "
                     f"({inst.symbol} left out)")
        elif key in seen_keys:
            out.drop(f"Breeze contract {inst.brsymbol} on {inst.breeze_exchange} twice "
                     f"({inst.symbol} left out)")
        else:
            seen_symbols.add(symbol)
            seen_tokens.add(token)
            seen_keys.add(key)
            kept.append(inst)
    return kept


def _spaced(text: str) -> str:
    return " ".join(text.upper().split())


def _cash(member: MemberData, namer: _Namer) -> list[Instrument]:
    """Rules 2 and 3."""
    equity_exchange, index_exchange = _CASH_EXCHANGE[member.spec.breeze_exchange]
    breeze = member.spec.breeze_exchange
    ticks = member.ticks
    rows: list[EquityRow] = member.rows  # type: ignore[assignment]
    groups: dict[str, list[EquityRow]] = {}
    for row in rows:
        if row.series != "0":
            base = equity_symbol(row.exchange_code or row.symbol or row.short_name)
            groups.setdefault(base, []).append(row)
    symbol_of: dict[int, str] = {}
    for base, group in groups.items():
        group.sort(key=lambda r: (series_rank(r.series), r.token))
        symbol_of[group[0].line] = base
        for row in group[1:]:
            symbol_of[row.line] = f"{base}-{row.series}"
    made: list[Instrument] = []
    intern = namer.intern
    for row in rows:
        if row.series == "0":
            name = row.exchange_code or row.token or row.company
            made.append(_new(Instrument, (
                index_name(name), index_exchange, intern(row.company or name),
                InstrumentType.INDEX, 1, ticks[row.tick], 0, row.token, "", row.short_name,
                breeze, CASH, None, ZERO, "")))
        else:
            made.append(_new(Instrument, (
                symbol_of[row.line], equity_exchange, intern(row.company), InstrumentType.EQ,
                row.lot, ticks[row.tick], 0, row.token, row.isin, row.short_name, breeze,
                CASH, None, ZERO, "")))
    return made


def _derivatives(member: MemberData, namer: _Namer, home: dict[str, str],
                 home_indices: set[str]) -> list[Instrument]:
    """Rules 4 and 5."""
    breeze = member.spec.breeze_exchange
    exchange = _DERIVATIVE_EXCHANGE[breeze]
    ticks = member.ticks
    bases: dict[tuple[str, str, str], tuple[str, str]] = {}
    expiry_text, strike_text, intern = namer.expiry, namer.strike, namer.intern
    fut, ce = InstrumentType.FUT, InstrumentType.CE
    pe = InstrumentType.PE
    made: list[Instrument] = []
    append = made.append
    rows: list[DerivativeRow] = member.rows  # type: ignore[assignment]
    for (_line, token, instrument, short, expiry, strike, kind, lot, tick, _company, code,
         freeze) in rows:
        known = bases.get((instrument, code, short))
        if known is None:
            known = bases[(instrument, code, short)] = (
                intern(_base(instrument, code, short, home, home_indices)), intern(short))
        base, short = known
        if kind == "XX":
            append(_new(Instrument, (
                f"{base}{expiry_text(expiry)}FUT", exchange, base, fut, lot, ticks[tick],
                freeze, token, "", short, breeze, FUTURES, expiry, ZERO, OTHERS)))
        elif kind == "CE":
            append(_new(Instrument, (
                f"{base}{expiry_text(expiry)}{strike_text(strike)}CE", exchange, base, ce,
                lot, ticks[tick], freeze, token, "", short, breeze, OPTIONS, expiry, strike,
                CALL)))
        else:
            append(_new(Instrument, (
                f"{base}{expiry_text(expiry)}{strike_text(strike)}PE", exchange, base, pe,
                lot, ticks[tick], freeze, token, "", short, breeze, OPTIONS, expiry, strike,
                PUT)))
    return made


def _base(instrument: str, exchange_code: str, short: str, home: dict[str, str],
          home_indices: set[str]) -> str:
    """The underlying's OpenAlgo name (rule 4)."""
    code = _spaced(exchange_code)
    if code:
        if instrument in INDEX_DERIVATIVES or code in home_indices or is_known_index(code):
            return index_name(code)
        return equity_symbol(code)
    return home.get(short) or equity_symbol(short)
