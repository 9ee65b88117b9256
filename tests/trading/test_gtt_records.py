"""How a GTT placement whose answer was lost is recognised in the broker's GTT book
(Breeze's GTT carries no tag of ours): by contract, trigger type, side, quantity and
legs, created no earlier than a minute before the intent, not another row's GTT."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from algodesk.domain.gtt import Gtt, GttIntent, GttLeg, GttStatus, LegRole, TriggerType
from algodesk.domain.orders import Product, Side
from algodesk.domain.values import UTC
from algodesk.trading.gtt_records import find_placement, has_legs, legs_record

WRITTEN = dt.datetime(2026, 12, 7, 4, 0, 0, tzinfo=UTC)
LEGS = (GttLeg(LegRole.STOPLOSS, Decimal("80"), Decimal("79.5")),
        GttLeg(LegRole.TARGET, Decimal("120"), Decimal("121")))
INTENT = GttIntent("NIFTY08DEC2625800CE", "NFO", TriggerType.OCO, Side.SELL, 65, Product.NRML,
                   LEGS)
ASKED = {"symbol": INTENT.symbol, "exchange": "NFO", "trigger_type": "OCO", "action": "SELL",
         "quantity": 65, "legs": legs_record(INTENT)}


def gtt(gtt_id: str, seconds_after: int = 1, **changes: object) -> Gtt:
    made = Gtt(gtt_id, INTENT.symbol, "NFO", TriggerType.OCO, GttStatus.ACTIVE, Side.SELL, 65,
               Product.NRML, (GttLeg(LegRole.STOPLOSS, Decimal("80.00"), Decimal("79.50")),
                              GttLeg(LegRole.TARGET, Decimal("120.0"), Decimal("121"))),
               created_at=WRITTEN + dt.timedelta(seconds=seconds_after))
    return replace(made, **changes)  # type: ignore[arg-type]


def test_the_placed_gtt_is_found_by_what_it_is() -> None:
    assert has_legs(gtt("a"), ASKED)  # 80 and 80.00 are one price
    found = find_placement([gtt("other", quantity=130), gtt("a")], ASKED, WRITTEN, set())
    assert found is not None and found.gtt_id == "a"


def test_a_different_leg_side_or_contract_is_not_it() -> None:
    others = [gtt("legs", legs=(LEGS[0], GttLeg(LegRole.TARGET, Decimal("125"),
                                                   Decimal("121")))),
              gtt("side", side=Side.BUY), gtt("symbol", symbol="NIFTY08DEC2625900CE"),
              gtt("single", trigger_type=TriggerType.SINGLE)]
    assert find_placement(others, ASKED, WRITTEN, set()) is None


def test_one_made_before_the_intent_or_taken_by_another_row_is_not_it() -> None:
    older = gtt("older", seconds_after=-120)
    taken = gtt("taken")
    assert find_placement([older, taken], ASKED, WRITTEN, {"taken"}) is None
    # a minute of clock difference is allowed; of two candidates the oldest is taken
    skewed, later = gtt("skewed", seconds_after=-30), gtt("later", seconds_after=5)
    found = find_placement([later, skewed], ASKED, WRITTEN, set())
    assert found is not None and found.gtt_id == "skewed"
