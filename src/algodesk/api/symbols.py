"""Symbols and instruments (reference §3.6), answered from the master contract in memory.

They need a valid API key but no broker session: the symbol index is local, so a tool
can look symbols up before the trader has logged in to ICICI for the day.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from ..instruments.model import Instrument
from ..runtime import get_runtime
from .deps import Caller, api_caller
from .errors import OpenAlgoError
from .responses import LOOKUP_ERRORS, errors, merged
from .routing import api_router, post
from .schemas import (
    EXCHANGES,
    ExpiryReply,
    ExpiryRequest,
    InstrumentsReply,
    SearchReply,
    SearchRequest,
    SymbolReply,
    SymbolRequest,
)

router = api_router("symbols")
CSV_COLUMNS = ("symbol", "brsymbol", "name", "exchange", "brexchange", "token", "expiry",
               "strike", "lotsize", "instrumenttype", "tick_size")
SEARCH_LIMIT = 50


def instrument_row(inst: Instrument) -> dict[str, Any]:
    """An instrument as OpenAlgo's symbol, search and instruments replies show it.
    `brsymbol`/`brexchange`/`token` are Breeze's names (contract key, exchange code,
    SecurityMaster token); `tick_size` is in rupees."""
    return {
        "symbol": inst.symbol,
        "brsymbol": inst.brsymbol,
        "name": inst.name,
        "exchange": str(inst.exchange),
        "brexchange": inst.breeze_exchange,
        "token": inst.token,
        "expiry": inst.expiry_text,
        "strike": float(inst.strike),
        "lotsize": inst.lot_size,
        "instrumenttype": str(inst.instrument_type),
        "tick_size": float(inst.tick_size),
    }


def symbol_row(inst: Instrument) -> dict[str, Any]:
    return {**instrument_row(inst), "freeze_qty": inst.freeze_qty}


def _index(request: Request) -> Any:
    return get_runtime(request).instruments.index


def _broker_name(request: Request) -> str:
    return get_runtime(request).broker_name


@post(router, "symbol", response_model=SymbolReply,
      responses=errors(404, *LOOKUP_ERRORS, not_found="No such symbol on that exchange"))
async def symbol(body: SymbolRequest, caller: Caller, request: Request) -> SymbolReply:
    """One instrument of the master contract (404 when unknown)."""
    inst = _index(request).get(body.symbol, body.exchange)
    if inst is None:
        raise OpenAlgoError(404, f"Symbol {body.symbol} not found in exchange {body.exchange}")
    return SymbolReply.model_validate({"broker": _broker_name(request),
                                       "data": symbol_row(inst)})


@post(router, "search", response_model=SearchReply, responses=errors(*LOOKUP_ERRORS))
async def search(body: SearchRequest, caller: Caller, request: Request) -> SearchReply:
    """Instruments whose symbol or name holds every word of `query` (`NIFTY 24000 CE`),
    exact symbols first; at most 50."""
    query = body.query.strip()
    if not query:
        raise OpenAlgoError(400, "Query parameter is required and cannot be empty")
    found = _index(request).search(query, body.exchange, limit=SEARCH_LIMIT)
    message = (f"Found {len(found)} matching symbols" if found
               else "No matching symbols found")
    return SearchReply.model_validate({"broker": _broker_name(request), "message": message,
                                       "data": [symbol_row(i) for i in found]})


@post(router, "expiry", response_model=ExpiryReply, responses=errors(*LOOKUP_ERRORS))
async def expiry(body: ExpiryRequest, caller: Caller, request: Request) -> ExpiryReply:
    """Expiry dates of an underlying's futures or options, nearest first (DD-MMM-YY)."""
    days = _index(request).expiries(body.symbol, body.exchange, body.instrumenttype)
    dates = [day.strftime("%d-%b-%y").upper() for day in days]
    what = f"{body.symbol} {body.instrumenttype} in {body.exchange}"
    message = (f"Found {len(dates)} expiry dates for {what}" if dates
               else f"No expiry dates found for {what}")
    return ExpiryReply(broker=_broker_name(request), message=message, data=dates)


@router.get("/instruments", response_model=None, responses=merged(
    {200: {"model": InstrumentsReply, "description": "JSON, or CSV with `format=csv`",
           "content": {"text/csv": {"schema": {"type": "string"}}}}},
    errors(400, 401, 403, 429, *LOOKUP_ERRORS, plain_text=True)))
@router.get("/instruments/", include_in_schema=False, response_model=None)
async def instruments(request: Request,
                      apikey: str | None = Query(default=None),
                      exchange: str | None = Query(default=None, description=", ".join(EXCHANGES)),
                      format: str = Query(default="json", pattern="^(json|csv)$")) -> Response:
    """Every instrument of one exchange (all exchanges without `exchange`), as JSON or
    as CSV with the same eleven columns."""
    as_csv = format == "csv"
    if not apikey:
        if as_csv:
            return PlainTextResponse("API key is required", status_code=401)
        raise OpenAlgoError(401, "API key is required", with_broker=False)
    try:
        await api_caller(request)
    except OpenAlgoError as exc:
        if as_csv:
            return PlainTextResponse(str(exc.message), status_code=exc.status_code)
        raise
    if exchange is not None and exchange not in EXCHANGES:
        text = f"Invalid exchange {exchange!r}. Must be one of: {', '.join(EXCHANGES)}."
        if as_csv:
            return PlainTextResponse(text, status_code=400)
        raise OpenAlgoError(400, {"exchange": [text]})
    rows = [instrument_row(i) for i in _index(request).instruments(exchange)]
    if as_csv:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        name = exchange or "all"
        return Response(out.getvalue(), media_type="text/csv", headers={
            "Content-Disposition": f"attachment; filename=instruments_{name}.csv"})
    message = f"Found {len(rows)} instruments" if rows else "No instruments found"
    return JSONResponse({"status": "success", "broker": _broker_name(request),
                         "message": message, "data": rows})
