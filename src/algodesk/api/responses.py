"""The error replies each /api/v1 operation can give, declared in the OpenAPI document.

Every error body is `ErrorReply` (`{"status": "error", "message": ...}`, see
`errors.py`). What each status means here:

| status | when |
| --- | --- |
| 400 | invalid JSON, a missing `apikey`, a validation error, a request the service refuses |
| 401 | GET /instruments without `apikey` (the reference's code for it) |
| 403 | an invalid or revoked key; for broker operations also no usable broker session |
| 404 | an unknown order id or symbol (the operations that look one up) |
| 413 | a body over 1 MiB |
| 429 | too many invalid keys from one address; Breeze's call budget spent |
| 502 | ICICI failed, or answered something unexpected |
| 503 | no master contract yet (lookups); order actions held while the journal reconciles |
| 501 | GTT orders in analyzer mode (as upstream), or with a broker without GTT |
| 504 | no answer in time: a read changed nothing; an order action is in doubt (reconciled) |

`routing.post` declares the statuses every operation of its kind can give (from the
endpoint's shape: a key only, or a connected broker); endpoints add their own with
`responses=errors(...)`.
"""

from __future__ import annotations

from typing import Any

from .schemas import ErrorReply

_TEXT: dict[int, str] = {
    400: "Invalid JSON, a missing `apikey`, a validation error (`message` maps each field "
         "to what is wrong with it and what is accepted) or a request refused (`message` "
         "says why)",
    401: "No `apikey` given",
    403: "Invalid or revoked API key (`Invalid openalgo apikey`)",
    404: "Not found",
    413: "The body is larger than 1 MiB",
    429: "Too many invalid API keys from this address, or Breeze's call budget is spent "
         "(`retry_after` says when to try again)",
    502: "ICICI failed or answered something unexpected (its words in `message`)",
    503: "No master contract yet, so symbols cannot be looked up: it is loading, or "
         "`message` says why the download failed and when the next try is "
         "(`retry_after`, also the Retry-After header)",
    501: "GTT orders: in analyzer mode (`Sandbox GTT support not yet implemented`), or a "
         "broker that keeps none",
    504: "ICICI did not answer in time. A read (quotes, books, the quote a MARKET order "
         "is priced from) changed nothing: try again. An order action sent whose answer "
         "was lost is in doubt: it is reconciled against ICICI's order book, never resent",
}
HELD_503 = (f"{_TEXT[503]}; or order actions are held until the journal's unsettled "
            "orders are reconciled against ICICI's order book (`message` says so)")
BROKER_403 = ("Invalid or revoked API key (`Invalid openalgo apikey`), or no usable broker "
              "session (the message says where to log in)")

#: Every operation that takes an API key (in a JSON body: 413 above 1 MiB).
KEY_ERRORS = (400, 403, 413, 429)
#: Every operation that calls ICICI (`trading.broker_failures`: one status per error).
BROKER_ERRORS = (*KEY_ERRORS, 502, 504)
#: Every operation that looks a symbol up in the master contract (503 without one).
LOOKUP_ERRORS = (503,)
#: Order actions: no master or held while reconciling, in doubt when the answer is lost.
ORDER_ERRORS = (*BROKER_ERRORS, 503)


def errors(*codes: int, broker: bool = False, not_found: str | None = None,
           held: bool = False, plain_text: bool = False) -> dict[int | str, dict[str, Any]]:
    """FastAPI `responses` declaring `codes` with the error body. `broker`: the 403 also
    covers a missing broker session; `not_found`: what a 404 means here; `held`: a 503
    may also be an order action held while reconciling; `plain_text`: the error may come
    as text (GET /instruments?format=csv)."""
    declared: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        text = BROKER_403 if broker and code == 403 else _TEXT[code]
        if code == 404 and not_found:
            text = not_found
        if code == 503 and held:
            text = HELD_503
        entry: dict[str, Any] = {"model": ErrorReply, "description": text}
        if plain_text:
            entry["content"] = {"text/plain": {"schema": {"type": "string"}}}
        declared[code] = entry
    return declared


def merged(*parts: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """Several `responses` maps as one (a later part wins for the same status)."""
    out: dict[int | str, dict[str, Any]] = {}
    for part in parts:
        out.update(part)
    return out


__all__ = ["BROKER_ERRORS", "KEY_ERRORS", "LOOKUP_ERRORS", "ORDER_ERRORS", "errors", "merged"]
