"""The OpenAlgo WebSocket protocol's messages (openalgo-api.md §6.2-6.6): pure functions.

Client messages are read into typed requests, or a `ProtocolError` carrying the
reference's error code; replies are built as the reference spells them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MODES = {1: "LTP", 2: "Quote", 3: "Depth"}
_MODE_NAMES = {name.lower(): number for number, name in MODES.items()}
DEFAULT_MODE = 2  # Quote, when a subscribe or a single unsubscribe gives none
DEPTH_LEVELS = 5  # what Breeze streams
FEATURES = {"ltp": True, "quote": True, "depth": True}

# Error codes (§6.6).
AUTHENTICATION_ERROR = "AUTHENTICATION_ERROR"
NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
INVALID_MODE = "INVALID_MODE"
INVALID_PARAMETERS = "INVALID_PARAMETERS"
INVALID_ACTION = "INVALID_ACTION"
INVALID_JSON = "INVALID_JSON"
UNSUPPORTED_DEPTH_LEVEL = "UNSUPPORTED_DEPTH_LEVEL"
SERVER_ERROR = "SERVER_ERROR"

# Actions that work before authentication; every other needs it.
OPEN_ACTIONS = frozenset({"ping", "get_supported_brokers", "authenticate", "auth"})


class ProtocolError(Exception):
    """A message the server answers with an error frame."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Item:
    """One instrument of a subscribe or unsubscribe, with its mode (1, 2 or 3)."""

    symbol: str
    exchange: str
    mode: int
    depth: int = DEPTH_LEVELS


def read(text: str | bytes) -> dict[str, Any]:
    """One client frame as a JSON object."""
    try:
        message = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError(INVALID_JSON, "Invalid JSON message") from None
    if not isinstance(message, dict):
        raise ProtocolError(INVALID_JSON, "A message must be a JSON object")
    return message


def action(message: dict[str, Any]) -> str:
    """`action` (or `type`, which upstream also accepts), lower-cased."""
    value = message.get("action", message.get("type"))
    if not isinstance(value, str) or not value.strip():
        raise ProtocolError(INVALID_ACTION, "A message needs an 'action'")
    return value.strip().lower()


def api_key(message: dict[str, Any]) -> str:
    value = message.get("api_key", message.get("apikey"))
    return value if isinstance(value, str) else ""


def mode(value: Any, default: int = DEFAULT_MODE) -> int:
    """1/2/3, or the case-insensitive names LTP/Quote/Depth."""
    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool) and value in MODES:
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _MODE_NAMES:
            return _MODE_NAMES[text]
        if text.isdigit() and int(text) in MODES:
            return int(text)
    raise ProtocolError(INVALID_MODE, f"Invalid mode {value!r}: use 1 (LTP), 2 (Quote) or "
                                      "3 (Depth)")


def _depth(value: Any) -> int:
    if value is None:
        return DEPTH_LEVELS
    try:
        levels = int(value)
    except (TypeError, ValueError):
        raise ProtocolError(INVALID_PARAMETERS, f"Invalid depth {value!r}") from None
    return levels


def items(message: dict[str, Any], *, unsubscribe: bool = False) -> list[Item]:
    """The instruments of a subscribe/unsubscribe, single or batch form.

    Single: `symbol`, `exchange`, `mode`. Batch: `symbols` (or `instruments`) as a list of
    `{symbol, exchange}` with one `mode` for all; an unsubscribe entry may carry its own.
    """
    top_mode = mode(message.get("mode"))
    depth = _depth(message.get("depth"))
    batch = message.get("symbols", message.get("instruments"))
    if batch is None:
        entries: list[Any] = [message] if "symbol" in message or "exchange" in message else []
    elif isinstance(batch, list):
        entries = batch
    else:
        raise ProtocolError(INVALID_PARAMETERS, "'symbols' must be a list of "
                                                "{symbol, exchange} objects")
    found: list[Item] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ProtocolError(INVALID_PARAMETERS, "each entry of 'symbols' must be an "
                                                    "object with symbol and exchange")
        symbol, exchange = entry.get("symbol"), entry.get("exchange")
        if not isinstance(symbol, str) or not symbol.strip() or \
                not isinstance(exchange, str) or not exchange.strip():
            raise ProtocolError(INVALID_PARAMETERS,
                                "Each instrument needs a 'symbol' and an 'exchange'")
        item_mode = mode(entry.get("mode"), top_mode) if unsubscribe and entry is not message \
            else top_mode
        found.append(Item(symbol.strip(), exchange.strip(), item_mode,
                          _depth(entry.get("depth")) if entry is not message else depth))
    if not found:
        raise ProtocolError(INVALID_PARAMETERS, "At least one symbol must be specified")
    return found


# -- replies -----------------------------------------------------------------------------


def encode(reply: dict[str, Any]) -> str:
    return json.dumps(reply, separators=(",", ":"))


def with_request_id(reply: dict[str, Any], message: dict[str, Any] | None) -> dict[str, Any]:
    if message is not None and "request_id" in message:
        reply["request_id"] = message["request_id"]
    return reply


def error(code: str, message: str) -> dict[str, Any]:
    return {"status": "error", "code": code, "message": message}


def auth_success(broker: str, user_id: str) -> dict[str, Any]:
    return {"type": "auth", "status": "success", "message": "Authentication successful",
            "broker": broker, "user_id": user_id, "supported_features": dict(FEATURES)}


def subscribed(item: Item, broker: str) -> dict[str, Any]:
    return {"symbol": item.symbol, "exchange": item.exchange, "status": "success",
            "mode": MODES[item.mode], "depth": item.depth, "broker": broker}


def failed(item: Item, message: str, broker: str) -> dict[str, Any]:
    return {"symbol": item.symbol, "exchange": item.exchange, "status": "error",
            "message": message, "broker": broker}


def subscribe_reply(results: list[dict[str, Any]], broker: str,
                    note: str = "") -> dict[str, Any]:
    ok = all(result["status"] == "success" for result in results)
    message = "Subscription processing complete" + (f"; {note}" if note else "")
    return {"type": "subscribe", "status": "success" if ok else "partial",
            "subscriptions": results, "message": message, "broker": broker}


def unsubscribed(item: Item, broker: str) -> dict[str, Any]:
    return {"symbol": item.symbol, "exchange": item.exchange, "status": "success",
            "broker": broker}


def unsubscribe_reply(successful: list[dict[str, Any]], failures: list[dict[str, Any]],
                      broker: str, *, everything: bool = False) -> dict[str, Any]:
    return {"type": "unsubscribe_all" if everything else "unsubscribe",
            "status": "partial" if failures else "success",
            "message": ("Unsubscribed from all symbols" if everything
                        else "Unsubscription processing complete"),
            "successful": successful, "failed": failures, "broker": broker}


def pong(message: dict[str, Any], server_ms: int) -> dict[str, Any]:
    reply: dict[str, Any] = {"type": "pong", "status": "success", "server_timestamp": server_ms,
                             "client_timestamp": message.get("timestamp")}
    if "_pingId" in message:
        reply["_pingId"] = message["_pingId"]
    return reply


def broker_info(broker: str, adapter_status: str, user_id: str) -> dict[str, Any]:
    return {"type": "broker_info", "status": "success", "broker": broker,
            "adapter_status": adapter_status, "user_id": user_id}


def supported_brokers(broker: str) -> dict[str, Any]:
    return {"type": "supported_brokers", "status": "success", "brokers": [broker], "count": 1}


# -- order updates (§6.7) ------------------------------------------------------------------

#: The order book row's fields an `order_update` frame carries, in the reference's order.
ORDER_FIELDS = ("orderid", "symbol", "exchange", "action", "quantity", "price",
                "trigger_price", "pricetype", "product", "order_status", "filled_quantity",
                "pending_quantity", "average_price")


def orders_subscribed() -> dict[str, Any]:
    return {"type": "subscribe_orders", "status": "success",
            "message": "Subscribed to order updates"}


def orders_unsubscribed() -> dict[str, Any]:
    return {"type": "unsubscribe_orders", "status": "success",
            "message": "Unsubscribed from order updates"}


def orders_disabled(action: str) -> dict[str, Any]:
    return {"type": action, "status": "error",
            "message": "Order updates are turned off on this server (ORDER_UPDATES_ENABLED)"}


def order_update(order: Mapping[str, Any], mode: str, reason: str, broker: str,
                 user_id: str) -> dict[str, Any]:
    """An `order_update` frame from the order book's row for the order; `strategy` (the
    journal's, "" for an order placed elsewhere) is added to the reference's fields."""
    frame: dict[str, Any] = {"type": "order_update", "user_id": user_id, "mode": mode,
                             "broker": broker}
    for name in ORDER_FIELDS:
        frame[name] = order[name]
    frame["rejection_reason"] = reason
    frame["strategy"] = order.get("strategy", "")
    return frame


__all__ = [
    "AUTHENTICATION_ERROR",
    "DEFAULT_MODE",
    "DEPTH_LEVELS",
    "INVALID_ACTION",
    "INVALID_JSON",
    "INVALID_MODE",
    "INVALID_PARAMETERS",
    "MODES",
    "NOT_AUTHENTICATED",
    "OPEN_ACTIONS",
    "ORDER_FIELDS",
    "SERVER_ERROR",
    "UNSUPPORTED_DEPTH_LEVEL",
    "Item",
    "ProtocolError",
    "action",
    "api_key",
    "auth_success",
    "broker_info",
    "encode",
    "error",
    "failed",
    "items",
    "mode",
    "order_update",
    "orders_disabled",
    "orders_subscribed",
    "orders_unsubscribed",
    "pong",
    "read",
    "subscribe_reply",
    "subscribed",
    "supported_brokers",
    "unsubscribe_reply",
    "unsubscribed",
    "with_request_id",
]
