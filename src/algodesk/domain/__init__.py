"""Broker-neutral types: exchanges, instrument types and the OpenAlgo symbol grammar.

Nothing here imports anything else of algodesk: every other layer may depend on it.
"""

from .exchanges import DERIVATIVE_EXCHANGES, INDEX_EXCHANGES, Exchange, parse_exchange
from .instruments import InstrumentType, OptionType
from .symbols import (
    ParsedSymbol,
    SymbolError,
    format_expiry,
    format_listing_expiry,
    format_strike,
    future_symbol,
    option_symbol,
    parse_expiry,
    parse_listing_expiry,
    parse_symbol,
)

__all__ = [
    "DERIVATIVE_EXCHANGES",
    "INDEX_EXCHANGES",
    "Exchange",
    "InstrumentType",
    "OptionType",
    "ParsedSymbol",
    "SymbolError",
    "format_expiry",
    "format_listing_expiry",
    "format_strike",
    "future_symbol",
    "option_symbol",
    "parse_exchange",
    "parse_expiry",
    "parse_listing_expiry",
    "parse_symbol",
]
