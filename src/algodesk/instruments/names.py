"""OpenAlgo names for what the SecurityMaster calls by exchange names.

Rules (documented in docs/architecture.md, "Instruments"):

- An index takes OpenAlgo's name: the aliases below for the names OpenAlgo fixes
  (NIFTY 50 -> NIFTY, NIFTY BANK -> BANKNIFTY, ...); any other index name drops every
  character that is not a letter or digit (NIFTY 100 -> NIFTY100, BSE 500 -> BSE500).
- An equity's symbol is the exchange trading symbol (`ExchangeCode`) with whitespace
  removed; `&` and `-` stay (M&M, BAJAJ-AUTO), as on the exchange.
"""

from __future__ import annotations

import re

# Index names as ICICI's files spell them (upper case, single spaces) -> OpenAlgo name.
INDEX_ALIASES: dict[str, str] = {
    "NIFTY 50": "NIFTY",
    "NIFTY": "NIFTY",
    "NIFTY BANK": "BANKNIFTY",
    "BANKNIFTY": "BANKNIFTY",
    "NIFTY FIN SERVICE": "FINNIFTY",
    "NIFTY FINANCIAL SERVICES": "FINNIFTY",
    "NIFTY FINANCIAL": "FINNIFTY",
    "FINNIFTY": "FINNIFTY",
    "NIFTY MID SELECT": "MIDCPNIFTY",
    "NIFTY MIDCAP SELECT": "MIDCPNIFTY",
    "NIFTY MIDCAP": "MIDCPNIFTY",
    "MIDCPNIFTY": "MIDCPNIFTY",
    "NIFTY NEXT 50": "NIFTYNXT50",
    "NIFTY NXT 50": "NIFTYNXT50",
    "NIFTYNXT50": "NIFTYNXT50",
    "INDIA VIX": "INDIAVIX",
    "SENSEX": "SENSEX",
    "BSE SENSEX": "SENSEX",
    "S&P BSE SENSEX": "SENSEX",
    "BANKEX": "BANKEX",
    "BSE BANKEX": "BANKEX",
    "S&P BSE BANKEX": "BANKEX",
    "SENSEX 50": "SENSEX50",
    "SNSX50": "SENSEX50",
    "BSE SENSEX 50": "SENSEX50",
}

# F&O InstrumentName values that mean "the underlying is an index".
INDEX_DERIVATIVES = frozenset({"FUTIDX", "OPTIDX", "FUTIND", "OPTIND", "IF", "IO"})

_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text.strip().upper())


def is_known_index(name: str) -> bool:
    return _clean(name) in INDEX_ALIASES


def index_name(name: str) -> str:
    """OpenAlgo's name for an index (`NIFTY BANK` -> `BANKNIFTY`)."""
    cleaned = _clean(name)
    alias = INDEX_ALIASES.get(cleaned)
    if alias is not None:
        return alias
    return _NOT_ALNUM.sub("", cleaned)


def equity_symbol(exchange_symbol: str) -> str:
    """An exchange trading symbol as an OpenAlgo symbol (whitespace removed, upper case)."""
    return _SPACES.sub("", exchange_symbol.upper())


# Within one exchange, rows sharing a trading symbol are ranked by series; the first keeps
# the bare symbol, the others get `-SERIES`. EQ and BE are the normal equity series.
_SERIES_RANK = {"EQ": 0, "BE": 1, "BZ": 2}


def series_rank(series: str) -> tuple[int, str]:
    return _SERIES_RANK.get(series, 9), series
