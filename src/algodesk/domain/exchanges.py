"""OpenAlgo exchange codes (openalgo-api.md §2.1)."""

from __future__ import annotations

from enum import StrEnum


class Exchange(StrEnum):
    """The exchanges a client names next to every symbol."""

    NSE = "NSE"  # NSE cash equity
    BSE = "BSE"  # BSE cash equity
    NFO = "NFO"  # NSE futures and options
    BFO = "BFO"  # BSE futures and options
    CDS = "CDS"  # NSE currency derivatives
    BCD = "BCD"  # BSE currency derivatives (ICICI publishes no master for it)
    MCX = "MCX"  # commodities
    NSE_INDEX = "NSE_INDEX"  # NSE indices: quotes only
    BSE_INDEX = "BSE_INDEX"  # BSE indices: quotes only

    @property
    def is_index(self) -> bool:
        return self in INDEX_EXCHANGES

    @property
    def is_derivative(self) -> bool:
        return self in DERIVATIVE_EXCHANGES


INDEX_EXCHANGES = frozenset({Exchange.NSE_INDEX, Exchange.BSE_INDEX})
DERIVATIVE_EXCHANGES = frozenset({Exchange.NFO, Exchange.BFO, Exchange.CDS, Exchange.BCD,
                                  Exchange.MCX})


def parse_exchange(text: str) -> Exchange:
    """An exchange code as clients send it; codes are upper case and matched exactly."""
    try:
        return Exchange(text)
    except ValueError:
        accepted = ", ".join(e.value for e in Exchange)
        raise ValueError(f"Invalid exchange {text!r}. Accepted: {accepted}") from None
