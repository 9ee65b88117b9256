"""The arithmetic of composite orders: smart-order sizing and split sizes
(openalgo-api.md §3.1.2, §3.1.4). Pure functions; the order service places the result."""

from __future__ import annotations

MAX_SPLIT_ORDERS = 100


def smart_order(action: str, quantity: int, target: int, current: int) -> tuple[str, int] | None:
    """The order that moves the net position from `current` to `target`
    (`position_size`), or None when nothing needs doing.

    With no target and no position the request's own action and quantity stand; in
    every other case the request's quantity and action are ignored.
    """
    if target == 0 and current == 0:
        return (action, quantity) if quantity > 0 else None
    if target == current:
        return None
    difference = target - current
    return ("BUY", difference) if difference > 0 else ("SELL", -difference)


def split_sizes(total: int, size: int) -> list[int]:
    """Child quantities of a split order: full `size` chunks, then the remainder."""
    if total <= 0:
        raise ValueError("quantity must be greater than 0")
    if size < 1:
        raise ValueError("splitsize must be at least 1")
    chunks, remainder = divmod(total, size)
    count = chunks + (1 if remainder else 0)
    if count > MAX_SPLIT_ORDERS:
        raise ValueError(f"Total number of orders would exceed maximum limit of "
                         f"{MAX_SPLIT_ORDERS}")
    return [size] * chunks + ([remainder] if remainder else [])


def buys_first(actions: list[str]) -> list[int]:
    """Indexes of basket legs in sending order: every BUY before any SELL (the margin
    of the long legs then covers the short ones), otherwise as given."""
    buys = [i for i, action in enumerate(actions) if action == "BUY"]
    sells = [i for i, action in enumerate(actions) if action != "BUY"]
    return buys + sells
