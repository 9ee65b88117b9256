"""Quotes, multi-quotes and depth in OpenAlgo's shapes, read through the `Broker` protocol.

The broker adapter owns what a read costs: its call budget, its short shared cache (a
quote asked by many clients in one second is one broker read, and the quote a MARKET
order was priced from serves a quote request) and which of its reads carries open
interest. This module checks the symbol against the master contract first (an unknown
one costs no read) and writes the replies from domain `Quote`s and `Depth`s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from ..brokers.base import Broker, BrokerFailure
from ..domain.market import Depth, DepthLevel, Quote
from ..instruments.model import Instrument

DEPTH_LEVELS = 5
MULTIQUOTE_LIMIT = 50
MULTIQUOTE_CONCURRENCY = 8
BEST_ONLY_NOTE = ("ICICI's REST quotes carry only the best bid and offer: levels 2-5 are "
                  "padded with zeros. Five-level depth comes with the WebSocket feed.")


class MarketDataError(Exception):
    """A request that cannot be answered, with the HTTP status and the message."""

    def __init__(self, status: int, message: Any, **extra: Any) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message
        self.extra = extra


class SymbolLookup(Protocol):
    """The live SymbolIndex (replaced whole after each master refresh)."""

    def get(self, symbol: str, exchange: str) -> Instrument | None: ...


def not_found(symbol: str, exchange: str) -> MarketDataError:
    return MarketDataError(400, f"Symbol '{symbol}' not found for exchange '{exchange}'. "
                                "Please verify the symbol name and ensure master contracts "
                                "are downloaded.")


def _number(value: Decimal | int | None) -> float:
    return float(value) if value is not None else 0.0


class MarketData:
    def __init__(self, instruments: Callable[[], SymbolLookup], broker: Broker) -> None:
        self.instruments = instruments
        self.broker = broker

    def instrument(self, symbol: str, exchange: str) -> Instrument:
        inst = self.instruments().get(symbol, exchange)
        if inst is None:
            raise not_found(symbol, exchange)
        return inst

    async def quote_of(self, inst: Instrument) -> Quote:
        """The instrument's quote (the broker shares it for a second)."""
        return await self.broker.quote(inst.symbol, inst.exchange.value)

    # -- replies -----------------------------------------------------------------------

    async def quote(self, symbol: str, exchange: str) -> dict[str, Any]:
        inst = self.instrument(symbol, exchange)
        return quote_data(await self.quote_of(inst))

    async def multiquotes(self, items: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """One result per item, in order; unknown symbols and failed reads become items
        with `error` (raises when no symbol at all is known)."""
        if len(items) > MULTIQUOTE_LIMIT:
            raise MarketDataError(400, {"symbols": [
                f"At most {MULTIQUOTE_LIMIT} symbols per request (Breeze has no batch "
                "quote: each symbol is one broker call)."]})
        known: list[tuple[int, Instrument]] = []
        results: list[dict[str, Any]] = []
        for position, (symbol, exchange) in enumerate(items):
            results.append({"symbol": symbol, "exchange": exchange})
            inst = self.instruments().get(symbol, exchange)
            if inst is None:
                results[-1]["error"] = not_found(symbol, exchange).message
            else:
                known.append((position, inst))
        if not known:
            raise MarketDataError(400, "None of the requested symbols was found. Please "
                                       "verify the symbol names and ensure master contracts "
                                       "are downloaded.",
                                  invalid_symbols=[{**r} for r in results])
        gate = asyncio.Semaphore(MULTIQUOTE_CONCURRENCY)

        async def one(position: int, inst: Instrument) -> None:
            async with gate:
                try:
                    results[position]["data"] = quote_data(await self.quote_of(inst))
                except (BrokerFailure, MarketDataError) as exc:
                    results[position]["error"] = str(exc.message)

        await asyncio.gather(*(one(p, i) for p, i in known))
        return results

    async def depth(self, symbol: str, exchange: str) -> dict[str, Any]:
        inst = self.instrument(symbol, exchange)
        return depth_data(await self.broker.depth(inst.symbol, inst.exchange.value))


def quote_data(quote: Quote) -> dict[str, Any]:
    return {
        "open": _number(quote.open), "high": _number(quote.high), "low": _number(quote.low),
        "ltp": _number(quote.last_price), "ask": _number(quote.ask),
        "bid": _number(quote.bid), "prev_close": _number(quote.previous_close),
        "volume": quote.volume, "oi": quote.open_interest,
    }


def _levels(levels: tuple[DepthLevel, ...]) -> list[dict[str, float | int]]:
    """DEPTH_LEVELS levels, best first, padded with zeros."""
    shown = [{"price": _number(level.price), "quantity": level.quantity}
             for level in levels[:DEPTH_LEVELS]]
    return shown + [{"price": 0.0, "quantity": 0}] * (DEPTH_LEVELS - len(shown))


def depth_data(depth: Depth) -> dict[str, Any]:
    quote = depth.quote or Quote(depth.symbol, depth.exchange, depth.last_price or Decimal(0))
    return {
        "open": _number(quote.open), "high": _number(quote.high), "low": _number(quote.low),
        "ltp": _number(depth.last_price), "ltq": quote.last_quantity,
        "prev_close": _number(quote.previous_close),
        "volume": quote.volume, "oi": quote.open_interest,
        "totalbuyqty": depth.total_buy_quantity, "totalsellqty": depth.total_sell_quantity,
        "asks": _levels(depth.asks),
        "bids": _levels(depth.bids),
        # The levels the broker gave (an empty side still shows its zero level).
        "depth_levels": min(DEPTH_LEVELS, max(1, len(depth.bids), len(depth.asks))),
    }


__all__ = [
    "BEST_ONLY_NOTE",
    "MarketData",
    "MarketDataError",
    "depth_data",
    "not_found",
    "quote_data",
]
