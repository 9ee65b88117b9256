"""Account endpoints (reference §3.3). Funds now; order, trade and position books follow."""

from __future__ import annotations

from fastapi import APIRouter

from ..brokers.icici.schemas import BreezeFunds
from .deps import ConnectedBroker
from .schemas import FundsData, FundsReply, FundsRequest, money

router = APIRouter(tags=["account"])


def funds_from_breeze(funds: BreezeFunds) -> FundsData:
    """Breeze's bank balance less what trades block is the cash free to use; the blocked
    amount is what OpenAlgo calls utilised. Breeze's funds call carries no M2M or
    collateral figures, so those are zero rather than a guess."""
    blocked = funds.block_by_trade_balance
    return FundsData(
        availablecash=money(funds.total_bank_balance - blocked),
        collateral=money(None),
        m2mrealized=money(None),
        m2munrealized=money(None),
        utiliseddebits=money(blocked),
    )


@router.post("/funds", response_model=FundsReply)
@router.post("/funds/", response_model=FundsReply, include_in_schema=False)
async def funds(body: FundsRequest, broker: ConnectedBroker) -> FundsReply:
    answer = await broker.call(lambda client: client.get_funds())
    return FundsReply(broker=broker.broker_name, data=funds_from_breeze(answer))
