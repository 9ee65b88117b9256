"""`/margin` through Breeze's margin calculator (breeze-api.md §5.21).

Breeze computes a basket per exchange, so legs are grouped by Breeze exchange and the
groups' figures added up. A leg without a price (MARKET, SL-M) is priced at its last
traded price, as the order would be.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..brokers.icici import BreezeError
from ..brokers.icici.mapping import MappingError, breeze_product
from .broker_failures import read_failure
from .orders import OrderRequest, OrderService
from .ports import OrderError


@dataclass(frozen=True, slots=True)
class Margin:
    total_margin_required: Decimal
    span_margin: Decimal
    exposure_margin: Decimal


class MarginCalculator:
    def __init__(self, orders: OrderService) -> None:
        self.orders = orders

    async def _leg(self, request: OrderRequest) -> tuple[str, dict[str, Any]]:
        inst = self.orders.instrument(request.symbol, request.exchange)
        try:
            # Margin is asked before trading: an equity MIS leg is priced as delivery,
            # which is how it would go to ICICI.
            product = breeze_product(inst, request.product, equity_mis_as_cash=True)
        except MappingError as exc:
            raise OrderError(400, f"{request.symbol}: {exc}") from None
        price = request.price if request.pricetype in ("LIMIT", "SL") else Decimal(0)
        if price <= 0 and request.pricetype == "SL-M":
            price = request.trigger_price
        if price <= 0:
            try:
                price = (await self.orders.quote(inst)).ltp
            except BreezeError as exc:
                raise read_failure(exc, f"the last price of {request.symbol}",
                                   "the margin could not be computed") from None
        derivative = inst.product != "cash"
        return inst.breeze_exchange, {
            "strike_price": inst.breeze_strike or "0",
            "quantity": str(request.quantity),
            "right": inst.right if derivative else "",
            "product": product,
            "action": request.action.lower(),
            "price": str(price),
            "expiry_date": inst.breeze_expiry,
            "stock_code": inst.stock_code,
            "cover_order_flow": "N",
            "fresh_order_type": "N",
            "cover_limit_rate": "0",
            "cover_sltp_price": "0",
            "fresh_limit_rate": "0",
            "open_quantity": "0",
        }

    async def calculate(self, positions: list[OrderRequest]) -> Margin:
        legs = await asyncio.gather(*(self._leg(p) for p in positions))
        groups: dict[str, list[dict[str, Any]]] = {}
        for exchange, leg in legs:
            groups.setdefault(exchange, []).append(leg)

        async def ask(exchange: str, basket: list[dict[str, Any]]) -> Any:
            return await self.orders.broker.read(
                lambda c: c.margin_calculator(basket, exchange))

        try:
            answers = await asyncio.gather(*(ask(e, b) for e, b in groups.items()))
        except BreezeError as exc:
            raise read_failure(exc, "the margin from ICICI's margin calculator") from None
        span = sum((a.span_margin_required or Decimal(0) for a in answers), Decimal(0))
        exposure = sum((a.non_span_margin_required or Decimal(0) for a in answers), Decimal(0))
        return Margin(span + exposure, span, exposure)


__all__ = ["Margin", "MarginCalculator"]
