"""Smart-order sizing (the contract's decision table), split sizes, basket order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from algodesk.trading.sizing import buys_first, smart_order, split_sizes


@pytest.mark.parametrize(("action", "qty", "target", "current", "expected"), [
    ("BUY", 100, 0, 0, ("BUY", 100)),
    ("BUY", 100, 100, -100, ("BUY", 200)),
    ("BUY", 100, 100, 100, None),
    ("BUY", 100, 200, 100, ("BUY", 100)),
    ("SELL", 100, 0, 0, ("SELL", 100)),
    ("SELL", 100, -100, 100, ("SELL", 200)),
    ("SELL", 100, -100, -100, None),
    ("SELL", 100, -200, -100, ("SELL", 100)),
    ("BUY", 0, 0, 0, None),  # an exit signal with nothing open
    ("BUY", 5, 0, 40, ("SELL", 40)),  # exit long, whatever the request said
    ("SELL", 5, 0, -40, ("BUY", 40)),  # exit short
    ("SELL", 7, 30, 0, ("BUY", 30)),  # fresh entry: target decides, qty/action ignored
])
def test_contract_decision_table(action: str, qty: int, target: int, current: int,
                                 expected: tuple[str, int] | None) -> None:
    assert smart_order(action, qty, target, current) == expected


@given(st.sampled_from(["BUY", "SELL"]), st.integers(0, 1000), st.integers(-1000, 1000),
       st.integers(-1000, 1000))
def test_smart_order_always_lands_on_the_target(action: str, qty: int, target: int,
                                                current: int) -> None:
    order = smart_order(action, qty, target, current)
    if target == 0 and current == 0:
        return
    moved = 0 if order is None else (order[1] if order[0] == "BUY" else -order[1])
    assert current + moved == target


def test_split_sizes() -> None:
    assert split_sizes(105, 20) == [20, 20, 20, 20, 20, 5]
    assert split_sizes(10, 50) == [10]
    assert split_sizes(100, 1) == [1] * 100
    with pytest.raises(ValueError, match="exceed maximum limit of 100"):
        split_sizes(101, 1)
    with pytest.raises(ValueError, match="at least 1"):
        split_sizes(10, 0)


def test_basket_sends_buys_before_sells() -> None:
    assert buys_first(["SELL", "BUY", "SELL", "BUY"]) == [1, 3, 0, 2]
