"""Breeze's segment allocations -> the cash an order can use (pure functions)."""

from __future__ import annotations

from decimal import Decimal

from algodesk.brokers.icici.funds import equity_cash, overview, segments
from algodesk.brokers.icici.schemas import BreezeFunds

D = Decimal


def test_available_cash_is_the_equity_allocations_free_part() -> None:
    # Reference §5.2's example: 8 crore in the bank, 2 crore in each segment.
    funds = BreezeFunds(
        total_bank_balance=D("800000000.0"), block_by_trade_balance=D("15500000"),
        allocated_equity=D("200000000.0"), allocated_fno=D("200000000.0"),
        allocated_commodity=D("200000000.0"), allocated_currency=D("200000000.0"),
        block_by_trade_equity=D("3000000"), block_by_trade_fno=D("12500000.53"),
        block_by_trade_commodity=D(0), block_by_trade_currency=D(0),
        unallocated_balance=D("87500000"))
    assert equity_cash(funds) == (D("197000000.0"), D("3000000"))
    rows = {s.name: s.free for s in segments(funds)}
    assert rows == {"Equity": D("197000000.0"), "F&O": D("187499999.47"),
                    "Commodity": D("200000000.0"), "Currency": D("200000000.0")}
    # The dashboard's figures: the same available cash, and what no order can use yet.
    shown = overview(funds)
    assert (shown.limit, shown.used, shown.available, shown.unallocated) == (
        D("800000000.0"), D("15500000"), D("197000000.0"), D("87500000"))
    assert shown.segments == tuple(segments(funds))


def test_an_answer_without_segments_falls_back_to_the_bank_balance() -> None:
    funds = BreezeFunds(total_bank_balance=D(1_000_000), block_by_trade_balance=D(250_000))
    assert equity_cash(funds) == (D(750_000), D(250_000))
    assert segments(funds) == []


def test_a_missing_block_counts_as_nothing_blocked() -> None:
    funds = BreezeFunds(total_bank_balance=D(1_000_000), block_by_trade_balance=D(0),
                        allocated_equity=D(400_000), allocated_fno=D(100_000))
    assert equity_cash(funds) == (D(400_000), D(0))
    assert [(s.name, s.free) for s in segments(funds)] == [("Equity", D(400_000)),
                                                          ("F&O", D(100_000))]
