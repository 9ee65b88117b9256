"""OpenAlgo's error replies: `{"status": "error", "message": ...}` with its HTTP codes.

- 400: schema errors; `message` is the field-to-messages map (the style OpenAlgo uses
  for its data and account endpoints).
- 403: an invalid or revoked key ("Invalid openalgo apikey", exactly as the reference
  gives it), or a valid key without a usable broker session (the reconnect message).
- 400 also for an order the broker refused (its words in `message`).
- 404: an unknown order id or symbol.
- 503: no master contract yet (loading, or every download so far failed): the message
  says which and when the next try is, `retry_after` in seconds.
- 429: too many invalid keys from one address, or the broker's call budget is spent
  (with `retry_after`).
- 502: the broker failed or answered something unexpected (its words in `message`);
  504: the broker did not answer in time (a read), or an order whose answer was lost
  (in doubt, reconciled, never resent). Every broker failure is a `BrokerFailure`
  carrying its status (for ICICI one per error class: README "When ICICI fails"); one
  raised straight from the broker's wire (`RawFailure`) is worded here as the failed
  read of the endpoint's data.
- 500 only for a bug here ("An unexpected error occurred").

An order or account request accepted in analyzer mode carries `"mode": "analyze"` in
its error reply too (openalgo-api.md §1.3).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ..brokers.base import BrokerFailure, BrokerUnavailable, RawFailure
from ..instruments.errors import MasterContractUnavailable
from ..runtime import get_runtime
from ..trading.analyzer import Venue
from ..trading.ports import OrderError
from .schemas import RATE_LIMITED

log = logging.getLogger(__name__)


class OpenAlgoError(Exception):
    def __init__(self, status_code: int, message: Any, *, with_broker: bool = True,
                 **extra: Any) -> None:
        super().__init__(str(message))
        self.status_code = status_code
        self.message = message
        self.with_broker = with_broker
        self.extra = extra


def error_reply(request: Request, status_code: int, message: Any, *, with_broker: bool = True,
                **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"status": "error", "message": message, **extra}
    if with_broker:
        body["broker"] = get_runtime(request).broker_name
    if getattr(request.state, "venue", None) is Venue.ANALYZE:  # accepted in analyzer mode
        body["mode"] = Venue.ANALYZE.value
    return JSONResponse(body, status_code=status_code)


def missing_field(name: str) -> OpenAlgoError:
    return OpenAlgoError(400, {name: ["Missing data for required field."]})


def rate_limited(retry_after: float) -> OpenAlgoError:
    return OpenAlgoError(429, RATE_LIMITED, with_broker=False,
                         retry_after=max(1, int(retry_after + 0.999)))


async def on_openalgo_error(request: Request, exc: OpenAlgoError) -> JSONResponse:
    return error_reply(request, exc.status_code, exc.message, with_broker=exc.with_broker,
                       **exc.extra)


async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part != "body"]
        name = ".".join(location) or "body"
        kind = error.get("type", "")
        text = "Missing data for required field." if kind == "missing" else error.get("msg", "")
        text = text.removeprefix("Value error, ")
        if kind == "json_invalid":
            name, text = "body", "Invalid JSON body."
        fields.setdefault(name, []).append(text)
    return error_reply(request, 400, fields)


async def on_broker_unavailable(request: Request, exc: BrokerUnavailable) -> JSONResponse:
    return error_reply(request, 403, exc.message)


async def on_broker_failure(request: Request, exc: BrokerFailure) -> JSONResponse:
    """A broker failure no service turned into its own answer: the adapter's words, or,
    for one straight from the wire (a read of books, funds or market data outside the
    order path), the words of a failed read of this endpoint's data. `retry_after` is
    answered in whole seconds, rounded up, at least 1."""
    if isinstance(exc, RawFailure):
        log.warning("broker call failed: %s", exc)
        endpoint = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        exc = exc.reading(f"the {endpoint} data")
    extra = ({} if exc.retry_after is None
             else {"retry_after": max(1, math.ceil(exc.retry_after))})
    return error_reply(request, exc.status, exc.message, **extra)


async def on_order_error(request: Request, exc: OrderError) -> JSONResponse:
    return error_reply(request, exc.status, exc.message, **exc.extra)


async def on_master_unavailable(request: Request, exc: MasterContractUnavailable
                                ) -> JSONResponse:
    # 503, not "symbol not found": the symbol may well be right; the master is not in yet.
    reply = error_reply(request, 503, exc.message, retry_after=exc.retry_after)
    reply.headers["Retry-After"] = str(exc.retry_after)
    return reply


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s", request.url.path, exc_info=exc)
    return error_reply(request, 500, "An unexpected error occurred")


__all__ = [
    "OpenAlgoError",
    "error_reply",
    "missing_field",
    "on_broker_failure",
    "on_broker_unavailable",
    "on_master_unavailable",
    "on_openalgo_error",
    "on_order_error",
    "on_unexpected",
    "on_validation_error",
    "rate_limited",
]
