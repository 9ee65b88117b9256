"""What the journal keeps of a GTT action, and how a row is found again in the broker's
GTT book. Pure functions, shared by the GTT service and the reconciler.

Breeze's GTT carries no tag of ours (no `user_remark`), so a placement whose answer was
lost is recognised by what it is: the same contract, trigger type, side, quantity and
legs (trigger and limit prices), created no earlier than a minute before its intent was
written, and not already the GTT of another journal row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ..domain.gtt import Gtt, GttIntent

#: Journal kinds of GTT actions (`order_journal.kind` holds ten characters).
GTT_PLACE, GTT_MODIFY, GTT_CANCEL = "gtt_place", "gtt_modify", "gtt_cancel"
GTT_KINDS = (GTT_PLACE, GTT_MODIFY, GTT_CANCEL)
#: How much earlier than its intent the broker may stamp a GTT (clocks differ; the
#: broker's stamp has whole seconds).
CLOCK_SKEW = dt.timedelta(seconds=60)


def legs_record(intent: GttIntent) -> list[list[str]]:
    """The intent's legs as the journal keeps them: [trigger, limit] per leg."""
    return [[str(leg.trigger_price), str(leg.limit_price)] for leg in intent.legs]


def _legs(gtt: Gtt) -> list[tuple[Decimal, Decimal]]:
    return sorted((leg.trigger_price, leg.limit_price) for leg in gtt.legs)


def _recorded_legs(asked: dict[str, Any]) -> list[tuple[Decimal, Decimal]]:
    return sorted((Decimal(trigger), Decimal(limit)) for trigger, limit in asked.get("legs", ()))


def has_legs(gtt: Gtt, asked: dict[str, Any]) -> bool:
    """The GTT carries exactly the legs the journal row asked for."""
    return _legs(gtt) == _recorded_legs(asked)


def placed_by(gtt: Gtt, asked: dict[str, Any], written: dt.datetime) -> bool:
    """`gtt` is what the placement recorded as `asked` (at `written`) would have made."""
    if (gtt.symbol, gtt.exchange) != (asked.get("symbol"), asked.get("exchange")):
        return False
    if (str(gtt.trigger_type), str(gtt.side), gtt.quantity) != (
            asked.get("trigger_type"), asked.get("action"), asked.get("quantity")):
        return False
    if gtt.created_at is not None and gtt.created_at < written - CLOCK_SKEW:
        return False
    return has_legs(gtt, asked)


def find_placement(book: Iterable[Gtt], asked: dict[str, Any], written: dt.datetime,
                   taken: set[str]) -> Gtt | None:
    """The book's GTT a lost placement made (the oldest such, not `taken` by another
    row), or None."""
    candidates = [g for g in book if g.gtt_id and g.gtt_id not in taken
                  and placed_by(g, asked, written)]
    candidates.sort(key=lambda g: (g.created_at or written, g.gtt_id))
    return candidates[0] if candidates else None


__all__ = ["CLOCK_SKEW", "GTT_CANCEL", "GTT_KINDS", "GTT_MODIFY", "GTT_PLACE",
           "find_placement", "has_legs", "legs_record", "placed_by"]
