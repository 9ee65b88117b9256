"""Analyzer mode's MIS square-off, clock pinned: each exchange at its own IST time, the
paper order stack cancelling working MIS orders and closing MIS positions of those
exchanges only; new MIS entries refused after the time, closing orders still taken."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from algodesk.domain.instruments import InstrumentType
from algodesk.domain.stream import Tick
from algodesk.sandbox.broker import PaperBroker
from algodesk.sandbox.store import PaperStore
from algodesk.storage import Database
from algodesk.trading.journal import OrderJournal
from algodesk.trading.orders import OrderRequest
from algodesk.trading.ports import OrderError
from algodesk.trading.squareoff import parse_times
from algodesk.trading.trading import Trading

D = Decimal
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
TIMES = parse_times("NSE=15:15, NFO=15:15, MCX=23:30")


@dataclass(frozen=True)
class Inst:
    symbol: str
    exchange: str
    instrument_type: InstrumentType
    lot_size: int = 1
    freeze_qty: int = 0
    is_index: bool = False
    expiry: dt.date | None = None


LISTED = {("SBIN", "NSE"): InstrumentType.EQ, ("ITC", "NSE"): InstrumentType.EQ,
          ("CRUDEOIL18DEC26FUT", "MCX"): InstrumentType.FUT}


class Index:
    def get(self, symbol: str, exchange: str) -> Inst | None:
        kind = LISTED.get((symbol, exchange))
        return Inst(symbol, exchange, kind) if kind else None


class Clock:
    """IST time pinned at a start, then running with the monotonic clock."""

    def __init__(self, start: dt.datetime) -> None:
        self.start, self.began = start, time.monotonic()

    def __call__(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=time.monotonic() - self.began)


@dataclass
class Stack:
    paper: PaperBroker
    trading: Trading
    clock: Clock


def stack(tmp_path: Path, at: dt.datetime) -> Stack:
    database = Database(f"sqlite:///{tmp_path / 'paper.db'}")
    database.migrate()
    clock = Clock(at)
    paper = PaperBroker(PaperStore(database), contracts=Index, clock=clock,
                        capital=D("10000000"), squareoff_times=TIMES)
    journal = OrderJournal(database, clock=clock).for_venue("analyze", durable_intents=False)
    trading = Trading.build(database=database, broker=paper, instruments=Index,
                            mis_squareoff_time="15:15", journal=journal,
                            squareoff_times=TIMES)
    for square in (trading.squareoff, *trading.more_squareoffs):
        square.clock = clock
    for (symbol, exchange), last in {("SBIN", "NSE"): "800.00", ("ITC", "NSE"): "400.00",
                                     ("CRUDEOIL18DEC26FUT", "MCX"): "6000.00"}.items():
        paper.prices.watch((symbol, exchange))
        price = D(last)
        paper.on_tick(Tick(symbol, exchange, price, 1, 100, clock(), bid=price - D("0.05"),
                           bid_quantity=1000, ask=price + D("0.05"), ask_quantity=1000))
    return Stack(paper, trading, clock)


def order(**fields: Any) -> OrderRequest:
    return OrderRequest(**{"symbol": "SBIN", "exchange": "NSE", "action": "BUY",
                           "quantity": 10, "product": "MIS", "strategy": "paper", **fields})


async def test_each_exchange_is_squared_off_at_its_own_time(tmp_path: Path) -> None:
    desk = stack(tmp_path, dt.datetime(2026, 11, 24, 15, 14, 59, 500_000, tzinfo=IST))
    squareoffs = {square.at: square.exchanges for square in (desk.trading.squareoff,
                                                             *desk.trading.more_squareoffs)}
    assert squareoffs == {dt.time(15, 15): {"NSE", "NFO"}, dt.time(23, 30): {"MCX"}}
    orders = desk.trading.orders
    await orders.place(order())  # an open MIS long on NSE
    await orders.place(order(symbol="ITC", product="CNC"))  # delivery: not squared off
    working = await orders.place(order(pricetype="LIMIT", price=D("700.00"), quantity=1))
    await orders.place(order(symbol="CRUDEOIL18DEC26FUT", exchange="MCX", quantity=1,
                             product="MIS"))
    await desk.trading.start()
    try:
        deadline = time.monotonic() + 10
        while desk.trading.squareoff.last_report is None:  # fires at 15:15:00 IST
            assert time.monotonic() < deadline, "no square-off at 15:15"
            await asyncio.sleep(0.05)
    finally:
        await desk.trading.stop()
    report = desk.trading.squareoff.last_report
    assert report["cancelled"] == [working.orderid]
    assert [(c["symbol"], c["action"], c["quantity"]) for c in report["closed"]] == [
        ("SBIN", "SELL", 10)]
    nets = {(p.symbol, p.product.value): p.quantity for p in await desk.paper.positions()}
    assert nets == {("SBIN", "MIS"): 0, ("ITC", "CNC"): 10, ("CRUDEOIL18DEC26FUT", "MIS"): 1}
    assert desk.trading.more_squareoffs[0].last_report is None  # MCX waits for 23:30


async def test_new_mis_entries_are_refused_after_the_square_off(tmp_path: Path) -> None:
    desk = stack(tmp_path, dt.datetime(2026, 11, 24, 15, 10, tzinfo=IST))
    orders = desk.trading.orders
    await orders.place(order(quantity=5))
    desk.clock.start += dt.timedelta(minutes=10)  # 15:20 IST
    with pytest.raises(OrderError) as refused:
        await orders.place(order())
    assert refused.value.status == 400
    assert refused.value.message.startswith(
        "MIS orders on NSE are closed for the day: MIS positions are squared off at 15:15 IST")
    closing = await orders.place(order(action="SELL", quantity=5))  # closes: taken
    assert closing.orderid
    await orders.place(order(product="CNC"))  # delivery: taken
    await orders.place(order(symbol="CRUDEOIL18DEC26FUT", exchange="MCX", quantity=1))
    desk.clock.start += dt.timedelta(hours=12)  # 03:20 IST, the next session day
    await orders.place(order())
