"""Options endpoints (reference §3.7, §3.1.9, §3.1.10): thin routers over the options
service. Strikes come from the master contract's real ladder; Greeks are Black-76 with
an implied-volatility solver (interest rate from the request, else the
OPTIONS_INTEREST_RATE setting); option orders go through the order service.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..market.options import OptionLeg
from ..trading.analyzer import Venue
from ..trading.orders import OrderRequest
from .deps import ConnectedBroker
from .market import answering, desk, success
from .market import router as market_router
from .market_replies import (
    MultiOptionGreeksReply,
    OptionChainReply,
    OptionGreeksReply,
    OptionsMultiOrderReply,
    OptionsOrderReply,
    OptionSymbolReply,
    SyntheticFutureReply,
)
from .market_schemas import (
    MultiOptionGreeksRequest,
    OptionChainRequest,
    OptionGreeksRequest,
    OptionOrderFields,
    OptionsMultiOrderRequest,
    OptionsOrderRequest,
    OptionSymbolRequest,
    SyntheticFutureRequest,
)
from .responses import LOOKUP_ERRORS, ORDER_ERRORS, errors
from .routing import api_router, post, trading, venue

router = api_router("options")
# Every options endpoint looks its underlying or option up in the master contract.
NO_MASTER = errors(*LOOKUP_ERRORS)


def _order(fields: OptionOrderFields, strategy: str) -> OrderRequest:
    """The order part of an option order; its symbol is filled in once resolved."""
    return OrderRequest(symbol="", exchange="", action=fields.action, quantity=fields.quantity,
                        pricetype=fields.pricetype, product=fields.product, price=fields.price,
                        trigger_price=fields.trigger_price,
                        disclosed_quantity=fields.disclosed_quantity, strategy=strategy)


@post(router, "optionsymbol", response_model=OptionSymbolReply,
      responses=NO_MASTER)
async def optionsymbol(body: OptionSymbolRequest, broker: ConnectedBroker,
                       request: Request) -> JSONResponse:
    """The option `offset` strikes from ATM on the real strike ladder (no order)."""
    with answering():
        data = await desk(request).options.option_symbol(
            body.underlying, body.exchange, body.expiry_date, body.offset, body.option_type)
    return success(broker.broker_name, **data)


@post(router, "optionchain", response_model=OptionChainReply,
      responses=NO_MASTER)
async def optionchain(body: OptionChainRequest, broker: ConnectedBroker,
                      request: Request) -> JSONResponse:
    """Strikes around ATM, both sides, from Breeze's option-chain endpoint (calls and
    puts: two reads, plus the underlying's quote), with Greeks when asked."""
    with answering():
        data = await desk(request).options.option_chain(
            body.underlying, body.exchange, body.expiry_date, body.strike_count,
            body.with_greeks, body.interest_rate)
    return success(broker.broker_name, **data)


@post(router, "syntheticfuture", response_model=SyntheticFutureReply,
      responses=NO_MASTER)
async def syntheticfuture(body: SyntheticFutureRequest, broker: ConnectedBroker,
                          request: Request) -> JSONResponse:
    """ATM strike + ATM call − ATM put (no order)."""
    with answering():
        data = await desk(request).options.synthetic_future(body.underlying, body.exchange,
                                                             body.expiry_date)
    return success(broker.broker_name, **data)


@post(router, "optiongreeks", response_model=OptionGreeksReply,
      responses=NO_MASTER)
async def optiongreeks(body: OptionGreeksRequest, broker: ConnectedBroker,
                       request: Request) -> JSONResponse:
    """Implied volatility and Greeks (Black-76 on the put-call-parity forward of the
    option's strike; expiry at 15:30 IST on NFO/BFO unless `expiry_time` says)."""
    with answering():
        data = await desk(request).options.greeks(
            body.symbol, body.exchange, interest_rate=body.interest_rate,
            forward_price=body.forward_price, underlying_symbol=body.underlying_symbol,
            underlying_exchange=body.underlying_exchange, expiry_time=body.expiry_time)
    return success(broker.broker_name, **data)


@post(router, "multioptiongreeks", response_model=MultiOptionGreeksReply,
      responses=NO_MASTER)
async def multioptiongreeks(body: MultiOptionGreeksRequest, broker: ConnectedBroker,
                            request: Request) -> JSONResponse:
    """Greeks of up to 50 options; items fail one by one."""
    with answering():
        data = await desk(request).options.multi_greeks(
            [item.model_dump() for item in body.symbols], interest_rate=body.interest_rate,
            expiry_time=body.expiry_time)
    ok = sum(1 for item in data if item["status"] == "success")
    return success(broker.broker_name, data=data,
                   summary={"total": len(data), "success": ok, "failed": len(data) - ok})


def _mode(request: Request) -> dict[str, str]:
    """`mode` for a reply accepted in analyzer mode (none live, as upstream)."""
    return {"mode": Venue.ANALYZE.value} if venue(request) is Venue.ANALYZE else {}


@post(router, "optionsorder", routed=True, response_model=OptionsOrderReply,
      responses=errors(*ORDER_ERRORS, broker=True, held=True))
async def optionsorder(body: OptionsOrderRequest, broker: ConnectedBroker,
                       request: Request) -> JSONResponse:
    """Resolve the option from the underlying's price and place it (split when
    `splitsize` > 0)."""
    stack = trading(request)
    with answering():
        data = await desk(request).options.options_order(
            strategy=body.strategy, underlying=body.underlying, exchange=body.exchange,
            expiry_date=body.expiry_date, offset=body.offset, option_type=body.option_type,
            order=_order(body, body.strategy), splitsize=body.splitsize,
            orders=stack.orders, splitter=stack.composite)
    return success(broker.broker_name, **data, **_mode(request))


@post(router, "optionsmultiorder", routed=True, response_model=OptionsMultiOrderReply,
      responses=NO_MASTER)
async def optionsmultiorder(body: OptionsMultiOrderRequest, broker: ConnectedBroker,
                            request: Request) -> JSONResponse:
    """Legs resolved against one underlying price; BUY legs placed before SELL legs; a
    failed leg does not stop the others."""
    legs = [(OptionLeg(leg.offset, leg.option_type), _order(leg, body.strategy),
             leg.expiry_date) for leg in body.legs]
    with answering():
        data = await desk(request).options.options_multiorder(
            strategy=body.strategy, underlying=body.underlying, exchange=body.exchange,
            expiry_date=body.expiry_date, legs=legs, orders=trading(request).orders,
            mode=venue(request).value)
    return success(broker.broker_name, **data, **_mode(request))


#: The market-data, calendar and options endpoints, for `include_api`.
market_routes = APIRouter()
market_routes.include_router(market_router)
market_routes.include_router(router)

__all__ = ["market_routes", "router"]
