"""The API's routes: every OpenAlgo POST endpoint is served by `OpenAlgoRoute`'s direct
handler (so none silently falls back to FastAPI's slower general path), and a signature
of another shape is left to FastAPI."""

from __future__ import annotations

from fastapi import Request

from algodesk.api import account, market, options, orders, ping, symbols
from algodesk.api.deps import Caller, ConnectedBroker
from algodesk.api.routing import OpenAlgoRoute, _shape
from algodesk.api.schemas import PlaceOrderRequest

ROUTERS = (orders.router, account.router, ping.router, symbols.router, market.router,
           options.router)


def test_every_openalgo_post_endpoint_is_served_directly() -> None:
    posts = [route for router in ROUTERS for route in router.routes
             if "POST" in getattr(route, "methods", ())]
    assert len(posts) > 40  # each endpoint twice: with and without the trailing slash
    for route in posts:
        assert isinstance(route, OpenAlgoRoute), route.path
        assert _shape(route.endpoint) is not None, route.path


def test_the_shape_names_each_parameter() -> None:
    async def endpoint(body: PlaceOrderRequest, broker: ConnectedBroker,
                       request: Request) -> None: ...

    async def by_caller(caller: Caller, body: PlaceOrderRequest) -> None: ...

    shape = _shape(endpoint)
    assert shape is not None
    assert (shape.body, shape.model, shape.broker, shape.caller, shape.request) == (
        "body", PlaceOrderRequest, "broker", None, "request")
    shape = _shape(by_caller)
    assert shape is not None and (shape.caller, shape.body) == ("caller", "body")


def test_other_shapes_are_left_to_fastapi() -> None:
    async def no_body(request: Request) -> None: ...

    async def query(body: PlaceOrderRequest, limit: int) -> None: ...

    async def unresolved(body: NoSuchModel) -> None: ...  # type: ignore[name-defined]  # noqa: F821

    assert _shape(no_body) is None
    assert _shape(query) is None
    assert _shape(unresolved) is None
