"""What Breeze's funds answer means for a trader: the cash an order can actually use.

Breeze splits the bank balance into per-segment allocations (reference §5.2-5.3): an
order is checked against the free part of its own segment's allocation only — equity
(cash) orders against `allocated_equity - block_by_trade_equity`, F&O orders against
the F&O allocation — and money left unallocated counts for no order until the trader
allocates it. So the one figure OpenAlgo's `funds` has, `availablecash`, is the equity
allocation's free cash: an order sized to it is never refused for funds.
"""

from __future__ import annotations

from decimal import Decimal

from ..base import FundsOverview, SegmentFunds
from .schemas import BreezeFunds

_ZERO = Decimal(0)


def segments(funds: BreezeFunds) -> list[SegmentFunds]:
    """Equity, F&O, commodity and currency, as far as the answer carries them."""
    return [
        SegmentFunds(name, allocated, blocked or _ZERO)
        for name, allocated, blocked in (
            ("Equity", funds.allocated_equity, funds.block_by_trade_equity),
            ("F&O", funds.allocated_fno, funds.block_by_trade_fno),
            ("Commodity", funds.allocated_commodity, funds.block_by_trade_commodity),
            ("Currency", funds.allocated_currency, funds.block_by_trade_currency),
        )
        if allocated is not None
    ]


def equity_cash(funds: BreezeFunds) -> tuple[Decimal, Decimal]:
    """(free, blocked) in the equity allocation: OpenAlgo's availablecash and utiliseddebits.

    An answer without the per-segment fields (not seen from ICICI, but the fields are
    optional in the SDK's documentation) falls back to the whole bank balance.
    """
    if funds.allocated_equity is None:
        blocked = funds.block_by_trade_balance or _ZERO
        return funds.total_bank_balance - blocked, blocked
    blocked = funds.block_by_trade_equity or _ZERO
    return funds.allocated_equity - blocked, blocked


def overview(funds: BreezeFunds) -> FundsOverview:
    """The dashboard's funds: the bank balance, what trades block in all segments, the
    same available cash the API's `funds` reports (the equity allocation's free part),
    the unallocated money, and every segment with what is free in it."""
    available, _ = equity_cash(funds)
    return FundsOverview(funds.total_bank_balance, funds.block_by_trade_balance,
                         available, funds.unallocated_balance or _ZERO,
                         tuple(segments(funds)))
