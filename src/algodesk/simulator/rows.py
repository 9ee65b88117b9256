"""Breeze response rows, spelled exactly as ICICI spells them (typos included:
`intial_sltp`, `chnge_oi`, `margin_calulation`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from .clock import IST
from .exchange import Fill, Holding, Order, Position
from .gtt import Gtt
from .market import Candle, Instrument, Quote
from .wire import dmy, dmy_time, money, number, plain

PRODUCT_LABEL = {
    "cash": "Cash", "futures": "Futures", "options": "Options", "btst": "BTST",
    "mtf": "MTF", "margin": "Margin",
}
RIGHT_LABEL = {"call": "Call", "put": "Put", "others": "Others"}
VALIDITY_LABEL = {"day": "Day", "ioc": "IoC", "vtc": "VTC"}
ORDER_TYPE_LABEL = {"limit": "Limit", "stoploss": "StopLoss", "market": "Market"}


def _ist(t: float) -> datetime:
    return datetime.fromtimestamp(t, IST).replace(tzinfo=None)


def _right(inst: Instrument) -> str | None:
    return RIGHT_LABEL.get(inst.right) if inst.right else None


def order_row(order: Order) -> dict[str, Any]:
    inst = order.inst
    derivative = inst.is_derivative
    return {
        "order_id": order.order_id,
        "exchange_order_id": order.exchange_order_id or None,
        "exchange_code": inst.exchange_code,
        "stock_code": inst.stock_code,
        "product_type": PRODUCT_LABEL.get(order.product, order.product.title()),
        "action": order.action.title(),
        "order_type": ORDER_TYPE_LABEL[order.order_type],
        "stoploss": money(order.trigger),
        "quantity": str(order.quantity),
        "price": money(order.price),
        "validity": VALIDITY_LABEL[order.validity],
        "disclosed_quantity": str(order.disclosed_quantity),
        "expiry_date": dmy(inst.expiry) if derivative else None,
        "right": _right(inst) if derivative else None,
        "strike_price": number(inst.strike),
        "average_price": money(order.average_price) if order.filled else "0",
        "cancelled_quantity": str(order.cancelled_quantity),
        "pending_quantity": str(order.remaining),
        "status": order.status,
        "user_remark": order.user_remark,
        "order_datetime": dmy_time(_ist(order.placed_at)),
        "parent_order_id": order.parent_order_id or None,
        "modification_number": str(order.modification_number) if order.modification_number else None,
        "exchange_acknowledgement_date": dmy_time(_ist(order.placed_at)),
        "SLTP_price": None,
        "exchange_acknowledge_number": order.exchange_order_id or None,
        "initial_limit": None,
        "intial_sltp": None,
        "LTP": None,
        "limit_offset": None,
        "mbc_flag": None,
        "cutoff_price": None,
        "validity_date": order.validity_date,
    }


def trade_row(order: Order, ltp: Decimal) -> dict[str, Any]:
    """One row per order with fills (the trade list aggregates fills)."""
    inst = order.inst
    derivative = inst.is_derivative
    first = order.fills[0]
    day = _ist(first.time)
    return {
        "book_type": "Trade-Book",
        "trade_date": dmy(day.date()),
        "stock_code": inst.stock_code,
        "action": order.action.title(),
        "quantity": str(order.filled),
        "average_cost": money(order.average_price),
        "brokerage_amount": "0.00",
        "product_type": PRODUCT_LABEL.get(order.product, order.product.title()),
        "exchange_code": inst.exchange_code,
        "order_id": order.order_id,
        "segment": None if derivative else "N",
        "settlement_code": None if derivative else first.settlement_id,
        "dp_id": None if derivative else "IN3000001",
        "client_id": None if derivative else "10000001",
        "ltp": money(ltp),
        "eatm_withheld_amount": None if derivative else "0.00",
        "cash_withheld_amount": None if derivative else "0.00",
        "total_taxes": "0.00",
        "order_type": None if derivative else ORDER_TYPE_LABEL[order.order_type],
        "expiry_date": dmy(inst.expiry) if derivative else None,
        "right": _right(inst) if derivative else None,
        "strike_price": plain(inst.strike) if derivative else None,
    }


def trade_detail_row(order: Order, fill: Fill) -> dict[str, Any]:
    derivative = order.inst.is_derivative
    return {
        "settlement_id": None if derivative else fill.settlement_id,
        "exchange_trade_id": fill.exchange_trade_id,
        "executed_quantity": str(fill.quantity),
        "action": "B" if order.action == "buy" else "S",
        "total_transaction_cost": "0",
        "brokerage_amount": "0",
        "taxes": None if derivative else "0",
        "eatm_withheld_amount": None if derivative else "0",
        "cash_withheld_amount": None if derivative else "0",
        "execution_price": plain(fill.price),
        "stock_code": order.inst.stock_code,
        "exchange_code": order.inst.exchange_code,
        "trade_id": fill.trade_id,
        "exchange_trade_time": dmy_time(_ist(fill.time)),
    }


def position_row(position: Position, ltp: Decimal) -> dict[str, Any]:
    inst = position.inst
    derivative = inst.is_derivative
    if position.net > 0:
        action = "Buy"
    elif position.net < 0:
        action = "Sell"
    else:
        action = "NA"
    unrealized = (ltp - position.average) * position.net if position.net else Decimal(0)
    return {
        "segment": "fno" if derivative else "equity",
        "product_type": PRODUCT_LABEL.get(position.product, position.product.title()),
        "exchange_code": inst.exchange_code,
        "stock_code": inst.stock_code,
        "expiry_date": dmy(inst.expiry) if derivative else None,
        "strike_price": plain(inst.strike) if derivative else None,
        "right": _right(inst) if derivative else None,
        "action": action,
        "quantity": str(abs(position.net)),
        "average_price": money(position.average) if position.net else "0",
        "settlement_id": None,
        "margin_amount": None,
        "ltp": money(ltp),
        "price": money(position.average) if position.net else "0",
        "stock_index_indicator": "Index" if inst.is_index else "Stock",
        "cover_quantity": "0",
        "stoploss_trigger": "0",
        "stoploss": None,
        "take_profit": None,
        "available_margin": None,
        "squareoff_mode": None,
        "mtf_sell_quantity": None,
        "mtf_net_amount_payable": None,
        "mtf_expiry_date": None,
        "order_id": position.last_order_id,
        "cover_order_flow": None,
        "cover_order_executed_quantity": None,
        "pledge_status": None,
        "pnl": money(position.realized + unrealized),
        "underlying": inst.underlying or inst.stock_code,
        "order_segment_code": None,
    }


def equity_holding_row(holding: Holding, exchange_code: str, quote: Quote) -> dict[str, Any]:
    ltp = quote.ltp
    change = ((ltp - quote.previous_close) / quote.previous_close * 100
              if quote.previous_close else Decimal(0))
    return {
        "stock_code": holding.stock_code,
        "exchange_code": exchange_code,
        "quantity": str(holding.quantity),
        "average_price": money(holding.average),
        "booked_profit_loss": None,
        "current_market_price": money(ltp),
        "change_percentage": money(change),
        "answer_flag": None,
        "product_type": None,
        "expiry_date": None,
        "strike_price": None,
        "right": None,
        "category_index_per_stock": None,
        "action": None,
        "realized_profit": "0",
        "unrealized_profit": money((ltp - holding.average) * holding.quantity),
        "open_position_value": money(ltp * holding.quantity),
        "portfolio_charges": "0",
    }


def fno_holding_row(position: Position, ltp: Decimal) -> dict[str, Any]:
    """F&O portfolio holdings carry a signed quantity (short is negative)."""
    inst = position.inst
    if position.net > 0:
        action = "Buy"
    elif position.net < 0:
        action = "Sell"
    else:
        action = "NA"
    unrealized = (ltp - position.average) * position.net if position.net else Decimal(0)
    return {
        "stock_code": inst.stock_code,
        "exchange_code": inst.exchange_code,
        "quantity": str(position.net),
        "average_price": money(position.average) if position.net else "0",
        "booked_profit_loss": None,
        "current_market_price": money(ltp),
        "change_percentage": None,
        "answer_flag": None,
        "product_type": PRODUCT_LABEL[inst.product],
        "expiry_date": dmy(inst.expiry),
        "strike_price": plain(inst.strike),
        "right": _right(inst),
        "category_index_per_stock": "I" if inst.is_index else "S",
        "action": action,
        "realized_profit": money(position.realized),
        "unrealized_profit": money(unrealized),
        "open_position_value": money(abs(position.net) * ltp),
        "portfolio_charges": "0",
    }


def demat_row(holding: Holding, blocked: int) -> dict[str, Any]:
    return {
        "stock_code": holding.stock_code,
        "stock_ISIN": holding.isin,
        "quantity": str(holding.quantity),
        "demat_total_bulk_quantity": str(holding.quantity),
        "demat_avail_quantity": str(holding.quantity - blocked),
        "blocked_quantity": str(blocked),
        "demat_allocated_quantity": str(holding.quantity),
    }


def quote_row(inst: Instrument, quote: Quote) -> dict[str, Any]:
    derivative = inst.is_derivative
    if inst.product == "futures":
        product_label, right = "Future", "*"
    elif inst.product == "options":
        product_label, right = "Options", _right(inst)
    else:
        product_label, right = "", None
    change = ((quote.ltp - quote.previous_close) / quote.previous_close * 100
              if quote.previous_close else Decimal(0))
    return {
        "exchange_code": inst.exchange_code,
        "product_type": product_label,
        "stock_code": inst.stock_code,
        "expiry_date": dmy(inst.expiry) if derivative else None,
        "right": right,
        "strike_price": number(inst.strike),
        "ltp": number(quote.ltp),
        "ltt": dmy_time(_ist(quote.ltt)),
        "best_bid_price": number(quote.best_bid),
        "best_bid_quantity": str(quote.best_bid_qty),
        "best_offer_price": number(quote.best_ask),
        "best_offer_quantity": str(quote.best_ask_qty),
        "open": number(quote.open),
        "high": number(quote.high),
        "low": number(quote.low),
        "previous_close": number(quote.previous_close),
        "ltp_percent_change": round(float(change), 2),
        "upper_circuit": number(quote.upper_circuit),
        "lower_circuit": number(quote.lower_circuit),
        "total_quantity_traded": str(quote.volume),
        "spot_price": plain(quote.spot) if quote.spot is not None else None,
    }


def missing_quote_row(stock_code: str) -> dict[str, Any]:
    """The placeholder row for a stock not listed on one of NSE/BSE."""
    return {
        "exchange_code": "NA", "product_type": "", "stock_code": stock_code,
        "expiry_date": None, "right": None, "strike_price": 0.0, "ltp": 0.0, "ltt": "",
        "best_bid_price": 0.0, "best_bid_quantity": "0", "best_offer_price": 0.0,
        "best_offer_quantity": "0", "open": 0.0, "high": 0.0, "low": 0.0,
        "previous_close": 0.0, "ltp_percent_change": 0.0, "upper_circuit": 0.0,
        "lower_circuit": 0.0, "total_quantity_traded": "0", "spot_price": None,
    }


def chain_row(inst: Instrument, quote: Quote) -> dict[str, Any]:
    row = quote_row(inst, quote)
    row.update({
        "ltq": str(quote.ltq),
        "open_interest": float(quote.open_interest),
        "chnge_oi": float(quote.oi_change),
        "total_buy_qty": str(quote.total_buy_qty),
        "total_sell_qty": str(quote.total_sell_qty),
    })
    if inst.product == "futures":
        row["product_type"] = "Futures"
        row["right"] = "Others"
    return row


def candle_v1_row(inst: Instrument, candle: Candle) -> dict[str, Any]:
    derivative = inst.is_derivative
    return {
        "datetime": candle.start.strftime("%Y-%m-%d %H:%M:%S"),
        "stock_code": inst.stock_code,
        "exchange_code": inst.exchange_code,
        "product_type": PRODUCT_LABEL[inst.product] if derivative else None,
        "expiry_date": inst.expiry.strftime("%d-%b-%y").upper() if inst.expiry else None,
        "right": _right(inst) if derivative else None,
        "strike_price": plain(inst.strike) if derivative else None,
        "open": plain(candle.open),
        "high": plain(candle.high),
        "low": plain(candle.low),
        "close": plain(candle.close),
        "volume": str(candle.volume),
        "open_interest": str(candle.open_interest) if derivative else None,
        "count": candle.count,
    }


def candle_v2_row(inst: Instrument, candle: Candle) -> dict[str, Any]:
    """v2 rows: numbers, and keys sorted alphabetically by the serialiser."""
    row: dict[str, Any] = {
        "close": number(candle.close),
        "datetime": candle.start.strftime("%Y-%m-%d %H:%M:%S"),
        "exchange_code": inst.exchange_code,
        "high": number(candle.high),
        "low": number(candle.low),
        "open": number(candle.open),
        "stock_code": inst.stock_code,
        "volume": candle.volume,
    }
    if inst.is_derivative:
        row["expiry_date"] = inst.expiry.strftime("%d-%b-%Y").upper() if inst.expiry else None
        row["open_interest"] = candle.open_interest
        row["product_type"] = PRODUCT_LABEL[inst.product]
        if inst.product == "options":
            row["right"] = _right(inst)
            row["strike_price"] = number(inst.strike)
    return row


GTT_TYPE_LABEL = {"single": "Single", "oco": "OCO", "cover_oco": "Cover OCO"}
GTT_LEG_LABEL = {"target": "Target", "stoploss": "Stoploss"}


def gtt_row(gtt: Gtt) -> dict[str, Any]:
    """One GTT of the book: numbers are JSON numbers, the month upper-case, the target
    leg before the stoploss (as in ICICI's sample)."""
    inst = gtt.inst
    legs = sorted(gtt.legs, key=lambda leg: leg.leg_type != "target")
    return {
        "order_details": [{
            "gtt_leg_type": GTT_LEG_LABEL.get(leg.leg_type or ""),
            "action": leg.action.title(),
            "trigger_price": number(leg.trigger),
            "limit_price": number(leg.limit),
            "status": leg.status,
            "gtt_order_id": gtt.gtt_order_id,
        } for leg in legs],
        "exchange_code": inst.exchange_code,
        "product_type": PRODUCT_LABEL[gtt.product],
        "stock_code": inst.stock_code,
        "expiry_date": dmy(inst.expiry),
        "strike_price": number(inst.strike),
        "right": RIGHT_LABEL[inst.right or "others"],
        "quantity": gtt.quantity,
        "index_or_stock": "Index" if inst.is_index else "Stock",
        "gtt_type": GTT_TYPE_LABEL[gtt.gtt_type],
        "fresh_order_id": gtt.fresh_order_id or None,
        "order_datetime": dmy_time(_ist(gtt.placed_at)).upper(),
    }
