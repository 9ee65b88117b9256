"""Orders under the simulator's fault injection: lost answers, outages, broken JSON,
a session that dies mid-burst, and spent call budgets.

What must hold every time: the client gets a clear JSON error (never an HTTP 500,
never a hang), nothing is sent twice (no two simulator orders share a journal tag), and
once the broker behaves again every journal row is settled and agrees with the
simulator's order list, read directly. One platform + simulator serves the module; the
simulator's faults and limits are reset after each test and the broker reconnected if a
test ended its session.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from algodesk.brokers.icici.adapter import QUOTE_TTL
from tests.orders_robustness.stack import (
    RECONNECT,
    SYMBOL,
    Stack,
    assert_journal_matches,
    error_of,
    lost_answer_stack,
)

# An error that names the broker, or passes on its own words (the outage text ICICI
# sends is "Error while calling service, Please contact admin").
BROKER_WORDS = ("icici", "broker", "contact admin", "maintenance", "unavailable")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from lost_answer_stack(tmp_path_factory.mktemp("faults"))


@pytest.fixture(autouse=True)
def _healthy_broker_after(stack: Stack) -> Iterator[None]:
    yield
    stack.sim.reset()  # faults off, limits back to the command line's
    stack.sim.limits(calls_per_minute=2000)
    if stack.post("ping", {}).status_code == 403:
        stack.connect()


def assert_clear_error(response: httpx.Response, *words: str) -> dict[str, Any]:
    """A JSON error in OpenAlgo's shape, not a crash; its message holds one of `words`."""
    assert response.status_code != 500, f"HTTP 500 from the platform: {response.text}"
    assert response.status_code != 200, f"a failure answered as success: {response.text}"
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"not JSON: HTTP {response.status_code} {response.text!r}") from None
    assert body.get("status") == "error" and body.get("message"), body
    message = body["message"].lower()
    assert any(w.lower() in message for w in words), (
        f"HTTP {response.status_code} message does not say what happened "
        f"(expected one of {words}): {body['message']!r}")
    return body


def settle_and_check(stack: Stack) -> list[dict[str, Any]]:
    """With the broker healthy again: one more order (which also makes the platform look
    at its unsettled rows), then journal and simulator must agree."""
    nudge = stack.place(strategy="after-fault")
    assert nudge.status_code == 200, nudge.text
    journal = stack.wait_settled(timeout=30)
    assert_journal_matches(journal, stack.sim_orders())
    return journal


# -- answers lost after the broker did the work -----------------------------------------

@pytest.mark.parametrize("fault", ["timeout_rate", "malformed_rate"])
def test_order_whose_answer_is_lost_is_reconciled_not_resent(stack: Stack, fault: str) -> None:
    orders_before = stack.sim.order_count()
    stack.sim.faults(**{fault: 1.0})
    started = time.monotonic()
    answer = stack.place(strategy=f"lost-{fault}")
    took = time.monotonic() - started
    book = stack.post("orderbook", {})
    stack.sim.faults(**{fault: 0.0})
    assert book.status_code != 500, book.text

    # The client is told the truth: the outcome is not known yet and it will be settled.
    assert_clear_error(answer, "doubt", "reconcil", "did not answer", "timed out", "timeout",
                       "not sent again", "unreadable", "malformed")
    assert took < 30, f"the client waited {took:.1f}s for its answer"
    # The broker did place it (the fault struck after the work) — exactly once.
    assert stack.sim.order_count() == orders_before + 1
    tag = next(r["tag"] for r in stack.journal() if r["strategy"] == f"lost-{fault}")
    placed = [o for o in stack.sim_orders() if o.user_remark == tag]
    assert len(placed) == 1, placed

    journal = settle_and_check(stack)
    row = next(r for r in journal if r["tag"] == placed[0].user_remark)
    assert (row["state"], row["broker_order_id"]) == ("accepted", placed[0].order_id), row
    # The reconciled order is the client's to follow up like any other.
    status = stack.post("orderstatus", {"orderid": placed[0].order_id, "strategy": "x"})
    assert status.status_code == 200, status.text
    assert status.json()["data"]["orderid"] == placed[0].order_id


def test_lost_answer_found_at_once_is_a_success(stack: Stack) -> None:
    """Only the placement's answer is lost; the order list read right after answers:
    the client gets its order id, once, and the journal holds it as accepted."""
    orders_before = stack.sim.order_count()
    since = time.time()
    stack.sim.faults(timeout_rate=1.0)
    result: list[httpx.Response] = []
    placing = threading.Thread(target=lambda: result.append(stack.place(strategy="lost-once")))
    placing.start()
    # Wait until the placement is at the simulator, done and held without an answer,
    # then let every later call (the platform's look at the order list) be answered.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(
            (c.method, c.endpoint, c.status) == ("POST", "order", None)
            and c.at < time.time() - 0.3 for c in stack.sim.calls(since)):
        time.sleep(0.05)
    stack.sim.faults(timeout_rate=0.0)
    placing.join(timeout=60)

    answer = result[0]
    assert answer.status_code == 200, answer.text
    orderid = answer.json()["orderid"]
    assert stack.sim.order_count() == orders_before + 1
    journal = stack.wait_settled(timeout=10)
    row = next(r for r in journal if r["strategy"] == "lost-once")
    assert (row["state"], row["broker_order_id"]) == ("accepted", orderid), row
    assert_journal_matches(journal, stack.sim_orders())


# -- the broker refuses or fails before doing anything ----------------------------------

@pytest.mark.parametrize("fault", ["error_rate", "html_rate"])
def test_broker_outage_gives_clear_errors_and_no_order(stack: Stack, fault: str) -> None:
    orders_before = stack.sim.order_count()
    stack.sim.faults(**{fault: 1.0})
    answers = {
        "placeorder": stack.place(strategy=f"outage-{fault}"),
        "orderbook": stack.post("orderbook", {}),
        "funds": stack.post("funds", {}),
        "positionbook": stack.post("positionbook", {}),
    }
    stack.sim.faults(**{fault: 0.0})

    problems = {name: (a.status_code, a.text[:300]) for name, a in answers.items()
                if a.status_code == 500 or not a.headers.get("content-type", "").startswith(
                    "application/json")}
    assert not problems, f"server errors / non-JSON answers under {fault}: {problems}"
    assert_clear_error(answers["placeorder"], *BROKER_WORDS)
    assert stack.sim.order_count() == orders_before  # the outage struck before the work
    settle_and_check(stack)


# -- the quote a MARKET order is priced from cannot be read -----------------------------

@pytest.mark.parametrize(("fault", "status", "what"), [
    ("timeout_rate", 504, "did not answer in time"),
    ("malformed_rate", 502, "unreadable"),
    ("html_rate", 502, "unreadable"),
    ("error_rate", 502, "not available right now"),
])
def test_a_market_order_whose_quote_cannot_be_read_is_a_gateway_error(
        stack: Stack, fault: str, status: int, what: str) -> None:
    """Nothing was rejected and nothing was sent: a failed read is 504 (no answer in
    time) or 502 (transport, unreadable answer, outage), never 400 "rejected"."""
    journal_rows, orders_before = len(stack.journal()), stack.sim.order_count()
    stack.sim.faults(**{fault: 1.0})
    time.sleep(QUOTE_TTL + 0.2)  # no quote read before the fault may still be shared
    answer = stack.place(strategy=f"quote-{fault}", pricetype="MARKET", price="0")
    stack.sim.faults(**{fault: 0.0})

    assert answer.status_code == status, answer.text
    message = assert_clear_error(answer, what)["message"]
    assert f"the quote for {SYMBOL} could not be read" in message, message
    assert "MARKET order was not sent" in message and "rejected" not in message, message
    assert len(stack.journal()) == journal_rows  # refused before the journal
    assert stack.sim.order_count() == orders_before


@pytest.mark.parametrize(("fault", "status", "what"), [
    ("timeout_rate", 504, "did not answer in time"),
    ("malformed_rate", 502, "unreadable"),
    ("error_rate", 502, "not available right now"),
])
def test_a_failed_market_data_read_has_its_class_status(
        stack: Stack, fault: str, status: int, what: str) -> None:
    stack.sim.faults(**{fault: 1.0})
    time.sleep(QUOTE_TTL + 0.2)  # a quote read before the fault is no longer shared
    answer = stack.post("quotes", {"symbol": SYMBOL, "exchange": "NSE"})
    stack.sim.faults(**{fault: 0.0})
    assert answer.status_code == status, answer.text
    message = assert_clear_error(answer, what)["message"]
    assert f"the quote for {SYMBOL} could not be read" in message, message


# -- the daily session dies in the middle of a burst -------------------------------------

def test_session_expiry_mid_burst(stack: Stack) -> None:
    orders_before = stack.sim.order_count()
    answers: list[httpx.Response] = []
    lock = threading.Lock()
    expired = threading.Event()

    def client() -> None:
        with httpx.Client(base_url=stack.base_url, timeout=60) as http:
            for _ in range(6):
                answer = http.post("/api/v1/placeorder", json=stack.order(strategy="expiry"))
                with lock:
                    answers.append(answer)
                    accepted = sum(a.status_code == 200 for a in answers)
                if accepted >= 5 and not expired.is_set():
                    expired.set()
                    stack.sim.faults(expire_sessions=True)

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    accepted = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code != 200]
    assert len(answers) == 24 and expired.is_set()
    assert refused, "the session expired but every order was accepted"
    for answer in refused:
        assert answer.status_code == 403, (answer.status_code, answer.text)
        assert RECONNECT in error_of(answer), answer.text
    # Nothing refused reached the book, nothing accepted is missing or doubled.
    assert stack.sim.order_count() == orders_before + len(accepted)
    journal = stack.wait_settled(timeout=10)
    assert_journal_matches(journal, stack.sim_orders())

    ping = stack.post("ping", {})
    assert ping.status_code == 403 and RECONNECT in error_of(ping)
    stack.connect()
    settle_and_check(stack)


# -- Breeze's call budget is spent ---------------------------------------------------------

@pytest.mark.parametrize("limit", ["calls_per_minute", "calls_per_day"])
def test_spent_call_budget_is_a_clear_429_not_a_crash(stack: Stack, limit: str) -> None:
    orders_before = stack.sim.order_count()
    stack.sim.limits(**{limit: 0})  # the broker now refuses every call of this session
    placed = [stack.place(strategy=f"budget-{limit}") for _ in range(3)]
    book = stack.post("orderbook", {})
    stack.sim.reset()
    stack.sim.limits(calls_per_minute=2000)

    for answer in placed:
        assert answer.status_code == 429, (answer.status_code, answer.text)
        assert_clear_error(answer, "limit", "budget")
    assert book.status_code in (200, 429), (book.status_code, book.text)
    assert stack.sim.order_count() == orders_before
    settle_and_check(stack)


# -- a flaky broker under a burst -----------------------------------------------------------

def test_burst_through_intermittent_faults_never_doubles_an_order(stack: Stack) -> None:
    """Outages, lost answers and broken JSON mixed into a burst from four clients: each
    answer is an order id or a clear error, and the books agree afterwards."""
    orders_before = stack.sim.order_count()
    stack.sim.faults(error_rate=0.2, timeout_rate=0.1, malformed_rate=0.1)
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        with httpx.Client(base_url=stack.base_url, timeout=60) as http:
            for _ in range(6):
                answer = http.post("/api/v1/placeorder",
                                   json=stack.order(strategy=f"flaky-{index}"))
                with lock:
                    answers.append(answer)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    stack.sim.faults(error_rate=0.0, timeout_rate=0.0, malformed_rate=0.0)

    codes = [a.status_code for a in answers]
    print(f"flaky burst: HTTP codes {sorted(codes)}")
    assert len(answers) == 24
    for answer in answers:
        if answer.status_code != 200:
            assert_clear_error(answer, *BROKER_WORDS, "doubt", "reconcil", "not sent")
    accepted = {a.json()["orderid"] for a in answers if a.status_code == 200}
    journal = settle_and_check(stack)
    at_simulator = {o.order_id for o in stack.sim_orders()}
    assert accepted <= at_simulator
    # Orders whose answers were lost may exist without the client knowing their ids,
    # but never more than one per request.
    flaky = [r for r in journal if r["strategy"].startswith("flaky-")]
    assert len(flaky) == 24
    assert stack.sim.order_count() - orders_before <= 24 + 1  # +1: the nudge


def test_low_minute_limit_mid_burst(stack: Stack) -> None:
    """The broker's per-minute budget runs out three calls into a burst: those three
    succeed, the rest get 429 with `retry_after`, and nothing is placed twice."""
    # A fresh broker session has a minute window holding only what it did since the
    # login (no faults now: every call of it was admitted and counted).
    connected = time.time()
    stack.connect()
    assert stack.place(strategy="low-first").status_code == 200
    recent = [c for c in stack.platform_calls(connected) if c.session]
    session = recent[-1].session
    used = sum(c.session == session for c in recent)
    orders_before = stack.sim.order_count()
    stack.sim.limits(calls_per_minute=used + 3)
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=stack.base_url, timeout=60) as http:
            for _ in range(3):
                answer = http.post("/api/v1/placeorder", json=stack.order(strategy="low"))
                with lock:
                    answers.append(answer)

    threads = [threading.Thread(target=client) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    stack.sim.reset()

    accepted = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code != 200]
    print(f"low limit: {len(accepted)} accepted, refused {[a.status_code for a in refused]}")
    assert 1 <= len(accepted) <= 3, [(a.status_code, a.text) for a in answers]
    for answer in refused:
        assert answer.status_code == 429, (answer.status_code, answer.text)
        body = assert_clear_error(answer, "limit", "budget")
        assert body.get("retry_after"), body
    assert stack.sim.order_count() == orders_before + len(accepted)
    # A spent budget is not a dead session.
    assert stack.post("ping", {}).status_code == 200
    settle_and_check(stack)
