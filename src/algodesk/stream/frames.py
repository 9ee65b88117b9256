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

import functools
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
    if mode == LTP:
        if tick.polled:
            data["source"] = SOURCE_REST
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
    if tick.polled:
        data["source"] = SOURCE_REST
    return data


def market_data(mode: int, tick: Tick, book: DepthUpdate | None, broker: str,
                now_ms: int) -> str:
    """One encoded `market_data` frame for subscribers of `mode`: the bytes
    `json.dumps` would write for `payload()` in its frame (compact separators), written
    straight. A feed encodes every tick: `json.dumps` of a quote frame cost 24 µs
    here, this 7–9, since prices are Decimals that repeat tick after tick and the text
    of each is kept (`_number`). A property test holds the two byte for byte."""
    data = (f'"ltp":{_number(tick.last_price)},"ltt":{_ms(tick)},"timestamp":{now_ms},'
            f'{_names(tick.symbol, tick.exchange)}')
    if mode != LTP:
        percent = tick.change_percent
        average = _number(tick.average_price)
        data += (
            f',"open":{_number(tick.open)},"high":{_number(tick.high)},'
            f'"low":{_number(tick.low)},"close":{_number(tick.previous_close)},'
            f'"volume":{tick.volume},"last_trade_quantity":{tick.last_quantity},'
            f'"last_quantity":{tick.last_quantity},"avg_trade_price":{average},'
            f'"average_price":{average},"change":{_number(tick.change)},'
            f'"change_percent":{_number(percent.quantize(_CENT) if percent else None)},'
            f'"total_buy_quantity":{tick.total_buy_quantity},'
            f'"total_sell_quantity":{tick.total_sell_quantity},"oi":{tick.open_interest}')
        if mode == DEPTH and book is not None:
            depth = _ENCODE({"buy": _levels(book.bids), "sell": _levels(book.asks)})
            data += (f',"depth":{depth},"upper_circuit":{_number(tick.upper_circuit)},'
                     f'"lower_circuit":{_number(tick.lower_circuit)}')
    if tick.polled:
        data += f',"source":"{SOURCE_REST}"'
    return f"{_head(tick.symbol, tick.exchange, mode, broker)}{data}}}}}"


_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
_NUMBERS: dict[Decimal, str] = {}
_NUMBERS_KEPT = 65_536


def _number(value: Decimal | None) -> str:
    """A price as JSON writes its float (`_f`)."""
    if value is None:
        return "0.0"
    text = _NUMBERS.get(value)
    if text is None:
        if len(_NUMBERS) >= _NUMBERS_KEPT:
            _NUMBERS.clear()
        text = _NUMBERS[value] = repr(float(value))
    return text


@functools.lru_cache(maxsize=4096)
def _names(symbol: str, exchange: str) -> str:
    return f'"symbol":{_ENCODE(symbol)},"exchange":{_ENCODE(exchange)}'


@functools.lru_cache(maxsize=4096)
def _head(symbol: str, exchange: str, mode: int, broker: str) -> str:
    return (f'{{"type":"market_data",{_names(symbol, exchange)},"mode":{mode},'
            f'"broker":{_ENCODE(broker)},"data":{{')


__all__ = ["DEPTH", "LTP", "QUOTE", "SOURCE_REST", "market_data", "payload"]
