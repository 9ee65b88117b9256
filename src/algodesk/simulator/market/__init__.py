"""The simulated market: instruments, prices, quotes, candles and SecurityMaster.zip.

Deterministic under a seed and random-access in time: any instrument's price at any
second is computed directly, never replayed. Where things live:

- catalogue.py (+ reference_data, synthetic, expiries): the instrument universe;
- master.py: the ScripMaster files (TickSize columns in paise, Instrument.tick rupees);
- prices.py, options.py, series.py: spot process, Black-Scholes, per-instrument recipes;
- store.py, aggregate.py: caches and OHLCV aggregation; book.py: depth and circuits;
- sessions.py: IST epoch arithmetic and the session plan; market.py: the facade.
"""

from .market import Market
from .types import Candle, DepthLevel, Instrument, Quote

__all__ = ["Candle", "DepthLevel", "Instrument", "Market", "Quote"]
