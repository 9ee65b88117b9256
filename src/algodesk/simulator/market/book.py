"""The order book around the last trade, and the day's price band (circuits).

The book is not simulated order by order: at any second it is drawn from hashes of
(instrument, second), so it is as deterministic and random-access as the prices.
"""

from __future__ import annotations

from decimal import Decimal

from .hashing import mix64
from .series import Series
from .types import DepthLevel

_MASK = (1 << 64) - 1
_TO_UNIT = 2.0**-53
_ZERO = Decimal(0)
_EMPTY = DepthLevel(_ZERO, 0, 0, _ZERO, 0, 0)
_BOOK_STREAM = 0xA5A5A5A5A5A5A5A5
LEVELS = 5

# Daily price bands as a fraction of the previous close (futures and cash); an option's
# band is the same fraction of the underlying's previous close around its own close,
# which a move of the underlying inside its band cannot cross (an option moves less than
# its underlying). Index futures +-10% matches a published NIFTY futures quote.
BANDS = {"index": 0.10, "currency": 0.05, "stock": 0.20, "commodity": 0.20}


def _draw(state: int) -> tuple[float, int]:
    """A uniform in [0, 1) and the next state of a small splitmix chain."""
    state = mix64(state)
    return (state >> 11) * _TO_UNIT, state


def resting_quantity(ser: Series, second: int) -> int:
    """Quantity at the best bid and at the best ask (at least one lot; 0 if untraded)."""
    if ser.activity is None:
        return 0
    u, _ = _draw((ser.depth_key + second) & _MASK)
    return (1 + int(u * 3.0 * ser.activity.mean_lots)) * ser.inst.lot_size


def depth(ser: Series, second: int, ltp_ticks: int) -> tuple[tuple[DepthLevel, ...], int, int]:
    """Five levels each side of the last trade, and the whole book's buy and sell totals.

    The spread is one or two ticks with bid <= ltp <= ask (bid < ltp unless the price
    sits on its one-tick floor). The best level holds at least `resting_quantity` on both
    sides, one side a little more; deeper levels step one tick away each.
    """
    if ser.activity is None:
        return (_EMPTY,) * LEVELS, 0, 0
    lot = ser.inst.lot_size
    size = ser.tick.size
    mean = ser.activity.mean_lots
    resting = resting_quantity(ser, second)
    u, state = _draw(((ser.depth_key ^ _BOOK_STREAM) + second) & _MASK)
    ask_gap = 1 if u < 0.4 else 0
    bid_gap = 1 if ask_gap or u < 0.7 else 2
    bid = max(ltp_ticks - bid_gap, 1)
    ask = max(ltp_ticks + ask_gap, bid + 1)
    u, state = _draw(state)
    extra = int(u * 2.0 * mean) * lot
    levels = []
    for level in range(LEVELS):
        if level == 0:
            bid_qty, ask_qty = ((resting + extra, resting) if state & 1
                                else (resting, resting + extra))
        else:
            u, state = _draw(state)
            bid_qty = (1 + int(u * 3.0 * mean)) * lot
            u, state = _draw(state)
            ask_qty = (1 + int(u * 3.0 * mean)) * lot
        u, state = _draw(state)
        orders = 1 + int(u * 12)
        bid_ticks = bid - level
        if bid_ticks < 1:  # no bids below the lowest possible price
            bid_price, bid_qty = _ZERO, 0
        else:
            bid_price = Decimal(bid_ticks) * size
        levels.append(DepthLevel(bid_price, bid_qty, min(orders, bid_qty // lot),
                                 Decimal(ask + level) * size, ask_qty,
                                 min(orders, ask_qty // lot)))
    u, state = _draw(state)
    buy = sum(level.bid_qty for level in levels) * (2 + int(u * 6))
    u, state = _draw(state)
    sell = sum(level.ask_qty for level in levels) * (2 + int(u * 6))
    return tuple(levels), buy, sell


def circuits(ser: Series, kind: str, prev_close: float,
             underlying_close: float | None) -> tuple[Decimal, Decimal]:
    """Upper and lower circuit for the session; zeros for indices (not tradable)."""
    inst = ser.inst
    if inst.product == "cash" and (inst.is_index or kind != "stock"):
        return _ZERO, _ZERO
    band = BANDS[kind]
    if inst.product == "options":
        assert underlying_close is not None
        reach = band * underlying_close
        upper, lower = prev_close + reach, prev_close - reach
    else:
        upper, lower = prev_close * (1 + band), prev_close * (1 - band)
    one_tick = ser.tick.num / ser.tick.den
    return ser.tick.decimal(upper), ser.tick.decimal(max(lower, one_tick))
