"""The OpenAlgo REST API under /api/v1: thin routers over dependencies and schemas.

- `schemas.py`: every request and reply model (OpenAlgo's field names and shapes).
- `errors.py`: `OpenAlgoError` and the handlers that turn errors into OpenAlgo's
  `{"status": "error", "message": ...}` replies.
- `deps.py`: `api_caller` (the apikey check) and `connected_broker` (a usable broker
  session, else 403 with the reconnect message).
- `routing.py`: endpoints registered with and without a trailing slash, and
  `OpenAlgoRoute`, which serves the one shape every POST endpoint has without FastAPI's
  general dependency solver.
- one small module per group of endpoints: `ping.py`, `orders.py` (orders and order
  information), `gtt.py` (GTT orders and their book), `account.py` (funds, books,
  margin), `analyzer.py` (analyzer mode's status, toggle and reset), `symbols.py`
  (symbol, search, expiry, instruments).
- `market_replies.py`: reply models of the market-data and options endpoints (they
  document the JSON those routers write); `responses.py`: the error statuses each
  operation declares.
- `docs.py`: the OpenAPI document and its server-rendered page at /docs.
"""

from fastapi import FastAPI

from . import account, analyzer, gtt, orders, ping, symbols
from .options import market_routes

API_PREFIX = "/api/v1"


def include_api(app: FastAPI) -> None:
    """Every API router straight on the app under /api/v1, the hot ones first.

    Not one /api/v1 router holding the others: FastAPI matches nested routers level by
    level, and route by route, on every request (a level costs more than the rest of a
    ping), so order actions come first, then the books that scripts poll.
    """
    for router in (orders.router, gtt.router, account.router, ping.router, analyzer.router,
                   symbols.router, market_routes):  # quotes, history, calendar, options
        app.include_router(router, prefix=API_PREFIX)


__all__ = ["API_PREFIX", "include_api"]
