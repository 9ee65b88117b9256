"""With no master yet: lookups say why (loading / failed, next try) and a failed download
is retried within seconds, the wait growing to a cap — never a quarter hour."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from algodesk.config import Settings
from algodesk.instruments import InstrumentService
from algodesk.instruments.errors import MasterContractUnavailable
from algodesk.storage import Database
from algodesk.web.master_view import master_view

from .conftest import Answer, BadServer


def test_the_retry_wait_doubles_up_to_the_cap(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(contracts_retry_seconds=5, contracts_retry_max_seconds=240)
    service = InstrumentService(settings, Database(settings.database_url))
    waits = [service.retry_delay(n) for n in range(1, 10)]
    assert waits == [5, 10, 20, 40, 80, 160, 240, 240, 240]
    assert service.retry_delay(10_000) == 240  # no overflow after a very long outage


async def test_a_failed_start_up_download_is_retried_promptly(
        bad_server: BadServer, small_zip: bytes, make_settings: Callable[..., Settings]
) -> None:
    bad_server.answer = Answer(status=503, body=b"maintenance")
    settings = make_settings(security_master_url=bad_server.url, contracts_auto_refresh=True,
                             contracts_retry_seconds=0.5, contracts_retry_max_seconds=1)
    database = Database(settings.database_url)
    service = InstrumentService(settings, database)
    with pytest.raises(MasterContractUnavailable) as loading:
        service.index.get("SBIN", "NSE")  # before start(): on its way
    assert "loading" in loading.value.message
    await service.start()
    try:
        outcome = await service.wait_idle()
        assert outcome is not None and not outcome.ok
        assert outcome.message.endswith("(no master contract yet)")
        status = service.status()
        assert status.state == "failed" and status.failures >= 1
        assert status.next_try_at is not None
        with pytest.raises(MasterContractUnavailable) as failed:
            service.index.search("SBIN")
        message = failed.value.message
        assert message.startswith("No master contract yet") and "HTTP 503" in message
        assert "The next try is at" in message and failed.value.retry_after == 1
        # Breeze-side lookups (the books' rows) just find nothing meanwhile.
        assert service.index.by_breeze("STABAN", "NSE", "cash") is None

        bad_server.answer = Answer(body=small_zip)
        deadline = time.monotonic() + 20
        while not len(service.index):
            assert time.monotonic() < deadline, service.status().as_dict()
            await asyncio.sleep(0.1)
        assert service.index.get("SBIN", "NSE") is not None
        status = service.status()
        assert status.state == "ready" and status.failures == 0 and status.next_try_at is None
        assert status.last_result is not None and status.last_result["trigger"] == "retry"
    finally:
        await service.stop()
        database.dispose()


async def test_a_failed_refresh_of_a_stale_master_keeps_it_and_says_when_next(
        bad_server: BadServer, small_zip: bytes, make_settings: Callable[..., Settings]
) -> None:
    """The daily refresh fails: the old master serves on, the pages say why and when the
    next try is, and that try comes seconds later."""
    settings = make_settings(security_master_url=bad_server.url,
                             contracts_retry_seconds=60, contracts_retry_max_seconds=120)
    database = Database(settings.database_url)
    # The master is stored with the wall clock's time; a week later it is stale whatever
    # the day (a week holds five weekday refresh times).
    now = [datetime.now(UTC)]
    service = InstrumentService(settings, database, clock=lambda: now[0])
    try:
        bad_server.answer = Answer(body=small_zip)
        assert (await service.refresh()).ok
        now[0] += timedelta(days=7)
        service.settings = settings.model_copy(update={"contracts_auto_refresh": True})
        bad_server.answer = Answer(status=500, body=b"down")
        failed = await service.refresh(manual=False)
        assert not failed.ok and failed.message.endswith(
            "(the previous master stays in service)")
        status = service.status()
        assert status.state == "ready" and status.stale
        assert status.next_try_at == now[0] + timedelta(seconds=60)
        view = master_view(service)
        assert view.instrument_count == len(service.index) > 0
        assert "the last refresh failed at download" in view.problem and "HTTP 500" in view.problem
        assert view.next_try_at == status.next_try_at
        failed_again = await service.refresh(manual=False)
        assert not failed_again.ok
        assert service.status().next_try_at == now[0] + timedelta(seconds=120)  # doubled
    finally:
        await service.stop()
        database.dispose()
