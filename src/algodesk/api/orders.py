"""Order endpoints (reference §3.1, §3.2): thin routers over the order services.

Every endpoint is also served with a trailing slash (upstream accepts both), hidden from
the documentation.
"""

from __future__ import annotations

from fastapi import Request

from ..trading.analyzer import Venue
from ..trading.composite import CompositeOrders
from ..trading.orders import OrderRequest, OrderService
from ..trading.ports import OrderError
from .deps import ConnectedBroker
from .responses import LOOKUP_ERRORS, ORDER_ERRORS, errors
from .routing import api_router, post, trading, venue
from .schemas import (
    BasketOrderReply,
    BasketOrderRequest,
    CancelAllReply,
    CancelOrderRequest,
    ClosePositionReply,
    ModifyOrderRequest,
    OpenPositionReply,
    OpenPositionRequest,
    OrderFields,
    OrderReply,
    OrderStatusReply,
    OrderStatusRequest,
    PlaceOrderRequest,
    SmartOrderReply,
    SmartOrderRequest,
    SplitOrderReply,
    SplitOrderRequest,
    StrategyRequest,
)

router = api_router("orders")
REQUESTED_BY = "api"
# A single order action: held while the journal reconciles (503), in doubt when its
# answer is lost (504). Composite actions report those per item instead.
ACTION_ERRORS = errors(*ORDER_ERRORS, broker=True, held=True)
NO_MASTER = errors(*LOOKUP_ERRORS)
UNKNOWN_ORDER = errors(404, broker=True, not_found="No order with this id today")


def _orders(request: Request) -> OrderService:
    return trading(request).orders


def _composite(request: Request) -> CompositeOrders:
    return trading(request).composite


def order_request(fields: OrderFields, strategy: str) -> OrderRequest:
    return OrderRequest(symbol=fields.symbol, exchange=fields.exchange, action=fields.action,
                        quantity=fields.quantity, pricetype=fields.pricetype,
                        product=fields.product, price=fields.price,
                        trigger_price=fields.trigger_price,
                        disclosed_quantity=fields.disclosed_quantity, strategy=strategy)


@post(router, "placeorder", routed=True, response_model=OrderReply,
      responses=ACTION_ERRORS)
async def placeorder(body: PlaceOrderRequest, broker: ConnectedBroker,
                     request: Request) -> OrderReply:
    """Place one order. MARKET orders go to ICICI as aggressive limit orders (the order
    book's `note` says so); orders on NSE_INDEX/BSE_INDEX are refused."""
    placed = await _orders(request).place(order_request(body, body.strategy),
                                          requested_by=REQUESTED_BY)
    return OrderReply(broker=broker.broker_name, orderid=placed.orderid)


@post(router, "placesmartorder", routed=True, response_model=SmartOrderReply,
      responses=ACTION_ERRORS)
async def placesmartorder(body: SmartOrderRequest, broker: ConnectedBroker,
                          request: Request) -> SmartOrderReply:
    """Bring the net position of (symbol, exchange, product) to `position_size`, read
    afresh; concurrent smart orders on one position run one after another."""
    outcome = await _composite(request).smart(order_request(body, body.strategy),
                                              body.position_size, requested_by=REQUESTED_BY)
    if outcome.orderid is None:
        message = "Positions Already Matched. No Action needed."
        if venue(request) is Venue.ANALYZE and body.quantity == 0:
            # Analyzer mode's words for an exit signal with nothing open (§3.1.2).
            message = "No OpenPosition Found. Not placing Exit order."
        return SmartOrderReply(broker=broker.broker_name, message=message)
    return SmartOrderReply(broker=broker.broker_name, orderid=outcome.orderid)


@post(router, "basketorder", routed=True, response_model=BasketOrderReply,
      responses=NO_MASTER)
async def basketorder(body: BasketOrderRequest, broker: ConnectedBroker,
                      request: Request) -> BasketOrderReply:
    """Place every leg on its own, BUY legs before SELL legs; `results` in request order."""
    legs = [order_request(leg, body.strategy) for leg in body.orders]
    results = await _composite(request).basket(legs, requested_by=REQUESTED_BY)
    return BasketOrderReply.model_validate({"broker": broker.broker_name, "results": results})


@post(router, "splitorder", routed=True, response_model=SplitOrderReply,
      responses=NO_MASTER)
async def splitorder(body: SplitOrderRequest, broker: ConnectedBroker,
                     request: Request) -> SplitOrderReply:
    """`quantity` as orders of `splitsize` plus one for the remainder (at most 100)."""
    results = await _composite(request).split(order_request(body, body.strategy),
                                              body.splitsize, requested_by=REQUESTED_BY)
    return SplitOrderReply.model_validate({
        "broker": broker.broker_name, "split_size": body.splitsize,
        "total_quantity": body.quantity, "results": results})


@post(router, "modifyorder", routed=True, response_model=OrderReply,
      responses={**ACTION_ERRORS, **UNKNOWN_ORDER})
async def modifyorder(body: ModifyOrderRequest, broker: ConnectedBroker,
                      request: Request) -> OrderReply:
    """Change quantity, price type, price or trigger of a working order; symbol,
    exchange, action and product must be the order's own."""
    orderid = await _orders(request).modify(body.orderid, order_request(body, body.strategy),
                                            requested_by=REQUESTED_BY)
    return OrderReply(broker=broker.broker_name, orderid=orderid)


@post(router, "cancelorder", routed=True, response_model=OrderReply,
      responses={**ACTION_ERRORS, **UNKNOWN_ORDER})
async def cancelorder(body: CancelOrderRequest, broker: ConnectedBroker,
                      request: Request) -> OrderReply:
    orderid = await _orders(request).cancel(body.orderid, requested_by=REQUESTED_BY,
                                            strategy=body.strategy)
    return OrderReply(broker=broker.broker_name, orderid=orderid)


@post(router, "cancelallorder", routed=True, response_model=CancelAllReply)
async def cancelallorder(body: StrategyRequest, broker: ConnectedBroker,
                         request: Request) -> CancelAllReply:
    """Cancel every open and trigger-pending order of the account (whatever the
    strategy, as OpenAlgo does)."""
    outcome = await _composite(request).cancel_all(strategy=body.strategy,
                                                   requested_by=REQUESTED_BY)
    if not outcome.cancelled and not outcome.failed:
        message = "No open orders to cancel"
    else:
        message = (f"Canceled {len(outcome.cancelled)} orders. "
                   f"Failed to cancel {len(outcome.failed)} orders.")
    return CancelAllReply.model_validate({
        "broker": broker.broker_name, "message": message,
        "canceled_orders": outcome.cancelled, "failed_cancellations": outcome.failed})


@post(router, "closeposition", routed=True, response_model=ClosePositionReply,
      responses=NO_MASTER)
async def closeposition(body: StrategyRequest, broker: ConnectedBroker,
                        request: Request) -> ClosePositionReply:
    """Square off every non-zero net position of the account with a MARKET order the
    other way (strategy "Squareoff"). `status` is "error" when any position failed."""
    outcome = await _composite(request).close_all(requested_by=REQUESTED_BY)
    if outcome.failed:
        failures = "; ".join(f"{f['symbol']} {f['exchange']} {f['product']}: {f['message']}"
                             for f in outcome.failed)
        status, message = "error", (f"Closed {len(outcome.closed)} of "
                                    f"{len(outcome.closed) + len(outcome.failed)} positions; "
                                    f"failed: {failures}")
    elif outcome.closed:
        status, message = "success", "All Open Positions Squared Off"
    else:
        status, message = "success", "No open positions to close"
    return ClosePositionReply.model_validate({
        "status": status, "broker": broker.broker_name, "message": message,
        "closed_positions": outcome.closed, "failed_closures": outcome.failed})


@post(router, "orderstatus", routed=True, response_model=OrderStatusReply,
      responses=UNKNOWN_ORDER)
async def orderstatus(body: OrderStatusRequest, broker: ConnectedBroker,
                      request: Request) -> OrderStatusReply:
    """One of today's orders as the order book shows it (404 when unknown)."""
    row = await trading(request).books.find(body.orderid)
    if row is None:
        raise OrderError(404, f"Order {body.orderid} not found")
    return OrderStatusReply.model_validate({"broker": broker.broker_name, "data": row})


@post(router, "openposition", routed=True, response_model=OpenPositionReply)
async def openposition(body: OpenPositionRequest, broker: ConnectedBroker,
                       request: Request) -> OpenPositionReply:
    """The net quantity of (symbol, exchange, product): positive long, negative short,
    0 when there is none."""
    quantity = await trading(request).books.net_quantity(body.symbol, body.exchange,
                                                         body.product)
    return OpenPositionReply(broker=broker.broker_name, quantity=quantity)
