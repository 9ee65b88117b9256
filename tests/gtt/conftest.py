"""GTT tests: the order tests' desk (one real platform and one real simulator per
module, connected, with an API key), and the contracts they trade."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.orders import helpers
from tests.orders.conftest import Desk, desk  # noqa: F401  (the fixture)


def nifty_call(on: Desk) -> dict[str, Any]:
    """The NIFTY call nearest the index on the nearest expiry after today."""
    spot = on.post("quotes", {"symbol": "NIFTY", "exchange": "NSE_INDEX"}).json()
    return helpers.option(on, "NFO", "NIFTY", "CE", Decimal(str(spot["data"]["ltp"])))


def gtt_body(symbol: str, lot: int, **fields: Any) -> dict[str, Any]:
    """A placegttorder body as client 2.0.5 sends it (numbers as JSON numbers)."""
    return {"strategy": "gtt", "trigger_type": "SINGLE", "exchange": "NFO", "symbol": symbol,
            "action": "SELL", "product": "NRML", "quantity": lot, "pricetype": "LIMIT",
            "price": 10.0, "triggerprice_sl": 10.5, "triggerprice_tg": 0.0,
            "stoploss": None, "target": None, **fields}


def on_tick(value: Decimal, tick: Decimal = Decimal("0.05")) -> Decimal:
    """`value` on the options' tick grid."""
    return (value / tick).to_integral_value() * tick


def option_ltp(on: Desk, symbol: str) -> Decimal:
    answer = on.post("quotes", {"symbol": symbol, "exchange": "NFO"})
    assert answer.status_code == 200, answer.text
    return Decimal(str(answer.json()["data"]["ltp"]))


def sim_gtt(on: Desk, gtt_id: str) -> dict[str, Any]:
    """The GTT as the simulator's admin state has it (legs, statuses, child orders)."""
    return next(g for g in on.sim.admin("state")["gtts"] if g["gtt_order_id"] == gtt_id)


def sim_legs(on: Desk, gtt_id: str) -> dict[str | None, tuple[Decimal, Decimal, str, str]]:
    """(trigger, limit, action, status) of each leg at the simulator, by leg type."""
    return {leg["leg_type"]: (Decimal(leg["trigger_price"]), Decimal(leg["limit_price"]),
                              leg["action"], leg["status"])
            for leg in sim_gtt(on, gtt_id)["legs"]}
