"""The OpenAlgo REST API under /api/v1: thin routers over dependencies and schemas.

- `schemas.py`: every request and reply model (OpenAlgo's field names and shapes).
- `errors.py`: `OpenAlgoError` and the handlers that turn errors into OpenAlgo's
  `{"status": "error", "message": ...}` replies.
- `deps.py`: `api_caller` (the apikey check) and `connected_broker` (a usable broker
  session, else 403 with the reconnect message).
- one small module per group of endpoints (`ping.py`, `account.py`, ...).
"""

from fastapi import APIRouter

from . import account, ping

API_PREFIX = "/api/v1"


def build_api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(ping.router)
    router.include_router(account.router)
    return router


__all__ = ["API_PREFIX", "build_api_router"]
