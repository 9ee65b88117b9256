"""Market data and calendar endpoints (reference §3.5, §3.8): thin routers over the
market services.

Market data always comes from the live broker (also in analyzer mode). `depth` says
in `depth_levels` and `note` that Breeze's REST quote has only the best bid and offer.
`history` answers integer epoch seconds (daily-type bars: 00:00 UTC of the IST trading
date), oldest first, without duplicates.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from ..market.calendar import IST, MarketCalendar
from ..market.candles import to_json_rows
from ..market.desk import MarketDesk
from ..market.intervals import CONTRACT_INTERVALS
from ..market.market_data import BEST_ONLY_NOTE, MarketDataError
from .deps import Caller, ConnectedBroker
from .errors import OpenAlgoError
from .market_replies import (
    DepthReply,
    HistoryReply,
    HolidaysReply,
    IntervalsReply,
    MultiQuotesReply,
    QuoteReply,
    TimingsReply,
)
from .market_schemas import (
    HistoryRequest,
    HolidaysRequest,
    MultiQuotesRequest,
    SymbolRequest,
    TimingsRequest,
)
from .responses import LOOKUP_ERRORS, errors
from .routing import api_router, post
from .schemas import OpenAlgoRequest

router = api_router("market data")
LARGE_REPLY_CANDLES = 20_000  # ~50 ms of JSON writing
# The replies are written as plain JSON; `response_model` only documents them (a
# Response returned by an endpoint is sent as it is).
NO_MASTER = errors(*LOOKUP_ERRORS)


def desk(request: Request) -> MarketDesk:
    return request.app.state.runtime.market  # type: ignore[no-any-return]


@contextmanager
def answering() -> Iterator[None]:
    """Service refusals as OpenAlgo errors (status, message and any extra keys)."""
    try:
        yield
    except MarketDataError as exc:
        raise OpenAlgoError(exc.status, exc.message, **exc.extra) from None


def success(broker: str, **payload: Any) -> JSONResponse:
    return JSONResponse({"status": "success", **payload, "broker": broker})


@post(router, "quotes", response_model=QuoteReply, responses=NO_MASTER)
async def quotes(body: SymbolRequest, broker: ConnectedBroker, request: Request) -> JSONResponse:
    """Last price, day's range, best bid and ask, volume and open interest."""
    with answering():
        data = await desk(request).data.quote(body.symbol, body.exchange)
    return success(broker.broker_name, data=data)


@post(router, "multiquotes", response_model=MultiQuotesReply, responses=NO_MASTER)
async def multiquotes(body: MultiQuotesRequest, broker: ConnectedBroker,
                      request: Request) -> JSONResponse:
    """Quotes of several symbols (one broker read each, shared and cached for a second);
    unknown symbols come back as items with `error`."""
    with answering():
        results = await desk(request).data.multiquotes(
            [(item.symbol, item.exchange) for item in body.symbols])
    return success(broker.broker_name, results=results)


@post(router, "depth", response_model=DepthReply, responses=NO_MASTER)
async def depth(body: SymbolRequest, broker: ConnectedBroker, request: Request) -> JSONResponse:
    """Five levels a side, padded with zeros: Breeze's REST quote has only the best bid
    and offer (`depth_levels` 1, and `note` says so)."""
    with answering():
        data = await desk(request).data.depth(body.symbol, body.exchange)
    return success(broker.broker_name, data=data, note=BEST_ONLY_NOTE)


@post(router, "history", response_model=HistoryReply, responses=NO_MASTER)
async def history(body: HistoryRequest, broker: ConnectedBroker, request: Request) -> Response:
    """Candles for any interval of the contract's list (and multiples such as 7m or 2W).
    Breeze's own intervals are fetched; the others are built from the coarsest one that
    divides them, counted from the session open. Ranges are fetched once and kept in the
    local candle store; `source: "db"` reads only that store."""
    with answering():
        result = await desk(request).history.history(
            body.symbol, body.exchange, body.interval, body.start_date, body.end_date,
            body.source)
    if body.summary_only:
        return success(broker.broker_name, data=[], candles=len(result.candles),
                       broker_calls=result.broker_calls, fetched_candles=result.fetched_candles)
    daily = result.interval.daily_type
    if len(result.candles) > LARGE_REPLY_CANDLES:
        # Writing out a few years of minute bars takes most of a second: a worker thread
        # lets every other request through meanwhile.
        rows = await asyncio.to_thread(to_json_rows, result.candles, daily=daily)
    else:
        rows = to_json_rows(result.candles, daily=daily)
    head = json.dumps({"status": "success", "broker": broker.broker_name})[:-1]
    return Response(f'{head}, "data": {rows}}}', media_type="application/json")


@post(router, "intervals", response_model=IntervalsReply)
async def intervals(body: OpenAlgoRequest, caller: Caller, request: Request) -> JSONResponse:
    """Every interval /history builds honestly from Breeze's 1s/1m/5m/30m/1d candles
    (Q and Y are accepted too; multiples such as 7m or 2W also work)."""
    return success(_name(request), data={key: list(values) for key, values in
                                         CONTRACT_INTERVALS.items()})


# --------------------------------------------------------------------------- calendar


def _calendar(request: Request) -> MarketCalendar:
    return desk(request).calendar


def _name(request: Request) -> str:
    return str(request.app.state.runtime.broker_name)


@post(router, "market/holidays", response_model=HolidaysReply)
async def holidays(body: HolidaysRequest, caller: Caller, request: Request) -> JSONResponse:
    """Trading holidays of a year from the calendar shipped with algodesk (updated with
    `algodesk calendar import`); `open_exchanges` lists partial and special sessions."""
    calendar = _calendar(request)
    year = body.year or dt.datetime.now(IST).year
    data = []
    for holiday in calendar.holidays(year):
        data.append({
            "date": holiday.date.isoformat(), "description": holiday.description,
            "holiday_type": holiday.holiday_type, "closed_exchanges": list(holiday.closed),
            "open_exchanges": [s.as_dict() for s in calendar.holiday_sessions(holiday)],
        })
    info = calendar.year_info(year)
    extra: dict[str, Any] = {}
    if not info:
        extra["note"] = (f"No holiday list for {year} in the calendar: import one with "
                         "`algodesk calendar import FILE`.")
    elif info.get("status") != "published":
        extra["note"] = f"{year} is provisional: {info.get('notes', '')}".strip()
    return success(_name(request), year=year, timezone="Asia/Kolkata", data=data, **extra)


@post(router, "market/timings", response_model=TimingsReply)
async def timings(body: TimingsRequest, caller: Caller, request: Request) -> JSONResponse:
    """Each exchange's session on a date (epoch milliseconds); empty at weekends and on
    full holidays, only the special session on a special-session day."""
    text = body.date or dt.datetime.now(IST).date().isoformat()
    try:
        day = dt.date.fromisoformat(text)
        if not dt.date(2020, 1, 1) <= day <= dt.date(2050, 12, 31):
            raise ValueError
    except ValueError:
        raise OpenAlgoError(400, "Invalid date format. Use YYYY-MM-DD") from None
    sessions = _calendar(request).sessions(day)
    return success(_name(request), data=[s.as_dict() for s in sessions])


__all__ = ["answering", "desk", "router", "success"]
