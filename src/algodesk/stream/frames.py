"""Market-data frames (openalgo-api.md §6.4-6.5) from the feed's domain types: pure.

`type`, `symbol`, `exchange` and the integer `mode` the receiving client subscribed with
are top-level; `data` holds the mode's payload with the union of the client's and the
upstream adapters' key names. Mode 3 is mode 2 plus the book, so a depth frame also
serves what a quote subscriber reads. Quote frames carry `change` and `change_percent`
from the last price and the previous close Breeze sends, and Breeze's average traded
price as `avg_trade_price` (and `average_price`). A tick the feed read by REST while
the stream was down says so: `"source": "rest"` in `data` (and has no average traded
price: REST quotes do not carry it).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from ..domain.market import DepthLevel
from ..domain.stream import DepthUpdate, Tick

LTP, QUOTE, DEPTH = 1, 2, 3
# `data.source` of a frame read by a REST quote while the broker's stream was down (an
# extra key, which the reference allows); streamed frames have none.
SOURCE_REST = "rest"
_CENT = Decimal("0.01")


def _f(value: Decimal | None) -> float:
    return float(value) if value is not None else 0.0


def _ms(tick: Tick) -> int:
    return int(tick.at.timestamp() * 1000)


def _levels(levels: tuple[DepthLevel, ...]) -> list[dict[str, Any]]:
    return [{"price": float(level.price), "quantity": level.quantity, "orders": level.orders}
            for level in levels]


def payload(mode: int, tick: Tick, book: DepthUpdate | None, now_ms: int) -> dict[str, Any]:
    """The `data` object for a subscriber of `mode`."""
    data: dict[str, Any] = {"ltp": float(tick.last_price), "ltt": _ms(tick), "timestamp": now_ms,
                            "symbol": tick.symbol, "exchange": tick.exchange}
    if tick.polled:
        data["source"] = SOURCE_REST
    if mode == LTP:
        return data
    change = tick.change
    percent = tick.change_percent
    average = _f(tick.average_price)
    data.update({
        "open": _f(tick.open), "high": _f(tick.high), "low": _f(tick.low),
        "close": _f(tick.previous_close), "volume": tick.volume,
        "last_trade_quantity": tick.last_quantity, "last_quantity": tick.last_quantity,
        "avg_trade_price": average, "average_price": average,
        "change": _f(change), "change_percent": _f(percent.quantize(_CENT) if percent else None),
        "total_buy_quantity": tick.total_buy_quantity,
        "total_sell_quantity": tick.total_sell_quantity, "oi": tick.open_interest,
    })
    if mode == DEPTH and book is not None:
        data["depth"] = {"buy": _levels(book.bids), "sell": _levels(book.asks)}
        data["upper_circuit"] = _f(tick.upper_circuit)
        data["lower_circuit"] = _f(tick.lower_circuit)
    return data


def market_data(mode: int, tick: Tick, book: DepthUpdate | None, broker: str,
                now_ms: int) -> str:
    """One encoded `market_data` frame for subscribers of `mode`."""
    frame = {"type": "market_data", "symbol": tick.symbol, "exchange": tick.exchange,
             "mode": mode, "broker": broker, "data": payload(mode, tick, book, now_ms)}
    return json.dumps(frame, separators=(",", ":"))


__all__ = ["DEPTH", "LTP", "QUOTE", "SOURCE_REST", "market_data", "payload"]
