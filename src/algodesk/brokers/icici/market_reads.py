"""The market-data half of `IciciBroker`: quotes, depth, history and option chains over
Breeze, inside its call budget.

Every read waits for room in the call budget (reads leave the order actions' reserve
alone) and, except history, goes through the `SharedReads` cache the order side uses,
under the same keys: a quote is read at most once a second however many clients ask,
concurrent identical reads share one call, and the quote a MARKET order is priced from
serves a quote request in the same second (and the reverse). A spent budget is a 429
at once: a market read is never answered from an older cached value.

Breeze's REST quote carries only the best bid and offer and no open interest. For NFO
and BFO futures and options the one-contract option-chain row is read instead (same
cost, one call): it adds open interest, last traded quantity and the book's total
quantities; MCX and currency derivatives have no such endpoint. Breeze's v2 history
answers at most 1,000 candles a call, in its own interval names.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Awaitable, Callable, Hashable, Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from ...domain.market import Candle, Depth, DepthLevel, OptionChainRow, Quote
from ..base import BrokerFailure, NotSent, OrderRefused
from .budget import BudgetExhausted, SharedReads
from .client import BreezeClient
from .errors import BreezeError
from .failures import read_failure
from .formats import IST, parse_response_date, parse_response_datetime
from .schemas import BreezeOptionChainQuote, BreezeQuote

T = TypeVar("T")
QUOTE_TTL = 1.0  # seconds a quote or chain is shared
CHAIN_EXCHANGES = ("NFO", "BFO")  # Breeze's option-chain endpoint serves only these
HISTORY_PAGE = 1000  # candles per v2 history call, at most
# Breeze's v2 history intervals, by the base interval OpenAlgo names.
HISTORY_INTERVALS = {"1s": "1second", "1m": "1minute", "5m": "5minute", "30m": "30minute",
                     "D": "1day"}
FUTURES, OPTIONS = "futures", "options"


class BreezeReads(Protocol):
    """The budgeted way to Breeze for reads (`gateway.BrokerGateway`)."""

    async def read(self, operation: Callable[[BreezeClient], Awaitable[T]], *,
                   for_order: bool = False, bulk: bool = False) -> T: ...

    def reads_left(self) -> int: ...


class Contracts(Protocol):
    """The live symbol index: an OpenAlgo symbol's Breeze contract, an expiry's options."""

    def get(self, symbol: str, exchange: str) -> Any: ...

    def options(self, name: str, exchange: str, expiry: dt.date) -> list[Any]: ...


@functools.lru_cache(maxsize=256)
def _date(text: str) -> dt.date | None:
    """An expiry as Breeze writes it (`27-Feb-2025`, `27-FEB-25`, ISO); None if neither.
    A chain repeats one expiry in every row: parsed once."""
    try:
        return parse_response_date(text)
    except ValueError:
        pass
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


@functools.lru_cache(maxsize=256)
def _instant(text: str) -> dt.datetime | None:
    """Breeze's IST wall-clock text as a UTC instant (None when unreadable); the rows of
    one answer share a few stamps."""
    try:
        stamp = parse_response_datetime(text)
    except ValueError:
        return None
    return stamp.astimezone(dt.UTC)


def _count(value: Decimal | int | None) -> int:
    return int(value or 0)


def _level(price: Decimal | None, quantity: int | None) -> tuple[DepthLevel, ...]:
    """The best level of one side; a quantity without a price keeps its level (at 0)."""
    if price is None and quantity is None:
        return ()
    return (DepthLevel(price if price is not None else Decimal(0), _count(quantity)),)


def _same_contract(row: BreezeQuote, inst: Any) -> bool:
    if inst.expiry is not None and row.expiry_date and _date(row.expiry_date) != inst.expiry:
        return False
    if inst.product == OPTIONS:
        right = (row.right or "").lower()[:1]
        return row.strike_price == inst.strike and right == inst.right[:1]
    return True


def quote_of(inst: Any, row: BreezeQuote) -> Quote:
    """A Breeze quote (or option-chain) row as the instrument's `Quote`."""
    return Quote(
        inst.symbol, str(inst.exchange), row.ltp, open=row.open, high=row.high, low=row.low,
        previous_close=row.previous_close, bid=row.best_bid_price, ask=row.best_offer_price,
        volume=_count(row.total_quantity_traded),
        open_interest=_count(getattr(row, "open_interest", None)),
        upper_circuit=row.upper_circuit, lower_circuit=row.lower_circuit,
        at=_instant(row.ltt) if row.ltt else None, bid_quantity=_count(row.best_bid_quantity),
        ask_quantity=_count(row.best_offer_quantity),
        last_quantity=_count(getattr(row, "ltq", None)), underlying_price=row.spot_price)


class MarketReads:
    """Quotes, depth, history and option chains of one ICICI account."""

    def __init__(self, calls: BreezeReads, contracts: Callable[[], Contracts],
                 reads: SharedReads) -> None:
        self.calls = calls
        self.contracts = contracts
        self.reads = reads

    # -- reads within the budget -------------------------------------------------------

    async def _call(self, operation: Callable[[BreezeClient], Awaitable[T]], what: str, *,
                    bulk: bool = False) -> T:
        try:
            return await self.calls.read(operation, bulk=bulk)
        except BudgetExhausted as exc:
            # Raised inside the shared read, so the cache does not answer with its last
            # value: a quote older than its second is not given out as current.
            raise NotSent(exc.message, status=429,
                          retry_after=int(exc.retry_after + 0.999)) from None
        except BreezeError as exc:
            raise read_failure(exc, what) from None

    async def _shared(self, key: Hashable, operation: Callable[[BreezeClient], Awaitable[T]],
                      what: str) -> T:
        return await self.reads.get(key, QUOTE_TTL, lambda: self._call(operation, what))

    def _instrument(self, symbol: str, exchange: str) -> Any:
        inst = self.contracts().get(symbol, exchange)
        if inst is None:
            raise OrderRefused(f"Symbol '{symbol}' not found for exchange '{exchange}'. "
                               "Check the symbol and that the master contract is loaded.")
        return inst

    # -- quotes and depth --------------------------------------------------------------

    async def _quote_row(self, inst: Any) -> BreezeQuote:
        """The instrument's quote row (cached for a second, shared with the order side)."""
        key = ("quote", inst.breeze_exchange, inst.symbol)
        what = f"the quote for {inst.symbol}"
        row = await self._shared(key, self._fetch_quote(inst), what)
        if self._wants_chain_row(inst) and not isinstance(row, BreezeOptionChainQuote):
            # A plain quote cached by the order path: read the richer row once more.
            row = await self._shared(("quote-oi", *key[1:]), self._fetch_quote(inst), what)
        return row

    @staticmethod
    def _wants_chain_row(inst: Any) -> bool:
        return inst.product in (FUTURES, OPTIONS) and inst.breeze_exchange in CHAIN_EXCHANGES

    def _fetch_quote(self, inst: Any) -> Callable[[BreezeClient], Awaitable[BreezeQuote]]:
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
                raise BrokerFailure(f"ICICI returned no quote for {inst.symbol}", status=502)
            return rows[0]

        return fetch

    async def quote(self, symbol: str, exchange: str) -> Quote:
        inst = self._instrument(symbol, exchange)
        return quote_of(inst, await self._quote_row(inst))

    async def quotes(self, instruments: Sequence[tuple[str, str]]) -> list[Quote]:
        # Breeze has no batch quote: one call each, shared with any other caller.
        return list(await asyncio.gather(*(self.quote(s, e) for s, e in instruments)))

    async def depth(self, symbol: str, exchange: str) -> Depth:
        """REST quotes carry the best bid and offer only; deeper levels need the feed."""
        inst = self._instrument(symbol, exchange)
        row = await self._quote_row(inst)
        quote = quote_of(inst, row)
        bids = _level(row.best_bid_price, row.best_bid_quantity)
        asks = _level(row.best_offer_price, row.best_offer_quantity)
        return Depth(inst.symbol, str(inst.exchange), bids, asks, row.ltp, quote.at, quote,
                     _count(getattr(row, "total_buy_qty", None)),
                     _count(getattr(row, "total_sell_qty", None)))

    # -- history -----------------------------------------------------------------------

    async def history(self, symbol: str, exchange: str, interval: str,
                      start: dt.datetime, end: dt.datetime) -> list[Candle]:
        """One v2 call, at most `HISTORY_PAGE` candles from `start`. It waits for the
        minute window as long as it takes (a bulk read) and is never shared: the
        history service fetches each range once."""
        breeze_interval = HISTORY_INTERVALS.get(interval)
        if breeze_interval is None:
            raise OrderRefused(f"ICICI serves history in {', '.join(HISTORY_INTERVALS)} "
                               f"candles, not {interval!r}")
        inst = self._instrument(symbol, exchange)
        rows = await self._call(lambda client: client.get_historical_v2(
            breeze_interval, start.astimezone(IST), end.astimezone(IST), inst.stock_code,
            inst.breeze_exchange, product_type=inst.product, expiry_date=inst.expiry,
            strike_price=inst.breeze_strike, right=inst.right),
            f"the history of {symbol}", bulk=True)
        # Breeze's candle times are IST wall clock (the parser makes them aware).
        return [Candle(row.datetime, row.open, row.high, row.low, row.close,
                       _count(row.volume), _count(row.open_interest)) for row in rows]

    # -- option chains -----------------------------------------------------------------

    def option_chain_exchanges(self) -> tuple[str, ...]:
        return CHAIN_EXCHANGES

    async def option_chain(self, underlying: str, exchange: str, expiry: dt.date, *,
                           strike: Decimal | None = None) -> list[OptionChainRow]:
        """Two reads (calls, puts) for the chain; one (both rights) for a strike."""
        if exchange not in CHAIN_EXCHANGES:
            raise OrderRefused(f"ICICI's option chain covers NFO and BFO only, not "
                               f"{exchange}.")
        options = [inst for inst in self.contracts().options(underlying, exchange, expiry)
                   if strike is None or inst.strike == strike]
        if not options:
            raise OrderRefused(f"No {underlying} options on {exchange} expire on {expiry}"
                               + ("" if strike is None else f" at strike {strike}"),
                               status=404)
        stock_code = options[0].stock_code
        what = f"the {underlying} option chain"
        if strike is None:
            calls, puts = await asyncio.gather(*(self._chain_side(
                exchange, stock_code, expiry, right, what) for right in ("call", "put")))
            rows = {**calls, **puts}
        else:
            rows = await self._strike_pair(exchange, stock_code, expiry, strike, what)
        chain: dict[Decimal, dict[str, Quote]] = {}
        for inst in options:
            side = inst.right[:1]
            row = rows.get((inst.strike, side))
            if row is not None:
                chain.setdefault(inst.strike, {})[side] = quote_of(inst, row)
            else:
                chain.setdefault(inst.strike, {})
        return [OptionChainRow(k, sides.get("c"), sides.get("p"),
                               sides["c"].open_interest if "c" in sides else 0,
                               sides["p"].open_interest if "p" in sides else 0)
                for k, sides in sorted(chain.items())]

    async def _chain_side(self, exchange: str, stock_code: str, expiry: dt.date, right: str,
                          what: str) -> dict[tuple[Decimal, str], BreezeOptionChainQuote]:
        """One right of an expiry's chain, by (strike, "c"/"p"); rows of another expiry
        are left out."""
        rows = await self._shared(
            ("chain", exchange, stock_code, expiry, right),
            lambda client: client.get_option_chain(stock_code, exchange, OPTIONS,
                                                   expiry_date=expiry, right=right), what)
        out = {}
        for row in rows:
            if (row.strike_price is not None and row.expiry_date
                    and _date(row.expiry_date) == expiry):
                out[(row.strike_price, right[:1])] = row
        return out

    async def _strike_pair(self, exchange: str, stock_code: str, expiry: dt.date,
                           strike: Decimal, what: str
                           ) -> dict[tuple[Decimal, str], BreezeOptionChainQuote]:
        """Both rights at one strike in one option-chain read (expiry + strike)."""
        rows = await self._shared(
            ("chain-strike", exchange, stock_code, expiry, strike),
            lambda client: client.get_option_chain(stock_code, exchange, OPTIONS,
                                                   expiry_date=expiry, strike_price=strike),
            f"{what} at {strike}")
        out = {}
        for row in rows:
            right = (row.right or "").lower()[:1]
            if row.strike_price == strike and right in ("c", "p"):
                out[(strike, right)] = row
        return out

    # -- the allowance -----------------------------------------------------------------

    def reads_left(self) -> int:
        return self.calls.reads_left()


__all__ = ["CHAIN_EXCHANGES", "HISTORY_INTERVALS", "HISTORY_PAGE", "MarketReads", "quote_of"]
