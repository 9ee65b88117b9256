"""Market-data payloads from domain ticks (pure): the mode's keys, change and
change_percent from the last price and the previous close, depth levels."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

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
