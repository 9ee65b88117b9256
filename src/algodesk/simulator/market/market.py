"""The Market facade: look-ups, prices, quotes, candles and SecurityMaster.zip.

Every number is a pure function of (seed, instrument, second): the market keeps no
history, it only caches (see store.py). Outside a session the market stands still at
the last session's close, for prices, quotes and paths alike.
"""

from __future__ import annotations

import math
import threading
import time
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

import numpy as np

from . import book
from .aggregate import Bars, bars
from .catalogue import PLANS, build
from .hashing import F64, I64
from .lookup import InstrumentIndex
from .master import security_master_zip
from .series import DerivativeSeries, Series
from .sessions import Sessions, day_of_date, from_ist, to_naive_ist, today_ist
from .store import BLOCK, SeriesStore
from .types import Candle, Instrument, Quote

_INTERVALS = {"1second": 1, "1minute": 60, "minute": 60, "5minute": 300, "30minute": 1_800,
              "1day": 0, "day": 0}
_ZERO = Decimal(0)


class Market:
    """ICICI Direct's instruments and their deterministic, random-access market data.

    `today` (default: the IST date now) fixes the universe: expiries and strike ladders
    count from it, and the SecurityMaster archive is stamped with it.
    """

    def __init__(self, seed: int = 7, size: Literal["small", "full"] = "small",
                 hours: Literal["always", "exchange"] = "always", rate: float = 0.07, *,
                 today: date | None = None) -> None:
        if size not in PLANS:
            raise ValueError(f"size must be 'small' or 'full', not {size!r}")
        if hours not in ("always", "exchange"):
            raise ValueError(f"hours must be 'always' or 'exchange', not {hours!r}")
        self.seed = seed
        self.size = size
        self.hours = hours
        self.rate = rate
        self.today = today or today_ist(time.time())
        self.sessions = Sessions(hours)
        self._cat = build(seed, size, self.today)
        self.instruments: list[Instrument] = self._cat.instruments
        self._index = InstrumentIndex(self.instruments)
        self._store = SeriesStore(self._cat, rate, day_of_date(self.today))
        self._zip: bytes | None = None
        self._zip_lock = threading.Lock()

    # -- the universe ------------------------------------------------------------------

    def find(self, exchange_code: str, stock_code: str, product: str,
             expiry: date | None = None, strike: Decimal | None = None,
             right: str | None = None) -> Instrument | None:
        """The instrument, case-insensitively; options need expiry, strike and right."""
        return self._index.find(exchange_code, stock_code, product, expiry, strike, right)

    def by_token(self, exchange_code: str, token: str) -> Instrument | None:
        return self._index.by_token(exchange_code, token)

    def chain(self, exchange_code: str, stock_code: str, expiry: date | None = None,
              right: str | None = None, strike: Decimal | None = None) -> list[Instrument]:
        """Options of one underlying, optionally narrowed, sorted by (expiry, strike, right)."""
        return self._index.chain(exchange_code, stock_code, expiry, right, strike)

    def futures(self, exchange_code: str, stock_code: str) -> list[Instrument]:
        """Futures of one underlying, nearest expiry first."""
        return self._index.futures(exchange_code, stock_code)

    def underlying_of(self, inst: Instrument) -> Instrument:
        """The cash instrument a derivative prices from (for NDX/MCX an unlisted spot)."""
        if inst.product == "cash":
            return inst
        found = self._cat.spot_of.get(inst.underlying or inst.stock_code)
        if found is None:
            raise ValueError(f"no underlying known for {inst.stock_code}")
        return found

    def security_master_zip(self) -> bytes:
        with self._zip_lock:
            if self._zip is None:
                self._zip = security_master_zip(self._cat)
            return self._zip

    # -- prices ----------------------------------------------------------------------

    def is_open(self, t: float) -> bool:
        return self.sessions.is_open(math.floor(t))

    def ltp(self, inst: Instrument, t: float) -> Decimal:
        ser = self._store.series(inst)
        return ser.tick.decimal(self._store.price(ser, self.sessions.effective(math.floor(t))))

    def path(self, inst: Instrument, t0: int, t1: int) -> F64:
        """Trade price at every second t0..t1 (held at the close while the market is shut)."""
        ser = self._store.series(inst)
        t0, t1 = int(t0), int(t1)
        out = np.empty(max(t1 - t0 + 1, 0))
        cursor = t0
        while cursor <= t1:
            if self.sessions.is_open(cursor):
                stop = min(self.sessions.current(cursor)[1], t1)
                out[cursor - t0:stop - t0 + 1] = self._store.span(ser, cursor, stop)[0]
            else:
                stop = min(self.sessions.next_open(cursor) - 1, t1)
                close = self._store.price(ser, self.sessions.effective(cursor))
                out[cursor - t0:stop - t0 + 1] = close
            cursor = stop + 1
        return out

    def liquidity(self, inst: Instrument, t: int) -> int:
        """Quantity resting at the best bid and at the best ask in second t (0 for indices)."""
        return book.resting_quantity(self._store.series(inst), math.floor(t))

    # -- quotes ----------------------------------------------------------------------

    def quote(self, inst: Instrument, t: float) -> Quote:
        """The instrument at t: last trade, session so far, book, circuits, open interest."""
        store = self._store
        ser = store.series(inst)
        start, end = self.sessions.current(math.floor(t))
        second = min(math.floor(t), end)
        prices, volumes = store.block(ser, second // BLOCK)
        at = second % BLOCK
        ltp = float(prices[at])
        session = store.session_agg(ser, start, second, end)
        prev_end = self.sessions.previous(start)[1]
        prev_close = store.price(ser, prev_end)
        ltt, ltq = second, 0
        if volumes is not None:
            traded = np.flatnonzero(volumes[:at + 1])
            if len(traded):
                ltt, ltq = second - at + int(traded[-1]), int(volumes[traded[-1]])
        open_interest = change = 0
        spot = underlying_close = None
        if isinstance(ser, DerivativeSeries):
            assert ser.interest is not None
            oi = ser.interest.at(np.array([second, prev_end], dtype=np.int64))
            open_interest, change = int(oi[0]), int(oi[0] - oi[1])
            spot = ser.underlying.tick.decimal(store.price(ser.underlying, second))
            underlying_close = store.price(ser.underlying, prev_end)
        kind = self._cat.underlyings[inst.underlying or inst.stock_code].kind
        upper, lower = book.circuits(ser, kind, prev_close, underlying_close)
        tick = ser.tick
        depth, buy, sell = book.depth(ser, second, tick.count(ltp))
        volume, value = session[4], session[5]
        return Quote(
            ltp=tick.decimal(ltp), ltt=ltt, ltq=ltq,
            open=tick.decimal(session[0]), high=tick.decimal(session[1]),
            low=tick.decimal(session[2]), previous_close=tick.decimal(prev_close),
            best_bid=depth[0].bid_price, best_bid_qty=depth[0].bid_qty,
            best_ask=depth[0].ask_price, best_ask_qty=depth[0].ask_qty,
            depth=depth, volume=volume,
            avg_price=tick.decimal(value / volume) if volume else _ZERO,
            total_buy_qty=buy, total_sell_qty=sell, upper_circuit=upper, lower_circuit=lower,
            open_interest=open_interest, oi_change=change, spot=spot,
        )

    # -- candles ---------------------------------------------------------------------

    def candles(self, inst: Instrument, interval: str, start: datetime, end: datetime,
                now: float | None = None, *, limit: int | None = None) -> list[Candle]:
        """Candles starting within [start, end] (IST wall clock), inside sessions.

        Candles starting after `now` (epoch seconds; default the wall clock) are left
        out and the still-forming one covers the seconds up to `now`. Intraday candles
        align to the session open; daily candles are stamped at 00:00 of their day.
        `limit` stops after that many candles, oldest first.
        """
        step = _INTERVALS.get(interval.strip().lower())
        if step is None:
            raise ValueError(f"unknown interval {interval!r}")
        ser = self._store.series(inst)
        now_s = math.floor(time.time() if now is None else now)
        if step == 0:
            return self._daily(ser, start.date(), end.date(), now_s, limit)
        first, last = from_ist(start), min(from_ist(end), now_s)
        out: list[Candle] = []
        for open_s, close_s in self.sessions.between(first, last):
            k0 = max(0, -((open_s - first) // step))  # first candle starting at/after `first`
            k1 = min((close_s - open_s) // step, (last - open_s) // step)
            if limit is not None:
                k1 = min(k1, k0 + limit - len(out) - 1)
            if k0 > k1:
                continue
            a = open_s + k0 * step
            b = min(open_s + (k1 + 1) * step - 1, close_s, now_s)
            prices, volumes = self._store.span(ser, a, b)
            starts = np.arange(0, b - a + 1, step, dtype=np.int64)
            out.extend(self._to_candles(ser, bars(prices, volumes, starts), a, starts, b))
            if limit is not None and len(out) >= limit:
                break
        return out

    def _to_candles(self, ser: Series, made: Bars, a: int, starts: I64, b: int) -> list[Candle]:
        last_seconds = np.append(starts[1:] - 1, b - a) + a
        oi = (ser.interest.at(last_seconds) if ser.interest is not None
              else np.zeros(len(starts), dtype=np.int64))
        dec = ser.tick.decimal
        opens, highs, lows, closes = (made.open.tolist(), made.high.tolist(),
                                      made.low.tolist(), made.close.tolist())
        volumes, counts, ois = made.volume.tolist(), made.count.tolist(), oi.tolist()
        return [
            Candle(to_naive_ist(a + s), dec(opens[i]), dec(highs[i]), dec(lows[i]),
                   dec(closes[i]), volumes[i], ois[i], counts[i])
            for i, s in enumerate(starts.tolist())
        ]

    def _daily(self, ser: Series, first_day: date, last_day: date, now_s: int,
               limit: int | None) -> list[Candle]:
        out: list[Candle] = []
        dec = ser.tick.decimal
        for day in range(day_of_date(first_day), day_of_date(last_day) + 1):
            if not self.sessions.trades_on(day):
                continue
            open_s, close_s = self.sessions.of_day(day)
            if open_s > now_s or (limit is not None and len(out) >= limit):
                break
            upto = min(close_s, now_s)
            o, h, lo, c, v, _, n = self._store.session_agg(ser, open_s, upto, close_s)
            oi = 0 if ser.interest is None else int(ser.interest.at(np.array([upto]))[0])
            stamp = to_naive_ist(open_s).replace(hour=0, minute=0, second=0)
            out.append(Candle(stamp, dec(o), dec(h), dec(lo), dec(c), v, oi, n))
        return out
