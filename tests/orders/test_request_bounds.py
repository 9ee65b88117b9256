"""The request bounds offline: what the OpenAPI schema promises is what validation
accepts, at the very edges; and the order service's own ceilings (quantity, freeze
quantity) for quantities no request model saw."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from algodesk.api.schemas import SmartOrderRequest
from algodesk.domain.instruments import InstrumentType
from algodesk.trading.orders import MAX_ORDER_QUANTITY
from algodesk.trading.ports import OrderError
from tests.orders.test_units import LIMIT, FakeBroker, Inst, service

BODY = {"apikey": "k", "strategy": "s", "symbol": "SBIN", "exchange": "NSE", "action": "BUY",
        "quantity": "1", "position_size": "0", "pricetype": "LIMIT", "product": "CNC",
        "price": "1"}


@pytest.mark.parametrize(("field", "inside", "outside"), [
    ("quantity", "10000000", "10000001"),
    ("position_size", "-10000000", "-10000001"),
    ("position_size", "10000000", "10000001"),
    ("disclosed_quantity", "10000000", "10000001"),
    ("price", "10000000", "10000000.05"),
    ("trigger_price", "0.05", "-0.05"),
])
def test_the_schema_bounds_are_the_validation_bounds(field: str, inside: str,
                                                     outside: str) -> None:
    schema = SmartOrderRequest.model_json_schema()["properties"][field]
    number, text = schema["anyOf"][:2]  # then null, for the optional ones
    assert number["minimum"] <= Decimal(inside) <= number["maximum"]
    assert re.fullmatch(text["pattern"], inside) and len(inside) <= text["maxLength"]
    assert not re.fullmatch(text["pattern"], outside)
    SmartOrderRequest.model_validate({**BODY, field: inside})
    SmartOrderRequest.model_validate({**BODY, field: json.loads(inside)})  # as a number
    with pytest.raises(ValidationError):
        SmartOrderRequest.model_validate({**BODY, field: outside})
    with pytest.raises(ValidationError):
        SmartOrderRequest.model_validate({**BODY, field: json.loads(outside)})


class FuturesIndex:
    """One NIFTY future: lot 65, freeze quantity 1,800 (as the master gives them)."""

    future = Inst(symbol="NIFTY29DEC26FUT", exchange="NFO", stock_code="NIFTY",
                  breeze_exchange="NFO", product="futures", right="others", lot_size=65,
                  freeze_qty=1800, instrument_type=InstrumentType.FUT)

    def get(self, symbol: str, exchange: str) -> Any:
        return self.future if symbol == self.future.symbol else Inst()


async def test_the_service_keeps_the_freeze_quantity_and_the_ceiling(tmp_path: Path) -> None:
    broker = FakeBroker()
    orders, journal = service(tmp_path, broker)
    # The adapter translates symbols with the same index as the service.
    orders.instruments = orders.broker.contracts = FuturesIndex  # type: ignore[attr-defined]
    future = replace(LIMIT, symbol="NIFTY29DEC26FUT", exchange="NFO", product="NRML")
    with pytest.raises(OrderError, match="exceeds the exchange freeze quantity 1800"):
        await orders.place(replace(future, quantity=1820))
    with pytest.raises(OrderError, match=f"at most {MAX_ORDER_QUANTITY}"):
        await orders.place(replace(LIMIT, quantity=MAX_ORDER_QUANTITY + 1))
    assert journal.get(1) is None and not broker.sent
    placed = await orders.place(replace(future, quantity=1755))  # 27 lots: under the freeze
    assert broker.sent[0]["quantity"] == "1755" and placed.orderid
