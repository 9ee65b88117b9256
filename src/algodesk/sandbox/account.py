"""The paper account in memory: cash, net positions, holdings, and what margin blocks.

- **Cash** starts at the capital (₹1,00,00,000 by default); realised P&L is credited to
  it as it is made. **Available** = cash − margin blocked (by working orders and by
  open positions).
- **Positions** are netted per (symbol, exchange, product): +100 then SELL 150 leaves
  −50. Adding at a new price averages; reducing realises (exit − average) × quantity
  (the other way for shorts) and releases that share of the position's margin; a flip
  closes the old side whole and opens the rest at the fill price.
- **Holdings** (T+1): a CNC long bought on one session day is a holding from the next
  (its cost is then paid from cash and its margin released); a CNC sell first reduces
  the day's CNC long, then the holdings (realised against their average).
- The **session day** begins at 03:00 IST (openalgo-api.md §5): the order book and the
  day's realised P&L start again there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..domain.orders import Product, Side
from ..domain.values import IST
from .margin import margin

ZERO = Decimal(0)
SESSION_START = dt.timedelta(hours=3)


def session_day(moment: dt.datetime) -> dt.date:
    """The paper session day of an instant: the IST date, changing at 03:00 IST."""
    return (moment.astimezone(IST) - SESSION_START).date()


@dataclass(slots=True)
class PaperPosition:
    symbol: str
    exchange: str
    product: Product
    day: dt.date  # the session day `realised` belongs to
    quantity: int = 0
    average_price: Decimal = ZERO
    realised: Decimal = ZERO  # realised P&L of `day`
    margin: Decimal = ZERO  # blocked for the open quantity
    opened_day: dt.date | None = None  # the day a CNC long was (last) bought

    @property
    def key(self) -> tuple[str, str, Product]:
        return (self.symbol, self.exchange, self.product)


@dataclass(slots=True)
class PaperHolding:
    symbol: str
    exchange: str
    quantity: int
    average_price: Decimal
    settled_day: dt.date  # the session day it became a holding


@dataclass(frozen=True, slots=True)
class Applied:
    """What one fill did to the account."""

    position: PaperPosition
    realised: Decimal  # P&L realised by this fill
    holding: PaperHolding | None = None  # the holding a CNC sell reduced


class Account:
    def __init__(self, capital: Decimal, cash: Decimal | None = None) -> None:
        self.capital = capital
        self.cash = capital if cash is None else cash
        self.positions: dict[tuple[str, str, Product], PaperPosition] = {}
        self.holdings: dict[tuple[str, str], PaperHolding] = {}
        self.order_margin = ZERO  # blocked by working orders (the broker keeps the sum)

    # -- funds ------------------------------------------------------------------------

    @property
    def position_margin(self) -> Decimal:
        return sum((p.margin for p in self.positions.values()), ZERO)

    @property
    def used_margin(self) -> Decimal:
        return self.order_margin + self.position_margin

    @property
    def available(self) -> Decimal:
        return self.cash - self.used_margin

    # -- positions --------------------------------------------------------------------

    def position(self, symbol: str, exchange: str, product: Product, day: dt.date
                 ) -> PaperPosition:
        key = (symbol, exchange, product)
        found = self.positions.get(key)
        if found is None:
            found = self.positions[key] = PaperPosition(symbol, exchange, product, day)
        return found

    def net(self, symbol: str, exchange: str, product: Product) -> int:
        found = self.positions.get((symbol, exchange, product))
        return found.quantity if found else 0

    def opening_quantity(self, symbol: str, exchange: str, product: Product, side: Side,
                         quantity: int) -> int:
        """How much of an order would open or add to a position (the rest closes)."""
        held = self.net(symbol, exchange, product)
        if held == 0 or (held > 0) == (side is Side.BUY):
            return quantity
        return max(0, quantity - abs(held))

    def holding(self, symbol: str, exchange: str) -> int:
        found = self.holdings.get((symbol, exchange))
        return found.quantity if found else 0

    def apply(self, symbol: str, exchange: str, product: Product, side: Side, quantity: int,
              price: Decimal, leverage: Decimal, day: dt.date) -> Applied:
        """One fill: net it into the position, realise what it closes, block what it
        opens. A CNC sell beyond the day's long comes out of the holdings."""
        position = self.position(symbol, exchange, product, day)
        if position.day != day:
            position.day, position.realised = day, ZERO
        realised = ZERO
        holding = None
        if product is Product.CNC and side is Side.SELL:
            from_position = min(quantity, max(position.quantity, 0))
            from_holdings = quantity - from_position
            if from_holdings:
                holding = self.holdings[(symbol, exchange)]
                gain = (price - holding.average_price) * from_holdings
                holding.quantity -= from_holdings
                # Delivered shares were paid for at settlement: the sale brings cash in.
                self.cash += price * from_holdings
                position.realised += gain
                realised += gain
                if holding.quantity == 0:
                    del self.holdings[(symbol, exchange)]
                quantity = from_position
            if not quantity:
                return Applied(position, realised, holding)
        held = position.quantity
        signed = quantity if side is Side.BUY else -quantity
        if held == 0 or (held > 0) == (signed > 0):
            total = abs(held) + quantity
            position.average_price = (position.average_price * abs(held) + price * quantity) / total
            position.quantity = held + signed
            position.margin += margin(quantity, price, leverage)
        else:
            closing = min(quantity, abs(held))
            gain = (price - position.average_price) * closing * (1 if held > 0 else -1)
            released = position.margin * closing / abs(held)
            position.margin -= released
            position.realised += gain
            self.cash += gain
            realised += gain
            position.quantity = held + signed
            rest = quantity - closing
            if position.quantity == 0:
                position.average_price, position.margin = ZERO, ZERO
            elif rest:  # flipped: the rest opens the other side at this price
                position.average_price = price
                position.margin = margin(rest, price, leverage)
        if product is Product.CNC and side is Side.BUY:
            position.opened_day = day
        return Applied(position, realised, holding)

    # -- the session day ----------------------------------------------------------------

    def roll(self, day: dt.date) -> tuple[list[PaperPosition], list[PaperPosition],
                                          list[PaperHolding]]:
        """A new session day: yesterday's realised P&L is history, flat positions go,
        CNC longs bought before `day` settle into holdings (T+1). Returns (positions
        changed, positions removed, holdings changed)."""
        changed: list[PaperPosition] = []
        removed: list[PaperPosition] = []
        settled: list[PaperHolding] = []
        for key, position in list(self.positions.items()):
            if position.day >= day:
                continue
            if (position.product is Product.CNC and position.quantity > 0
                    and (position.opened_day or position.day) < day):
                settled.append(self._settle(position, day))
            if position.quantity == 0:
                del self.positions[key]
                removed.append(position)
                continue
            position.day, position.realised = day, ZERO
            changed.append(position)
        return changed, removed, settled

    def _settle(self, position: PaperPosition, day: dt.date) -> PaperHolding:
        """A CNC long becomes a holding: its cost is paid, its margin released."""
        key = (position.symbol, position.exchange)
        cost = position.average_price * position.quantity
        holding = self.holdings.get(key)
        if holding is None:
            holding = self.holdings[key] = PaperHolding(position.symbol, position.exchange, 0,
                                                        ZERO, day)
        total = holding.quantity + position.quantity
        holding.average_price = (holding.average_price * holding.quantity + cost) / total
        holding.quantity, holding.settled_day = total, day
        self.cash -= cost
        position.quantity, position.average_price, position.margin = 0, ZERO, ZERO
        return holding


__all__ = ["SESSION_START", "Account", "Applied", "PaperHolding", "PaperPosition",
           "session_day"]
