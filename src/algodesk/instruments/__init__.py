"""The master contract: SecurityMaster import, the in-memory SymbolIndex, search.

Public API for the rest of the platform:
- `InstrumentService` (service.py): the live index, its daily refresh and status;
- `SymbolIndex` (index.py): OpenAlgo <-> Breeze lookups, stream tokens, search, expiries;
- `Instrument` and `BreezeKey` (model.py): one instrument as both worlds name it.
"""

from .errors import MasterError
from .index import IndexInfo, SymbolIndex
from .model import BreezeKey, Instrument, breeze_key, parse_breeze_date, parse_stream_token
from .refresh import Progress, RefreshOutcome, refresh_master
from .service import InstrumentService, InstrumentStatus

__all__ = [
    "BreezeKey",
    "IndexInfo",
    "Instrument",
    "InstrumentService",
    "InstrumentStatus",
    "MasterError",
    "Progress",
    "RefreshOutcome",
    "SymbolIndex",
    "breeze_key",
    "parse_breeze_date",
    "parse_stream_token",
    "refresh_master",
]
