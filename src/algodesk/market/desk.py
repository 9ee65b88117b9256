"""The market-data side of one running platform, built once and shared by every request.

It reads through the same `Broker` the order side uses, so the adapter's read cache and
call budget are one for both (with ICICI, the quote a MARKET order was priced from
serves a quote request in the same second, and the reverse); option orders go through
the order service, so they are journaled, paced and reconciled like every other order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..brokers.base import Broker
from ..storage import Database
from .calendar import FILE_NAME, MarketCalendar
from .candle_store import CandleStore
from .history import HistoryService
from .market_data import MarketData, SymbolLookup
from .options import OptionsService, OrderPlacer, SplitPlacer


@dataclass
class MarketDesk:
    data: MarketData
    history: HistoryService
    options: OptionsService
    calendar: MarketCalendar
    store: CandleStore

    @classmethod
    def build(cls, *, database: Database, broker: Broker,
              instruments: Callable[[], SymbolLookup], data_dir: Path,
              orders: OrderPlacer | None = None, splitter: SplitPlacer | None = None,
              interest_rate_percent: float = 0.0) -> MarketDesk:
        data = MarketData(instruments, broker)
        calendar = MarketCalendar(data_dir / FILE_NAME)
        store = CandleStore(database)
        store.ensure_tables()
        history = HistoryService(instruments, broker, store, calendar)
        options = OptionsService(data, orders=orders, splitter=splitter,
                                 default_rate_percent=interest_rate_percent)
        return cls(data, history, options, calendar, store)


__all__ = ["MarketDesk"]
