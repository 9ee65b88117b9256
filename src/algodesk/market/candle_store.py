"""The local candle store: the broker's candles kept so a range is fetched only once.

Candles are stored in blocks, one row per instrument, native interval and block (an IST
day for intraday candles, a calendar month for daily ones), holding the block's columns
as zlib-compressed int64 arrays. Why not a row per candle: two years of one-minute bars
are 190,000 rows, which SQLite needs about a second to write or read back (the same
lesson as the instrument store); 500 blocks take a few milliseconds.

`final_until` says how much of a block is known for good: every candle of the block
opening before it has been fetched and has closed. A request is served from the store
when the part of each block it needs lies before that mark; today's block stays open
and is read again from the broker.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from ..storage import Base, Database
from .candles import Candles

IST_OFFSET = 19_800
DAY = 86_400


class CandleSeries(Base):
    """One instrument at one base interval (`intervals.Native`: 1second ... 1day)."""

    __tablename__ = "market_candle_series"
    __table_args__ = (UniqueConstraint("exchange", "symbol", "interval"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exchange: Mapped[str] = mapped_column(String(12))
    symbol: Mapped[str] = mapped_column(String(64))
    interval: Mapped[str] = mapped_column(String(12))  # 1second, 1minute, ..., 1day


class CandleBlock(Base):
    """The candles of one series in one block (IST day, or month for daily candles)."""

    __tablename__ = "market_candle_blocks"

    series_id: Mapped[int] = mapped_column(
        ForeignKey("market_candle_series.id", ondelete="CASCADE"), primary_key=True)
    block: Mapped[int] = mapped_column(Integer, primary_key=True)
    final_until: Mapped[int] = mapped_column(Integer)  # epoch second, exclusive
    count: Mapped[int] = mapped_column(Integer)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


# -- blocks ---------------------------------------------------------------------------


def block_of(ts: int, daily: bool) -> int:
    """The block holding a candle that opens at `ts`."""
    day = (ts + IST_OFFSET) // DAY
    if not daily:
        return day
    month = np.datetime64(day, "D").astype("datetime64[M]").astype(np.int64)
    return int(month)


def block_bounds(block: int, daily: bool) -> tuple[int, int]:
    """[start, end) epoch seconds of a block."""
    if not daily:
        start = block * DAY - IST_OFFSET
        return start, start + DAY
    first = np.datetime64(block, "M").astype("datetime64[D]").astype(np.int64)
    after = np.datetime64(block + 1, "M").astype("datetime64[D]").astype(np.int64)
    return int(first) * DAY - IST_OFFSET, int(after) * DAY - IST_OFFSET


def blocks_between(first: int, last: int, daily: bool) -> list[int]:
    return list(range(block_of(first, daily), block_of(last, daily) + 1))


# -- payload --------------------------------------------------------------------------


def encode(candles: Candles) -> bytes:
    return zlib.compress(candles.matrix().astype("<i8").tobytes(), 1)


def decode(payload: bytes, count: int) -> Candles:
    matrix = np.frombuffer(zlib.decompress(payload), dtype="<i8").reshape(7, count)
    return Candles.from_matrix(matrix.astype(np.int64))


@dataclass(frozen=True, slots=True)
class StoredBlock:
    final_until: int
    candles: Candles


class CandleStore:
    """Reads and writes blocks. Calls are synchronous and short; the history service
    runs the bulky ones in a worker thread."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._series: dict[tuple[str, str, str], int] = {}

    def ensure_tables(self) -> None:
        """The schema is the migrations' (a no-op once the runtime has migrated)."""
        self.database.migrate()

    def series_id(self, exchange: str, symbol: str, interval: str, *,
                  create: bool) -> int | None:
        key = (exchange, symbol, interval)
        known = self._series.get(key)
        if known is not None:
            return known
        with self.database.session() as s:
            row = s.scalars(select(CandleSeries).where(
                CandleSeries.exchange == exchange, CandleSeries.symbol == symbol,
                CandleSeries.interval == interval)).first()
            if row is None:
                if not create:
                    return None
                row = CandleSeries(exchange=exchange, symbol=symbol, interval=interval)
                s.add(row)
                s.flush()
            self._series[key] = row.id
            return row.id

    def load(self, series_id: int, blocks: Iterable[int]) -> dict[int, StoredBlock]:
        wanted = sorted(set(blocks))
        if not wanted:
            return {}
        with self.database.session() as s:
            rows = s.execute(select(CandleBlock.block, CandleBlock.final_until,
                                    CandleBlock.count, CandleBlock.payload).where(
                CandleBlock.series_id == series_id, CandleBlock.block >= wanted[0],
                CandleBlock.block <= wanted[-1])).all()
        keep = set(wanted)
        return {block: StoredBlock(final, decode(payload, count))
                for block, final, count, payload in rows if block in keep}

    def save(self, series_id: int, blocks: dict[int, StoredBlock]) -> None:
        if not blocks:
            return
        with self.database.session() as s:
            for block, stored in blocks.items():
                s.merge(CandleBlock(series_id=series_id, block=block,
                                    final_until=stored.final_until,
                                    count=len(stored.candles), payload=encode(stored.candles)))


__all__ = [
    "CandleBlock",
    "CandleSeries",
    "CandleStore",
    "StoredBlock",
    "block_bounds",
    "block_of",
    "blocks_between",
    "decode",
    "encode",
]
