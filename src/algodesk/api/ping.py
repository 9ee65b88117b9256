"""`POST /api/v1/ping` (reference §3.9.1): the key is valid and the broker session usable.

Beyond OpenAlgo's `message` and `broker`, `data.budget` shows the Breeze call budget in
use (calls this minute and today, against ICICI's limits), so a tool can see how much it
has left, and `data.feed` the broker's live feed (connected, subscriptions, ticks per
second, the last tick's age, reconnects and stalls today, whether REST quotes stand in
for it and how many it read today).
"""

from __future__ import annotations

from fastapi import Request

from ..runtime import get_runtime
from .deps import ConnectedBroker
from .responses import KEY_ERRORS, errors
from .routing import api_router
from .schemas import BudgetData, FeedData, PingData, PingReply, PingRequest

router = api_router("utilities")


@router.post("/ping/", response_model=PingReply, include_in_schema=False)
@router.post("/ping", response_model=PingReply, responses=errors(*KEY_ERRORS, broker=True))
async def ping(body: PingRequest, broker: ConnectedBroker, request: Request) -> PingReply:
    usage = broker.call_usage()
    budget = BudgetData(minute_used=usage.last_minute, minute_limit=usage.per_minute,
                        minute_left=max(usage.per_minute - usage.last_minute, 0),
                        day_used=usage.today, day_limit=usage.per_day,
                        day_left=max(usage.per_day - usage.today, 0))
    feed = get_runtime(request).feed
    state = feed.state() if feed is not None else None
    return PingReply(broker=broker.broker_name, data=PingData(
        broker=broker.broker_name, budget=budget,
        feed=None if state is None else FeedData(
            status=state.status, detail=state.detail, connected=state.connected,
            subscriptions=state.subscriptions, ticks_per_second=state.ticks_per_second,
            last_tick_age_seconds=state.last_tick_age, reconnects_today=state.reconnects,
            stalls_today=state.stalls, fallback=state.fallback,
            polled_today=state.polled_today)))
