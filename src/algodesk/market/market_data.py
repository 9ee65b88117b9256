"""Quotes, multi-quotes and depth in OpenAlgo's shapes, read within Breeze's budget.

Every broker read goes through `BrokerReads`: it waits for room in the call budget
(reads yield to order actions) and, for cacheable reads, shares the platform's
`SharedReads`, so a quote is read at most once a second however many clients ask and
concurrent identical reads share one call. Quote rows are cached under the same key
the order service uses for its MARKET-order quotes, so the two never pay twice.

Breeze's REST quote carries only the best bid and offer and no open interest. For NFO
and BFO contracts the platform reads the one-contract option-chain row instead (same
cost, one call) because it adds open interest, last traded quantity and the book's
total quantities; MCX and currency derivatives have no such endpoint.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from ..brokers.icici import BreezeClient, BreezeError
from ..brokers.icici.budget import BudgetExhausted, CallBudget, SharedReads
from ..brokers.icici.schemas import BreezeOptionChainQuote, BreezeQuote
from ..instruments.model import FUTURES, OPTIONS, Instrument, parse_breeze_date

T = TypeVar("T")
QUOTE_TTL = 1.0
# Seconds a quote or chain read may wait for Breeze's minute window before the client is
# told to retry (the order side's reads wait as long).
INTERACTIVE_WAIT = 5.0
DEPTH_LEVELS = 5
MULTIQUOTE_LIMIT = 50
MULTIQUOTE_CONCURRENCY = 8
CHAIN_EXCHANGES = ("NFO", "BFO")  # Breeze's option-chain endpoint serves only these
BEST_ONLY_NOTE = ("ICICI's REST quotes carry only the best bid and offer: levels 2-5 are "
                  "padded with zeros. Five-level depth comes with the WebSocket feed.")


class MarketDataError(Exception):
    """A request that cannot be answered, with the HTTP status and the message."""

    def __init__(self, status: int, message: Any, **extra: Any) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message
        self.extra = extra


class BrokerPort(Protocol):
    async def call(self, operation: Callable[[BreezeClient], Awaitable[T]]) -> T: ...


class SymbolLookup(Protocol):
    """The live SymbolIndex (replaced whole after each master refresh)."""

    def get(self, symbol: str, exchange: str) -> Instrument | None: ...


def not_found(symbol: str, exchange: str) -> MarketDataError:
    return MarketDataError(400, f"Symbol '{symbol}' not found for exchange '{exchange}'. "
                                "Please verify the symbol name and ensure master contracts "
                                "are downloaded.")


class BrokerReads:
    """Broker reads inside the call budget, optionally through the shared read cache."""

    def __init__(self, broker: BrokerPort, budget: CallBudget, reads: SharedReads) -> None:
        self.broker = broker
        self.budget = budget
        self.reads = reads

    async def call(self, operation: Callable[[BreezeClient], Awaitable[T]], *,
                   max_wait: float | None = None) -> T:
        """One read once the budget has room. `max_wait` bounds the wait for the minute
        window (interactive reads give up and say when to retry; bulk history waits)."""
        try:
            await self.budget.admit(order_action=False, max_wait=max_wait)
        except BudgetExhausted as exc:
            raise MarketDataError(429, str(exc), retry_after=int(
                getattr(exc, "retry_after", 60) + 0.999)) from None
        return await self.broker.call(operation)

    async def cached(self, key: Hashable, ttl: float,
                     operation: Callable[[BreezeClient], Awaitable[T]]) -> T:
        return await self.reads.get(key, ttl, lambda: self.call(operation,
                                                                 max_wait=INTERACTIVE_WAIT))


def _number(value: Decimal | int | None) -> float:
    return float(value) if value is not None else 0.0


def _same_contract(row: BreezeQuote, inst: Instrument) -> bool:
    if inst.expiry is not None and row.expiry_date:
        try:
            if parse_breeze_date(row.expiry_date) != inst.expiry:
                return False
        except ValueError:
            return False
    if inst.product == OPTIONS:
        right = (row.right or "").lower()[:1]
        return row.strike_price == inst.strike and right == inst.right[:1]
    return True


class MarketData:
    def __init__(self, instruments: Callable[[], SymbolLookup], reads: BrokerReads) -> None:
        self.instruments = instruments
        self.reads = reads

    def instrument(self, symbol: str, exchange: str) -> Instrument:
        inst = self.instruments().get(symbol, exchange)
        if inst is None:
            raise not_found(symbol, exchange)
        return inst

    # -- rows --------------------------------------------------------------------------

    async def quote_row(self, inst: Instrument) -> BreezeQuote:
        """The instrument's Breeze quote row (cached for a second, shared)."""
        key = ("quote", inst.breeze_exchange, inst.symbol)
        row = await self.reads.cached(key, QUOTE_TTL, self._fetch(inst))
        if self._wants_chain_row(inst) and not isinstance(row, BreezeOptionChainQuote):
            # A plain quote cached by the order path: read the richer row once more.
            row = await self.reads.cached(("quote-oi", *key[1:]), QUOTE_TTL, self._fetch(inst))
        return row

    @staticmethod
    def _wants_chain_row(inst: Instrument) -> bool:
        return inst.product in (FUTURES, OPTIONS) and inst.breeze_exchange in CHAIN_EXCHANGES

    def _fetch(self, inst: Instrument) -> Callable[[BreezeClient], Awaitable[BreezeQuote]]:
        async def fetch(client: BreezeClient) -> BreezeQuote:
            rows: list[BreezeQuote]
            if self._wants_chain_row(inst):
                rows = list(await client.get_option_chain(
                    inst.stock_code, inst.breeze_exchange, inst.product,
                    expiry_date=inst.expiry,
                    right=inst.right if inst.product == OPTIONS else "",
                    strike_price=inst.breeze_strike))
                rows = [r for r in rows if _same_contract(r, inst)]
            else:
                rows = list(await client.get_quotes(
                    inst.stock_code, inst.breeze_exchange, product_type=inst.product,
                    expiry_date=inst.expiry, right=inst.right,
                    strike_price=inst.breeze_strike))
            # Cash quotes come as [NSE, BSE] rows: take the instrument's own exchange.
            for row in rows:
                if row.exchange_code.upper() == inst.breeze_exchange:
                    return row
            if not rows:
                raise MarketDataError(502, f"ICICI returned no quote for {inst.symbol}")
            return rows[0]

        return fetch

    # -- replies -----------------------------------------------------------------------

    async def quote(self, symbol: str, exchange: str) -> dict[str, Any]:
        inst = self.instrument(symbol, exchange)
        return quote_data(await self.quote_row(inst))

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
                    results[position]["data"] = quote_data(await self.quote_row(inst))
                except (BreezeError, MarketDataError) as exc:
                    results[position]["error"] = str(getattr(exc, "message", exc))

        await asyncio.gather(*(one(p, i) for p, i in known))
        return results

    async def depth(self, symbol: str, exchange: str) -> dict[str, Any]:
        inst = self.instrument(symbol, exchange)
        return depth_data(await self.quote_row(inst))


def quote_data(row: BreezeQuote) -> dict[str, Any]:
    return {
        "open": _number(row.open), "high": _number(row.high), "low": _number(row.low),
        "ltp": _number(row.ltp), "ask": _number(row.best_offer_price),
        "bid": _number(row.best_bid_price), "prev_close": _number(row.previous_close),
        "volume": row.total_quantity_traded or 0,
        "oi": int(getattr(row, "open_interest", None) or 0),
    }


@dataclass(frozen=True, slots=True)
class Level:
    price: Decimal | None
    quantity: int | None

    def as_dict(self) -> dict[str, float | int]:
        return {"price": _number(self.price), "quantity": int(self.quantity or 0)}


def depth_data(row: BreezeQuote) -> dict[str, Any]:
    padding = [Level(None, None)] * (DEPTH_LEVELS - 1)
    bids = [Level(row.best_bid_price, row.best_bid_quantity), *padding]
    asks = [Level(row.best_offer_price, row.best_offer_quantity), *padding]
    return {
        "open": _number(row.open), "high": _number(row.high), "low": _number(row.low),
        "ltp": _number(row.ltp), "ltq": int(getattr(row, "ltq", None) or 0),
        "prev_close": _number(row.previous_close),
        "volume": row.total_quantity_traded or 0,
        "oi": int(getattr(row, "open_interest", None) or 0),
        "totalbuyqty": int(getattr(row, "total_buy_qty", None) or 0),
        "totalsellqty": int(getattr(row, "total_sell_qty", None) or 0),
        "asks": [level.as_dict() for level in asks],
        "bids": [level.as_dict() for level in bids],
        "depth_levels": 1,
    }


__all__ = [
    "BEST_ONLY_NOTE",
    "BrokerReads",
    "MarketData",
    "MarketDataError",
    "depth_data",
    "not_found",
    "quote_data",
]
