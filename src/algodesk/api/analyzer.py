"""Analyzer mode's switch (reference §3.4, §5): its status, the toggle, and a reset.

The mode is one flag for the whole platform, persisted (not per key). While it is on,
every order and account endpoint is served by the paper broker's order stack (each
request by the venue in force when it was accepted: `routing.py`), and their replies
carry `"mode": "analyze"`; market data still comes from the broker. These endpoints
need only the API key: the switch works without a broker session.

`/analyzer/reset` (not in OpenAlgo's contract) starts the paper account again at its
capital: every paper order, trade, position and holding is gone. `/pnl/symbols` (§3.4.3)
is the paper positions' P&L, in analyzer mode only.
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import Request

from ..runtime import Runtime, get_runtime
from ..trading.analyzer import Venue
from .deps import Caller, ConnectedBroker
from .errors import OpenAlgoError
from .routing import api_router, post, trading, venue
from .schemas import (
    AnalyzerData,
    AnalyzerReply,
    AnalyzerRequest,
    AnalyzerResetData,
    AnalyzerResetReply,
    AnalyzerToggleRequest,
    PnlSymbolsReply,
)

router = api_router("analyzer")


def _status(runtime: Runtime, message: str | None = None) -> AnalyzerData:
    venue = runtime.analyzer.venue
    return AnalyzerData(analyze_mode=runtime.analyzer.analyze, mode=venue.value,
                        total_logs=runtime.paper.journal.count(), message=message)


@post(router, "analyzer", response_model=AnalyzerReply)
async def analyzer_status(body: AnalyzerRequest, caller: Caller,
                          request: Request) -> AnalyzerReply:
    """Whether analyzer mode is on; `total_logs`: the order actions it has journaled."""
    runtime = get_runtime(request)
    return AnalyzerReply(broker=runtime.broker_name, data=_status(runtime))


@post(router, "analyzer/toggle", response_model=AnalyzerReply)
async def analyzer_toggle(body: AnalyzerToggleRequest, caller: Caller,
                          request: Request) -> AnalyzerReply:
    """`mode` true: analyze (paper trading), false: live. Orders accepted before the
    switch finish where they were accepted."""
    runtime = get_runtime(request)
    venue = runtime.analyzer.set(body.mode)
    return AnalyzerReply(broker=runtime.broker_name, data=_status(
        runtime, f"Analyzer mode switched to {venue.value}"))


@post(router, "analyzer/reset", response_model=AnalyzerResetReply)
async def analyzer_reset(body: AnalyzerRequest, caller: Caller,
                         request: Request) -> AnalyzerResetReply:
    """Start the paper account again at its capital (every paper order, trade, position
    and holding is gone; the journal keeps its record)."""
    runtime = get_runtime(request)
    runtime.paper_broker.reset()
    capital = runtime.paper_broker.capital
    return AnalyzerResetReply(broker=runtime.broker_name, data=AnalyzerResetData(
        message=f"Paper account reset to ₹{capital:.2f}", capital=float(capital)))


@post(router, "pnl/symbols", routed=True, response_model=PnlSymbolsReply)
async def pnl_symbols(body: AnalyzerRequest, broker: ConnectedBroker,
                      request: Request) -> PnlSymbolsReply:
    """Each paper position's P&L today: realised, unrealised, total (analyzer mode only;
    400 live)."""
    if venue(request) is not Venue.ANALYZE:
        raise OpenAlgoError(400, "P&L by symbol is available in analyzer mode only")
    rows = []
    for row in await trading(request).books.positions():
        total, unrealised = Decimal(row["pnl"]), Decimal(row["unrealized_pnl"])
        rows.append({"symbol": row["symbol"], "exchange": row["exchange"],
                     "product": row["product"], "quantity": int(row["quantity"]),
                     "pnl": float(total), "unrealized_pnl": float(unrealised),
                     "today_realized_pnl": float(total - unrealised),
                     "total_pnl_today": float(total)})

    def total_of(key: str) -> float:
        return round(sum(r[key] for r in rows), 2)

    return PnlSymbolsReply.model_validate({
        "broker": broker.broker_name, "data": rows, "total_pnl": total_of("pnl"),
        "total_unrealized_pnl": total_of("unrealized_pnl"),
        "total_today_realized_pnl": total_of("today_realized_pnl"),
        "total_pnl_today": total_of("total_pnl_today")})
