"""Optional SecurityMaster members (FOBSE, CDNSE, MCX) that arrive empty or header-only.

ICICI ships such files on real days. A required member (NSE, BSE, FONSE) that is
unusable still fails the import naming the file; an optional one is skipped with a
warning, and the previous master's rows for its exchange are kept (minus expired ones).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from algodesk.cli import main
from algodesk.config import Settings, get_settings
from algodesk.instruments import InstrumentService, MasterError
from algodesk.instruments.refresh import import_archive
from algodesk.instruments.schedule import IST
from algodesk.storage import Database

from .conftest import TODAY, Answer, BadServer, members_of, zip_of


def header_only(text: bytes) -> bytes:
    return text.split(b"\r\n", 1)[0] + b"\r\n"


def broken_rows(text: bytes) -> bytes:
    """The header, then rows that all have too few cells: none is usable."""
    lines = text.split(b"\r\n")
    return b"\r\n".join([lines[0], *(b'"1","x"' for _ in range(20))])


UNUSABLE = {"empty": lambda text: b"", "header-only": header_only,
            "only malformed rows": broken_rows}


def archive_with(small_zip: bytes, **changes: Callable[[bytes], bytes]) -> bytes:
    members = members_of(small_zip)
    for name, change in changes.items():
        members[name] = change(members[name])
    return zip_of(members)


@pytest.mark.parametrize(("member", "kind", "words"), [
    ("NSEScripMaster.txt", "empty", "NSEScripMaster.txt is empty"),
    ("BSEScripMaster.txt", "header-only",
     "BSEScripMaster.txt has no usable rows (a header and no data lines)"),
    ("FONSEScripMaster.txt", "header-only", "FONSEScripMaster.txt has no usable rows"),
    ("FONSEScripMaster.txt", "only malformed rows", "FONSEScripMaster.txt"),
])
def test_an_unusable_required_member_fails_the_import_naming_it(
        small_zip: bytes, member: str, kind: str, words: str) -> None:
    data = archive_with(small_zip, **{member: UNUSABLE[kind]})
    with pytest.raises(MasterError) as failed:
        import_archive(data, 0.001)
    assert failed.value.stage in ("member", "rows")
    assert words in failed.value.message


@pytest.mark.parametrize(("member", "exchange"), [
    ("MCXScripMaster.txt", "MCX"), ("CDNSEScripMaster.txt", "CDS"),
    ("FOBSEScripMaster.txt", "BFO")])
@pytest.mark.parametrize("kind", sorted(UNUSABLE))
def test_an_unusable_optional_member_is_skipped_with_a_warning(
        small_zip: bytes, member: str, exchange: str, kind: str) -> None:
    whole, _ = import_archive(small_zip, 0.001)
    instruments, summary = import_archive(archive_with(small_zip, **{member: UNUSABLE[kind]}),
                                          0.001)
    assert exchange not in summary["counts"]
    assert {str(i.exchange) for i in instruments} == (
        {str(i.exchange) for i in whole} - {exchange})
    assert list(summary["skipped"]) == [member]
    assert member in summary["skipped"][member]["reason"]
    assert any(w.startswith(member) and w.endswith("skipped") for w in summary["warnings"])


@pytest.fixture
async def service(bad_server: BadServer, make_settings: Callable[..., Settings]
                  ) -> AsyncIterator[InstrumentService]:
    """A service reading from BadServer, its clock pinned to TODAY 09:00 IST (the day
    the test archives were generated for)."""
    settings = make_settings(security_master_url=bad_server.url)
    database = Database(settings.database_url)
    pinned = datetime.combine(TODAY, time(9, 0), IST).astimezone(UTC)
    started = InstrumentService(settings, database, clock=lambda: pinned)
    try:
        yield started
    finally:
        await started.stop()
        database.dispose()


async def test_a_skipped_member_keeps_the_previous_masters_rows(
        service: InstrumentService, bad_server: BadServer, small_zip: bytes) -> None:
    bad_server.answer = Answer(body=small_zip)
    first = await service.refresh()
    assert first.ok
    before = service.index
    mcx_before = before.instruments("MCX")
    cds_before = before.instruments("CDS")
    assert mcx_before and cds_before

    bad_server.answer = Answer(body=archive_with(
        small_zip, **{"MCXScripMaster.txt": header_only, "CDNSEScripMaster.txt": lambda t: b""}))
    second = await service.refresh()
    assert second.ok, second.message
    after = service.index
    assert after.instruments("MCX") == mcx_before  # every contract still live today
    assert after.instruments("CDS") == cds_before
    assert after.instruments("NFO") == before.instruments("NFO")  # read afresh, the same
    skipped = second.summary["skipped"]
    assert skipped["MCXScripMaster.txt"]["kept"] == len(mcx_before)
    assert skipped["MCXScripMaster.txt"]["from_master"] == first.master_id
    assert skipped["CDNSEScripMaster.txt"]["exchange"] == "NDX"
    assert "is empty" in skipped["CDNSEScripMaster.txt"]["reason"]
    warnings = second.summary["warnings"]
    assert any(w.startswith("MCXScripMaster.txt has no usable rows")
               and f"kept {len(mcx_before):,} MCX instrument(s) from master "
                   f"{first.master_id}" in w for w in warnings), warnings
    assert second.summary["counts"]["MCX"] == len(mcx_before)
    assert service.status().as_dict()["warnings"] == warnings

    # The kept rows are stored with the new master: a restart serves them too.
    restarted = InstrumentService(service.settings, service.database)
    await restarted.start()
    try:
        assert restarted.index.instruments("MCX") == mcx_before
    finally:
        await restarted.stop()


async def test_contracts_that_expired_since_are_not_kept(
        bad_server: BadServer, make_settings: Callable[..., Settings], small_zip: bytes
) -> None:
    settings = make_settings(security_master_url=bad_server.url)
    database = Database(settings.database_url)
    now = [datetime.combine(TODAY, time(9, 0), IST).astimezone(UTC)]
    service = InstrumentService(settings, database, clock=lambda: now[0])
    try:
        bad_server.answer = Answer(body=small_zip)
        assert (await service.refresh()).ok
        mcx_before = service.index.instruments("MCX")
        expiries = sorted({i.expiry for i in mcx_before if i.expiry})
        assert len(expiries) >= 2
        now[0] = datetime.combine(expiries[0] + timedelta(days=1), time(9, 0), IST)
        bad_server.answer = Answer(body=archive_with(
            small_zip, **{"MCXScripMaster.txt": header_only}))
        outcome = await service.refresh()
        assert outcome.ok
        kept = service.index.instruments("MCX")
        live = [i for i in mcx_before if i.expiry is None or i.expiry > expiries[0]]
        assert kept == live and len(kept) < len(mcx_before)
        report = outcome.summary["skipped"]["MCXScripMaster.txt"]
        assert (report["kept"], report["expired"]) == (len(live), len(mcx_before) - len(live))
        assert any("expired since" in w for w in outcome.summary["warnings"])
    finally:
        await service.stop()
        database.dispose()


async def test_with_no_previous_master_the_skipped_exchange_is_empty(
        service: InstrumentService, bad_server: BadServer, small_zip: bytes) -> None:
    bad_server.answer = Answer(body=archive_with(
        small_zip, **{"FOBSEScripMaster.txt": header_only}))
    outcome = await service.refresh()
    assert outcome.ok
    assert "BFO" not in service.index.counts() and service.index.get("SBIN", "NSE")
    assert outcome.summary["skipped"]["FOBSEScripMaster.txt"]["kept"] == 0
    assert any("no earlier BFO instruments to keep" in w
               for w in outcome.summary["warnings"])


def test_contracts_status_shows_the_skipped_member(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad_server: BadServer,
        small_zip: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("SECURITY_MASTER_URL", bad_server.url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    try:
        bad_server.answer = Answer(body=archive_with(
            small_zip, **{"MCXScripMaster.txt": header_only}))
        assert main(["contracts", "update"]) == 0
        assert "MCXScripMaster.txt has no usable rows" in capsys.readouterr().out
        assert main(["contracts", "status"]) == 0
        out = capsys.readouterr().out
        assert "warning" in out and "MCXScripMaster.txt has no usable rows" in out
        assert "no earlier MCX instruments to keep" in out
    finally:
        get_settings.cache_clear()
