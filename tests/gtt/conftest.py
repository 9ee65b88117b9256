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
