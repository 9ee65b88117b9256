"""A GTT placement whose answer is lost (the simulator does the work, then never
answers) is settled from ICICI's GTT book — found: accepted with its id — and never sent
again. One platform and one counting simulator (its calls and faults) for the module;
the journal is read straight from the platform's database."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.gtt.conftest import gtt_body, on_tick
from tests.orders_robustness.stack import Stack, lost_answer_stack
from tests.stream.conftest import atm_call


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from lost_answer_stack(tmp_path_factory.mktemp("gtt-lost"))


@pytest.fixture(autouse=True)
def _healthy_after(stack: Stack) -> Iterator[None]:
    yield
    stack.sim.faults(timeout_rate=0.0)


def far_single(stack: Stack, strategy: str) -> dict[str, Any]:
    """A SINGLE sell GTT of the ATM call, its trigger far below the price."""
    symbol = atm_call(stack)  # type: ignore[arg-type]  (it needs only `post`)
    lot = stack.post("symbol", {"symbol": symbol, "exchange": "NFO"}).json()["data"]["lotsize"]
    ltp = Decimal(str(stack.post("quotes", {"symbol": symbol, "exchange": "NFO"})
                      .json()["data"]["ltp"]))
    return gtt_body(symbol, lot, strategy=strategy,
                    triggerprice_sl=float(on_tick(ltp * Decimal("0.4"))),
                    price=float(on_tick(ltp * Decimal("0.35"))))


def gtt_posts(stack: Stack, since: float) -> int:
    return sum(1 for c in stack.platform_calls(since)
               if (c.method, c.endpoint) == ("POST", "gttorder"))


def journal_row(stack: Stack, strategy: str) -> dict[str, Any]:
    return next(r for r in stack.journal() if r["strategy"] == strategy)


def test_lost_answer_is_reconciled_from_the_gtt_book_not_resent(stack: Stack) -> None:
    body = far_single(stack, "gtt-lost")
    gtts_before = len(stack.sim.admin("state")["gtts"])
    since = time.time()
    stack.sim.faults(timeout_rate=1.0)
    answer = stack.post("placegttorder", body)
    stack.sim.faults(timeout_rate=0.0)

    # The client is told the truth: not known yet, to be settled, not sent again.
    assert answer.status_code == 504, answer.text
    message = answer.json()["message"]
    assert "in doubt" in message and "not sent again" in message and "GTT book" in message
    # The simulator did the work (the answer was lost after it) — once.
    gtts = stack.sim.admin("state")["gtts"]
    assert len(gtts) == gtts_before + 1
    made = gtts[-1]["gtt_order_id"]

    stack.wait_settled(timeout=30)
    row = journal_row(stack, "gtt-lost")
    assert (row["kind"], row["state"], row["broker_order_id"]) == (
        "gtt_place", "accepted", made), row
    assert gtt_posts(stack, since) == 1  # never resent
    book = stack.post("gttorderbook", {}).json()["data"]
    assert made in {r["trigger_id"] for r in book}


def test_lost_answer_found_at_once_is_a_success(stack: Stack) -> None:
    """Only the placement's answer is lost; the GTT book read right after answers: the
    client gets its trigger id, once, and the journal holds it as accepted."""
    body = far_single(stack, "gtt-lost-once")
    since = time.time()
    stack.sim.faults(timeout_rate=1.0)
    result: list[httpx.Response] = []
    placing = threading.Thread(target=lambda: result.append(stack.post("placegttorder", body)))
    placing.start()
    # Once the placement is at the simulator (done, its answer held), answer the rest.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(
            (c.method, c.endpoint, c.status) == ("POST", "gttorder", None)
            and c.at < time.time() - 0.3 for c in stack.sim.calls(since)):
        time.sleep(0.05)
    stack.sim.faults(timeout_rate=0.0)
    placing.join(timeout=60)

    answer = result[0]
    assert answer.status_code == 200, answer.text
    trigger_id = answer.json()["trigger_id"]
    assert trigger_id in {g["gtt_order_id"] for g in stack.sim.admin("state")["gtts"]}
    row = journal_row(stack, "gtt-lost-once")
    assert (row["state"], row["broker_order_id"]) == ("accepted", trigger_id), row
    assert gtt_posts(stack, since) == 1
