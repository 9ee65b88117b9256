"""Account endpoints (reference §3.3): funds, the order, trade and position books,
holdings, and margin through Breeze's margin calculator."""

from __future__ import annotations

from fastapi import Request

from ..trading.orders import OrderRequest
from .deps import ConnectedBroker
from .errors import OpenAlgoError
from .responses import LOOKUP_ERRORS, errors
from .routing import api_router, post, trading
from .schemas import (
    BookRequest,
    FundsData,
    FundsReply,
    HoldingsReply,
    MarginData,
    MarginReply,
    MarginRequest,
    OrderBookReply,
    PositionBookReply,
    TradeBookReply,
)

router = api_router("account")


@post(router, "funds", routed=True, response_model=FundsReply)
async def funds(body: BookRequest, broker: ConnectedBroker, request: Request) -> FundsReply:
    """Cash a cash-segment order can spend (the Equity allocation less what trades block
    there: Breeze checks each order against its own segment), what is blocked, and
    today's realised and unrealised P&L from the positions. Strings with two decimals."""
    data = await trading(request).books.funds()
    return FundsReply(broker=broker.broker_name, data=FundsData(**data))


@post(router, "orderbook", routed=True, response_model=OrderBookReply)
async def orderbook(body: BookRequest, broker: ConnectedBroker,
                    request: Request) -> OrderBookReply:
    """Today's orders in every state, newest first, with statistics. Orders placed here
    carry their strategy, the OpenAlgo product and price type, and a `note` when the
    platform set the price (MARKET and SL-M go to ICICI as aggressive limits)."""
    data = await trading(request).books.order_book()
    return OrderBookReply.model_validate({"broker": broker.broker_name, "data": data})


@post(router, "tradebook", routed=True, response_model=TradeBookReply)
async def tradebook(body: BookRequest, broker: ConnectedBroker,
                    request: Request) -> TradeBookReply:
    """Today's executions, one row per order with its average price."""
    data = await trading(request).books.trade_book()
    return TradeBookReply.model_validate({"broker": broker.broker_name, "data": data})


@post(router, "positionbook", routed=True, response_model=PositionBookReply)
async def positionbook(body: BookRequest, broker: ConnectedBroker,
                       request: Request) -> PositionBookReply:
    """Today's positions, closed ones (quantity 0) included; quantity is signed."""
    data = await trading(request).books.positions()
    return PositionBookReply.model_validate({"broker": broker.broker_name, "data": data})


@post(router, "holdings", routed=True, response_model=HoldingsReply)
async def holdings(body: BookRequest, broker: ConnectedBroker,
                   request: Request) -> HoldingsReply:
    data = await trading(request).books.holdings()
    return HoldingsReply.model_validate({"broker": broker.broker_name, "data": data})


@post(router, "margin", response_model=MarginReply, responses=errors(*LOOKUP_ERRORS))
async def margin(body: MarginRequest, broker: ConnectedBroker, request: Request) -> MarginReply:
    """Margin for a basket of 1 to 50 positions from ICICI's margin calculator (legs
    grouped by exchange; a leg without a price is priced at its last traded price)."""
    if not 1 <= len(body.positions) <= 50:
        raise OpenAlgoError(400, "Positions must contain 1 to 50 items.")
    legs = [OrderRequest(symbol=p.symbol, exchange=p.exchange, action=p.action,
                         quantity=p.quantity, pricetype=p.pricetype, product=p.product,
                         price=p.price, trigger_price=p.trigger_price)
            for p in body.positions]
    result = await trading(request).margin.calculate(legs)
    return MarginReply(broker=broker.broker_name, data=MarginData(
        total_margin_required=float(result.total_margin_required),
        span_margin=float(result.span_margin), exposure_margin=float(result.exposure_margin)))
