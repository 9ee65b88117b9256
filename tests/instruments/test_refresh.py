"""Refreshes against the real simulator process, and every way one can fail.

Each failure must leave the previous master serving (in memory and active in the
database) and say exactly what failed.
"""

from __future__ import annotations

import asyncio
import gc
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from algodesk.config import Settings
from algodesk.instruments import InstrumentService, RefreshOutcome
from algodesk.instruments.index import SymbolIndex
from algodesk.instruments.store import active_master, recent_attempts
from algodesk.storage import Database

from .conftest import Answer, BadServer, members_of, zip_of


@pytest.fixture
async def serving(simulator: Any, make_settings: Callable[..., Settings]
                  ) -> AsyncIterator[InstrumentService]:
    """A service whose master came from the simulator (small contracts)."""
    settings = make_settings(security_master_url=simulator.security_master_url)
    database = Database(settings.database_url)
    service = InstrumentService(settings, database)
    await service.start(wait=True)
    assert service.status().state == "ready"
    try:
        yield service
    finally:
        await service.stop()
        database.dispose()


async def refresh_from(service: InstrumentService, url: str, **changes: Any) -> RefreshOutcome:
    service.settings = service.settings.model_copy(
        update={"security_master_url": url, **changes})
    return await service.refresh()


def assert_still_serving(service: InstrumentService, outcome: RefreshOutcome, stage: str,
                         *words: str) -> None:
    before = service.index
    assert not outcome.ok
    assert outcome.stage == stage, outcome
    for word in words:
        assert word in outcome.message, outcome.message
    assert "previous master stays in service" in outcome.message
    assert service.index is before and len(before) > 0
    assert service.index.get("SBIN", "NSE") is not None
    stored = active_master(service.database)
    assert stored is not None and stored.id == before.info.master_id
    status = service.status()
    assert status.state == "ready" and status.last_result is not None
    assert status.last_result["ok"] is False and status.last_result["stage"] == stage
    last = recent_attempts(service.database, 1)[0]
    assert (last.ok, last.stage) == (False, stage)


async def test_refresh_from_the_simulator(serving: InstrumentService, simulator: Any) -> None:
    first = serving.index
    assert first.get("SBIN", "NSE").stock_code == "STABAN"
    assert first.info.source_url == simulator.security_master_url
    outcome = await serving.refresh()
    assert outcome.ok and outcome.trigger == "manual" and outcome.index is None
    assert serving.index is not first and len(serving.index) == len(first)
    assert serving.index.info.master_id == outcome.master_id != first.info.master_id
    assert outcome.summary["members"]["FONSEScripMaster.txt"]["tick_unit"] == "paise"
    assert set(outcome.summary["timings"]) >= {"download", "parse", "index", "store"}
    status = serving.status().as_dict()
    assert status["state"] == "ready" and status["last_result"]["ok"]
    assert status["progress"]["phase"] == "done"
    assert status["progress"]["bytes_done"] == status["progress"]["bytes_total"] > 0
    # the superseded master is pruned; only the live one remains
    assert active_master(serving.database).id == outcome.master_id


async def test_concurrent_refreshes_share_one_download(serving: InstrumentService) -> None:
    first, second = await asyncio.gather(serving.refresh(), serving.refresh())
    assert first is second and first.ok


async def test_start_up_loads_todays_master_without_download(
        serving: InstrumentService, make_settings: Callable[..., Settings]) -> None:
    # Nothing listens on port 9: any download attempt would fail and be recorded.
    settings = make_settings(security_master_url="http://127.0.0.1:9/SecurityMaster.zip",
                             contracts_auto_refresh=True)
    attempts = len(recent_attempts(serving.database, 100))
    restarted = InstrumentService(settings, serving.database)
    await restarted.start()
    try:
        assert restarted.index.info.master_id == serving.index.info.master_id
        assert len(restarted.index) == len(serving.index)
        assert restarted.index.get("RELIANCE", "NSE") == serving.index.get("RELIANCE", "NSE")
        status = restarted.status()
        assert status.state == "ready" and not status.stale and status.load_seconds is not None
        assert status.next_refresh_at is not None
        assert len(recent_attempts(serving.database, 100)) == attempts
    finally:
        await restarted.stop()


async def test_a_stale_master_is_refreshed_at_start_up(
        serving: InstrumentService, simulator: Any,
        make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(security_master_url=simulator.security_master_url,
                             contracts_auto_refresh=True)
    a_week_later = datetime.now(UTC) + timedelta(days=7)
    later = InstrumentService(settings, serving.database, clock=lambda: a_week_later)
    assert later.status().stale  # nothing loaded yet
    await later.start(wait=True)
    try:
        assert later.status().last_result["trigger"] == "startup"
        assert later.index.info.master_id != serving.index.info.master_id
    finally:
        await later.stop()


async def test_a_master_stored_by_another_process_is_picked_up(
        serving: InstrumentService, simulator: Any,
        make_settings: Callable[..., Settings]) -> None:
    other = InstrumentService(make_settings(security_master_url=simulator.security_master_url),
                              serving.database)
    outcome = await other.refresh()  # as `algodesk contracts update` would
    assert serving.index.info.master_id != outcome.master_id
    await serving._tick()
    assert serving.index.info.master_id == outcome.master_id


async def test_corrupt_zip(serving: InstrumentService, bad_server: BadServer) -> None:
    bad_server.answer = Answer(body=b"PK\x03\x04" + b"\x00garbage" * 1000)
    outcome = await refresh_from(serving, bad_server.url)
    assert_still_serving(serving, outcome, "archive", "not a valid zip archive")


async def test_html_instead_of_a_zip(serving: InstrumentService, bad_server: BadServer) -> None:
    bad_server.answer = Answer(body=b"<html><body>Site under maintenance</body></html>")
    outcome = await refresh_from(serving, bad_server.url)
    assert_still_serving(serving, outcome, "archive", "not a valid zip", "<html>")


async def test_truncated_zip(serving: InstrumentService, bad_server: BadServer,
                             small_zip: bytes) -> None:
    bad_server.answer = Answer(body=small_zip[: len(small_zip) // 2])
    outcome = await refresh_from(serving, bad_server.url)
    assert_still_serving(serving, outcome, "archive", "not a valid zip")


async def test_corrupt_member_data(serving: InstrumentService, bad_server: BadServer,
                                   small_zip: bytes) -> None:
    damaged = bytearray(small_zip)
    start = small_zip.index(b"FONSEScripMaster.txt") + 200  # inside its compressed data
    damaged[start:start + 64] = bytes(64)
    bad_server.answer = Answer(body=bytes(damaged))
    outcome = await refresh_from(serving, bad_server.url)
    assert_still_serving(serving, outcome, "archive", "FONSEScripMaster.txt",
                         "cannot be extracted")


async def test_missing_member(serving: InstrumentService, bad_server: BadServer,
                              small_zip: bytes) -> None:
    members = members_of(small_zip)
    del members["FONSEScripMaster.txt"]
    bad_server.answer = Answer(body=zip_of(members))
    outcome = await refresh_from(serving, bad_server.url)
    assert_still_serving(serving, outcome, "member", "FONSEScripMaster.txt is missing")


async def test_optional_member_may_be_absent(serving: InstrumentService, bad_server: BadServer,
                                             small_zip: bytes) -> None:
    members = members_of(small_zip)
    del members["MCXScripMaster.txt"]
    bad_server.answer = Answer(body=zip_of(members))
    outcome = await refresh_from(serving, bad_server.url)
    assert outcome.ok
    assert any("MCXScripMaster.txt not in the archive" in w
               for w in outcome.summary["warnings"])
    assert "MCX" not in serving.index.counts()


async def test_empty_member(serving: InstrumentService, bad_server: BadServer,
                            small_zip: bytes) -> None:
    members = members_of(small_zip)
    members["NSEScripMaster.txt"] = b""
    bad_server.answer = Answer(body=zip_of(members))
    outcome = await refresh_from(serving, bad_server.url)
    assert_still_serving(serving, outcome, "member", "NSEScripMaster.txt is empty")


async def test_header_only_member_has_zero_rows(serving: InstrumentService,
                                                bad_server: BadServer, small_zip: bytes) -> None:
    members = members_of(small_zip)
    members["BSEScripMaster.txt"] = members["BSEScripMaster.txt"].split(b"\r\n", 1)[0]
    bad_server.answer = Answer(body=zip_of(members))
    outcome = await refresh_from(serving, bad_server.url)
    assert_still_serving(serving, outcome, "rows", "BSEScripMaster.txt has no usable rows")


def _mangle(text: bytes, every: int) -> bytes:
    lines = text.split(b"\r\n")
    for n in range(1, len(lines) - 1, every):
        lines[n] = re.sub(rb"-[A-Z][a-z]{2}-", b"-Xyz-", lines[n], count=1)  # a bad date
    return b"\r\n".join(lines)


async def test_too_many_bad_rows(serving: InstrumentService, bad_server: BadServer,
                                 small_zip: bytes) -> None:
    members = members_of(small_zip)
    members["FONSEScripMaster.txt"] = _mangle(members["FONSEScripMaster.txt"], 10)
    bad_server.answer = Answer(body=zip_of(members))
    outcome = await refresh_from(serving, bad_server.url)
    assert_still_serving(serving, outcome, "rows", "FONSEScripMaster.txt", "malformed",
                         "line 2")


async def test_a_few_bad_rows_are_skipped(serving: InstrumentService, bad_server: BadServer,
                                          small_zip: bytes, small_index: SymbolIndex) -> None:
    members = members_of(small_zip)
    lines = members["FONSEScripMaster.txt"].split(b"\r\n")
    lines[5] = b'"1","OPTIDX","broken row"'
    members["FONSEScripMaster.txt"] = b"\r\n".join(lines)
    bad_server.answer = Answer(body=zip_of(members))
    outcome = await refresh_from(serving, bad_server.url)
    assert outcome.ok
    # One row fewer than the same master whole (the simulator's own master, which the
    # service started with, is of today's date and may list other expiries).
    assert len(serving.index) == len(small_index) - 1
    fonse = outcome.summary["members"]["FONSEScripMaster.txt"]
    assert fonse["skipped"] == 1 and fonse["skipped_examples"] == ["line 6: not 69 cells"]


async def test_download_timeout(serving: InstrumentService, bad_server: BadServer,
                                small_zip: bytes) -> None:
    bad_server.answer = Answer(body=small_zip, stall_seconds=5)
    outcome = await refresh_from(serving, bad_server.url, contracts_download_timeout_seconds=1)
    assert_still_serving(serving, outcome, "download", "within 1 s", "bytes received")


async def test_http_error(serving: InstrumentService, simulator: Any) -> None:
    outcome = await refresh_from(serving, f"{simulator.base_url}/Nowhere/SecurityMaster.zip")
    assert_still_serving(serving, outcome, "download", "HTTP 404")


async def test_connection_refused(serving: InstrumentService) -> None:
    outcome = await refresh_from(serving, "http://127.0.0.1:9/SecurityMaster.zip")
    assert_still_serving(serving, outcome, "download", "could not download")


async def test_empty_download(serving: InstrumentService, bad_server: BadServer) -> None:
    bad_server.answer = Answer(body=b"")
    outcome = await refresh_from(serving, bad_server.url)
    assert_still_serving(serving, outcome, "archive", "empty")


async def test_the_index_is_kept_out_of_garbage_collection_passes(
        serving: InstrumentService, bad_server: BadServer, small_zip: bytes) -> None:
    """A full collection over the index's objects would pause every order in flight; the
    service moves them to the collector's permanent generation after each swap."""
    assert gc.get_freeze_count() >= len(serving.index)
    gc.unfreeze()  # as if the swap had not done it: the refresh must do it again
    bad_server.answer = Answer(body=small_zip)
    assert (await refresh_from(serving, bad_server.url)).ok
    assert gc.get_freeze_count() >= len(serving.index)
