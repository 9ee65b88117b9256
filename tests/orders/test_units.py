"""The order services' own rules, with the broker replaced by a fake (the end-to-end
modules run them against the real simulator): what a lost answer, a refusal and a
reconnect do to the journal; the read cache around order actions; the read pace; the
square-off schedule."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from algodesk.brokers.icici import RateLimited, ResponseTimeout, TransportError
from algodesk.brokers.icici.adapter import IciciBroker
from algodesk.brokers.icici.budget import BudgetExhausted, CallBudget, OrderPacer, SharedReads
from algodesk.brokers.icici.formats import IST
from algodesk.domain.instruments import InstrumentType
from algodesk.storage import Database
from algodesk.trading.books import Books
from algodesk.trading.journal import JournalState, OrderJournal
from algodesk.trading.orders import OrderRequest, OrderService
from algodesk.trading.ports import OrderError
from algodesk.trading.reconcile import GRACE_SECONDS
from algodesk.trading.squareoff import MisSquareOff, next_run, parse_time
from tests.brokers.test_budget import FakeClock


@dataclass(frozen=True)
class Inst:
    symbol: str = "SBIN"
    exchange: str = "NSE"
    stock_code: str = "STABAN"
    breeze_exchange: str = "NSE"
    product: str = "cash"
    right: str = ""
    expiry: Any = None
    lot_size: int = 1
    tick_size: Decimal = Decimal("0.05")
    freeze_qty: int = 0
    is_index: bool = False
    breeze_strike: str = ""
    instrument_type: InstrumentType = InstrumentType.EQ


class Index:
    def get(self, symbol: str, exchange: str) -> Any:
        return Inst() if (symbol, exchange) == ("SBIN", "NSE") else None

    def by_breeze(self, *args: Any, **kwargs: Any) -> Any:
        return Inst()


@dataclass
class Row:
    """A Breeze order row, as far as the adapter reads one."""

    order_id: str
    user_remark: str = ""
    status: str = "Ordered"
    order_type: str = "Limit"
    exchange_code: str = "NSE"
    stock_code: str = "STABAN"
    action: str = "Buy"
    quantity: int = 1
    product_type: str = "Cash"
    price: Decimal = Decimal("100")
    stoploss: Any = None
    average_price: Any = None
    pending_quantity: int = 1
    cancelled_quantity: int = 0
    order_datetime: str = ""


@dataclass
class FakeBroker:
    """Answers place with `place` (a value or an exception), lists `orders`."""

    place: Any = None
    orders: list[Row] = field(default_factory=list)
    session_id: Hashable | None = "s1"
    sent: list[dict[str, Any]] = field(default_factory=list)
    listed: list[tuple[str, Any, Any]] = field(default_factory=list)  # order lists asked for
    modified: list[dict[str, Any]] = field(default_factory=list)

    async def read(self, operation: Callable[[Any], Awaitable[Any]], *,
                   for_order: bool = False) -> Any:
        return await operation(self)

    async def act(self, operation: Callable[[Any], Awaitable[Any]]) -> Any:
        return await operation(self)

    def session(self) -> Hashable | None:
        return self.session_id

    # the BreezeClient calls the adapter makes
    async def get_order_list(self, exchange: str, first: Any, last: Any) -> list[Row]:
        self.listed.append((exchange, first, last))
        return [row for row in self.orders if row.exchange_code == exchange]

    async def modify_order(self, exchange: str, order_id: str, **changes: Any) -> Any:
        self.modified.append({"order_id": order_id, **changes})
        return type("Modified", (), {"order_id": order_id})()

    async def place_order(self, **fields: Any) -> Any:
        self.sent.append(fields)
        if isinstance(self.place, Exception):
            if isinstance(self.place, ResponseTimeout):  # the work was done
                self.orders.append(Row("B1", fields["user_remark"]))
            raise self.place
        self.orders.append(Row("B1", fields["user_remark"]))
        return type("Placed", (), {"order_id": "B1"})()


def service(tmp_path: Path, broker: FakeBroker, *,
            clock: Callable[[], dt.datetime] | None = None
            ) -> tuple[OrderService, OrderJournal]:
    database = Database(f"sqlite:///{tmp_path / 'orders.db'}")
    database.migrate()
    journal = OrderJournal(database)
    extra = {} if clock is None else {"clock": clock}
    adapter = IciciBroker(broker, Index, pacer=OrderPacer(rate=1000), **extra)  # type: ignore[arg-type]
    return OrderService(Index, adapter, journal, Books(adapter, journal)), journal


LIMIT = OrderRequest(symbol="SBIN", exchange="NSE", action="BUY", quantity=1,
                     pricetype="LIMIT", product="CNC", price=Decimal("100"))


async def test_a_placement_is_journaled_then_accepted(tmp_path: Path) -> None:
    broker = FakeBroker()
    orders, journal = service(tmp_path, broker)
    placed = await orders.place(LIMIT)
    assert placed.journal_id in orders.reconciler.in_flight  # written after the answer
    await orders.drain()
    assert not orders.reconciler.in_flight
    entry = journal.get(placed.journal_id)
    assert entry is not None and (entry.state, entry.broker_order_id) == (
        JournalState.ACCEPTED, "B1")
    assert broker.sent[0]["user_remark"] == entry.tag
    assert (broker.sent[0]["price"], broker.sent[0]["order_type"]) == ("100.00", "limit")


@pytest.mark.parametrize(("failure", "status", "state"), [
    (RateLimited("Limit exceed: API call per minute", scope="minute"), 429,
     JournalState.REJECTED),
    (TransportError("connection refused"), 502, JournalState.REJECTED),
])
async def test_a_refused_placement_is_rejected_with_the_right_status(
        tmp_path: Path, failure: Exception, status: int, state: JournalState) -> None:
    orders, journal = service(tmp_path, FakeBroker(place=failure))
    with pytest.raises(OrderError) as refused:
        await orders.place(LIMIT)
    assert refused.value.status == status
    assert [e.state for e in journal.unsettled()] == []
    assert journal.get(1).state is state  # type: ignore[union-attr]


async def test_a_lost_answer_is_settled_from_the_order_list_never_resent(
        tmp_path: Path) -> None:
    broker = FakeBroker(place=ResponseTimeout("no answer"))
    orders, journal = service(tmp_path, broker)
    placed = await orders.place(LIMIT)  # found by its tag right away
    assert placed.orderid == "B1" and len(broker.sent) == 1
    assert journal.get(placed.journal_id).message == "found by reconciliation"  # type: ignore[union-attr]


async def test_a_lost_answer_not_in_the_list_stays_in_doubt_then_is_given_up(
        tmp_path: Path) -> None:
    class Lost(FakeBroker):
        async def place_order(self, **fields: Any) -> Any:
            self.sent.append(fields)
            raise ResponseTimeout("no answer")  # and the broker never got it

    broker = Lost()
    orders, journal = service(tmp_path, broker)
    with pytest.raises(OrderError) as lost:
        await orders.place(LIMIT)
    assert lost.value.status == 504 and "in doubt" in lost.value.message
    assert [e.state for e in journal.unsettled()] == [JournalState.IN_DOUBT]
    report = await orders.reconciler.reconcile()
    assert report == {"accepted": 0, "not_placed": 0, "still_in_doubt": 1}
    entry = journal.unsettled()[0]
    later = entry.updated_at - dt.timedelta(seconds=GRACE_SECONDS + 1)
    journal._update(entry.id, updated_at=later)
    assert (await orders.reconciler.reconcile())["not_placed"] == 1
    assert len(broker.sent) == 1


async def test_a_doubt_raised_during_a_background_pass_gets_a_pass_of_its_own(
        tmp_path: Path) -> None:
    class Slow(FakeBroker):
        listing = asyncio.Event()
        go_on = asyncio.Event()

        async def get_order_list(self, exchange: str, first: Any, last: Any) -> list[Row]:
            self.listing.set()
            await self.go_on.wait()
            return list(self.orders)

    broker = Slow()
    orders, journal = service(tmp_path, broker)
    reconciler = orders.reconciler
    broker.go_on.set()
    await reconciler.ready()  # the start-up pass (nothing to settle)
    broker.go_on.clear()

    def doubtful() -> Any:
        entry = journal.record_intent(kind="place", exchange="NSE", requested_by="api",
                                      strategy="", openalgo_request={}, broker_request={})
        journal.in_doubt(entry.id, "no answer")
        reconciler.wake()
        return entry

    first = doubtful()
    broker.orders.append(Row("B7", first.tag))  # it did reach the broker
    background = asyncio.create_task(reconciler._tick())
    await broker.listing.wait()
    second = doubtful()  # goes in doubt after this pass read the journal
    broker.go_on.set()
    await background
    assert journal.get(first.id).state is JournalState.ACCEPTED  # type: ignore[union-attr]
    assert journal.get(second.id).state is JournalState.IN_DOUBT  # type: ignore[union-attr]
    journal._update(second.id, updated_at=second.updated_at - dt.timedelta(
        seconds=GRACE_SECONDS + 1))
    await reconciler._tick()  # the next pass must still look for it
    assert journal.get(second.id).state is JournalState.NOT_PLACED  # type: ignore[union-attr]


async def test_start_up_settles_what_a_crash_left_pending_before_the_next_order(
        tmp_path: Path) -> None:
    broker = FakeBroker()
    orders, journal = service(tmp_path, broker)
    kept = journal.record_intent(kind="place", exchange="NSE", requested_by="api",
                                 strategy="", openalgo_request={}, broker_request={})
    lost = journal.record_intent(kind="place", exchange="NSE", requested_by="api",
                                 strategy="", openalgo_request={}, broker_request={})
    broker.orders.append(Row("B0", kept.tag))  # it reached the broker before the crash
    await orders.place(LIMIT)  # waits for the reconciliation first
    assert (journal.get(kept.id).state, journal.get(kept.id).broker_order_id) == (  # type: ignore[union-attr]
        JournalState.ACCEPTED, "B0")
    assert journal.get(lost.id).state is JournalState.NOT_PLACED  # type: ignore[union-attr]
    # A reconnect (a new session) reconciles again; rows being sent are left alone.
    sending = journal.record_intent(kind="place", exchange="NSE", requested_by="api",
                                    strategy="", openalgo_request={}, broker_request={})
    orders.reconciler.in_flight.add(sending.id)
    broker.session_id = "s2"
    await orders.reconciler.ready()
    assert journal.get(sending.id).state is JournalState.PENDING  # type: ignore[union-attr]


async def test_no_order_without_a_session(tmp_path: Path) -> None:
    from algodesk.access.broker import BrokerState, BrokerUnavailable

    class Gone(FakeBroker):
        async def act(self, operation: Callable[[Any], Awaitable[Any]]) -> Any:
            raise BrokerUnavailable("broker not connected", BrokerState.NOT_CONNECTED)

    orders, journal = service(tmp_path, Gone())
    with pytest.raises(BrokerUnavailable):
        await orders.place(LIMIT)
    assert journal.get(1).state is JournalState.REJECTED  # type: ignore[union-attr]


async def test_the_adapters_day_is_its_clocks_and_old_rows_are_looked_for_since_their_day(
        tmp_path: Path) -> None:
    """Reconciliation asks for the order lists of the days a row may span, by the
    adapter's (pinned) clock, not the machine's."""
    pinned = dt.datetime(2026, 11, 24, 10, 0, tzinfo=IST)
    broker = FakeBroker()
    orders, journal = service(tmp_path, broker, clock=lambda: pinned)
    old = journal.record_intent(kind="place", exchange="NSE", requested_by="api",
                                strategy="", openalgo_request={}, broker_request={})
    journal._update(old.id, created_at=pinned - dt.timedelta(days=2))
    new = journal.record_intent(kind="place", exchange="CDS", requested_by="api",
                                strategy="", openalgo_request={}, broker_request={})
    journal._update(new.id, created_at=pinned - dt.timedelta(hours=1))
    broker.orders.append(Row("B5", old.tag))
    await orders.reconciler.ready()
    day = pinned.date()
    assert broker.listed == [("NSE", day - dt.timedelta(days=2), day), ("NDX", day, day)]
    assert journal.get(old.id).broker_order_id == "B5"  # type: ignore[union-attr]
    assert journal.get(new.id).state is JournalState.NOT_PLACED  # type: ignore[union-attr]


async def test_a_modification_keeps_the_breeze_product_the_order_was_placed_with(
        tmp_path: Path) -> None:
    broker = FakeBroker()
    orders, _ = service(tmp_path, broker)
    placed = await orders.place(LIMIT)
    await orders.drain()  # the acceptance is in the journal
    listed = len(broker.listed)
    await orders.modify(placed.orderid, LIMIT)  # placed here: no list read to check it
    assert len(broker.listed) == listed and broker.modified[0]["order_id"] == placed.orderid
    broker.orders.append(Row("B9", product_type="BTST"))  # placed outside algodesk
    with pytest.raises(OrderError) as refused:
        await orders.modify("B9", LIMIT)
    assert refused.value.status == 400
    assert refused.value.message == ("Order B9 was placed as Breeze product 'btst'; the "
                                     "product cannot be modified; cancel it and place a new "
                                     "order")
    assert len(broker.modified) == 1  # nothing sent


# -- the read cache around order actions -------------------------------------------------

async def test_reads_after_an_action_see_it_and_bursts_are_caught_up_once_a_second() -> None:
    clock = FakeClock()
    reads = SharedReads(clock=clock)
    calls = 0

    async def fetch() -> int:
        nonlocal calls
        calls += 1
        return calls

    def action_done() -> None:
        clock.now += 0.01
        reads.invalidate()
        clock.now += 0.01

    assert await reads.get("book", 60, fetch) == 1
    action_done()  # a sequential script: the action is over, nothing else in flight
    assert await reads.get("book", 60, fetch) == 2
    reads.acting = 1  # a burst: actions keep coming
    action_done()
    assert await reads.get("book", 60, fetch) == 3  # caught up once...
    action_done()
    clock.now += 0.5
    assert await reads.get("book", 60, fetch) == 3  # ...then at most once a second
    clock.now += 0.6
    assert await reads.get("book", 60, fetch) == 4
    reads.acting = 0
    action_done()
    assert await reads.get("book", 60, fetch) == 5  # the burst is over: fresh at once
    clock.now += 0.01
    assert await reads.get("book", 60, fetch) == 5
    assert await reads.get("book", 60, fetch, max_age=0) == 6  # smart orders: read now


async def test_out_of_budget_reads_serve_the_last_answer_but_fresh_reads_fail() -> None:
    clock = FakeClock()
    reads = SharedReads(clock=clock)

    async def spent() -> int:
        raise BudgetExhausted("spent", retry_after=30)

    async def one() -> int:
        return 1

    await reads.get("book", 1, one)
    clock.now += 5
    assert await reads.get("book", 1, spent) == 1
    with pytest.raises(BudgetExhausted):
        await reads.get("book", 1, spent, max_age=0)


async def test_an_older_read_never_replaces_a_newer_one() -> None:
    reads = SharedReads()
    slow_started = asyncio.Event()

    async def slow() -> str:
        slow_started.set()
        await asyncio.sleep(0.05)
        return "old"

    async def fast() -> str:
        return "new"

    first = asyncio.create_task(reads.get("book", 60, slow))
    await slow_started.wait()
    assert await reads.get("book", 60, fast, max_age=0) == "new"
    assert await first == "old"
    assert await reads.get("book", 60, slow) == "new"


# -- the pace of polled reads --------------------------------------------------------------

def test_polling_slows_as_the_daily_budget_is_used() -> None:
    ten_am = dt.datetime(2026, 11, 24, 10, 0, tzinfo=IST).timestamp()
    clock = FakeClock(ten_am)
    budget = CallBudget(per_day=5000, reserve_per_day=200, clock=clock)
    # 5.5 hours to the close, 2400 calls to spend on polling, 3 books polled.
    assert budget.polling_interval(3) == pytest.approx(5.5 * 3600 * 3 / 2400)
    for _ in range(4000):
        budget.record()
    assert budget.polling_interval(3) == pytest.approx(5.5 * 3600 * 3 / 400)
    for _ in range(800):
        budget.record()
    assert budget.polling_interval(3) == 3600.0  # only the order reserve is left


async def test_a_read_that_would_wait_too_long_is_refused_with_a_retry_time() -> None:
    clock = FakeClock()
    budget = CallBudget(per_minute=10, reserve_per_minute=2, clock=clock)
    for _ in range(9):
        budget.record()
    with pytest.raises(BudgetExhausted) as refused:
        await budget.admit(order_action=False, max_wait=5)
    assert refused.value.retry_after == pytest.approx(60)
    await asyncio.wait_for(budget.admit(order_action=True), 1)  # orders still go


# -- the square-off schedule -----------------------------------------------------------------

def test_square_off_runs_daily_at_the_set_ist_time() -> None:
    at = parse_time("15:15")
    before = dt.datetime(2026, 11, 28, 15, 14, tzinfo=IST)  # a Saturday: nothing to do,
    assert next_run(before, at) == dt.datetime(2026, 11, 28, 15, 15, tzinfo=IST)  # harmless
    after = dt.datetime(2026, 11, 24, 9, 50, tzinfo=dt.UTC)  # 15:20 IST
    assert next_run(after, at) == dt.datetime(2026, 11, 25, 15, 15, tzinfo=IST)
    assert parse_time("09:30:15") == dt.time(9, 30, 15)


async def test_square_off_is_skipped_without_a_broker_session() -> None:
    class Untouchable:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"{name} called without a session")

    squareoff = MisSquareOff(Untouchable(), dt.time(15, 15), connected=lambda: False)  # type: ignore[arg-type]
    assert await squareoff.run() == {"skipped": "broker not connected"}


async def test_pacer_counts_a_slot_from_when_its_request_was_answered() -> None:
    """The broker counts arrivals: a slow first request must not let an eleventh one in
    less than a second after it arrived."""
    pacer = OrderPacer(rate=10)
    finished: list[float] = []
    granted: list[float] = []

    async def send(delay: float) -> None:
        async with pacer.slot():
            granted.append(asyncio.get_running_loop().time())
            await asyncio.sleep(delay)
            finished.append(asyncio.get_running_loop().time())

    started = asyncio.get_running_loop().time()
    await asyncio.gather(*(send(0.2) for _ in range(10)), send(0))
    assert granted[10] - min(finished) >= 0.999  # a second after the first answer...
    assert granted[10] - started >= 1.15  # ...not a second after the first grant
