"""Storing masters: column chunks round-trip, one transaction, versions, pruning."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from algodesk.instruments import SymbolIndex
from algodesk.instruments.codec import decode, encode
from algodesk.instruments.errors import MasterError
from algodesk.instruments.store import (
    active_master,
    ensure_tables,
    load_master,
    prune,
    save_master,
)
from algodesk.instruments.tables import InstrumentChunk, InstrumentMaster
from algodesk.storage import Database


def _save(database: Database, index: SymbolIndex) -> int:
    return save_master(database, list(index), source_url="http://x/SecurityMaster.zip",
                       archive_sha256="0" * 64, archive_bytes=1, summary={"counts": {}})


def test_codec_round_trip(small_index: SymbolIndex) -> None:
    instruments = list(small_index)
    chunks = list(encode(instruments, chunk_size=100))
    assert len(chunks) == -(-len(instruments) // 100)
    decoded = [inst for _count, payload in chunks for inst in decode(payload)]
    assert decoded == instruments
    # repeated values come back as one object each (memory)
    assert decoded[0].exchange is instruments[0].exchange
    with pytest.raises(ValueError, match="cannot be decoded"):
        decode(b"not zlib")


def test_codec_refuses_separator_characters(small_index: SymbolIndex) -> None:
    bad = next(iter(small_index))._replace(name="A\x1fB")
    with pytest.raises(ValueError, match="control character"):
        list(encode([bad]))


def test_save_load_and_versions(database: Database, small_index: SymbolIndex) -> None:
    ensure_tables(database)
    assert active_master(database) is None and load_master(database) is None
    first = _save(database, small_index)
    info, loaded = load_master(database)
    assert info.id == first and loaded == list(small_index)
    second = _save(database, small_index)
    assert active_master(database).id == second
    assert prune(database) == 1
    with database.session() as session:
        masters = session.scalar(select(func.count()).select_from(InstrumentMaster))
        chunk_owners = set(session.scalars(select(InstrumentChunk.master_id)))
    assert masters == 1 and chunk_owners == {second}


def test_a_failed_save_changes_nothing(database: Database, small_index: SymbolIndex) -> None:
    ensure_tables(database)
    kept = _save(database, small_index)
    broken = [*list(small_index), next(iter(small_index))._replace(name="bad\x1e")]
    with pytest.raises(MasterError) as caught:
        save_master(database, broken, source_url="x", archive_sha256="1" * 64,
                    archive_bytes=1, summary={})
    assert caught.value.stage == "store"
    assert active_master(database).id == kept
    info, loaded = load_master(database)
    assert info.id == kept and len(loaded) == len(small_index)
    assert prune(database) == 0  # the failed version never existed


def test_index_refuses_duplicates(small_index: SymbolIndex) -> None:
    instruments = list(small_index)
    with pytest.raises(ValueError, match="not unique"):
        SymbolIndex([*instruments, instruments[0]._replace(token="999999")])
