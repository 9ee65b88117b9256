"""Breeze's stream arrays as domain types (breeze-api.md §10.3-10.4): pure functions.

A `stock` event is one JSON array: an exchange quote (21 elements for cash, 23 for
derivatives, MCX's own 22 scalars plus five depth arrays) or market depth
(`[token, epoch, five levels]`). An `order` event is an array of strings, equity layout
(message type 4/5) or derivative layout (6/7, prices in paise).

The feed resolves the instrument (the token names it); these functions only read the
numbers, given the OpenAlgo symbol and exchange to stamp on the result.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from ...domain.market import DepthLevel
from ...domain.orders import OrderStatus, PriceType, Product, Side
from ...domain.stream import DepthUpdate, OrderEvent, Tick
from .formats import IST
from .mapping import openalgo_price_type, openalgo_product, openalgo_status

CASH_TICK_LENGTH = 21
DERIVATIVE_TICK_LENGTH = 23
MCX_PREFIX = "6"
MCX_SCALARS = 22
_PAISE = Decimal(100)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class Layout(Enum):
    CASH = "cash"  # NSE/BSE equity and index quotes
    DERIVATIVE = "derivative"  # NFO/BFO/NDX quotes: OI and its change added
    MCX = "mcx"  # quote and five depth levels in one array, prices in paise
    DEPTH = "depth"  # [token, epoch, levels]


class StreamFormatError(ValueError):
    """A frame that does not have the layout it claims."""


def layout(frame: Any) -> Layout | None:
    """Which kind of `stock` array this is, or None for one the platform does not read
    (strategy streams, prefix-3 index ticks, garbage)."""
    if not isinstance(frame, list) or not frame or not isinstance(frame[0], str):
        return None
    token = frame[0]
    if "!" not in token:
        return None
    if len(frame) == 3 and isinstance(frame[2], list):
        return Layout.DEPTH
    if token.startswith(MCX_PREFIX + "."):
        return Layout.MCX if len(frame) >= MCX_SCALARS else None
    if len(frame) == CASH_TICK_LENGTH:
        return Layout.CASH
    if len(frame) == DERIVATIVE_TICK_LENGTH:
        return Layout.DERIVATIVE
    return None


# -- values -----------------------------------------------------------------------------


_PRICES: dict[float, Decimal] = {}  # prices repeat tick after tick: read each once
_PRICES_KEPT = 65_536


def price(value: Any) -> Decimal | None:
    """A price as sent (a JSON number or numeric text) as an exact Decimal; None for the
    empty values Breeze uses (`null`, `""`, `"*"`)."""
    if type(value) is float:  # the common case, ten times a tick
        found = _PRICES.get(value)
        if found is None:
            if not math.isfinite(value):
                raise StreamFormatError(f"not a price: {value!r}")
            if len(_PRICES) >= _PRICES_KEPT:
                _PRICES.clear()
            # repr() of a float is its shortest round-trip text: 1233.05, not 1233.0499...
            found = _PRICES[value] = Decimal(repr(value))
        return found
    if value is None or value == "" or value == "*":
        return None
    if isinstance(value, bool):
        raise StreamFormatError(f"not a price: {value!r}")
    try:
        found = Decimal(value) if isinstance(value, (int, str)) else Decimal(repr(value))
    except (InvalidOperation, ValueError, TypeError):
        raise StreamFormatError(f"not a price: {value!r}") from None
    if not found.is_finite():
        raise StreamFormatError(f"not a price: {value!r}")
    return found


def paise(value: Any) -> Decimal | None:
    found = price(value)
    return None if found is None else found / _PAISE


def quantity(value: Any) -> int:
    """A count; the empty values are 0."""
    if type(value) is int:  # the common case, eight times a tick
        return value
    if value is None or value == "" or value == "*":
        return 0
    try:
        return int(float(value)) if isinstance(value, (str, float)) else int(value)
    except (ValueError, TypeError, OverflowError):
        raise StreamFormatError(f"not a quantity: {value!r}") from None


def epoch(value: Any) -> dt.datetime:
    """Epoch seconds as an aware UTC instant (0 when absent)."""
    return _instant(quantity(value))


@functools.lru_cache(maxsize=1024)
def _instant(seconds: int) -> dt.datetime:
    # The ticks of one second, a thousand instruments' of them, share one instant.
    return _EPOCH + dt.timedelta(seconds=seconds)


# -- quotes -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TickOrder:
    """Where a tick stands in its instrument's sequence: exchange time, then volume
    (a day's volume only grows). The feed drops a tick that stands before the last one
    delivered, and an exact repeat of it."""

    ltt: int
    volume: int


def is_newer(order: TickOrder, frame: list[Any],
             previous: tuple[TickOrder, list[Any] | None] | None) -> bool:
    """Whether a frame comes after `previous` (the order and frame last delivered for
    its instrument): not before it, and not an exact repeat of it. At the same time and
    volume a changed frame is news (the best bid or ask moved without a trade) — unless
    the last one was a REST quote (frame None): its trade is then no news again."""
    if previous is None:
        return True
    before, seen = previous
    if (order.ltt, order.volume) < (before.ltt, before.volume):
        return False
    if seen is None:
        return order != before
    return not (order == before and frame == seen)


def tick_order(frame: list[Any], kind: Layout) -> TickOrder:
    if kind is Layout.MCX:
        return TickOrder(quantity(frame[7]), quantity(frame[4]))
    if kind is Layout.DEPTH:
        return TickOrder(quantity(frame[1]), 0)
    tail = 14 if kind is Layout.DERIVATIVE else 12
    return TickOrder(quantity(frame[tail + 7]), quantity(frame[tail]))


def parse_tick(frame: list[Any], kind: Layout, symbol: str, exchange: str) -> Tick:
    """A cash (21) or derivative (23) quote array as a Tick."""
    if kind is Layout.MCX:
        return _mcx_tick(frame, symbol, exchange)
    if kind not in (Layout.CASH, Layout.DERIVATIVE):
        raise StreamFormatError(f"not a quote array: {kind}")
    derivative = kind is Layout.DERIVATIVE
    tail = 14 if derivative else 12
    last = price(frame[2])
    if last is None:
        raise StreamFormatError(f"{frame[0]}: a tick without a last price")
    return Tick(
        symbol=symbol, exchange=exchange, last_price=last,
        last_quantity=quantity(frame[10]), volume=quantity(frame[tail]),
        at=epoch(frame[tail + 7]), average_price=price(frame[11]),
        open_interest=quantity(frame[12]) if derivative else 0,
        open=price(frame[1]), high=price(frame[3]), low=price(frame[4]),
        previous_close=price(frame[tail + 8]),
        bid=price(frame[6]), bid_quantity=quantity(frame[7]),
        ask=price(frame[8]), ask_quantity=quantity(frame[9]),
        total_buy_quantity=quantity(frame[tail + 1]),
        total_sell_quantity=quantity(frame[tail + 2]),
        lower_circuit=price(frame[tail + 5]), upper_circuit=price(frame[tail + 6]),
    )


def _mcx_tick(frame: list[Any], symbol: str, exchange: str) -> Tick:
    """MCX: symbol, AndiOPVolume, Reserved, IndexFlag, ttq, last, ltq, ltt, ATP,
    TotalBuyQnt, TotalSellQnt, ReservedStr, Close, Open, High, Low, ReservedShort, OI,
    TotalTrades, HighestEver, LowestEver, TotalTradedValue; prices in paise."""
    last = paise(frame[5])
    if last is None:
        raise StreamFormatError(f"{frame[0]}: a tick without a last price")
    levels = frame[MCX_SCALARS:]
    best = levels[0] if levels and isinstance(levels[0], list) and len(levels[0]) >= 8 else None
    return Tick(
        symbol=symbol, exchange=exchange, last_price=last, last_quantity=quantity(frame[6]),
        volume=quantity(frame[4]), at=epoch(frame[7]), average_price=paise(frame[8]),
        open_interest=quantity(frame[17]), open=paise(frame[13]), high=paise(frame[14]),
        low=paise(frame[15]), previous_close=paise(frame[12]),
        bid=paise(best[1]) if best else None, bid_quantity=quantity(best[0]) if best else 0,
        ask=paise(best[5]) if best else None, ask_quantity=quantity(best[4]) if best else 0,
        total_buy_quantity=quantity(frame[9]), total_sell_quantity=quantity(frame[10]),
    )


# -- depth ------------------------------------------------------------------------------


def parse_depth(frame: list[Any], symbol: str, exchange: str) -> DepthUpdate:
    """`[token, epoch, levels]`; a level's shape depends on the exchange prefix: BSE (1)
    `[bid, bidQty, ask, askQty]`, BFO (8) adds order counts, the others (NSE/NFO/NDX)
    `[bid, bidQty, bidOrders, flag, ask, askQty, askOrders, flag]`."""
    prefix = frame[0].partition(".")[0]
    bids: list[DepthLevel] = []
    asks: list[DepthLevel] = []
    for level in frame[2]:
        if not isinstance(level, list):
            raise StreamFormatError(f"{frame[0]}: a depth level is not an array")
        if prefix == "1" and len(level) >= 4:
            bid = (level[0], level[1], 0)
            ask = (level[2], level[3], 0)
        elif prefix == "8" and len(level) >= 6:
            bid = (level[0], level[1], level[2])
            ask = (level[3], level[4], level[5])
        elif len(level) >= 8:
            bid = (level[0], level[1], level[2])
            ask = (level[4], level[5], level[6])
        else:
            raise StreamFormatError(f"{frame[0]}: a depth level of {len(level)} elements")
        _add_level(bids, *bid)
        _add_level(asks, *ask)
    return DepthUpdate(symbol, exchange, tuple(bids), tuple(asks), epoch(frame[1]))


def _add_level(side: list[DepthLevel], rate: Any, qty: Any, orders: Any) -> None:
    value = rate if isinstance(rate, Decimal) or rate is None else price(rate)
    side.append(DepthLevel(value if value is not None else Decimal(0), quantity(qty),
                           quantity(orders)))


# -- order notifications ------------------------------------------------------------------

#: TUX order states (breeze-api.md §9.2) in the words of REST order rows.
ORDER_STATES = {
    "R": "Requested", "Q": "Queued", "O": "Ordered", "P": "Partially Executed",
    "E": "Executed", "J": "Rejected", "X": "Expired", "B": "Partially Executed And Expired",
    "D": "Partially Executed And Cancelled", "F": "Freezed", "C": "Cancelled",
}
#: TUX product codes in the words of REST order rows. The older SDKs' plus products
#: (stop-loss-protected futures and options) are futures and options to the platform.
TUX_PRODUCTS = {
    "C": "cash", "B": "btst", "M": "margin", "F": "futures", "P": "futures",
    "U": "futures", "O": "options", "I": "options",
}
#: TUX limitMarketFlag in the words of REST order rows' `order_type`.
TUX_ORDER_TYPES = {"L": "limit", "M": "market", "S": "stoploss"}
TUX_SIDES = {"B": Side.BUY, "S": Side.SELL}
_RIGHTS = {"C": "call", "P": "put"}
EQUITY_TYPES = ("4", "5")
DERIVATIVE_TYPES = ("6", "7")


@dataclass(frozen=True, slots=True)
class OrderNotice:
    """An order notification's fields, before the instrument is looked up."""

    order_id: str
    status: OrderStatus
    stock_code: str
    exchange_code: str
    product: str  # the instrument's kind: cash, futures, options
    expiry: str  # DD-Mon-YYYY, "" for cash
    strike: Decimal | None
    right: str  # call, put, "" (cash), others (futures)
    quantity: int
    filled_quantity: int
    average_price: Decimal
    at: dt.datetime
    side: Side
    price_type: PriceType  # OpenAlgo's, as the order book maps Breeze's order type
    order_product: Product  # OpenAlgo's, as the order book maps Breeze's product
    price: Decimal
    trigger_price: Decimal


def is_order_notification(frame: Any) -> bool:
    return (isinstance(frame, list) and len(frame) > 12 and isinstance(frame[11], str)
            and frame[11] in EQUITY_TYPES + DERIVATIVE_TYPES)


def parse_order_notification(frame: list[Any]) -> OrderNotice | None:
    """The fields of one `order` array, or None for a state or side the platform does not
    know (the TUX map's `A`, "all", its `N` side, and anything new)."""
    if not is_order_notification(frame):
        raise StreamFormatError("not an order notification")
    derivative = frame[11] in DERIVATIVE_TYPES
    at = _message_time(frame[7], frame[8])
    if derivative:
        if len(frame) < 40:
            raise StreamFormatError(f"a derivative notification of {len(frame)} elements")
        state, order_type = ORDER_STATES.get(frame[25]), frame[22]
        breeze_product = TUX_PRODUCTS.get(frame[15], "futures")
        product = breeze_product if breeze_product in ("futures", "options") else "futures"
        right = _RIGHTS.get(frame[16], "others") if product == "options" else "others"
        strike = paise(frame[18]) if product == "options" else None
        expiry, order_id, total = str(frame[19]), str(frame[26]), quantity(frame[27])
        executed, average = quantity(frame[28]), paise(frame[39])
        side, limit, trigger = frame[21], paise(frame[24]), paise(frame[31])
    else:
        if len(frame) < 43:
            raise StreamFormatError(f"an equity notification of {len(frame)} elements")
        state, order_type = ORDER_STATES.get(frame[20]), frame[16]
        product, right, strike, expiry = "cash", "", None, ""
        breeze_product = TUX_PRODUCTS.get(frame[19], "cash")
        order_id, total = str(frame[23]), quantity(frame[24])
        executed, average = quantity(frame[26]), price(frame[42])
        side, limit, trigger = frame[15], price(frame[18]), price(frame[30])
    if state is None or side not in TUX_SIDES:
        return None
    breeze_order_type = TUX_ORDER_TYPES.get(order_type, "limit")
    status = openalgo_status(state, breeze_order_type)
    try:
        known = OrderStatus(status)
    except ValueError:
        return None
    return OrderNotice(
        order_id=order_id, status=known, stock_code=str(frame[14]).strip(),
        exchange_code=str(frame[13]).strip(), product=product, expiry=expiry, strike=strike,
        right=right, quantity=total, filled_quantity=executed,
        average_price=average or Decimal(0), at=at, side=TUX_SIDES[side],
        price_type=PriceType(openalgo_price_type(breeze_order_type)),
        order_product=Product(openalgo_product(breeze_product)),
        price=limit or Decimal(0), trigger_price=trigger or Decimal(0))


def order_event(notice: OrderNotice, symbol: str, exchange: str) -> OrderEvent:
    return OrderEvent(order_id=notice.order_id, status=notice.status,
                      filled_quantity=notice.filled_quantity,
                      average_price=notice.average_price, at=notice.at, side=notice.side,
                      price_type=notice.price_type, product=notice.order_product,
                      symbol=symbol, exchange=exchange, quantity=notice.quantity,
                      price=notice.price, trigger_price=notice.trigger_price)


def _message_time(day: Any, time: Any) -> dt.datetime:
    """`07-08-2023` and `11:49:55` (IST) as an aware instant."""
    try:
        local = dt.datetime.strptime(f"{day} {time}", "%d-%m-%Y %H:%M:%S")
    except (TypeError, ValueError):
        raise StreamFormatError(f"not a message date and time: {day!r} {time!r}") from None
    return local.replace(tzinfo=IST)


__all__ = [
    "Layout",
    "OrderNotice",
    "StreamFormatError",
    "TickOrder",
    "is_newer",
    "is_order_notification",
    "layout",
    "order_event",
    "parse_depth",
    "parse_order_notification",
    "parse_tick",
    "tick_order",
]
