"""Every table of the platform: importing this module imports every model module, so
`Base.metadata` holds the whole schema.

The migrations themselves never read the models (each revision spells its tables out);
this is what a new revision is compared against (`algodesk db revision`) and what the
schema test holds the migrated database to. A new model module belongs in this list.
"""

from __future__ import annotations

from sqlalchemy import MetaData

from .access import models as _access  # noqa: F401  (access_* tables)
from .instruments import tables as _instruments  # noqa: F401  (instrument_* tables)
from .market import candle_store as _candles  # noqa: F401  (market_candle_* tables)
from .sandbox import store as _paper  # noqa: F401  (sandbox_* tables: the paper account)
from .storage import Base
from .trading import analyzer as _analyzer  # noqa: F401  (analyzer_mode)
from .trading import journal as _journal  # noqa: F401  (order_journal)


def platform_metadata() -> MetaData:
    return Base.metadata


__all__ = ["platform_metadata"]
