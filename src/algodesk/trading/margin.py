"""`/margin` through the broker's margin calculation (the `Broker` protocol only).

The order path's own checks come first (indices are refused, unknown symbols named),
so a basket is refused with the same words as the orders it stands for; pricing and
the broker's calculator are the adapter's (ICICI: one basket per Breeze exchange, a
leg without a price priced at its last traded price).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..brokers.base import Broker, BrokerFailure
from ..domain.orders import OrderIntent, PriceType, Product, Side
from .broker_failures import as_order_error
from .orders import OrderRequest, OrderService


@dataclass(frozen=True, slots=True)
class Margin:
    total_margin_required: Decimal
    span_margin: Decimal
    exposure_margin: Decimal


def intent_of(request: OrderRequest) -> OrderIntent:
    return OrderIntent(request.symbol, request.exchange, Side(request.action),
                       request.quantity, PriceType(request.pricetype), Product(request.product),
                       request.price, request.trigger_price, request.disclosed_quantity)


class MarginCalculator:
    def __init__(self, orders: OrderService, broker: Broker) -> None:
        self.orders = orders
        self.broker = broker

    async def calculate(self, positions: list[OrderRequest]) -> Margin:
        for request in positions:
            self.orders.instrument(request.symbol, request.exchange)
        try:
            result = await self.broker.margin([intent_of(p) for p in positions])
        except BrokerFailure as exc:
            raise as_order_error(exc) from None
        return Margin(result.total, result.span, result.exposure)


__all__ = ["Margin", "MarginCalculator", "intent_of"]
