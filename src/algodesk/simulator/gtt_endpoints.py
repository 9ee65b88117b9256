"""`gttorder` (reference §5.23): place (POST), modify (PUT), cancel (DELETE) and the
GTT book (GET), with the SDK's own checks first, in its order and with its messages.

What the simulator's GTT takes: F&O contracts on NFO (futures and options). Every GTT
ICICI documents is an NFO option, and the SDK demands an expiry date on every GTT place
("Expiry-Date cannot be empty for exchange-code 'nfo'"); a GTT on equity cash (or on
BFO, NDX, MCX) through Breeze is undocumented, so the simulator refuses it by name.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .endpoints import ORDER_PRODUCTS, Endpoints, exchange_of, price_of, required, text
from .gtt import COVER_OCO, GTT_TYPES, SINGLE, STOPLOSS, TARGET, Gtt, GttBook, Leg
from .rows import RIGHT_LABEL, gtt_row
from .wire import BadRequest, parse_datetime, parse_int

GTT_EXCHANGES = ("NFO",)
GTT_PRODUCTS = ("futures", "options")
TYPE_ERROR = "type of GTT should be either 'single', 'oco' or 'cover_oco'. "


class GttEndpoints:
    """The four `gttorder` methods over the GTT book."""

    def __init__(self, endpoints: Endpoints, book: GttBook) -> None:
        self.endpoints = endpoints
        self.book = book
        self.table: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
            ("gttorder", "POST"): self.place,
            ("gttorder", "PUT"): self.modify,
            ("gttorder", "DELETE"): self.cancel,
            ("gttorder", "GET"): self.order_book,
        }

    def place(self, body: dict[str, Any]) -> dict[str, Any]:
        # The SDK's checks (gtt_single_leg_place_order / gtt_three_leg_place_order).
        required(body, "stock_code", "Stock-Code")
        exchange_code = required(body, "exchange_code", "Exchange-Code").upper()
        product = required(body, "product", "Product").lower()
        if product not in ORDER_PRODUCTS:
            raise BadRequest(
                "Product should be either 'futures', 'options', 'cash', 'btst' or 'mtf'")
        if text(body, "right") and text(body, "right").lower() not in RIGHT_LABEL:
            raise BadRequest("Right should be either 'call', 'put', or 'others'")
        quantity_text = required(body, "quantity", "Quantity")
        if not text(body, "expiry_date"):
            raise BadRequest("Expiry-Date cannot be empty for exchange-code 'nfo'")
        # The server's.
        if exchange_code not in GTT_EXCHANGES:
            raise BadRequest("GTT orders are accepted for Exchange-Code 'nfo' only")
        if product not in GTT_PRODUCTS:
            raise BadRequest("Product should be either 'futures' or 'options' for GTT orders")
        gtt_type = required(body, "gtt_type", "GTT-Type").lower()
        if gtt_type not in GTT_TYPES:
            raise BadRequest(TYPE_ERROR)
        inst = self.endpoints.instrument(body, exchange_code, product)
        quantity = parse_int(quantity_text, "Quantity")
        kind = text(body, "index_or_stock").lower()
        if kind:
            if kind not in ("index", "stock"):
                raise BadRequest("Index-or-Stock should be either 'index' or 'stock'")
            expected = "index" if inst.is_index else "stock"
            if kind != expected:
                raise BadRequest(f"Index-or-Stock should be '{expected}' for {inst.stock_code}")
        if text(body, "trade_date"):
            parse_datetime(text(body, "trade_date"), "Trade-Date")
        legs = place_legs(body.get("order_details"), gtt_type)
        fresh_action, fresh_price = "", None
        if gtt_type == COVER_OCO:
            fresh_action, fresh_price = fresh_order(body, legs)
        gtt = self.book.place(gtt_type=gtt_type, inst=inst, product=product,
                              quantity=quantity, legs=legs, fresh_action=fresh_action,
                              fresh_price=fresh_price)
        return {"gtt_order_id": gtt.gtt_order_id,
                "message": "Your GTT Order Request Placed Successfully"}

    def _existing(self, body: dict[str, Any]) -> Gtt:
        exchange_code = exchange_of(body)
        gtt_order_id = required(body, "gtt_order_id", "Order-Id")
        gtt = self.book.find(exchange_code, gtt_order_id)
        if gtt is None:
            raise BadRequest("Resource not available")
        return gtt

    def modify(self, body: dict[str, Any]) -> dict[str, Any]:
        gtt = self._existing(body)
        gtt_type = required(body, "gtt_type", "GTT-Type").lower()
        if gtt_type not in GTT_TYPES:
            raise BadRequest(TYPE_ERROR)
        if gtt_type != gtt.gtt_type:
            raise BadRequest(f"type of GTT should be '{gtt.gtt_type}' for GTT order "
                             f"{gtt.gtt_order_id}")
        changes: dict[str | None, tuple[Decimal, Decimal]] = {}
        for leg in modify_legs(body.get("order_details"), gtt_type):
            existing = next((old for old in gtt.legs if old.leg_type == leg.leg_type), None)
            if existing is not None and leg.action and leg.action != existing.action:
                raise BadRequest("Action of a GTT leg cannot be modified")
            changes[leg.leg_type] = (leg.trigger, leg.limit)
        self.book.modify(gtt, changes)
        return {"gtt_order_id": gtt.gtt_order_id, "message": "Order Modified Successfully"}

    def cancel(self, body: dict[str, Any]) -> dict[str, Any]:
        gtt = self._existing(body)
        self.book.cancel(gtt)
        # The SDK README's answer; the docs page shows another (reference §5.23).
        return {"gtt_order_id": gtt.gtt_order_id,
                "message": "Your request for order cancellation successfully submitted !"}

    def order_book(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        exchange_code = exchange_of(body)
        first, last = self.endpoints.date_range(body, required_dates=True)
        return [gtt_row(gtt) for gtt in self.book.on(exchange_code, first, last)]


# -- request parts ------------------------------------------------------------------


def _details(details: Any) -> list[dict[str, Any]]:
    if details is None or details == "" or details == []:
        raise BadRequest("Order-Details cannot be empty")
    if not isinstance(details, list) or not all(isinstance(d, dict) for d in details):
        raise BadRequest("Order-Details should be a list of legs")
    return details


def _leg(detail: dict[str, Any], leg_type: str | None, *, action_required: bool) -> Leg:
    action = text(detail, "action").lower()
    if action_required and not action:
        raise BadRequest("Action cannot be empty")
    if action and action not in ("buy", "sell"):
        raise BadRequest("Action should be either 'buy', or 'sell'")
    trigger = price_of(required(detail, "trigger_price", "Trigger-Price"), "Trigger-Price")
    limit = price_of(required(detail, "limit_price", "Limit-Price"), "Limit-Price")
    return Leg(leg_type, action, trigger, limit)


def _leg_type(detail: dict[str, Any]) -> str:
    leg_type = required(detail, "gtt_leg_type", "GTT-Leg-Type").lower()
    if leg_type not in (TARGET, STOPLOSS):
        raise BadRequest("GTT-Leg-Type should be either 'target' or 'stoploss'")
    return leg_type


def place_legs(details: Any, gtt_type: str) -> list[Leg]:
    """One leg for a single GTT; a target and a stoploss with one action otherwise."""
    given = _details(details)
    if gtt_type == SINGLE:
        if len(given) != 1:
            raise BadRequest("Order-Details should have one leg for GTT type 'single'")
        return [_leg(given[0], None, action_required=True)]
    types = [_leg_type(detail) for detail in given]
    if sorted(types) != [STOPLOSS, TARGET]:
        raise BadRequest(f"Order-Details should have a 'target' and a 'stoploss' leg for "
                         f"GTT type '{gtt_type}'")
    legs = [_leg(detail, leg_type, action_required=True)
            for detail, leg_type in zip(given, types, strict=True)]
    if legs[0].action != legs[1].action:
        raise BadRequest("The target and stoploss legs should have the same action")
    return legs


def modify_legs(details: Any, gtt_type: str) -> list[Leg]:
    """The legs to change: new trigger and limit prices (the action may be repeated)."""
    given = _details(details)
    if gtt_type == SINGLE:
        if len(given) != 1:
            raise BadRequest("Order-Details should have one leg for GTT type 'single'")
        return [_leg(given[0], None, action_required=False)]
    if len(given) > 2:
        raise BadRequest(f"Order-Details should have at most two legs for GTT type "
                         f"'{gtt_type}'")
    legs = [_leg(detail, _leg_type(detail), action_required=False) for detail in given]
    if len({leg.leg_type for leg in legs}) != len(legs):
        raise BadRequest("Order-Details names the same leg twice")
    return legs


def fresh_order(body: dict[str, Any], legs: list[Leg]) -> tuple[str, Decimal]:
    """A cover OCO's fresh order: a limit order whose position the two legs close."""
    action = required(body, "fresh_order_action", "Fresh-Order-Action").lower()
    if action not in ("buy", "sell"):
        raise BadRequest("Fresh-Order-Action should be either 'buy', or 'sell'")
    order_type = required(body, "fresh_order_type", "Fresh-Order-Type").lower()
    if order_type != "limit":
        raise BadRequest("Fresh-Order-Type should be 'limit'")
    price = price_of(required(body, "fresh_order_price", "Fresh-Order-Price"),
                     "Fresh-Order-Price")
    if any(leg.action == action for leg in legs):
        raise BadRequest("The target and stoploss legs should be opposite to the fresh "
                         "order's action")
    return action, price
