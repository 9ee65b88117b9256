"""Analyzer mode's switch (reference §3.4, §5): its status, the toggle, and a reset.

The mode is one flag for the whole platform, persisted (not per key). While it is on,
every order and account endpoint is served by the paper broker's order stack (each
request by the venue in force when it was accepted: `routing.py`), and their replies
carry `"mode": "analyze"`; market data still comes from the broker. These endpoints
need only the API key: the switch works without a broker session.

`/analyzer/reset` (not in OpenAlgo's contract) starts the paper account again at its
capital: every paper order, trade, position and holding is gone.
"""

from __future__ import annotations

from fastapi import Request

from ..runtime import Runtime, get_runtime
from .deps import Caller
from .routing import api_router, post
from .schemas import (
    AnalyzerData,
    AnalyzerReply,
    AnalyzerRequest,
    AnalyzerResetData,
    AnalyzerResetReply,
    AnalyzerToggleRequest,
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
