"""SymbolIndex: the in-memory, read-only translation table between OpenAlgo and Breeze.

Built once per master (in a worker thread) and swapped in whole, so readers never see a
half-built index and need no locks: every method only reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter

from ..domain import Exchange, InstrumentType, future_symbol, option_symbol
from .model import (
    BREEZE_KEY,
    BREEZE_NFO,
    BREEZE_NSE,
    CALL,
    CASH,
    FUTURES,
    PREFIX_EXCHANGES,
    PUT,
    BreezeKey,
    Instrument,
    breeze_key,
    parse_stream_token,
)
from .search import SearchIndex


@dataclass(frozen=True, slots=True)
class IndexInfo:
    """Where the index came from."""

    master_id: int | None = None
    downloaded_at: datetime | None = None  # UTC
    source_url: str = ""
    warnings: tuple[str, ...] = ()  # the import report's (e.g. a member file skipped)


class SymbolIndex:
    """(symbol, exchange) <-> Breeze contract <-> stream token, plus search and expiries."""

    def __init__(self, instruments: Sequence[Instrument], info: IndexInfo | None = None) -> None:
        """Index `instruments`, which `map_members` and the store keep in natural order
        (exchange, type, underlying, expiry, strike); any order is correct, that one
        makes search results and chains come out tidy without sorting here."""
        self.info = info or IndexInfo()
        self._all = list(instruments)
        groups: dict[tuple[str, str], list[Instrument]] = {}
        for inst in self._all:
            groups.setdefault((inst[1], inst[3]), []).append(inst)
        by_exchange: dict[str, list[Instrument]] = {}
        for (exchange, _kind), items in groups.items():
            by_exchange.setdefault(exchange, []).extend(items)
        by_breeze_exchange: dict[str, list[Instrument]] = {}
        for items in by_exchange.values():
            by_breeze_exchange.setdefault(items[0][10], []).extend(items)
        # Comprehensions and C-level slices: this runs at every start-up (see bench).
        self._by_symbol = {ex: {i[0]: i for i in items} for ex, items in by_exchange.items()}
        self._by_token = {ex: {i[7]: i for i in items}
                          for ex, items in by_breeze_exchange.items()}
        # Breeze -> instrument in two small steps instead of a 150,000-entry table of
        # 6-tuples (20 MB): cash by (exchange, stock code); a derivative's symbol is
        # rebuilt from its underlying's name, which the stock code determines.
        cash = [i for (_ex, kind), items in groups.items() if kind in ("EQ", "INDEX")
                for i in items]
        self._cash = {(i[10], i[9]): i for i in cash}
        derivatives = [i for (_ex, kind), items in groups.items()
                       if kind not in ("EQ", "INDEX") for i in items]
        self._bases: dict[tuple[str, str], tuple[str, ...]] = {}
        for exchange, code, name in set(zip(map(itemgetter(10), derivatives),
                                            map(itemgetter(9), derivatives),
                                            map(itemgetter(2), derivatives), strict=True)):
            self._bases[(exchange, code)] = (*self._bases.get((exchange, code), ()), name)
        self._exchange_of = {i[10]: i[1] for i in derivatives}
        sizes = (sum(map(len, self._by_symbol.values())), sum(map(len, self._by_token.values())),
                 len(self._cash) + len(derivatives))
        if any(size != len(self._all) for size in sizes) or not _breeze_unique(
                self._bases, derivatives):
            raise ValueError(f"instruments are not unique: {len(self._all)} rows, "
                             f"{sizes[0]} symbols, {sizes[1]} tokens, {sizes[2]} Breeze keys")
        futures: dict[tuple[str, str], list[Instrument]] = {}
        options: dict[tuple[str, str, date], list[Instrument]] = {}
        for (exchange, kind), items in groups.items():
            if kind == "FUT":
                for inst in items:
                    futures.setdefault((exchange, inst[2]), []).append(inst)
            elif kind in ("CE", "PE"):
                for inst in items:
                    options.setdefault((exchange, inst[2], inst[12]), []).append(inst)
        self._futures = futures
        self._options = options
        self._chains: dict[tuple[str, str, date], list[Instrument]] = {}
        expiries: dict[tuple[str, str, str], list[date]] = {}
        for (exchange, name), items in futures.items():
            expiries[(exchange, name, "futures")] = sorted({i[12] for i in items if i[12]})
        for exchange, name, expiry in options:
            expiries.setdefault((exchange, name, "options"), []).append(expiry)
        for days in expiries.values():
            days.sort()
        self._expiries = expiries
        self._search = SearchIndex(groups, self.get)

    # -- size and iteration -----------------------------------------------------------

    def __len__(self) -> int:
        return len(self._all)

    def __iter__(self) -> Iterator[Instrument]:
        return iter(self._all)

    def instruments(self, exchange: Exchange | str | None = None) -> list[Instrument]:
        """Every instrument, or those of one OpenAlgo exchange (for /instruments)."""
        if exchange is None:
            return list(self._all)
        return list(self._by_symbol.get(exchange, {}).values())

    def counts(self) -> dict[str, int]:
        return {str(exchange): len(items) for exchange, items in self._by_symbol.items()}

    # -- OpenAlgo -> instrument ---------------------------------------------------------

    def get(self, symbol: str, exchange: Exchange | str) -> Instrument | None:
        """The instrument a client names, or None. Symbols and exchanges match exactly."""
        table = self._by_symbol.get(exchange)
        return table.get(symbol) if table is not None else None

    def lot_size(self, symbol: str, exchange: Exchange | str) -> int | None:
        inst = self.get(symbol, exchange)
        return inst.lot_size if inst is not None else None

    def tick_size(self, symbol: str, exchange: Exchange | str) -> Decimal | None:
        inst = self.get(symbol, exchange)
        return inst.tick_size if inst is not None else None

    # -- Breeze -> instrument -----------------------------------------------------------

    def by_breeze_key(self, key: BreezeKey | tuple[object, ...]) -> Instrument | None:
        """By a canonical Breeze key (as `breeze_key()` or `Instrument.breeze_key` give)."""
        code, exchange, product, expiry, strike, right = key
        if product == CASH:
            return self._cash.get((exchange, code))
        if expiry is None:
            return None
        table = self._by_symbol.get(self._exchange_of.get(exchange, ""))
        if table is None:
            return None
        for base in self._bases.get((exchange, code), ()):
            if product == FUTURES:
                symbol = future_symbol(base, expiry)
            elif right in (CALL, PUT):
                symbol = option_symbol(base, expiry, strike, "CE" if right == CALL else "PE")
            else:
                return None
            found = table.get(symbol)
            if found is not None and found[BREEZE_KEY] == tuple(key):
                return found
        return None

    def by_breeze(self, stock_code: str, exchange_code: str, product: str,
                  expiry: date | datetime | str | None = None,
                  strike: Decimal | int | float | str | None = None,
                  right: str | None = None) -> Instrument | None:
        """The instrument a Breeze row or request names, in any of Breeze's spellings
        (`Options`/`options`, `Call`/`call`, `27-Feb-2025`/ISO, `24000.00`). None when
        unknown or when the parts cannot name one contract."""
        try:
            key = breeze_key(stock_code, exchange_code, product, expiry, strike, right)
        except ValueError:
            return None
        return self.by_breeze_key(key)

    def by_token(self, breeze_exchange: str, token: str) -> Instrument | None:
        """By the SecurityMaster Token on a Breeze exchange (NSE, BSE, NFO, BFO, NDX, MCX)."""
        table = self._by_token.get(breeze_exchange)
        return table.get(token) if table is not None else None

    def by_stream_token(self, code: str, *, derivative: bool | None = None) -> Instrument | None:
        """The instrument behind a live-feed code such as `4.1!2885`.

        Prefix 4 serves both NSE cash and NFO. When the token exists in both, `derivative`
        decides (the feed knows from the tick's layout); without it the cash instrument
        is returned, being the documented meaning of `4.1!` quote codes.
        """
        try:
            prefix, _level, token = parse_stream_token(code)
        except ValueError:
            return None
        exchanges = PREFIX_EXCHANGES[prefix]
        if exchanges == (BREEZE_NSE, BREEZE_NFO):
            if derivative is True:
                exchanges = (BREEZE_NFO,)
            elif derivative is False:
                exchanges = (BREEZE_NSE,)
        for exchange in exchanges:
            found = self.by_token(exchange, token)
            if found is not None:
                return found
        return None

    # -- derivatives --------------------------------------------------------------------

    def expiries(self, name: str, exchange: Exchange | str,
                 kind: str | None = None) -> list[date]:
        """Expiry dates, nearest first, of an underlying's `futures`, `options` or both."""
        if kind is not None:
            return list(self._expiries.get((exchange, name, kind.lower()), []))
        both = set(self._expiries.get((exchange, name, "futures"), []))
        both.update(self._expiries.get((exchange, name, "options"), []))
        return sorted(both)

    def futures(self, name: str, exchange: Exchange | str) -> list[Instrument]:
        """An underlying's futures, nearest expiry first."""
        return sorted(self._futures.get((exchange, name), []), key=_by_expiry)

    def options(self, name: str, exchange: Exchange | str, expiry: date) -> list[Instrument]:
        """One expiry's option chain, by strike, CE before PE at each strike."""
        key = (exchange, name, expiry)
        chain = self._chains.get(key)
        if chain is None:  # sorted on first use: start-up need not sort 140,000 options
            chain = self._chains[key] = sorted(self._options.get(key, []), key=_by_strike)
        return list(chain)

    def strikes(self, name: str, exchange: Exchange | str, expiry: date) -> list[Decimal]:
        return sorted({i.strike for i in self._options.get((exchange, name, expiry), [])})

    # -- search ------------------------------------------------------------------------

    def search(self, query: str, exchange: Exchange | str | None = None,
               instrument_type: InstrumentType | str | None = None,
               limit: int = 50) -> list[Instrument]:
        """Instruments whose symbol or name holds every word of `query` (see search.py)."""
        return self._search.search(query, exchange, instrument_type, limit)


def _breeze_unique(bases: dict[tuple[str, str], tuple[str, ...]],
                   derivatives: list[Instrument]) -> bool:
    """Breeze keys are unique when symbols are and each stock code has one underlying
    name (the symbol is then a function of the key); check the rare rest in full."""
    shared = {key for key, names in bases.items() if len(names) > 1}
    if not shared:
        return True
    keys = [i[BREEZE_KEY] for i in derivatives if (i[10], i[9]) in shared]
    return len(set(keys)) == len(keys)


def _by_expiry(inst: Instrument) -> date:
    return inst.expiry or date.min


def _by_strike(inst: Instrument) -> tuple[Decimal, str]:
    return inst.strike, inst.instrument_type.value


EMPTY_INDEX = SymbolIndex([])
