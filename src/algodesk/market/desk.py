"""The market-data side of one running platform, built once and shared by every request.

Its broker reads share the order side's `SharedReads` (quotes read for a MARKET order
serve a quote request in the same second, and the reverse) and Breeze's one call
budget; option orders go through the order service, so they are journaled, paced and
reconciled like every other order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..brokers.icici.budget import CallBudget, SharedReads
from ..storage import Database
from .calendar import FILE_NAME, MarketCalendar
from .candle_store import CandleStore
from .history import HistoryService
from .market_data import BrokerPort, BrokerReads, MarketData, SymbolLookup
from .options import OptionsService, OrderPlacer, SplitPlacer


@dataclass
class MarketDesk:
    data: MarketData
    history: HistoryService
    options: OptionsService
    calendar: MarketCalendar
    store: CandleStore

    @classmethod
    def build(cls, *, database: Database, broker: BrokerPort, budget: CallBudget,
              reads: SharedReads, instruments: Callable[[], SymbolLookup], data_dir: Path,
              orders: OrderPlacer | None = None, splitter: SplitPlacer | None = None,
              interest_rate_percent: float = 0.0) -> MarketDesk:
        broker_reads = BrokerReads(broker, budget, reads)
        data = MarketData(instruments, broker_reads)
        calendar = MarketCalendar(data_dir / FILE_NAME)
        store = CandleStore(database)
        store.ensure_tables()
        history = HistoryService(instruments, broker_reads, store, calendar)
        options = OptionsService(data, broker_reads, orders=orders, splitter=splitter,
                                 default_rate_percent=interest_rate_percent)
        return cls(data, history, options, calendar, store)


__all__ = ["MarketDesk"]
