"""Registering endpoints the way OpenAlgo clients call them, serving them, and reaching
the services.

Every OpenAlgo POST endpoint has one shape: a JSON body model, the caller (`Caller`) or
the connected broker (`ConnectedBroker`), and optionally the request. `OpenAlgoRoute`
serves that shape directly — parse the body once, check the key, check the broker,
validate the model, call the endpoint, write its reply model as JSON — instead of
through FastAPI's general dependency solver, which costs about half a millisecond more
per call on this kind of machine, paid on every order. FastAPI still builds the OpenAPI
document from the same signature, and the answers (errors included) are the same.
Anything of another shape is served by FastAPI as usual.

Order and account endpoints are registered `routed=True`: analyzer mode's switch is read
once, when the request is accepted (after its key), and that venue's order stack serves
it to the end (`trading(request)`); in analyzer mode its reply, success or error,
carries `"mode": "analyze"` (openalgo-api.md §1.6).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.params import Depends
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from ..trading.analyzer import Venue
from ..trading.trading import Trading
from .deps import api_caller, authenticate, connected_broker, json_object, usable_broker
from .responses import BROKER_ERRORS, KEY_ERRORS, errors, merged

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
JSON = "application/json"
#: Endpoints served by the venue analyzer mode picks (`post(..., routed=True)`).
_ROUTED: set[Callable[..., Any]] = set()


@dataclass(frozen=True, slots=True)
class _Shape:
    """Which parameter of an endpoint gets what."""

    body: str
    model: type[BaseModel]
    caller: str | None = None
    broker: str | None = None
    request: str | None = None


def _shape(endpoint: Callable[..., Any]) -> _Shape | None:
    """The endpoint's parameters when they are the OpenAlgo shape, else None."""
    try:
        hints = typing.get_type_hints(endpoint, include_extras=True)
    except (NameError, TypeError):  # an annotation that does not resolve: FastAPI's way
        return None
    found: dict[str, Any] = {}
    for name in inspect.signature(endpoint).parameters:
        hint = hints.get(name)
        dependency = next((m.dependency for m in getattr(hint, "__metadata__", ())
                           if isinstance(m, Depends)), None)
        if dependency is api_caller:
            found["caller"] = name
        elif dependency is connected_broker:
            found["broker"] = name
        elif hint is Request:
            found["request"] = name
        elif (inspect.isclass(hint) and issubclass(hint, BaseModel)
              and "body" not in found):
            found["body"], found["model"] = name, hint
        else:
            return None
    return _Shape(**found) if "body" in found else None


class OpenAlgoRoute(APIRoute):
    """An API route served directly when its endpoint has the OpenAlgo shape."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        shape = _shape(self.endpoint)
        if shape is None or self.methods != {"POST"}:
            return super().get_route_handler()
        endpoint = self.endpoint
        exclude_none = self.response_model_exclude_none
        status = self.status_code or 200
        routed = endpoint in _ROUTED

        async def handle(request: Request) -> Response:
            data = json_object(await request.body())
            caller = await authenticate(request, data.get("apikey"))
            venue = Venue.LIVE
            if routed:  # accepted now: this request's venue, whatever a toggle does next
                venue = request.app.state.runtime.analyzer.venue
                request.state.venue = venue
            arguments: dict[str, Any] = {}
            if shape.broker:
                arguments[shape.broker] = usable_broker(request)
            if shape.caller:
                arguments[shape.caller] = caller
            if shape.request:
                arguments[shape.request] = request
            try:
                arguments[shape.body] = shape.model.model_validate(data)
            except ValidationError as exc:
                errors = exc.errors(include_url=False)
                raise RequestValidationError(
                    [{**e, "loc": ("body", *e["loc"])} for e in errors], body=data
                ) from None
            reply = await endpoint(**arguments)
            if isinstance(reply, Response):
                return reply
            if venue is Venue.ANALYZE:
                reply.mode = Venue.ANALYZE.value
            return Response(reply.__pydantic_serializer__.to_json(
                reply, exclude_none=exclude_none), status_code=status, media_type=JSON)

        return handle


def api_router(tag: str) -> APIRouter:
    """A router of OpenAlgo endpoints (documented under `tag`)."""
    return APIRouter(tags=[tag], route_class=OpenAlgoRoute)


def post(router: APIRouter, path: str, *, routed: bool = False,
         **kwargs: Any) -> Callable[[Endpoint], Endpoint]:
    """`@router.post` for `/path` and (undocumented) `/path/`: upstream accepts both.
    Fields left None are not sent (an order reply has `orderid` or `message`). The error
    replies every endpoint of its shape can give are declared (`responses.py`), with any
    the endpoint adds in `responses`. `routed`: an order or account endpoint, served by
    the venue analyzer mode picks when the request is accepted."""

    def register(endpoint: Endpoint) -> Endpoint:
        if routed:
            _ROUTED.add(endpoint)
        shape = _shape(endpoint)
        if shape is not None and shape.broker:
            declared = errors(*BROKER_ERRORS, broker=True)
        else:
            declared = errors(*KEY_ERRORS)
        options = {"response_model_exclude_none": True, **kwargs,
                   "responses": merged(declared, kwargs.get("responses") or {})}
        router.post(f"/{path}", **options)(endpoint)  # first: routes match in order
        router.post(f"/{path}/", include_in_schema=False, **options)(endpoint)
        return endpoint

    return register


def venue(request: Request) -> Venue:
    """The venue this request was accepted for (live unless it is a routed endpoint
    accepted in analyzer mode)."""
    return getattr(request.state, "venue", Venue.LIVE)  # type: ignore[no-any-return]


def trading(request: Request) -> Trading:
    """The order and account services of the request's venue."""
    return request.app.state.runtime.trading_for(venue(request))  # type: ignore[no-any-return]


__all__ = ["OpenAlgoRoute", "api_router", "post", "trading", "venue"]
