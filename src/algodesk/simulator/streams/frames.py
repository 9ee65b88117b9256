"""The payloads ICICI's streams carry, element for element (reference §10.3–10.6).

Ticks and depth are JSON arrays of numbers; order notifications are arrays of strings;
OHLCV candles are one comma-separated line. Everything here is a pure function of a
quote, an order or a candle, so the frames always agree with the REST answers.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ..clock import IST
from ..exchange import Order
from ..market import Candle, Instrument, Quote
from .tokens import StreamToken

_ORDER_STATUS = {
    "Requested": "R", "Queued": "Q", "Ordered": "O", "Partially Executed": "P",
    "Executed": "E", "Rejected": "J", "Expired": "X", "Cancelled": "C",
    "Partially Executed And Expired": "B", "Partially Executed And Cancelled": "D",
    "Freezed": "F",
}
_PRODUCT = {"cash": "C", "futures": "F", "options": "O", "btst": "B", "mtf": "T",
            "margin": "M"}
_VALIDITY = {"day": "T", "ioc": "I", "vtc": "V"}
_RIGHT = {"call": "C", "put": "P", "others": "*"}
# What ICICI's own notifications carry in these places; the simulator has no real value.
_ACCOUNT = "8509042060"
_MESSAGE_LENGTH = "\u0019230"


def _f(value: Decimal) -> float:
    return float(value)


def _turnover(value: float) -> str:
    """ICICI's traded value text: crores (`1328.72C`) or lakhs (`43.25L`)."""
    if value >= 1e7:
        return f"{value / 1e7:.2f}C"
    return f"{value / 1e5:.2f}L"


def _change_percent(quote: Quote) -> float:
    close = quote.previous_close
    return round(float((quote.ltp - close) / close * 100), 2) if close else 0.0


def _trend(quote: Quote) -> str:
    if quote.ltp > quote.previous_close:
        return "+"
    return "-" if quote.ltp < quote.previous_close else ""


def tick(token: StreamToken, quote: Quote) -> list[Any]:
    """The exchange-quote array: 21 elements for cash, 23 for derivatives, MCX's own."""
    inst = token.inst
    if inst.exchange_code == "MCX":
        return _mcx_tick(token, quote)
    value = float(quote.avg_price) * quote.volume
    head: list[Any] = [
        token.text, _f(quote.open), _f(quote.ltp), _f(quote.high), _f(quote.low),
        _change_percent(quote), _f(quote.best_bid), quote.best_bid_qty,
        _f(quote.best_ask), quote.best_ask_qty, quote.ltq, _f(quote.avg_price),
    ]
    tail: list[Any] = [
        quote.volume, quote.total_buy_qty, quote.total_sell_qty,
        round(value, 2) if inst.exchange_code == "BFO" else _turnover(value),
        _trend(quote), _f(quote.lower_circuit), _f(quote.upper_circuit), quote.ltt,
        _f(quote.previous_close),
    ]
    if inst.is_index and inst.product == "cash":
        # Index ticks carry no book, volume, turnover or circuits.
        head[6:10] = [None, None, None, None]
        tail[0:4] = [None, None, None, None]
        tail[5:7] = [None, None]
    if inst.is_derivative:
        return [*head, quote.open_interest, quote.oi_change, *tail]
    return [*head, *tail]


def depth(token: StreamToken, quote: Quote, second: int) -> list[Any]:
    """`[symbol, epoch, five levels]`, each level in its exchange's shape."""
    levels: list[list[Any]] = []
    for level in quote.depth:
        bid, ask = _f(level.bid_price), _f(level.ask_price)
        if token.prefix == "1":
            levels.append([bid, level.bid_qty, ask, level.ask_qty])
        elif token.prefix == "8":
            levels.append([bid, level.bid_qty, level.bid_orders,
                           ask, level.ask_qty, level.ask_orders])
        else:
            levels.append([bid, level.bid_qty, level.bid_orders, "",
                           ask, level.ask_qty, level.ask_orders, ""])
    return [token.text, second, levels]


def _paise(value: Decimal) -> int:
    return int(value * 100)


def _mcx_tick(token: StreamToken, quote: Quote) -> list[Any]:
    """MCX: 22 scalars then five depth arrays; prices in paise as in ICICI's sample."""
    value = float(quote.avg_price) * quote.volume
    scalars: list[Any] = [
        token.text, quote.volume, 0, 0, quote.volume, _paise(quote.ltp), quote.ltq,
        quote.ltt, _paise(quote.avg_price), quote.total_buy_qty, quote.total_sell_qty, "",
        _paise(quote.previous_close), _paise(quote.open), _paise(quote.high),
        _paise(quote.low), 0, quote.open_interest, 0, _paise(quote.upper_circuit),
        _paise(quote.lower_circuit), round(value, 2),
    ]
    levels = [[lv.bid_qty, _paise(lv.bid_price), lv.bid_orders, 0,
               lv.ask_qty, _paise(lv.ask_price), lv.ask_orders, 0] for lv in quote.depth]
    return [*scalars, *levels]


# -- OHLCV (§10.6) ------------------------------------------------------------------

INTERVAL_EVENTS = {"1second": "1SEC", "1minute": "1MIN", "5minute": "5MIN",
                   "30minute": "30MIN"}


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def ohlcv_line(inst: Instrument, candle: Candle, event: str) -> str:
    """One candle as ICICI streams it: prices in the order low, high, open, close."""
    prices = [_plain(candle.low), _plain(candle.high), _plain(candle.open),
              _plain(candle.close)]
    stamp = candle.start.strftime("%Y-%m-%d %H:%M:%S")
    head = [inst.exchange_code, inst.stock_code]
    if inst.product == "cash":
        return ",".join([*head, *prices, str(candle.volume), stamp, event])
    assert inst.expiry is not None
    expiry = inst.expiry.strftime("%d-%b-%Y")
    if inst.product == "options":
        contract = [expiry, f"{float(inst.strike):.1f}", "CE" if inst.right == "call" else "PE"]
    else:
        contract = [expiry]
    return ",".join([*head, *contract, *prices, str(candle.volume),
                     str(candle.open_interest), stamp, event])


# -- order notifications (§10.4) ----------------------------------------------------


def _rupees(value: Decimal) -> str:
    return f"{value:.2f}"


def _quantities(order: Order) -> tuple[str, str, str, str]:
    """Open, executed, cancelled and expired quantity, as strings."""
    expired = order.remaining if "Expired" in order.status else 0
    still_open = order.remaining if order.is_open else 0
    return (str(still_open), str(order.filled), str(order.cancelled_quantity),
            str(expired))


def order_notification(order: Order, user_id: str, sequence: int, now: float) -> list[str]:
    """The `order` event array for one order state: equity layout (message type 4) for
    cash, derivative layout (message type 6, prices in paise) for F&O."""
    when = datetime.fromtimestamp(now, IST)
    placed = datetime.fromtimestamp(order.placed_at, IST)
    inst = order.inst
    derivative = inst.is_derivative
    head = [
        "1", "*", user_id, "*", _MESSAGE_LENGTH, "5",
        f"{when:%Y%m%d}{sequence:08d}", f"{when:%d-%m-%Y}", f"{when:%H:%M:%S}",
        "Intraday Calls", "N", "6" if derivative else "4", _ACCOUNT, inst.exchange_code,
    ]
    flow = "B" if order.action == "buy" else "S"
    limit_flag = "S" if order.order_type == "stoploss" else "L"
    validity = _VALIDITY.get(order.validity, "T")
    status = _ORDER_STATUS.get(order.status, "O")
    product = _PRODUCT.get(order.product, "C")
    still_open, executed, cancelled, expired = _quantities(order)
    if not derivative:
        average = _rupees(order.average_price) if order.filled else "0.00"
        return [*head,
                inst.stock_code, flow, limit_flag, validity, _rupees(order.price), product,
                status, f"{placed:%d-%b-%Y}", f"{when:%d-%b-%Y}", order.order_id,
                str(order.quantity), still_open, executed, cancelled, expired,
                str(order.disclosed_quantity), _rupees(order.trigger), "N", "0.00", "13",
                "WEB", "NSE" if inst.exchange_code == "NSE" else "BSE", "*", "Equity", "*",
                "", f"{placed:%d-%b-%Y}", "*", average, "N", "N", "0", "*"]
    assert inst.expiry is not None
    return [*head,
            inst.stock_code, product, _RIGHT.get(inst.right or "others", "*"), "E",
            str(_paise(inst.strike)), f"{inst.expiry:%d-%b-%Y}", f"{placed:%d-%b-%Y}",
            flow, limit_flag, validity, str(_paise(order.price)), status, order.order_id,
            str(order.quantity), executed, cancelled, expired, str(_paise(order.trigger)),
            "N", "13", "WEB", "Y" if order.modification_number or cancelled != "0" else "N",
            f"{when:%d-%b-%Y}", "*", "*",
            f"{_paise(order.average_price) if order.filled else 0}.000000", "0.000000",
            "N", "N", "N", "N", "N", "N", "0.000000", "66", "", ""]
