"""Without a master contract (its download fails) the operations that look a symbol up
answer the 503 their OpenAPI description declares, with the documented error body; the
others answer as usual. Checked by schemathesis against the running platform."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import schemathesis
from schemathesis import checks

from tests.conftest import SimulatorProcess
from tests.web.platform import PlatformProcess, without_master

ORDER = {"symbol": "SBIN", "exchange": "NSE", "action": "BUY", "quantity": 1,
         "pricetype": "MARKET", "product": "CNC", "strategy": "openapi"}
OPTION = {"underlying": "NIFTY", "exchange": "NSE_INDEX", "expiry_date": "29DEC26"}
LEG = {"offset": "ATM", "option_type": "CE", "action": "BUY", "quantity": 65}
SBIN = {"symbol": "SBIN", "exchange": "NSE"}
GTT = {"strategy": "openapi", "trigger_type": "SINGLE", "symbol": "NIFTY29DEC2624000CE",
       "exchange": "NFO", "action": "SELL", "product": "NRML", "quantity": 65, "price": 10,
       "triggerprice_sl": 11}
# (method, path, body or query, whether it needs the master contract)
REQUESTS: list[tuple[str, str, dict[str, Any], bool]] = [
    ("POST", "placeorder", ORDER, True),
    ("POST", "placesmartorder", {**ORDER, "position_size": 1}, True),
    ("POST", "basketorder", {"strategy": "openapi", "orders": [ORDER]}, True),
    ("POST", "splitorder", {**ORDER, "quantity": 2, "splitsize": 1}, True),
    ("POST", "modifyorder", {**ORDER, "orderid": "1", "pricetype": "LIMIT", "price": 1}, False),
    ("POST", "cancelorder", {"orderid": "1"}, False),
    ("POST", "cancelallorder", {}, False),
    # Needs the master only when there is a position to close: decided below.
    ("POST", "closeposition", {}, False),
    ("POST", "orderstatus", {"orderid": "1"}, False),
    ("POST", "openposition", {**SBIN, "product": "CNC"}, False),
    ("POST", "funds", {}, False),
    ("POST", "orderbook", {}, False),
    ("POST", "tradebook", {}, False),
    ("POST", "positionbook", {}, False),
    ("POST", "holdings", {}, False),
    ("POST", "margin", {"positions": [ORDER]}, True),
    ("POST", "ping", {}, False),
    ("POST", "symbol", SBIN, True),
    ("POST", "search", {"query": "SBIN"}, True),
    ("POST", "expiry", {"symbol": "NIFTY", "exchange": "NFO", "instrumenttype": "options"},
     True),
    ("GET", "instruments", {"exchange": "NSE"}, True),
    ("GET", "instruments", {"exchange": "NSE", "format": "csv"}, True),
    ("POST", "quotes", SBIN, True),
    ("POST", "multiquotes", {"symbols": [SBIN]}, True),
    ("POST", "depth", SBIN, True),
    ("POST", "history", {**SBIN, "interval": "D", "start_date": "2026-01-01",
                         "end_date": "2026-01-05"}, True),
    ("POST", "intervals", {}, False),
    ("POST", "market/holidays", {"year": 2026}, False),
    ("POST", "market/timings", {"date": "2026-01-05"}, False),
    ("POST", "optionsymbol", {**OPTION, "offset": "ATM", "option_type": "CE"}, True),
    ("POST", "optionchain", {**OPTION, "strike_count": 2}, True),
    ("POST", "syntheticfuture", OPTION, True),
    ("POST", "optiongreeks", {"symbol": "NIFTY29DEC2624000CE", "exchange": "NFO"}, True),
    ("POST", "multioptiongreeks", {"symbols": [{"symbol": "NIFTY29DEC2624000CE",
                                                "exchange": "NFO"}]}, True),
    ("POST", "optionsorder", {**OPTION, **LEG, "strategy": "openapi"}, True),
    ("POST", "optionsmultiorder", {**OPTION, "strategy": "openapi", "legs": [LEG]}, True),
    ("POST", "placegttorder", GTT, True),
    ("POST", "modifygttorder", {**GTT, "trigger_id": "1"}, True),
    ("POST", "cancelgttorder", {"trigger_id": "1"}, False),  # 404: no such GTT at ICICI
    ("POST", "gttorderbook", {}, False),
    ("POST", "analyzer", {}, False),
    ("POST", "analyzer/reset", {}, False),
    ("POST", "analyzer/toggle", {"mode": True}, False),
    ("POST", "pnl/symbols", {}, False),  # analyzer mode's paper positions
    ("POST", "analyzer/toggle", {"mode": False}, False),
]
# A 503 is what these requests must get here, so the server-error check stays out; the
# statuses, bodies and content types are held to the document.
CHECKS = [checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]


def test_without_a_master_lookups_answer_the_documented_503(
        spare_platform: Callable[..., PlatformProcess], simulator: SimulatorProcess) -> None:
    platform, key = without_master(spare_platform, simulator, retry_seconds=60)
    deadline = time.monotonic() + 30
    while "loading" in platform.api("symbol", {"apikey": key, **SBIN}).text:
        assert time.monotonic() < deadline, "the first download never failed"
        time.sleep(0.1)
    loaded = schemathesis.openapi.from_url(f"{platform.base_url}/openapi.json")
    documented = {result.ok().label for result in loaded.get_all_operations()}
    assert documented == {f"{method} /api/v1/{path}" for method, path, _, _ in REQUESTS}
    for method, path, payload, needs_master in REQUESTS:
        operation = loaded[f"/api/v1/{path}"][method]
        if method == "GET":
            case = operation.Case(query={**payload, "apikey": key})
        else:
            case = operation.Case(body={**payload, "apikey": key},
                                  media_type="application/json")
        if path == "closeposition":
            # The simulator's account is shared by the module's tests: with a position
            # open, closing it needs the master (to place the closing order).
            book = platform.api("positionbook", {"apikey": key}).json()["data"]
            needs_master = any(float(row["quantity"]) != 0 for row in book)
        answer = case.call_and_validate(checks=CHECKS, timeout=30)
        if needs_master:
            assert answer.status_code == 503, (path, answer.text[:300])
            assert "No master contract yet" in answer.text, (path, answer.text[:300])
        else:
            assert answer.status_code in (200, 404), (path, answer.text[:300])
