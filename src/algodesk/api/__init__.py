"""The OpenAlgo REST API under /api/v1: thin routers over dependencies and schemas.

- `schemas.py`: every request and reply model (OpenAlgo's field names and shapes).
- `errors.py`: `OpenAlgoError` and the handlers that turn errors into OpenAlgo's
  `{"status": "error", "message": ...}` replies.
- `deps.py`: `api_caller` (the apikey check) and `connected_broker` (a usable broker
  session, else 403 with the reconnect message).
- `routing.py`: endpoints registered with and without a trailing slash.
- one small module per group of endpoints: `ping.py`, `orders.py` (orders and order
  information), `account.py` (funds, books, margin), `symbols.py` (symbol, search,
  expiry, instruments).
- `docs.py`: the OpenAPI document and its server-rendered page at /docs.
"""

from fastapi import APIRouter

from . import account, orders, ping, symbols
from .options import market_routes

API_PREFIX = "/api/v1"


def build_api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(ping.router)
    router.include_router(orders.router)
    router.include_router(account.router)
    router.include_router(symbols.router)
    router.include_router(market_routes)  # quotes, history, calendar, options
    return router


__all__ = ["API_PREFIX", "build_api_router"]
