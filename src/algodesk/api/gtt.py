"""GTT endpoints (openalgo-api.md §3.10): thin routers over the venue's `GttService`.

Analyzer mode answers them 501 "Sandbox GTT support not yet implemented", as upstream
does (the paper broker keeps no GTTs); the reply carries `"mode": "analyze"`.
"""

from __future__ import annotations

from fastapi import Request

from ..trading.analyzer import Venue
from ..trading.gtt import GttRequest, GttService
from ..trading.ports import OrderError
from .deps import ConnectedBroker
from .responses import ORDER_ERRORS, errors
from .routing import api_router, post, trading, venue
from .schemas import (
    CancelGttOrderRequest,
    GttFields,
    GttOrderBookReply,
    GttOrderBookRequest,
    GttReply,
    ModifyGttOrderRequest,
    PlaceGttOrderRequest,
)

router = api_router("gtt")
REQUESTED_BY = "api"
SANDBOX = "Sandbox GTT support not yet implemented"
ACTION_ERRORS = errors(*ORDER_ERRORS, 501, broker=True, held=True)
UNKNOWN_GTT = errors(404, broker=True, not_found="No GTT with this trigger_id at the broker")
BOOK_ERRORS = errors(501, 503, broker=True)


def _gtt(request: Request) -> GttService:
    if venue(request) is Venue.ANALYZE:
        raise OrderError(501, SANDBOX)
    service = trading(request).gtt
    if service is None:  # pragma: no cover - every venue's Trading builds one
        raise OrderError(501, SANDBOX)
    return service


def gtt_request(fields: GttFields) -> GttRequest:
    return GttRequest(symbol=fields.symbol, exchange=fields.exchange, action=fields.action,
                      trigger_type=fields.trigger_type, product=fields.product,
                      quantity=fields.quantity, pricetype=fields.pricetype,
                      price=fields.price, triggerprice_sl=fields.triggerprice_sl,
                      triggerprice_tg=fields.triggerprice_tg, stoploss=fields.stoploss,
                      target=fields.target, strategy=fields.strategy)


@post(router, "placegttorder", routed=True, response_model=GttReply, responses=ACTION_ERRORS)
async def placegttorder(body: PlaceGttOrderRequest, broker: ConnectedBroker,
                        request: Request) -> GttReply:
    """Place a GTT at ICICI: SINGLE (one trigger, one limit order) or OCO (a stop-loss
    and a target leg). Breeze's GTT takes NFO futures and options, product NRML,
    pricetype LIMIT; the rest is refused (400) naming what is accepted."""
    trigger_id = await _gtt(request).place(gtt_request(body), requested_by=REQUESTED_BY)
    return GttReply(broker=broker.broker_name, trigger_id=trigger_id)


@post(router, "modifygttorder", routed=True, response_model=GttReply,
      responses={**ACTION_ERRORS, **UNKNOWN_GTT})
async def modifygttorder(body: ModifyGttOrderRequest, broker: ConnectedBroker,
                         request: Request) -> GttReply:
    """Replace an active GTT's triggers and limits (a full replacement); symbol,
    exchange, action and trigger type are fixed, and Breeze keeps its quantity."""
    trigger_id = await _gtt(request).modify(body.trigger_id, gtt_request(body),
                                            requested_by=REQUESTED_BY)
    return GttReply(broker=broker.broker_name, trigger_id=trigger_id)


@post(router, "cancelgttorder", routed=True, response_model=GttReply,
      responses={**ACTION_ERRORS, **UNKNOWN_GTT})
async def cancelgttorder(body: CancelGttOrderRequest, broker: ConnectedBroker,
                         request: Request) -> GttReply:
    """Cancel an active GTT (both legs of an OCO)."""
    trigger_id = await _gtt(request).cancel(body.trigger_id, strategy=body.strategy,
                                            requested_by=REQUESTED_BY)
    return GttReply(broker=broker.broker_name, trigger_id=trigger_id)


@post(router, "gttorderbook", routed=True, response_model=GttOrderBookReply,
      responses=BOOK_ERRORS)
async def gttorderbook(body: GttOrderBookRequest, broker: ConnectedBroker,
                       request: Request) -> GttOrderBookReply:
    """The account's GTTs at ICICI: the active ones (`status: "all"`: every state,
    active first), newest first."""
    rows = await _gtt(request).book(everything=body.status == "all")
    return GttOrderBookReply.model_validate({"broker": broker.broker_name, "data": rows})
