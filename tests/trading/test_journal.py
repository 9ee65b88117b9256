"""The order journal: intent first, tags for reconciliation, nothing secret stored."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from algodesk.storage import Database
from algodesk.trading.journal import CHECKPOINT_EVERY, JournalState, OrderJournal


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[OrderJournal]:
    database = Database(f"sqlite:///{tmp_path / 'journal.db'}")
    database.migrate()
    journal = OrderJournal(database)
    yield journal
    journal.close()


def intent(journal: OrderJournal, **overrides: object) -> object:
    values = dict(kind="place", exchange="NSE", requested_by="api", strategy="momentum",
                  openalgo_request={"apikey": "k" * 64, "symbol": "SBIN", "quantity": "1"},
                  broker_request={"stock_code": "STABAN", "user_remark": ""})
    values.update(overrides)
    return journal.record_intent(**values)  # type: ignore[arg-type]


def test_intent_is_committed_with_a_tag_in_user_remark(journal: OrderJournal) -> None:
    entry = intent(journal)
    assert entry.state is JournalState.PENDING
    assert entry.tag == f"ad{entry.id}" and len(entry.tag) <= 20
    assert entry.broker_request["user_remark"] == entry.tag
    # A second journal over the same file sees it: it is committed, not pending in memory.
    again = OrderJournal(journal.database).get(entry.id)
    assert again is not None and again.tag == entry.tag


def test_api_key_is_never_journaled(journal: OrderJournal, tmp_path: Path) -> None:
    entry = intent(journal)
    assert "apikey" not in entry.openalgo_request
    journal.database.dispose()
    assert b"k" * 64 not in (tmp_path / "journal.db").read_bytes()


def test_outcomes_and_unsettled_rows(journal: OrderJournal) -> None:
    ok, lost, refused, fresh = (intent(journal) for _ in range(4))
    journal.accepted(ok.id, "20261124N300000001")
    journal.in_doubt(lost.id, "no answer within 10 s")
    journal.rejected(refused.id, "Insufficient funds")
    unsettled = journal.unsettled()
    assert [e.id for e in unsettled] == [lost.id, fresh.id]
    assert journal.strategies(["20261124N300000001", "x"]) == {
        "20261124N300000001": "momentum"}
    settled = journal.not_placed(lost.id, "not in the broker's order list")
    assert settled.state is JournalState.NOT_PLACED and settled.state.settled
    assert set(journal.tags_to_entries([ok.tag, "other", ""])) == {ok.tag}


def test_updating_a_missing_entry_is_an_error(journal: OrderJournal) -> None:
    with pytest.raises(KeyError):
        journal.accepted(999, "x")


def test_wal_checkpoints_run_beside_the_order_path(journal: OrderJournal,
                                                     tmp_path: Path) -> None:
    """The journal's commits never checkpoint (that would sync the database file inside
    an order's commit); every CHECKPOINT_EVERY writes a thread of its own does it."""
    main_file = tmp_path / "journal.db"
    first = intent(journal, strategy="first-of-many")
    assert b"first-of-many" not in main_file.read_bytes()  # only in the WAL so far
    for _ in range(CHECKPOINT_EVERY - 1):
        intent(journal)
    deadline = time.monotonic() + 10
    while b"first-of-many" not in main_file.read_bytes():
        assert time.monotonic() < deadline, "the WAL was never checkpointed"
        time.sleep(0.02)
    assert journal.get(first.id) is not None


def test_intents_and_doubts_are_synced_accepted_outcomes_relaxed(journal: OrderJournal
                                                                 ) -> None:
    """One connection writes both kinds; its synchronous setting follows each write:
    FULL (2) for what must survive a power cut, NORMAL (1) for the accepted order id,
    which reconciliation can find again by its tag."""

    def synchronous() -> int:
        return int(journal._connection.cursor().execute("PRAGMA synchronous").fetchone()[0])

    placed = intent(journal)
    assert synchronous() == 2
    journal.accepted(placed.id, "20261124N300000001")
    assert synchronous() == 1
    lost = intent(journal)
    assert synchronous() == 2
    journal.accepted(placed.id, "20261124N300000001")
    journal.in_doubt(lost.id, "no answer")
    assert synchronous() == 2
    assert [e.id for e in journal.unsettled()] == [lost.id]


def test_one_checkpoint_thread_serves_every_pass_and_stops_with_the_journal(
        journal: OrderJournal, tmp_path: Path) -> None:
    main_file = tmp_path / "journal.db"
    before = {t for t in threading.enumerate() if t.name == "journal-checkpoint"}
    for round_ in range(3):
        marker = f"round-{round_}-marker"
        intent(journal, strategy=marker)
        for _ in range(CHECKPOINT_EVERY - 1):
            intent(journal)
        deadline = time.monotonic() + 10
        while marker.encode() not in main_file.read_bytes():
            assert time.monotonic() < deadline, f"no checkpoint after round {round_}"
            time.sleep(0.02)
    workers = [t for t in threading.enumerate()
               if t.name == "journal-checkpoint" and t not in before]
    assert len(workers) == 1
    journal.close()
    workers[0].join(timeout=5)
    assert not workers[0].is_alive()


async def test_the_paper_venues_journal_commits_with_the_group_commit(tmp_path: Path) -> None:
    """The analyze venue's intents go with the shared writer's group commit of their
    turn of the event loop (before anything queued after them); reads and immediate
    writes first commit what is queued; ids and tags are one sequence for both venues;
    each venue reads only its own rows."""
    database = Database(f"sqlite:///{tmp_path / 'venues.db'}")
    database.migrate()
    live = OrderJournal(database)
    paper = live.for_venue("analyze", durable_intents=False)
    try:
        first = intent(paper, strategy="paper-1")
        assert database.writer is not None and database.writer._queue  # queued, not written
        second = intent(live, strategy="live-1")
        assert (first.id, second.id) == (1, 2) and first.tag != second.tag
        assert [e.id for e in paper.unsettled()] == [first.id]  # read: committed first
        assert [e.id for e in live.unsettled()] == [second.id]
        paper.accepted_many([(first.id, "26112400000001")])
        committed = database.writer.defer([])  # the turn's commit
        assert committed is not None
        await committed
        placed = paper.placement("26112400000001")
        assert placed is not None and placed.state is JournalState.ACCEPTED
        assert live.placement("26112400000001") is None
        assert (paper.count(), live.count()) == (1, 1)
    finally:
        live.close()
