"""OpenAlgo's order vocabulary in Breeze's terms, written once for every endpoint.

- Products: CNC → `cash` on NSE/BSE; NRML → `futures`/`options` by instrument; MIS on
  derivatives → `futures`/`options` (the platform squares it off); MIS on equity is
  refused unless the trader opts in to routing it as `cash` (Breeze prohibits its
  intraday `margin` product).
- Price types: LIMIT → `limit`; SL → `stoploss` with price and trigger; SL-M →
  `stoploss` with a protective limit from the aggressive-limit rule; MARKET → `limit`
  at the aggressive-limit price (reference §12.3), because Breeze refuses market orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any, Protocol

# (percent of the reference price, minimum distance in rupees) by Breeze product.
AGGRESSIVE_RULE: dict[str, tuple[Decimal, Decimal]] = {
    "options": (Decimal(10), Decimal(5)),
    "futures": (Decimal("1.5"), Decimal("0.05")),
    "cash": (Decimal(3), Decimal("0.05")),
}

# Breeze REST order states (reference §9.1) → OpenAlgo `order_status` (§2.3).
STATUS = {
    "requested": "open",
    "queued": "open",
    "ordered": "open",
    "partially executed": "open",
    "executed": "complete",
    "cancelled": "cancelled",
    "expired": "cancelled",
    "partially executed and expired": "cancelled",
    "partially executed and cancelled": "cancelled",
    "rejected": "rejected",
    "freezed": "rejected",
}

PRICE_TYPE_OF_BREEZE = {"limit": "LIMIT", "stoploss": "SL", "market": "MARKET"}
PRODUCT_OF_BREEZE = {"cash": "CNC", "futures": "NRML", "options": "NRML", "btst": "CNC",
                     "mtf": "CNC", "margin": "MIS"}


class MappingError(ValueError):
    """A request Breeze cannot take as asked; the text tells the client why and what to do."""


class TradableInstrument(Protocol):
    """What the mapping needs of an instrument of the master contract."""

    symbol: str
    stock_code: str
    breeze_exchange: str
    product: str  # cash, futures, options
    right: str
    expiry: Any
    lot_size: int
    tick_size: Decimal
    freeze_qty: int  # the exchange's largest quantity per order; 0 when the master omits it

    @property
    def is_index(self) -> bool: ...

    @property
    def breeze_strike(self) -> str: ...


class QuoteLike(Protocol):
    ltp: Decimal
    upper_circuit: Decimal | None
    lower_circuit: Decimal | None


# The grid assumed when the master gives no tick (indices, which are refused anyway).
FALLBACK_TICK = Decimal("0.01")


def round_to_tick(price: Decimal, tick: Decimal) -> Decimal:
    """The platform's own prices (aggressive limits) on the tick grid."""
    if tick <= 0:
        return price.quantize(FALLBACK_TICK)
    steps = (price / tick).to_integral_value(ROUND_HALF_EVEN)
    return (steps * tick).quantize(tick)


def on_tick(price: Decimal, tick: Decimal, field: str, symbol: str) -> Decimal:
    """A trader's own price, exactly as asked, written on the tick's decimals; refused
    when it is not a multiple of the tick: rounding would send a price the trader never
    asked for, in either direction."""
    grid = tick if tick > 0 else FALLBACK_TICK
    # Exact arithmetic: the request model admits at most 32 characters, so 80 digits
    # hold any quotient and remainder without the default context's rounding.
    with localcontext() as exact:
        exact.prec = 80
        remainder = price % grid
        if remainder == 0:
            return (price / grid * grid).quantize(grid)
        below = (price / grid).to_integral_value(ROUND_FLOOR) * grid
        above = (price / grid).to_integral_value(ROUND_CEILING) * grid
    raise MappingError(f"{field} {price} is not a multiple of the tick size {grid} of "
                       f"{symbol}: send {below.quantize(grid)} or {above.quantize(grid)}")


def aggressive_limit(side: str, reference: Decimal, product: str, tick: Decimal,
                     lower: Decimal | None = None, upper: Decimal | None = None) -> Decimal:
    """The limit price a market order is sent at (reference §12.3): a percentage away
    from the reference price, at least the product's minimum, inside the day's band,
    on the tick grid."""
    percent, minimum = AGGRESSIVE_RULE[product if product in AGGRESSIVE_RULE else "cash"]
    delta = max(reference * percent / 100, minimum)
    price = reference + delta if side == "BUY" else reference - delta
    if upper and upper > 0:
        price = min(price, upper)
    if lower and lower > 0:
        price = max(price, lower)
    price = round_to_tick(price, tick)
    floor = tick if tick > 0 else Decimal("0.05")
    return max(price, floor)


def breeze_product(inst: TradableInstrument, product: str, *,
                   equity_mis_as_cash: bool = False) -> str:
    """The Breeze product for an OpenAlgo product on this instrument."""
    if inst.is_index:
        raise MappingError(f"{inst.symbol} is an index: indices can be quoted, not traded")
    derivative = inst.product in ("futures", "options")
    if product == "CNC":
        if derivative:
            raise MappingError("CNC is for NSE/BSE equity delivery; use NRML (or MIS) for "
                               "futures and options")
        return "cash"
    if product == "NRML":
        if not derivative:
            raise MappingError("NRML is for futures and options; use CNC for equity")
        return inst.product
    if product == "MIS":
        if derivative:
            return inst.product
        if equity_mis_as_cash:
            return "cash"
        raise MappingError(
            "MIS (intraday) equity orders cannot go through Breeze: ICICI prohibits its "
            "margin product for API orders. Use CNC, or set EQUITY_MIS_AS_CASH=true to "
            "place them as delivery and let algodesk square them off before the close")
    raise MappingError(f"Invalid product {product!r}. Accepted: CNC, NRML, MIS")


@dataclass(frozen=True, slots=True)
class PriceDecision:
    """How a price type goes to Breeze, and what to tell the trader about it."""

    order_type: str  # limit, stoploss
    price: Decimal
    trigger: Decimal  # 0 for limit orders
    note: str = ""  # set when the platform chose the price (MARKET, SL-M)


def decide_price(inst: TradableInstrument, breeze_product_: str, action: str,
                 pricetype: str, price: Decimal, trigger: Decimal,
                 quote: QuoteLike | None) -> PriceDecision:
    """Turn an OpenAlgo price type into Breeze's `order_type`, price and trigger."""
    tick = inst.tick_size
    if pricetype == "LIMIT":
        if price <= 0:
            raise MappingError("price must be greater than 0 for a LIMIT order")
        return PriceDecision("limit", on_tick(price, tick, "price", inst.symbol), Decimal(0))
    if pricetype == "SL":
        if price <= 0 or trigger <= 0:
            raise MappingError("SL orders need price > 0 and trigger_price > 0")
        return PriceDecision("stoploss", on_tick(price, tick, "price", inst.symbol),
                             on_tick(trigger, tick, "trigger_price", inst.symbol))
    lower = quote.lower_circuit if quote else None
    upper = quote.upper_circuit if quote else None
    if pricetype == "SL-M":
        if trigger <= 0:
            raise MappingError("SL-M orders need trigger_price > 0")
        on_grid = on_tick(trigger, tick, "trigger_price", inst.symbol)
        limit = aggressive_limit(action, trigger, breeze_product_, tick, lower, upper)
        return PriceDecision("stoploss", limit, on_grid,
                             f"SL-M sent as stop-loss limit {limit} (aggressive limit from "
                             f"trigger {trigger})")
    if pricetype == "MARKET":
        if quote is None or quote.ltp <= 0:
            raise MappingError(f"No last price for {inst.symbol}: a MARKET order needs a "
                               "quote to compute its aggressive limit price")
        limit = aggressive_limit(action, quote.ltp, breeze_product_, tick, lower, upper)
        return PriceDecision("limit", limit, Decimal(0),
                             f"MARKET sent as aggressive limit {limit} (LTP {quote.ltp})")
    raise MappingError(f"Invalid pricetype {pricetype!r}. Accepted: MARKET, LIMIT, SL, SL-M")


def place_order_fields(inst: TradableInstrument, *, breeze_product_: str, action: str,
                       quantity: int, decision: PriceDecision,
                       disclosed_quantity: int = 0) -> dict[str, Any]:
    """Keyword arguments for `BreezeClient.place_order` (user_remark added by the journal)."""
    fields: dict[str, Any] = {
        "stock_code": inst.stock_code,
        "exchange_code": inst.breeze_exchange,
        "product": breeze_product_,
        "action": action.lower(),
        "order_type": decision.order_type,
        "quantity": str(quantity),
        "price": str(decision.price),
        "validity": "day",
    }
    if decision.trigger > 0:
        fields["stoploss"] = str(decision.trigger)
    if disclosed_quantity:
        fields["disclosed_quantity"] = str(disclosed_quantity)
    if inst.product != "cash":
        fields["expiry_date"] = inst.expiry
        fields["right"] = inst.right
        fields["strike_price"] = inst.breeze_strike or "0"
    return fields


def openalgo_product(breeze_product: str | None) -> str:
    """A Breeze product as OpenAlgo's (an unknown one shows as CNC)."""
    return PRODUCT_OF_BREEZE.get((breeze_product or "").strip().lower(), "CNC")


def openalgo_price_type(breeze_order_type: str | None) -> str:
    """A Breeze order type as OpenAlgo's price type (an unknown one shows as LIMIT)."""
    return PRICE_TYPE_OF_BREEZE.get((breeze_order_type or "").strip().lower(), "LIMIT")


def openalgo_status(breeze_status: str, breeze_order_type: str | None = None) -> str:
    """A Breeze order state as OpenAlgo's `order_status`; a stop-loss still waiting for
    its trigger is `trigger pending`. Unknown states pass through, lower-cased."""
    state = (breeze_status or "").strip().lower()
    status = STATUS.get(state, state)
    if status == "open" and state in ("ordered", "requested", "queued") and \
            (breeze_order_type or "").strip().lower() == "stoploss":
        return "trigger pending"
    return status


def filled_quantity(status: str, quantity: int, pending: int, cancelled: int) -> int:
    """How much of a Breeze order has traded, from its OpenAlgo `status` and Breeze's
    counts: Breeze gives no filled figure of its own, and its pending count is not
    kept up for a cancelled or rejected order (the cancelled count tells there)."""
    if status in ("cancelled", "rejected"):
        return max(quantity - cancelled, 0) if cancelled else 0
    if status == "complete":
        return quantity
    return max(quantity - pending, 0)
