"""The paper fill rules, written out by hand: never better than the book offered."""

from __future__ import annotations

from decimal import Decimal

from algodesk.domain.market import DepthLevel
from algodesk.domain.orders import Side
from algodesk.sandbox.fills import Book, rests_filled, take, triggered

D = Decimal


def levels(*pairs: tuple[str, int]) -> tuple[DepthLevel, ...]:
    return tuple(DepthLevel(D(price), quantity) for price, quantity in pairs)


DEPTH = Book(D("100.00"), bids=levels(("99.95", 10), ("99.90", 20), ("99.85", 30),
                                      ("99.80", 40), ("99.75", 50)),
             asks=levels(("100.05", 10), ("100.10", 20), ("100.15", 30), ("100.20", 40),
                         ("100.25", 50)), depth=True)
QUOTE = Book(D("100.00"), bids=levels(("99.95", 10)), asks=levels(("100.05", 10)))


def test_market_orders_take_their_own_side_of_the_book() -> None:
    buy = take(Side.BUY, 5, DEPTH)
    sell = take(Side.SELL, 5, DEPTH)
    assert buy is not None and (buy.price, buy.rule) == (
        D("100.05"), "market buy at the best ask 100.05 (depth)")
    assert sell is not None and sell.price == D("99.95")


def test_a_larger_market_order_walks_the_levels() -> None:
    fill = take(Side.BUY, 25, DEPTH)  # 10 @ 100.05 + 15 @ 100.10
    assert fill is not None
    assert fill.price == (10 * D("100.05") + 15 * D("100.10")) / 25
    assert fill.rule == "market buy across 2 ask levels of the depth (100.05 to 100.10)"


def test_beyond_the_five_levels_the_rest_is_at_the_last_levels_price() -> None:
    fill = take(Side.SELL, 200, DEPTH)  # 150 shown, 50 more at 99.75
    shown = sum(level.price * level.quantity for level in DEPTH.bids)
    assert fill is not None and fill.price == (shown + 50 * D("99.75")) / 200
    assert "50 beyond the 5 levels shown at the last one's price" in fill.rule


def test_a_quote_gives_the_best_price_for_all_of_it() -> None:
    fill = take(Side.BUY, 1000, QUOTE)
    assert fill is not None and fill.price == D("100.05")
    assert fill.rule == "market buy at the best ask 100.05 (quote: no depth known)"


def test_the_last_price_only_when_that_side_is_empty() -> None:
    no_asks = Book(D("100.00"), bids=levels(("99.95", 10)))
    fill = take(Side.BUY, 1, no_asks)
    assert fill is not None and fill.price == D("100.00")
    assert fill.rule == "market buy at the last traded price 100.00 (no ask in the book)"
    assert take(Side.BUY, 1, Book(D(0))) is None  # nothing at all: no fill


def test_a_marketable_limit_never_fills_through_its_limit() -> None:
    fill = take(Side.BUY, 25, DEPTH, limit=D("100.05"))  # 10 within, 15 at the limit
    assert fill is not None and fill.price == D("100.05")
    assert "15 beyond the levels within the limit at the limit" in fill.rule
    walked = take(Side.BUY, 25, DEPTH, limit=D("100.15"))
    assert walked is not None and walked.price == (10 * D("100.05") + 15 * D("100.10")) / 25
    assert take(Side.BUY, 1, DEPTH, limit=D("100.00")) is None  # rests
    assert take(Side.SELL, 1, DEPTH, limit=D("100.00")) is None


def test_a_resting_limit_fills_at_its_own_price_when_the_other_side_reaches_it() -> None:
    assert rests_filled(Side.BUY, D("100.00"), DEPTH) is None
    moved = Book(D("99.90"), bids=levels(("99.85", 5)), asks=levels(("99.95", 5)))
    fill = rests_filled(Side.BUY, D("100.00"), moved)
    assert fill is not None and fill.price == D("100.00")
    assert rests_filled(Side.SELL, D("99.90"), moved) is None
    sell = rests_filled(Side.SELL, D("99.80"), moved)
    assert sell is not None and sell.price == D("99.80")
    # With no ask in the book, the last price stands in.
    only_last = Book(D("99.95"))
    assert rests_filled(Side.BUY, D("100.00"), only_last) is not None
    assert rests_filled(Side.BUY, D("99.90"), only_last) is None


def test_stops_trigger_on_the_last_price_through_the_trigger() -> None:
    assert triggered(Side.BUY, D("100.00"), DEPTH)
    assert not triggered(Side.BUY, D("100.05"), DEPTH)
    assert triggered(Side.SELL, D("100.00"), DEPTH)
    assert not triggered(Side.SELL, D("99.95"), DEPTH)
    assert not triggered(Side.SELL, D("99.95"), Book(D(0)))  # no trade yet
