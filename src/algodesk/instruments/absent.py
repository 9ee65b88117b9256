"""The index in service while there is no master contract at all.

An empty `SymbolIndex` would answer every symbol with "not found", which sends a trader
hunting for a typo while the real cause is a download that has not finished (or has
failed). This one refuses every OpenAlgo-side question with `MasterContractUnavailable`
(HTTP 503, saying why and when the next try is). Breeze-side lookups (a row of the order
book or a live-feed token back to a symbol) still answer None, as for an unknown
contract: the books can show ICICI's own names meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import NoReturn

from ..domain import Exchange, InstrumentType
from .errors import MasterContractUnavailable
from .index import SymbolIndex
from .model import Instrument


class NoMasterIndex(SymbolIndex):
    """Empty; every OpenAlgo lookup raises the error `explain()` builds."""

    def __init__(self, explain: Callable[[], MasterContractUnavailable]) -> None:
        super().__init__([])
        self._explain = explain

    def _refuse(self) -> NoReturn:
        raise self._explain()

    def instruments(self, exchange: Exchange | str | None = None) -> list[Instrument]:
        self._refuse()

    def get(self, symbol: str, exchange: Exchange | str) -> Instrument | None:
        self._refuse()

    def lot_size(self, symbol: str, exchange: Exchange | str) -> int | None:
        self._refuse()

    def tick_size(self, symbol: str, exchange: Exchange | str) -> Decimal | None:
        self._refuse()

    def expiries(self, name: str, exchange: Exchange | str,
                 kind: str | None = None) -> list[date]:
        self._refuse()

    def futures(self, name: str, exchange: Exchange | str) -> list[Instrument]:
        self._refuse()

    def options(self, name: str, exchange: Exchange | str, expiry: date) -> list[Instrument]:
        self._refuse()

    def strikes(self, name: str, exchange: Exchange | str, expiry: date) -> list[Decimal]:
        self._refuse()

    def search(self, query: str, exchange: Exchange | str | None = None,
               instrument_type: InstrumentType | str | None = None,
               limit: int = 50) -> list[Instrument]:
        self._refuse()
