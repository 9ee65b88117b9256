"""Stream tokens `X.Y!TOKEN` (reference §10.2) to and from instruments."""

from __future__ import annotations

from dataclasses import dataclass

from ..market import Instrument, Market

# Livestream prefixes. NSE cash and NFO share `4`; like the SDK, cash is looked up first.
PREFIX_EXCHANGES: dict[str, tuple[str, ...]] = {
    "1": ("BSE",), "4": ("NSE", "NFO"), "6": ("MCX",), "8": ("BFO",), "13": ("NDX",),
}
# The OHLCV stream spells BFO with `2` (the SDK picks `2.` when an interval is given).
OHLCV_PREFIX_EXCHANGES: dict[str, tuple[str, ...]] = {**PREFIX_EXCHANGES, "2": ("BFO",)}
_PREFIX_OF = {"BSE": "1", "NSE": "4", "NFO": "4", "MCX": "6", "BFO": "8", "NDX": "13"}

QUOTE_LEVEL = "1"
DEPTH_LEVEL = "2"


@dataclass(frozen=True, slots=True)
class StreamToken:
    text: str  # as the client joined it, echoed in every frame
    prefix: str
    level: str  # "1" exchange quote, "2" market depth
    inst: Instrument


def parse(market: Market, text: str, *, ohlcv: bool = False) -> StreamToken | None:
    """The instrument behind a stream token, or None for anything unknown."""
    head, bang, token = text.partition("!")
    prefix, dot, level = head.partition(".")
    if not (bang and dot and token) or level not in (QUOTE_LEVEL, DEPTH_LEVEL):
        return None
    table = OHLCV_PREFIX_EXCHANGES if ohlcv else PREFIX_EXCHANGES
    for exchange_code in table.get(prefix, ()):
        inst = market.by_token(exchange_code, token)
        if inst is not None:
            return StreamToken(text, prefix, level, inst)
    return None


def token_of(inst: Instrument, level: str = QUOTE_LEVEL) -> str:
    """The livestream token a client would join for this instrument."""
    return f"{_PREFIX_OF[inst.exchange_code]}.{level}!{inst.token}"
