"""`POST /api/v1/ping` (reference §3.9.1): the key is valid and the broker session usable."""

from __future__ import annotations

from fastapi import APIRouter

from .deps import ConnectedBroker
from .schemas import PingData, PingReply, PingRequest

router = APIRouter(tags=["utilities"])


@router.post("/ping", response_model=PingReply)
@router.post("/ping/", response_model=PingReply, include_in_schema=False)
async def ping(body: PingRequest, broker: ConnectedBroker) -> PingReply:
    return PingReply(broker=broker.broker_name, data=PingData(broker=broker.broker_name))
