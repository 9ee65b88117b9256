"""Paper margin (openalgo-api.md §5): quantity × price ÷ leverage, by the contract's table.

| instrument | leverage (default) |
| --- | --- |
| equity MIS | 5× |
| equity CNC (and NRML, which the order path refuses on equity) | 1× |
| futures | 10× |
| option buy | 1× (the full premium) |
| option sell | 1× (the premium) |

The leverages are settings (`ANALYZER_LEVERAGE_*`). An order blocks the margin of the
part of it that opens or adds to a position; the part that closes one blocks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..domain.instruments import InstrumentType
from ..domain.orders import Product, Side

PAISA = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Leverages:
    equity_mis: Decimal = Decimal(5)
    equity_delivery: Decimal = Decimal(1)
    futures: Decimal = Decimal(10)
    option_buy: Decimal = Decimal(1)
    option_sell: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        for name in ("equity_mis", "equity_delivery", "futures", "option_buy", "option_sell"):
            value = Decimal(str(getattr(self, name)))
            if value <= 0:
                raise ValueError(f"leverage {name} must be greater than 0, not {value}")
            object.__setattr__(self, name, value)

    def of(self, kind: InstrumentType, product: Product, side: Side) -> Decimal:
        if kind.is_option:
            return self.option_buy if side is Side.BUY else self.option_sell
        if kind.is_derivative:
            return self.futures
        return self.equity_mis if product is Product.MIS else self.equity_delivery


def margin(quantity: int, price: Decimal, leverage: Decimal) -> Decimal:
    """What `quantity` at `price` blocks, to the paisa."""
    return (abs(quantity) * price / leverage).quantize(PAISA, rounding=ROUND_HALF_UP)


def insufficient_funds(required: Decimal, available: Decimal) -> str:
    """The contract's rejection text."""
    shortage = required - available
    return (f"Insufficient funds. Required: ₹{required.quantize(PAISA)}, "
            f"Available: ₹{available.quantize(PAISA)}, Shortage: ₹{shortage.quantize(PAISA)}")


__all__ = ["Leverages", "insufficient_funds", "margin"]
