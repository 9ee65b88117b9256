"""Free-text search over symbols and names, fast enough to answer while a client types.

Each (exchange, instrument type) group keeps one newline-framed, upper-case text of its
lines in the index's natural order: `SYMBOL` for derivatives, `SYMBOL<TAB>NAME` for
equities and indices (whose names are not part of the symbol). A scan is then `str.find`
in C rather than a Python loop over 150,000 rows, and "symbol starts with W" is a find
of `"\nW"`.

Query rules (documented in docs/architecture.md):
- the query is split on whitespace and upper-cased; the words CE, PE and FUT select the
  instrument type; every other word must occur in the symbol or the name;
- results rank: exact symbol first, then symbols starting with the first word, then
  the rest; within a rank, the index's natural order (exchange, type, underlying,
  expiry, strike). At most `limit` results.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping
from itertools import accumulate, groupby, islice, pairwise
from operator import itemgetter

from ..domain import Exchange, InstrumentType
from .model import Instrument

TYPE_WORDS = {"CE": InstrumentType.CE, "PE": InstrumentType.PE, "FUT": InstrumentType.FUT}
EXCHANGE_ORDER = (Exchange.NSE_INDEX, Exchange.NSE, Exchange.BSE_INDEX, Exchange.BSE,
                  Exchange.NFO, Exchange.BFO, Exchange.CDS, Exchange.BCD, Exchange.MCX)
TYPE_ORDER = (InstrumentType.INDEX, InstrumentType.EQ, InstrumentType.FUT, InstrumentType.CE,
              InstrumentType.PE)


class _Group:
    """One (exchange, type) slice of the index, as searchable text.

    Derivative groups also keep a directory of their underlyings: items are ordered by
    underlying, so each underlying is one contiguous range, and every derivative symbol
    starts with its underlying's name.
    """

    __slots__ = ("bases", "derivative", "items", "ranges", "starts", "text")

    def __init__(self, items: list[Instrument]) -> None:
        self.derivative = bool(items) and items[0].product != "cash"
        if self.derivative:
            names = list(map(itemgetter(2), items))
            if any(a > b for a, b in pairwise(names)):
                items = sorted(items, key=itemgetter(2))  # stable: keeps expiry order
                names = list(map(itemgetter(2), items))
            self.ranges: dict[str, tuple[int, int]] = {}
            low = 0
            for name, run in groupby(names):
                high = low + len(list(run))
                self.ranges[name] = (low, high)
                low = high
            self.bases = sorted(self.ranges)
            lines = [i.symbol for i in items]
        else:
            self.ranges, self.bases = {}, []
            lines = [f"{i.symbol}\t{i.name.upper()}" for i in items]
        self.items = items
        self.text = "\n" + "\n".join(lines) + "\n"
        # starts[n] is the offset of line n (just after its leading newline).
        self.starts = array("l", accumulate(map(len, lines), lambda at, size: at + size + 1,
                                            initial=1))

    def line_text(self, line: int) -> str:
        if self.derivative:
            return self.items[line].symbol
        start = self.starts[line]
        return self.text[start:self.text.index("\n", start)]

    def lines_with(self, needle: str) -> Iterator[int]:
        """Lines, in natural order, that contain `needle` (each line once)."""
        find, text = self.text.find, self.text
        position = find(needle)
        while position != -1:
            yield bisect_right(self.starts, position) - 1
            position = find(needle, text.index("\n", position + 1))

    def prefixed(self, word: str) -> Iterator[int]:
        """Lines whose symbol starts with `word`, in natural order."""
        if not self.derivative:
            for line in self.lines_with("\n" + word):
                yield line + 1  # the needle's newline ends the previous line
            return
        # The underlying either starts with the word, or is a prefix of it.
        spans = [self.ranges[b] for b in self._bases_from(word)]
        spans += [self.ranges[word[:n]] for n in range(1, len(word)) if word[:n] in self.ranges]
        items = self.items
        for low, high in sorted(spans):
            for line in range(low, high):
                if items[line].symbol.startswith(word):
                    yield line

    def holding(self, word: str, not_prefixed: str) -> Iterator[int]:
        """Lines whose symbol (or name) contains `word`, in natural order, leaving out
        whole underlyings whose every symbol starts with `not_prefixed`."""
        if self.derivative and len(word) >= 4 and not any(c.isdigit() for c in word):
            # A symbol is BASE + DDMMMYY + strike + CE/PE (or FUT): outside the base no
            # run of non-digits is longer than 3, so such a word can only be in the base.
            spans = sorted(self.ranges[b] for b in self.bases
                           if word in b and not b.startswith(not_prefixed))
            for low, high in spans:
                yield from range(low, high)
            return
        yield from self.lines_with(word)

    def _bases_from(self, word: str) -> list[str]:
        low = bisect_left(self.bases, word)
        high = bisect_left(self.bases, word + "\uffff", low)
        return self.bases[low:high]


class SearchIndex:
    """The search side of a SymbolIndex: built once per master, then read-only."""

    def __init__(self, grouped: Mapping[tuple[str, str], list[Instrument]],
                 lookup: Callable[[str, str], Instrument | None]) -> None:
        """`grouped`: the instruments by (exchange, instrument type)."""
        rank = {key: n for n, key in enumerate((e, t) for e in EXCHANGE_ORDER for t in TYPE_ORDER)}
        self._groups = [(key, _Group(grouped[key]))
                        for key in sorted(grouped, key=lambda k: rank.get(k, len(rank)))]
        self._lookup = lookup

    def search(self, query: str, exchange: Exchange | str | None = None,
               instrument_type: InstrumentType | str | None = None,
               limit: int = 50) -> list[Instrument]:
        words = query.upper().split()
        types = {TYPE_WORDS[w] for w in words if w in TYPE_WORDS}
        words = [w for w in words if w not in TYPE_WORDS]
        if instrument_type is not None:
            wanted = InstrumentType(str(instrument_type).upper())
            if types and wanted not in types:
                return []
            types = {wanted}
        groups = [(key, group) for key, group in self._groups
                  if (exchange is None or key[0] == exchange) and (not types or key[1] in types)]
        if limit <= 0 or not groups:
            return []
        if not words:  # only type words: the first instruments of those types
            return list(islice((i for _, g in groups for i in g.items), limit))
        first, rest = words[0], words[1:]
        results: list[Instrument] = []
        if not rest:  # rank 1: the exact symbol
            for (group_exchange, _kind), _group in groups:
                found = self._lookup(first, group_exchange)
                if found is not None and found not in results and (
                        not types or found.instrument_type in types):
                    results.append(found)
        exact = {id(i) for i in results}
        # Rank 2: symbols starting with the first word.
        for _, group in groups:
            items = group.items
            for line in group.prefixed(first):
                inst = items[line]
                if id(inst) in exact or (rest and not _has_all(group.line_text(line), rest)):
                    continue
                results.append(inst)
                if len(results) >= limit:
                    return results
        # Rank 3: every word anywhere. Look up by the word that narrows most.
        anchor = max(words, key=_selectivity)
        others = [w for w in words if w != anchor]
        for _, group in groups:
            items = group.items
            for line in group.holding(anchor, first):
                inst = items[line]
                if inst.symbol.startswith(first):
                    continue  # ranked above already
                if others and not _has_all(group.line_text(line), others):
                    continue
                results.append(inst)
                if len(results) >= limit:
                    return results
        return results


def _selectivity(word: str) -> tuple[bool, int]:
    """Names (4+ letters, no digit) use the underlying directory; then longer is better."""
    return len(word) >= 4 and not any(c.isdigit() for c in word), len(word)


def _has_all(text: str, words: list[str]) -> bool:
    return all(word in text for word in words)
