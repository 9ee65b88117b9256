"""Market-data payloads from domain ticks (pure): the mode's keys, change and
change_percent from the last price and the previous close, depth levels."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from algodesk.domain.market import DepthLevel
from algodesk.domain.stream import DepthUpdate, Tick
from algodesk.stream import protocol
from algodesk.stream.frames import market_data, payload

AT = dt.datetime(2026, 12, 7, 4, 0, 5, tzinfo=dt.UTC)
TICK = Tick("SBIN", "NSE", Decimal("812.35"), 10, 5000, AT, average_price=Decimal("810.1"),
            open=Decimal("805"), high=Decimal("815"), low=Decimal("800.5"),
            previous_close=Decimal("806.20"), total_buy_quantity=300, total_sell_quantity=200,
            upper_circuit=Decimal("967.40"), lower_circuit=Decimal("645"))
BOOK = DepthUpdate("SBIN", "NSE", (DepthLevel(Decimal("812.3"), 5, 2),),
                   (DepthLevel(Decimal("812.4"), 7, 1),), AT)


def test_ltp_payload() -> None:
    assert payload(1, TICK, None, 99) == {"ltp": 812.35, "ltt": 1796616005000, "timestamp": 99,
                                          "symbol": "SBIN", "exchange": "NSE"}


def test_quote_payload_computes_change_from_the_previous_close() -> None:
    data = payload(2, TICK, None, 99)
    assert (data["open"], data["high"], data["low"], data["close"]) == (805, 815, 800.5, 806.2)
    assert data["change"] == 6.15
    assert data["change_percent"] == 0.76  # 6.15 / 806.20 = 0.7628 %
    assert data["avg_trade_price"] == data["average_price"] == 810.1
    assert (data["volume"], data["last_trade_quantity"], data["oi"]) == (5000, 10, 0)
    assert "depth" not in data


def test_depth_payload_is_the_quote_and_the_book() -> None:
    frame = json.loads(market_data(3, TICK, BOOK, "icici", 99))
    assert (frame["type"], frame["symbol"], frame["exchange"], frame["mode"]) == (
        "market_data", "SBIN", "NSE", 3)
    data = frame["data"]
    assert data["depth"] == {"buy": [{"price": 812.3, "quantity": 5, "orders": 2}],
                             "sell": [{"price": 812.4, "quantity": 7, "orders": 1}]}
    assert data["change"] == 6.15 and data["upper_circuit"] == 967.4


def test_an_index_tick_has_no_close_to_change_from() -> None:
    index = Tick("NIFTY", "NSE_INDEX", Decimal("24000.5"), 0, 0, AT)
    data = payload(2, index, None, 1)
    assert (data["change"], data["change_percent"], data["avg_trade_price"]) == (0, 0, 0)


def test_items_in_every_form() -> None:
    single = protocol.items({"action": "subscribe", "symbol": "SBIN", "exchange": "NSE"})
    assert single == [protocol.Item("SBIN", "NSE", 2)]  # Quote when no mode is given
    batch = protocol.items({"action": "subscribe", "mode": "depth",
                            "instruments": [{"symbol": "A", "exchange": "NSE"}]})
    assert batch == [protocol.Item("A", "NSE", 3)]
    unsubscribe = protocol.items({"action": "unsubscribe", "mode": 1, "symbols": [
        {"symbol": "A", "exchange": "NSE", "mode": 3}, {"symbol": "B", "exchange": "BSE"}]},
        unsubscribe=True)
    assert [i.mode for i in unsubscribe] == [3, 1]
    assert protocol.mode("quote") == 2 and protocol.mode("3") == 3


_PRICES = st.one_of(st.none(), st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999"),
                                           places=2))
_COUNTS = st.integers(min_value=0, max_value=10**12)


@given(st.builds(
    Tick, symbol=st.sampled_from(["SBIN", "M&M", 'ODD"NAME\\', "NIFTY25DEC2624000CE"]),
    exchange=st.sampled_from(["NSE", "NFO", "NSE_INDEX"]),
    last_price=st.decimals(min_value=Decimal("0.05"), max_value=Decimal("999999"), places=2),
    last_quantity=_COUNTS, volume=_COUNTS,
    at=st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1),
                    timezones=st.just(dt.UTC)),
    average_price=_PRICES, open_interest=_COUNTS, open=_PRICES, high=_PRICES, low=_PRICES,
    previous_close=_PRICES, total_buy_quantity=_COUNTS, total_sell_quantity=_COUNTS,
    upper_circuit=_PRICES, lower_circuit=_PRICES, polled=st.booleans()),
    st.sampled_from([1, 2, 3]), st.sampled_from([None, BOOK]))
def test_the_written_frame_is_json_of_the_payload(tick: Tick, mode: int,
                                                  book: DepthUpdate | None) -> None:
    """`market_data` writes the text itself (speed); it must be, byte for byte, what
    `json.dumps` makes of `payload` in its frame."""
    frame = {"type": "market_data", "symbol": tick.symbol, "exchange": tick.exchange,
             "mode": mode, "broker": "icici", "data": payload(mode, tick, book, 1234)}
    assert market_data(mode, tick, book, "icici", 1234) == json.dumps(frame,
                                                                      separators=(",", ":"))


def test_a_polled_tick_says_it_came_from_a_rest_quote() -> None:
    polled = Tick("SBIN", "NSE", Decimal("812.35"), 10, 5000, AT, polled=True)
    for mode in (1, 2, 3):
        frame = json.loads(market_data(mode, polled, BOOK, "icici", 99))
        assert frame["data"]["source"] == "rest"
    assert "source" not in json.loads(market_data(2, TICK, None, "icici", 99))["data"]
