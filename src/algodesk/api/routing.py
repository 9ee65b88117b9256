"""Registering endpoints the way OpenAlgo clients call them, and reaching the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request

from ..services.trading import Trading

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def post(router: APIRouter, path: str, **kwargs: Any) -> Callable[[Endpoint], Endpoint]:
    """`@router.post` for `/path` and (undocumented) `/path/`: upstream accepts both.
    Fields left None are not sent (an order reply has `orderid` or `message`)."""

    def register(endpoint: Endpoint) -> Endpoint:
        options = {"response_model_exclude_none": True, **kwargs}
        router.post(f"/{path}", **options)(endpoint)  # first: routes match in order
        router.post(f"/{path}/", include_in_schema=False, **options)(endpoint)
        return endpoint

    return register


def trading(request: Request) -> Trading:
    """The running platform's order and account services."""
    return request.app.state.runtime.trading  # type: ignore[no-any-return]


__all__ = ["post", "trading"]
