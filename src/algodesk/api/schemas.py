"""Request and reply models of the OpenAlgo API (reference: openalgo-api.md §1, §3).

Requests ignore unknown fields (clients add `target`, `stoploss` and the like) and
validate the rest strictly. Every reply names the broker behind it (`"broker":
"simulator"` in demo mode, `"icici"` otherwise) so a tool can never mistake practice for
the real account.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

INVALID_APIKEY = "Invalid openalgo apikey"
RATE_LIMITED = "Rate limit exceeded. Please slow down your requests."


class OpenAlgoRequest(BaseModel):
    """Every POST body: the API key plus the endpoint's own fields."""

    model_config = ConfigDict(extra="ignore")

    apikey: str = Field(min_length=1, max_length=256)


class Reply(BaseModel):
    status: Literal["success"] = "success"
    broker: str


class ErrorReply(BaseModel):
    status: Literal["error"] = "error"
    message: str
    broker: str | None = None


# --------------------------------------------------------------------------- ping


class PingRequest(OpenAlgoRequest):
    pass


class PingData(BaseModel):
    message: Literal["pong"] = "pong"
    broker: str


class PingReply(Reply):
    data: PingData


# --------------------------------------------------------------------------- funds


class FundsRequest(OpenAlgoRequest):
    pass


def money(value: Decimal | None) -> str:
    """OpenAlgo's live funds values: strings with two decimals."""
    amount = Decimal(0) if value is None else value
    return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class FundsData(BaseModel):
    availablecash: str
    collateral: str
    m2mrealized: str
    m2munrealized: str
    utiliseddebits: str


class FundsReply(Reply):
    data: FundsData


__all__ = [
    "INVALID_APIKEY",
    "RATE_LIMITED",
    "ErrorReply",
    "FundsData",
    "FundsReply",
    "FundsRequest",
    "OpenAlgoRequest",
    "PingData",
    "PingReply",
    "PingRequest",
    "Reply",
    "money",
]
