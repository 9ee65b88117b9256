"""Fill rules of the paper broker (pure functions over what the market shows).

A trader must be able to trust a paper fill, so it is never better than the market
offered (the anchor's sandbox filled everything at the last price, bid = ask = LTP):

- MARKET buys take the instrument's own asks, sells its bids: with the depth stream's
  five levels, level by level for the quantity (what is left beyond the fifth level at
  the fifth level's price); with only a quote, the best ask/bid for all of it; the last
  traded price only when the book shows no price on that side (declared as such).
- A LIMIT order that is marketable when it arrives fills like a market order but never
  through its limit: levels beyond the limit are not taken, and what is left fills at
  the limit. One that rests fills at its limit on the first book whose opposite side
  reaches it (a resting order is filled at its own price); the last price stands in
  for a missing side.
- SL and SL-M orders trigger on the first last-traded price through the trigger
  (a buy stop at or above it, a sell stop at or below); then SL-M fills as a market
  order and SL as a limit order at its price.

Every fill says which rule made its price (`Fill.rule`), recorded on the paper trade.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..domain.market import DepthLevel
from ..domain.orders import Side

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Book:
    """What is known of an instrument's market at one moment: the last trade and each
    side's levels, best first (`depth`: the five levels of the depth stream, else the
    quote's best bid and ask only)."""

    last_price: Decimal
    bids: tuple[DepthLevel, ...] = ()
    asks: tuple[DepthLevel, ...] = ()
    depth: bool = False
    at: dt.datetime | None = None

    def side(self, taking: Side) -> tuple[DepthLevel, ...]:
        """The levels an order of `taking` trades against (a buy takes the asks)."""
        return self.asks if taking is Side.BUY else self.bids


@dataclass(frozen=True, slots=True)
class Fill:
    price: Decimal  # the average over the levels taken
    rule: str  # which rule made the price, in words


def _better_or_equal(side: Side, price: Decimal, limit: Decimal) -> bool:
    """Whether `price` is no worse than `limit` for an order of `side`."""
    return price <= limit if side is Side.BUY else price >= limit


def _walk(side: Side, quantity: int, levels: Sequence[DepthLevel], limit: Decimal | None,
          ) -> tuple[Decimal, int, int, Decimal]:
    """Take `quantity` from `levels` (not beyond `limit`): (cost of what was taken,
    quantity taken, levels used, the last level's price)."""
    cost, taken, used, last = ZERO, 0, 0, ZERO
    for level in levels:
        if taken >= quantity:
            break
        if level.quantity <= 0:
            continue
        if limit is not None and not _better_or_equal(side, level.price, limit):
            break
        take = min(level.quantity, quantity - taken)
        cost += level.price * take
        taken += take
        used += 1
        last = level.price
    return cost, taken, used, last


def _side_name(side: Side) -> str:
    return "ask" if side is Side.BUY else "bid"


def take(side: Side, quantity: int, book: Book, limit: Decimal | None = None
         ) -> Fill | None:
    """An order arriving now: its fill against the book, or None when a limit order
    does not reach the opposite side (it rests). `limit` None: a market order."""
    name = _side_name(side)
    levels = [level for level in book.side(side) if level.price > 0]
    kind = "market" if limit is None else "limit"
    verb = "buy" if side is Side.BUY else "sell"
    if not levels:
        # No price on that side (an empty book, an index): the last trade stands in.
        if book.last_price <= 0:
            return None
        if limit is not None and not _better_or_equal(side, book.last_price, limit):
            return None
        return Fill(book.last_price, f"{kind} {verb} at the last traded price {book.last_price} "
                                     f"(no {name} in the book)")
    best = levels[0].price
    if limit is not None and not _better_or_equal(side, best, limit):
        return None
    if not book.depth or all(level.quantity <= 0 for level in levels):
        return Fill(best, f"{kind} {verb} at the best {name} {best} (quote: no depth known)")
    cost, taken, used, last = _walk(side, quantity, levels, limit)
    if taken == quantity:
        if used == 1:
            return Fill(best, f"{kind} {verb} at the best {name} {best} (depth)")
        return Fill(cost / quantity, f"{kind} {verb} across {used} {name} levels of the "
                                     f"depth ({best} to {last})")
    rest = quantity - taken
    if limit is None:
        # Beyond the five levels nothing is known: the rest at the fifth level's price.
        at, why = last, f"{rest} beyond the {used} levels shown at the last one's price"
    else:
        at, why = limit, f"{rest} beyond the levels within the limit at the limit"
    return Fill((cost + at * rest) / quantity,
                f"{kind} {verb} across {used} {name} levels of the depth ({best} to "
                f"{last}), {why}")


def rests_filled(side: Side, limit: Decimal, book: Book) -> Fill | None:
    """A resting limit order on a new book: filled at its limit when the opposite side
    (the last price, when the book has none) reaches it, else None."""
    levels = [level for level in book.side(side) if level.price > 0]
    verb = "buy" if side is Side.BUY else "sell"
    if levels:
        if _better_or_equal(side, levels[0].price, limit):
            return Fill(limit, f"resting limit {verb} filled at its limit {limit}: the best "
                               f"{_side_name(side)} reached {levels[0].price}")
        return None
    if book.last_price > 0 and _better_or_equal(side, book.last_price, limit):
        return Fill(limit, f"resting limit {verb} filled at its limit {limit}: the last "
                           f"price reached {book.last_price} (no {_side_name(side)} in the "
                           "book)")
    return None


def triggered(side: Side, trigger: Decimal, book: Book) -> bool:
    """Whether a stop order's trigger is reached by the last traded price: a buy stop at
    or above its trigger, a sell stop at or below."""
    if book.last_price <= 0:
        return False
    return book.last_price >= trigger if side is Side.BUY else book.last_price <= trigger


__all__ = ["Book", "Fill", "rests_filled", "take", "triggered"]
