"""Dependencies of the /api/v1 routers: who is calling, and a usable broker.

`api_caller` reads `apikey` from the JSON body (the query string for GET) itself rather
than through a body model, so an endpoint keeps its own body model without FastAPI
nesting the two. The fast path is an in-memory check of a key seen before
(microseconds); an unknown key costs one argon2 run in a worker thread, and an address
sending too many invalid keys is refused before that cost is paid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from ..brokers.base import BrokerConnection
from ..runtime import Runtime, client_address, get_runtime
from .errors import OpenAlgoError, missing_field, rate_limited
from .schemas import INVALID_APIKEY


@dataclass(frozen=True, slots=True)
class ApiCaller:
    user_id: int
    address: str


# The deepest OpenAlgo body is three levels (basketorder: object, orders, order); more
# than this is not a request any client makes. json.loads itself fails with
# RecursionError about a thousand levels down, which must not become a 500.
MAX_JSON_DEPTH = 16
# A basket of 100 orders is about 25 KB; a megabyte leaves room for anything real.
MAX_BODY_BYTES = 1_048_576
_TOO_DEEP = object()


def _depth_exceeds(document: Any, limit: int) -> bool:
    """True when `document` nests containers deeper than `limit` (iterative: no recursion)."""
    level: list[Any] = [document]
    for _ in range(limit):
        level = [child for node in level
                 for child in (node.values() if isinstance(node, dict) else node)
                 if isinstance(child, dict | list)]
        if not level:
            return False
    return True


def json_object(raw: bytes) -> dict[str, Any]:
    """A request body as the JSON object every OpenAlgo POST carries (400 otherwise)."""
    if len(raw) > MAX_BODY_BYTES:
        raise OpenAlgoError(413, {"body": [f"Request body of {len(raw)} bytes is too large: "
                                           f"at most {MAX_BODY_BYTES} bytes."]})
    try:
        body = json.loads(raw or b"{}")
    except RecursionError:
        body = _TOO_DEEP  # nested past Python's own limit: refused below like any deep body
    except ValueError:
        raise OpenAlgoError(400, {"body": ["Invalid JSON body."]}) from None
    # Only a body with enough brackets can be deep: the count is a cheap C-level scan.
    if body is _TOO_DEEP or (raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH
                        and _depth_exceeds(body, MAX_JSON_DEPTH)):
        raise OpenAlgoError(400, {"body": [f"JSON nested too deeply: at most "
                                           f"{MAX_JSON_DEPTH} levels of objects and lists."]})
    if not isinstance(body, dict):
        raise OpenAlgoError(400, {"body": ["Expected a JSON object."]})
    return body


async def authenticate(request: Request, key: Any) -> ApiCaller:
    """The caller owning API key `key` (from the body, or the query string for GET)."""
    if key is None or key == "":
        raise missing_field("apikey")
    if not isinstance(key, str) or len(key) > 256:
        raise OpenAlgoError(403, INVALID_APIKEY, with_broker=False)
    runtime: Runtime = get_runtime(request)
    address = client_address(request)
    keys = runtime.api_keys
    user_id = keys.verify_cached(key)
    if user_id is None:
        wait = runtime.apikey_limiter.retry_after(address)
        if wait > 0:
            raise rate_limited(wait)
        if not keys.known_wrong(key):
            user_id = await run_in_threadpool(keys.verify_slow, key)
        if user_id is None:
            runtime.apikey_limiter.failed(address)
            # Exactly the reference's body: an unauthenticated caller learns nothing more.
            raise OpenAlgoError(403, INVALID_APIKEY, with_broker=False)
    return ApiCaller(user_id=user_id, address=address)


async def api_caller(request: Request) -> ApiCaller:
    if request.method == "GET":
        return await authenticate(request, request.query_params.get("apikey"))
    # The body is cached: FastAPI reads the same bytes for the body model.
    return await authenticate(request, json_object(await request.body()).get("apikey"))


def usable_broker(request: Request) -> BrokerConnection:
    """The broker connection, when it has a usable session; else 403 saying how to log in.

    The broker's calls still re-check (ICICI: `IciciConnection.call`) and turn a refused
    session into the expired state.
    """
    broker = get_runtime(request).broker
    if broker.session_started() is None:
        raise OpenAlgoError(403, broker.unavailable_message())
    return broker


async def connected_broker(
    request: Request, caller: Annotated[ApiCaller, Depends(api_caller)]
) -> BrokerConnection:
    return usable_broker(request)


Caller = Annotated[ApiCaller, Depends(api_caller)]
ConnectedBroker = Annotated[BrokerConnection, Depends(connected_broker)]

__all__ = ["ApiCaller", "Caller", "ConnectedBroker", "api_caller", "authenticate",
           "connected_broker", "json_object", "usable_broker"]
