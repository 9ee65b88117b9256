"""The simulator's clock: wall time plus an offset the admin endpoint can move."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

IST = timezone(timedelta(hours=5, minutes=30), "IST")


class Clock:
    """Epoch seconds as the simulated exchange sees them."""

    def __init__(self, offset_seconds: float = 0.0) -> None:
        self.offset_seconds = offset_seconds

    def now(self) -> float:
        return time.time() + self.offset_seconds

    def now_ist(self) -> datetime:
        return datetime.fromtimestamp(self.now(), IST)
