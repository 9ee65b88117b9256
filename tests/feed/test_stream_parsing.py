"""Breeze's stream arrays, as ICICI's own samples show them (breeze-api.md §10.3-10.4),
read into domain types by the pure functions of `stream_parsing`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from algodesk.brokers.icici.stream_parsing import (
    Layout,
    StreamFormatError,
    TickOrder,
    is_newer,
    layout,
    order_event,
    parse_depth,
    parse_order_notification,
    parse_tick,
    tick_order,
)
from algodesk.domain.orders import OrderStatus, PriceType, Product, Side
from algodesk.domain.stream import Tick

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))

BSE_CASH = ["1.1!543349", 1233.05, 1239, 1245, 1233.05, 0.74, 1238.1, 2, 1239.9, 1, 1, 1238.43,
            3493, 6435, 5653, "43.25L", "", 983.9, 1475.8, 1691387639, 1229.85]
NFO_OPTION = ["4.1!47869", 53.35, 43.05, 53.35, 31.7, -24.21, 42.9, 5250, 43.05, 3400, 100,
              40.43, "", "", 36079750, 393050, 613650, "145.87C", "", 0.05, 321.8, 1691387295,
              56.8]
NIFTY_INDEX = ["4.1!NIFTY 50", 19500.1, 19550.25, 19580.0, 19480.3, 0.31, None, None, None,
               None, None, 0, None, None, None, None, "+", None, None, 1691387300, 19490.0]
NSE_DEPTH = ["4.2!95826", 1691390811, [
    [14.6, 375, 1, "", 15.1, 375, 1, ""], [14.55, 375, 1, "", 15.15, 375, 1, ""],
    [14.5, 750, 2, "", 15.2, 300, 1, ""], [14.45, 75, 1, "", 15.25, 375, 1, ""],
    [14.4, 1500, 3, "", 15.3, 150, 2, ""]]]
BSE_DEPTH = ["1.2!500780", 1691390811, [[101.5, 10, 101.6, 12]] * 5]
BFO_DEPTH = ["8.2!844663", 1691390811, [[201.5, 20, 2, 201.8, 15, 3]] * 5]
# The derivative notification of ICICI's SDK test (52 elements; prices in paise).
NFO_ORDER = ["1", "*", "AA073203", "*", "\u0019230", "5", "2023080700000518", "07-08-2023",
             "11:49:55", "Intraday Calls", "N", "6", "8509042060", "NFO", "NIFTY", "O", "C",
             "E", "2000000", "10-Aug-2023", "07-Aug-2023", "B", "L", "T", "300", "R",
             "202308071300000009", "50", "0", "0", "0", "0", "N", "13", "WEB", "Y",
             "07-Aug-2023", "*", "*", "0.000000", "0.000000", "N", "N", "N", "N", "N", "N",
             "0.000000", "66", "", "", "G\u001a"]

# An equity notification in the SDK's layout (no raw sample is published): a stop-loss
# sell of 10 at 812.35, trigger 815.00, delivery (C), 4 executed at 812.50.
NSE_ORDER = ["1", "*", "AA073203", "*", "\u0019230", "5", "2023080700000519", "07-08-2023",
             "11:50:01", "Intraday Calls", "N", "4", "8509042060", "NSE", "STABAN", "S", "S",
             "T", "812.35", "C", "P", "07-Aug-2023", "07-Aug-2023", "20230807N100000012",
             "10", "6", "4", "0", "0", "0", "815.00", "N", "0.00", "13", "WEB", "NSE", "*",
             "Equity", "*", "", "07-Aug-2023", "*", "812.50", "N", "N", "0", "*"]


def test_the_layouts_are_told_apart_by_shape() -> None:
    assert layout(BSE_CASH) is Layout.CASH
    assert layout(NFO_OPTION) is Layout.DERIVATIVE
    assert layout(NIFTY_INDEX) is Layout.CASH
    assert layout(NSE_DEPTH) is Layout.DEPTH
    mcx = ["6.1!245", *range(21), *[[1, 2, 3, 4, 5, 6, 7, 8]] * 5]
    assert layout(mcx) is Layout.MCX
    # Strategy streams, order arrays and garbage are not quotes.
    assert layout(["x"] * 28) is None
    assert layout(NFO_ORDER) is None
    assert layout({"symbol": "4.1!1"}) is None
    assert layout([]) is None


def test_a_bse_cash_tick() -> None:
    tick = parse_tick(BSE_CASH, Layout.CASH, "EXAMPLE", "BSE")
    assert (tick.symbol, tick.exchange) == ("EXAMPLE", "BSE")
    assert tick.last_price == Decimal("1239") and tick.open == Decimal("1233.05")
    assert (tick.high, tick.low) == (Decimal("1245"), Decimal("1233.05"))
    assert (tick.bid, tick.bid_quantity, tick.ask, tick.ask_quantity) == (
        Decimal("1238.1"), 2, Decimal("1239.9"), 1)
    assert (tick.last_quantity, tick.average_price, tick.volume) == (1, Decimal("1238.43"), 3493)
    assert (tick.total_buy_quantity, tick.total_sell_quantity) == (6435, 5653)
    assert (tick.lower_circuit, tick.upper_circuit) == (Decimal("983.9"), Decimal("1475.8"))
    assert tick.at == dt.datetime.fromtimestamp(1691387639, dt.UTC)
    assert tick.previous_close == Decimal("1229.85")
    # Computed from the last price and the close, not the array's rounded percentage.
    assert tick.change == Decimal("9.15")
    assert round(tick.change_percent or 0, 2) == Decimal("0.74")


def test_a_derivative_tick_with_empty_open_interest() -> None:
    tick = parse_tick(NFO_OPTION, Layout.DERIVATIVE, "NIFTY10AUG2319500CE", "NFO")
    assert tick.last_price == Decimal("43.05") and tick.open_interest == 0
    assert (tick.volume, tick.total_buy_quantity, tick.total_sell_quantity) == (
        36079750, 393050, 613650)
    assert (tick.lower_circuit, tick.upper_circuit) == (Decimal("0.05"), Decimal("321.8"))
    assert tick.previous_close == Decimal("56.8")
    assert tick.at == dt.datetime.fromtimestamp(1691387295, dt.UTC)
    assert tick_order(NFO_OPTION, Layout.DERIVATIVE) == TickOrder(1691387295, 36079750)


def test_an_index_tick_has_no_book_or_volume() -> None:
    tick = parse_tick(NIFTY_INDEX, Layout.CASH, "NIFTY", "NSE_INDEX")
    assert tick.last_price == Decimal("19550.25") and tick.previous_close == Decimal("19490.0")
    assert (tick.bid, tick.ask, tick.volume, tick.upper_circuit) == (None, None, 0, None)


def test_depth_in_each_exchange_shape() -> None:
    nse = parse_depth(NSE_DEPTH, "NIFTY10AUG23FUT", "NFO")
    assert [(lv.price, lv.quantity, lv.orders) for lv in nse.bids][:2] == [
        (Decimal("14.6"), 375, 1), (Decimal("14.55"), 375, 1)]
    assert nse.asks[4].price == Decimal("15.3") and nse.asks[4].orders == 2
    assert nse.at == dt.datetime.fromtimestamp(1691390811, dt.UTC)
    bse = parse_depth(BSE_DEPTH, "RELIANCE", "BSE")
    assert (bse.bids[0].price, bse.bids[0].quantity, bse.asks[0].price, bse.asks[0].quantity) == (
        Decimal("101.5"), 10, Decimal("101.6"), 12)
    bfo = parse_depth(BFO_DEPTH, "SENSEX", "BFO")
    assert (bfo.bids[0].orders, bfo.asks[0].price, bfo.asks[0].orders) == (2, Decimal("201.8"), 3)
    with pytest.raises(StreamFormatError, match="3 elements"):
        parse_depth(["4.2!1", 1, [[1, 2, 3]]], "X", "NSE")


def test_mcx_prices_are_paise() -> None:
    scalars = ["6.1!245", 900, 0, 0, 900, 268950, 2, 1691387639, 268800, 40, 50, "",
               268900, 267000, 269500, 266500, 0, 12345, 0, 300000, 200000, 241920000.0]
    levels = [[5 + i, 268900 - 100 * i, 1, 0, 6 + i, 269000 + 100 * i, 2, 0] for i in range(5)]
    frame = [*scalars, *levels]
    tick = parse_tick(frame, Layout.MCX, "GOLD", "MCX")
    assert (tick.last_price, tick.previous_close, tick.open) == (
        Decimal("2689.5"), Decimal("2689"), Decimal("2670"))
    assert (tick.high, tick.low, tick.average_price) == (Decimal("2695"), Decimal("2665"),
                                                         Decimal("2688"))
    assert (tick.volume, tick.open_interest, tick.bid, tick.ask) == (
        900, 12345, Decimal("2689"), Decimal("2690"))


def test_a_derivative_order_notification() -> None:
    notice = parse_order_notification(NFO_ORDER)
    assert notice is not None
    assert (notice.order_id, notice.status) == ("202308071300000009", OrderStatus.OPEN)
    assert (notice.stock_code, notice.exchange_code, notice.product, notice.right) == (
        "NIFTY", "NFO", "options", "call")
    assert notice.strike == Decimal("20000") and notice.expiry == "10-Aug-2023"
    assert (notice.quantity, notice.filled_quantity, notice.average_price) == (50, 0, 0)
    assert notice.at == dt.datetime(2023, 8, 7, 11, 49, 55, tzinfo=IST)
    # What the order book shows for such an order: Breeze's `options` is NRML, `L` LIMIT.
    assert (notice.side, notice.price_type, notice.order_product) == (
        Side.BUY, PriceType.LIMIT, Product.NRML)
    assert (notice.price, notice.trigger_price) == (Decimal("3"), Decimal("0"))


def test_an_equity_order_notification() -> None:
    notice = parse_order_notification(NSE_ORDER)
    assert notice is not None
    assert (notice.order_id, notice.status, notice.stock_code, notice.exchange_code) == (
        "20230807N100000012", OrderStatus.OPEN, "STABAN", "NSE")
    assert (notice.side, notice.price_type, notice.order_product) == (
        Side.SELL, PriceType.SL, Product.CNC)
    assert (notice.price, notice.trigger_price) == (Decimal("812.35"), Decimal("815.00"))
    assert (notice.quantity, notice.filled_quantity, notice.average_price) == (
        10, 4, Decimal("812.50"))
    margin = list(NSE_ORDER)
    margin[19] = "M"  # Breeze's intraday product
    notice = parse_order_notification(margin)
    assert notice is not None and notice.order_product is Product.MIS


def test_an_order_event_is_the_order_as_the_book_lists_it() -> None:
    notice = parse_order_notification(NSE_ORDER)
    assert notice is not None
    order = order_event(notice, "SBIN", "NSE").as_order()
    assert (order.order_id, order.symbol, order.exchange, order.side, order.quantity) == (
        "20230807N100000012", "SBIN", "NSE", Side.SELL, 10)
    assert (order.filled_quantity, order.price_type, order.product, order.status) == (
        4, PriceType.SL, Product.CNC, OrderStatus.OPEN)
    assert (order.price, order.trigger_price, order.average_price) == (
        Decimal("812.35"), Decimal("815.00"), Decimal("812.50"))


def test_order_states_follow_openalgo() -> None:
    def state(code: str, order_type: str = "L") -> OrderStatus | None:
        frame = list(NFO_ORDER)
        frame[25], frame[22] = code, order_type
        notice = parse_order_notification(frame)
        return None if notice is None else notice.status

    assert state("E") is OrderStatus.COMPLETE
    assert state("P") is OrderStatus.OPEN
    assert state("D") is OrderStatus.CANCELLED and state("X") is OrderStatus.CANCELLED
    assert state("J") is OrderStatus.REJECTED
    assert state("O", "S") is OrderStatus.TRIGGER_PENDING
    assert state("A") is None  # "all": a filter value, not a state
    no_side = list(NFO_ORDER)
    no_side[21] = "N"  # the TUX map's "NA"
    assert parse_order_notification(no_side) is None


def test_bad_values_are_format_errors() -> None:
    frame = list(BSE_CASH)
    frame[2] = "n/a"
    with pytest.raises(StreamFormatError, match="not a price"):
        parse_tick(frame, Layout.CASH, "X", "BSE")
    frame[2] = None
    with pytest.raises(StreamFormatError, match="without a last price"):
        parse_tick(frame, Layout.CASH, "X", "BSE")


def test_a_tick_is_news_only_after_the_last_one_delivered() -> None:
    first = list(BSE_CASH)
    last = (tick_order(first, Layout.CASH), first)
    assert is_newer(*last, None)
    assert not is_newer(*last, last)  # the same tick again (a reconnect's replay)
    moved = list(first)
    moved[6] = 1238.2  # the best bid moved, no trade: same time and volume, news
    assert is_newer(tick_order(moved, Layout.CASH), moved, last)
    traded = list(first)
    traded[12], traded[19] = 3500, 1691387640  # a later trade
    assert is_newer(tick_order(traded, Layout.CASH), traded, last)
    older = list(first)
    older[19] = 1691387638  # a second before the last one delivered
    assert not is_newer(tick_order(older, Layout.CASH), older, last)
    fewer = list(first)
    fewer[12] = 3400  # same second, less volume: an earlier trade arriving late
    assert not is_newer(tick_order(fewer, Layout.CASH), fewer, last)


def test_a_tick_keeps_money_exact_and_time_aware() -> None:
    at = dt.datetime(2026, 12, 7, 9, 15, tzinfo=IST)
    tick = Tick("SBIN", "NSE", "812.35", 1, 1, at, previous_close=Decimal("800"))  # type: ignore[arg-type]
    assert tick.last_price == Decimal("812.35") and tick.at.tzinfo is dt.UTC
    assert tick.change_percent == Decimal("1.54375")
    with pytest.raises(TypeError, match="float"):
        Tick("SBIN", "NSE", Decimal(1), 1, 1, at, open=812.35)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no time zone"):
        Tick("SBIN", "NSE", Decimal(1), 1, 1, at.replace(tzinfo=None))
