"""Options: underlying resolution, the strike ladder, chains, Greeks, option orders.

Strikes are always the real ladder of the master contract for that underlying and
expiry (never `strike_int` arithmetic): ATM is the listed strike nearest the
underlying's price, ITMn/OTMn walk n listed strikes away from it.

Broker reads per request (through the `Broker` protocol; ICICI's counts): the option
chain costs three (calls, puts, the underlying's quote), read concurrently and shared
for a second; optionsymbol and the option orders one (the underlying's quote);
optiongreeks and syntheticfuture one option-chain read of a single strike (both rights,
with the spot in the rows) plus, for syntheticfuture, the underlying's quote. Where the
broker has no option chain for an exchange, optiongreeks reads the option's own quote.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Protocol

from ..access.broker import BrokerUnavailable
from ..brokers.base import Broker
from ..domain import format_expiry, option_symbol, parse_expiry
from ..domain.market import OptionChainRow, Quote
from ..domain.symbols import MONTHS, SymbolError
from ..instruments.model import Instrument, breeze_date
from ..trading.orders import OrderRequest
from ..trading.ports import OrderError
from ..trading.sizing import buys_first
from .calendar import IST
from .greeks import YEAR_SECONDS, Greeks, VolatilityError, option_greeks, parity_forward
from .market_data import MarketData, MarketDataError

OPTION_EXCHANGE = {"NSE": "NFO", "NSE_INDEX": "NFO", "BSE": "BFO", "BSE_INDEX": "BFO",
                   "NFO": "NFO", "BFO": "BFO", "MCX": "MCX", "CDS": "CDS", "BCD": "BCD"}
# Where an option exchange's underlying is quoted: the index first, then the stock.
SPOT_EXCHANGES = {"NFO": ("NSE_INDEX", "NSE"), "BFO": ("BSE_INDEX", "BSE")}
EXPIRY_TIME = {"NFO": dt.time(15, 30), "BFO": dt.time(15, 30), "CDS": dt.time(12, 30),
               "BCD": dt.time(12, 30), "MCX": dt.time(23, 30)}
_OFFSET = re.compile(r"(ATM)|(ITM|OTM)([1-9]\d?)", re.IGNORECASE)
_EMBEDDED = re.compile(rf"(?P<base>.+?)(?P<date>\d\d(?:{'|'.join(MONTHS)})\d\d)(?:FUT)?")
GREEKS_CONCURRENCY = 4
EXPIRY_REQUIRED = ("Expiry date required. Provide via expiry_date parameter or embed in "
                   "underlying (e.g., NIFTY28OCT25FUT).")


class OrderPlacer(Protocol):
    async def place(self, request: OrderRequest, *, requested_by: str = "api",
                    group_id: int | None = None, squareoff: bool = False) -> Any: ...


class SplitPlacer(Protocol):
    async def split(self, request: OrderRequest, splitsize: int, *,
                    requested_by: str = "api") -> list[dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class Underlying:
    requested: str  # echoed in replies, as upstream does
    name: str  # the options' underlying name (NIFTY, RELIANCE)
    exchange: str  # the options' exchange (NFO, BFO, MCX, CDS)
    expiry: dt.date
    priced_by: Instrument  # the spot, index or near future whose LTP sets ATM


@dataclass(frozen=True, slots=True)
class OptionLeg:
    offset: str
    option_type: str  # CE, PE


@dataclass(frozen=True, slots=True)
class Pick:
    instrument: Instrument
    atm: Decimal
    ltp: float


def _float(value: Decimal | int | None) -> float:
    return float(value) if value is not None else 0.0


def _offset_steps(offset: str, option_type: str) -> int:
    """Ladder positions from ATM: positive towards higher strikes."""
    match = _OFFSET.fullmatch(offset.strip())
    if not match:
        raise MarketDataError(400, {"offset": ["Must be ATM, ITM1-ITM50 or OTM1-OTM50."]})
    if match[1]:
        return 0
    steps = int(match[3])
    if steps > 50:
        raise MarketDataError(400, {"offset": ["Must be ATM, ITM1-ITM50 or OTM1-OTM50."]})
    # Calls are in the money below the spot, puts above it.
    towards_higher = (match[2].upper() == "OTM") == (option_type == "CE")
    return steps if towards_higher else -steps


def _label(position: int, atm_position: int, option_type: str) -> str:
    if position == atm_position:
        return "ATM"
    distance = abs(position - atm_position)
    above = position > atm_position
    in_money = (not above) if option_type == "CE" else above
    return f"{'ITM' if in_money else 'OTM'}{distance}"


class OptionsService:
    def __init__(self, market: MarketData, *, orders: OrderPlacer | None = None,
                 splitter: SplitPlacer | None = None, default_rate_percent: float = 0.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.market = market
        self.orders = orders
        self.splitter = splitter
        self.default_rate_percent = default_rate_percent
        self.clock = clock

    @property
    def index(self) -> Any:
        return self.market.instruments()

    @property
    def broker(self) -> Broker:
        return self.market.broker

    # -- the underlying ----------------------------------------------------------------

    def resolve(self, underlying: str, exchange: str, expiry_date: str | None) -> Underlying:
        option_exchange = OPTION_EXCHANGE.get(exchange)
        if option_exchange is None:
            raise MarketDataError(400, {"exchange": [
                f"Options are not listed for {exchange!r}. Use one of: "
                f"{', '.join(OPTION_EXCHANGE)}."]})
        name, embedded = self._split(underlying, option_exchange)
        if not self.index.expiries(name, option_exchange, "options"):
            raise MarketDataError(400, f"No options found for {name} on {option_exchange}. "
                                       "Check the underlying and that the master contract "
                                       "is loaded.")
        expiry = embedded
        if expiry_date:
            try:
                expiry = parse_expiry(expiry_date)
            except SymbolError:
                raise MarketDataError(400, {"expiry_date": [
                    f"{expiry_date!r} is not DDMMMYY (e.g. 28NOV24)."]}) from None
        if expiry is None:
            raise MarketDataError(400, EXPIRY_REQUIRED)
        listed = self.index.expiries(name, option_exchange, "options")
        if expiry not in listed:
            upcoming = ", ".join(format_expiry(d) for d in listed[:6])
            raise MarketDataError(400, f"No strikes found for {name} expiring "
                                       f"{format_expiry(expiry)}. Listed expiries: {upcoming}")
        return Underlying(underlying, name, option_exchange, expiry,
                          self._priced_by(name, option_exchange))

    def _split(self, underlying: str, option_exchange: str) -> tuple[str, dt.date | None]:
        """`NIFTY28NOV24FUT` -> (NIFTY, 2024-11-28); a plain name -> (name, None)."""
        if self.index.expiries(underlying, option_exchange, "options"):
            return underlying, None
        match = _EMBEDDED.fullmatch(underlying)
        if match:
            try:
                return match["base"], parse_expiry(match["date"])
            except SymbolError:
                pass
        return underlying, None

    def _priced_by(self, name: str, option_exchange: str) -> Instrument:
        for exchange in SPOT_EXCHANGES.get(option_exchange, ()):
            spot = self.index.get(name, exchange)
            if spot is not None:
                return spot  # type: ignore[no-any-return]
        today = dt.datetime.fromtimestamp(self.clock(), IST).date()
        futures = [f for f in self.index.futures(name, option_exchange)
                   if f.expiry and f.expiry >= today]
        if not futures:
            raise MarketDataError(400, f"No spot, index or future of {name} to price its "
                                       "options from")
        return futures[0]  # type: ignore[no-any-return]

    async def ltp(self, underlying: Underlying) -> float:
        quote = await self.market.quote_of(underlying.priced_by)
        ltp = _float(quote.last_price)
        if ltp <= 0:
            raise MarketDataError(502, f"The broker gave no last price for {underlying.priced_by.symbol}")
        return ltp

    def ladder(self, underlying: Underlying, expiry: dt.date | None = None) -> list[Decimal]:
        return self.index.strikes(underlying.name, underlying.exchange,  # type: ignore[no-any-return]
                                  expiry or underlying.expiry)

    @staticmethod
    def atm(strikes: list[Decimal], ltp: float) -> Decimal:
        return min(strikes, key=lambda k: (abs(float(k) - ltp), k))

    def pick(self, underlying: Underlying, ltp: float, offset: str, option_type: str,
             expiry: dt.date | None = None) -> Pick:
        expiry = expiry or underlying.expiry
        strikes = self.ladder(underlying, expiry)
        if not strikes:
            raise MarketDataError(400, f"No strikes found for {underlying.name} expiring "
                                       f"{format_expiry(expiry)}.")
        atm = self.atm(strikes, ltp)
        position = strikes.index(atm) + _offset_steps(offset, option_type)
        if not 0 <= position < len(strikes):
            raise MarketDataError(400, f"Offset {offset.upper()} is out of range for available "
                                       "strikes. Please use a smaller offset.")
        symbol = option_symbol(underlying.name, expiry, strikes[position], option_type)
        inst = self.index.get(symbol, underlying.exchange)
        if inst is None:
            raise MarketDataError(400, f"Option {symbol} is not in the master contract for "
                                       f"{underlying.exchange}.")
        return Pick(inst, atm, ltp)

    # -- optionsymbol ------------------------------------------------------------------

    async def option_symbol(self, underlying: str, exchange: str, expiry_date: str | None,
                            offset: str, option_type: str) -> dict[str, Any]:
        resolved = self.resolve(underlying, exchange, expiry_date)
        _offset_steps(offset, option_type)  # a bad offset costs no broker call
        pick = self.pick(resolved, await self.ltp(resolved), offset, option_type)
        inst = pick.instrument
        return {"symbol": inst.symbol, "exchange": inst.exchange.value,
                "lotsize": inst.lot_size, "tick_size": float(inst.tick_size),
                "freeze_qty": inst.freeze_qty, "underlying_ltp": pick.ltp}

    # -- option chain ------------------------------------------------------------------

    def _chain_instruments(self, underlying: Underlying) -> list[Instrument]:
        served = self.broker.option_chain_exchanges()
        if underlying.exchange not in served:
            # Refused before any read: the underlying's quote would be wasted.
            raise MarketDataError(400, f"The broker's option chain covers "
                                       f"{' and '.join(served) or 'no exchange'} only, not "
                                       f"{underlying.exchange}.")
        chain = self.index.options(underlying.name, underlying.exchange, underlying.expiry)
        if not chain:
            raise MarketDataError(400, f"No strikes found for {underlying.name} expiring "
                                       f"{format_expiry(underlying.expiry)}.")
        return chain  # type: ignore[no-any-return]

    def expiry_moment(self, expiry: dt.date, exchange: str,
                      at: dt.time | None = None) -> dt.datetime:
        return dt.datetime.combine(expiry, at or EXPIRY_TIME.get(exchange, dt.time(15, 30)), IST)

    def _years(self, expiry_moment: dt.datetime, now: float) -> float:
        return (expiry_moment.timestamp() - now) / YEAR_SECONDS

    async def option_chain(self, underlying: str, exchange: str, expiry_date: str | None,
                           strike_count: int | None, with_greeks: bool,
                           interest_rate: float | None) -> dict[str, Any]:
        resolved = self.resolve(underlying, exchange, expiry_date)
        chain = self._chain_instruments(resolved)
        spot, rows = await asyncio.gather(
            self.market.quote_of(resolved.priced_by),
            self.broker.option_chain(resolved.name, resolved.exchange, resolved.expiry))
        calls = {row.strike: row.call for row in rows if row.call is not None}
        puts = {row.strike: row.put for row in rows if row.put is not None}
        now = self.clock()
        ltp = _float(spot.last_price) or next(
            (_float(q.underlying_price) for q in (*calls.values(), *puts.values())
             if q.underlying_price), 0.0)
        by_strike: dict[Decimal, dict[str, Instrument]] = {}
        for inst in chain:
            by_strike.setdefault(inst.strike, {})[inst.instrument_type.value] = inst
        strikes = sorted(by_strike)
        atm = self.atm(strikes, ltp)
        atm_position = strikes.index(atm)
        first, last = 0, len(strikes) - 1
        if strike_count:
            first, last = max(0, atm_position - strike_count), min(last, atm_position + strike_count)
        expiry_at = self.expiry_moment(resolved.expiry, resolved.exchange)
        years = self._years(expiry_at, now)
        rate = (self.default_rate_percent if interest_rate is None else interest_rate) / 100
        forward = None
        if with_greeks and years > 0:
            call_atm, put_atm = calls.get(atm), puts.get(atm)
            if call_atm and put_atm and call_atm.last_price and put_atm.last_price:
                forward = parity_forward(float(atm), float(call_atm.last_price),
                                         float(put_atm.last_price), years, rate)
            else:
                forward = ltp * math.exp(rate * years)
        rows = []
        for position in range(first, last + 1):
            strike = strikes[position]
            entry: dict[str, Any] = {"strike": float(strike)}
            for kind, side in (("CE", calls), ("PE", puts)):
                inst = by_strike[strike].get(kind)
                leg = None
                if inst is not None:
                    leg = self._leg(inst, side.get(strike), _label(position, atm_position, kind))
                    if forward is not None:
                        leg.update(_greek_fields(side.get(strike), forward, float(strike),
                                                 years, rate, kind == "CE"))
                entry[kind.lower()] = leg
            rows.append(entry)
        return {
            "underlying": resolved.requested, "underlying_ltp": ltp,
            "underlying_prev_close": _float(spot.previous_close),
            "expiry_date": format_expiry(resolved.expiry),
            "expiry_ts": int(expiry_at.timestamp()), "server_ts": int(now),
            "atm_strike": float(atm), "quotes_included": True,
            "greeks_included": forward is not None, "forward_price": forward,
            "interest_rate": rate * 100, "chain": rows,
        }

    @staticmethod
    def _leg(inst: Instrument, quote: Quote | None, label: str) -> dict[str, Any]:
        def value(name: str) -> float:
            return _float(getattr(quote, name)) if quote is not None else 0.0

        def count(name: str) -> int:
            return int(getattr(quote, name)) if quote is not None else 0

        return {"symbol": inst.symbol, "label": label, "ltp": value("last_price"),
                "bid": value("bid"), "ask": value("ask"),
                "bid_qty": count("bid_quantity"), "ask_qty": count("ask_quantity"),
                "open": value("open"), "high": value("high"), "low": value("low"),
                "prev_close": value("previous_close"), "volume": count("volume"),
                "oi": count("open_interest"), "lotsize": inst.lot_size,
                "tick_size": float(inst.tick_size)}

    # -- synthetic future --------------------------------------------------------------

    async def _strike_pair(self, name: str, exchange: str, strike: Decimal,
                           expiry: dt.date) -> dict[str, Quote]:
        """Both sides of one strike in one broker read, by CE/PE."""
        rows = await self.broker.option_chain(name, exchange, expiry, strike=strike)
        row = next((r for r in rows if r.strike == strike), OptionChainRow(strike, None, None))
        return {kind: quote for kind, quote in (("CE", row.call), ("PE", row.put))
                if quote is not None}

    async def synthetic_future(self, underlying: str, exchange: str, expiry_date: str
                               ) -> dict[str, Any]:
        resolved = self.resolve(underlying, exchange, expiry_date)
        self._chain_instruments(resolved)
        ltp = await self.ltp(resolved)
        atm = self.atm(self.ladder(resolved), ltp)
        pair = await self._strike_pair(resolved.name, resolved.exchange, atm, resolved.expiry)
        call, put = pair.get("CE"), pair.get("PE")
        if call is None or put is None or not call.last_price or not put.last_price:
            raise MarketDataError(502, f"The broker gave no traded price for both options at the "
                                       f"ATM strike {atm}")
        price = float(atm) + float(call.last_price) - float(put.last_price)
        return {"underlying": resolved.requested, "underlying_ltp": ltp,
                "expiry": format_expiry(resolved.expiry), "atm_strike": float(atm),
                "synthetic_future_price": round(price, 2)}

    # -- Greeks ------------------------------------------------------------------------

    async def greeks(self, symbol: str, exchange: str, *, interest_rate: float | None = None,
                     forward_price: float | None = None, underlying_symbol: str | None = None,
                     underlying_exchange: str | None = None,
                     expiry_time: str | None = None) -> dict[str, Any]:
        inst = self.market.instrument(symbol, exchange)
        if not inst.instrument_type.is_option:
            raise MarketDataError(400, f"{symbol} on {exchange} is not an option")
        assert inst.expiry is not None
        at = _clock(expiry_time) if expiry_time else None
        expiry_at = self.expiry_moment(inst.expiry, inst.exchange.value, at)
        now = self.clock()
        if now >= expiry_at.timestamp():
            raise MarketDataError(400, f"Option has expired on {breeze_date(inst.expiry)}")
        years = self._years(expiry_at, now)
        rate_percent = self.default_rate_percent if interest_rate is None else interest_rate
        rate = rate_percent / 100
        call = inst.instrument_type.value == "CE"
        price, spot, forward = await self._inputs(inst, years, rate, forward_price,
                                                  underlying_symbol, underlying_exchange)
        if price <= 0:
            raise MarketDataError(400, f"{symbol} has no traded price yet: implied volatility "
                                       "needs one")
        try:
            result = option_greeks(price, forward, float(inst.strike), years, rate, call)
        except VolatilityError as exc:
            raise MarketDataError(400, f"{symbol}: {exc}") from None
        return {
            "symbol": inst.symbol, "exchange": inst.exchange.value, "underlying": inst.name,
            "strike": float(inst.strike), "option_type": inst.instrument_type.value,
            "expiry_date": breeze_date(inst.expiry),
            "days_to_expiry": round((expiry_at.timestamp() - now) / 86_400, 6),
            "spot_price": spot, "forward_price": forward, "option_price": price,
            "interest_rate": rate_percent, "model": "Black-76",
            "implied_volatility": round(result.implied_volatility * 100, 6),
            "greeks": _greeks_dict(result),
        }

    async def _inputs(self, inst: Instrument, years: float, rate: float,
                      forward_price: float | None, underlying_symbol: str | None,
                      underlying_exchange: str | None) -> tuple[float, float, float]:
        """(option price, spot, forward) with as few broker reads as the inputs allow."""
        pair: dict[str, Quote] = {}
        assert inst.expiry is not None
        if inst.exchange.value in self.broker.option_chain_exchanges():
            pair = await self._strike_pair(inst.name, inst.exchange.value, inst.strike,
                                           inst.expiry)
        own = pair.get(inst.instrument_type.value)
        price = _float(own.last_price) if own is not None else _float(
            (await self.market.quote_of(inst)).last_price)
        spot = _float(own.underlying_price) if own is not None and own.underlying_price else 0.0
        if underlying_symbol and underlying_exchange:
            priced = self.market.instrument(underlying_symbol, underlying_exchange)
            spot = _float((await self.market.quote_of(priced)).last_price)
        elif not spot and not forward_price:
            priced = self._priced_by(inst.name, inst.exchange.value)
            spot = _float((await self.market.quote_of(priced)).last_price)
        if forward_price:
            return price, spot or forward_price, float(forward_price)
        call, put = pair.get("CE"), pair.get("PE")
        if call is not None and put is not None and call.last_price and put.last_price:
            forward = parity_forward(float(inst.strike), float(call.last_price),
                                     float(put.last_price), years, rate)
        else:
            forward = spot * math.exp(rate * years)
        return price, spot, forward

    async def multi_greeks(self, items: list[dict[str, Any]], *,
                           interest_rate: float | None, expiry_time: str | None
                           ) -> list[dict[str, Any]]:
        gate = asyncio.Semaphore(GREEKS_CONCURRENCY)

        async def one(item: dict[str, Any]) -> dict[str, Any]:
            async with gate:
                try:
                    answer = await self.greeks(
                        item["symbol"], item["exchange"], interest_rate=interest_rate,
                        underlying_symbol=item.get("underlying_symbol"),
                        underlying_exchange=item.get("underlying_exchange"),
                        expiry_time=expiry_time)
                    return {"status": "success", **answer}
                except MarketDataError as exc:
                    return {"status": "error", "symbol": item["symbol"],
                            "exchange": item["exchange"], "message": str(exc.message)}

        return list(await asyncio.gather(*(one(i) for i in items)))

    # -- option orders -----------------------------------------------------------------

    def _placer(self) -> OrderPlacer:
        if self.orders is None:
            raise MarketDataError(503, "Order placement is not available in this platform")
        return self.orders

    async def options_order(self, *, strategy: str, underlying: str, exchange: str,
                            expiry_date: str | None, offset: str, option_type: str,
                            order: OrderRequest, splitsize: int,
                            orders: OrderPlacer | None = None,
                            splitter: SplitPlacer | None = None) -> dict[str, Any]:
        """`orders`/`splitter`: the order stack to place through (analyzer mode's paper
        stack), else the one this service was built with."""
        splitter = splitter or self.splitter
        resolved = self.resolve(underlying, exchange, expiry_date)
        _offset_steps(offset, option_type)
        pick = self.pick(resolved, await self.ltp(resolved), offset, option_type)
        request = replace(order, symbol=pick.instrument.symbol, exchange=resolved.exchange,
                          strategy=strategy)
        reply: dict[str, Any] = {"symbol": request.symbol, "exchange": request.exchange,
                                 "underlying": resolved.requested, "underlying_ltp": pick.ltp,
                                 "offset": offset.upper(), "option_type": option_type}
        if splitsize > 0:
            if splitter is None:
                raise MarketDataError(503, "Split orders are not available in this platform")
            results = await splitter.split(request, splitsize, requested_by="api:optionsorder")
            return {**reply, "total_quantity": request.quantity, "split_size": splitsize,
                    "results": results}
        placed = await (orders or self._placer()).place(request,
                                                        requested_by="api:optionsorder")
        return {**reply, "orderid": placed.orderid}

    async def options_multiorder(self, *, strategy: str, underlying: str, exchange: str,
                                 expiry_date: str | None,
                                 legs: list[tuple[OptionLeg, OrderRequest, str | None]],
                                 orders: OrderPlacer | None = None, mode: str = "live"
                                 ) -> dict[str, Any]:
        """Resolve every leg against one underlying price, then place BUY legs before
        SELL legs; a failed leg does not stop the others. Results sorted by leg, each
        with the `mode` (venue) it was placed in."""
        resolved = self.resolve(underlying, exchange, expiry_date or _first_expiry(legs))
        for leg, _order, _expiry in legs:
            _offset_steps(leg.offset, leg.option_type)
        ltp = await self.ltp(resolved)
        placer = orders or self._placer()
        results: list[dict[str, Any]] = [{} for _ in legs]
        requests: list[OrderRequest | None] = []
        for number, (leg, order, leg_expiry) in enumerate(legs):
            item = results[number]
            item.update(leg=number + 1, action=order.action, offset=leg.offset.upper(),
                        option_type=leg.option_type, mode=mode)
            try:
                expiry = parse_expiry(leg_expiry) if leg_expiry else resolved.expiry
                if expiry not in self.index.expiries(resolved.name, resolved.exchange, "options"):
                    raise MarketDataError(400, f"No strikes found for {resolved.name} expiring "
                                               f"{format_expiry(expiry)}.")
                pick = self.pick(resolved, ltp, leg.offset, leg.option_type, expiry)
                item["symbol"] = pick.instrument.symbol
                requests.append(replace(order, symbol=pick.instrument.symbol,
                                        exchange=resolved.exchange, strategy=strategy))
            except (MarketDataError, SymbolError) as exc:
                item.update(status="error", message=str(getattr(exc, "message", exc)))
                requests.append(None)
        for number in buys_first([o.action for _l, o, _e in legs]):
            request = requests[number]
            if request is None:
                continue
            try:
                placed = await placer.place(request, requested_by="api:optionsmultiorder")
                results[number].update(status="success", orderid=placed.orderid)
            except (OrderError, BrokerUnavailable) as exc:
                results[number].update(status="error", message=str(
                    getattr(exc, "message", exc)))
        return {"underlying": resolved.requested, "underlying_ltp": ltp, "results": results}


def _first_expiry(legs: list[tuple[OptionLeg, OrderRequest, str | None]]) -> str | None:
    return next((e for _l, _o, e in legs if e), None)


def _clock(text: str) -> dt.time:
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", text.strip())
    if not match:
        raise MarketDataError(400, {"expiry_time": ["Must be HH:MM (IST), e.g. 15:30."]})
    return dt.time(int(match[1]), int(match[2]))


def _greeks_dict(result: Greeks) -> dict[str, float]:
    return {"delta": round(result.delta, 8), "gamma": round(result.gamma, 10),
            "theta": round(result.theta, 8), "vega": round(result.vega, 8),
            "rho": round(result.rho, 8)}


def _greek_fields(quote: Quote | None, forward: float, strike: float,
                  years: float, rate: float, call: bool) -> dict[str, Any]:
    price = _float(quote.last_price) if quote is not None else 0.0
    if price <= 0:
        return {"implied_volatility": None, "delta": None, "gamma": None, "theta": None,
                "vega": None}
    try:
        result = option_greeks(price, forward, strike, years, rate, call)
    except VolatilityError:
        return {"implied_volatility": None, "delta": None, "gamma": None, "theta": None,
                "vega": None}
    greeks = _greeks_dict(result)
    greeks.pop("rho")
    return {"implied_volatility": round(result.implied_volatility * 100, 6), **greeks}


__all__ = ["EXPIRY_REQUIRED", "OptionLeg", "OptionsService", "Underlying"]
