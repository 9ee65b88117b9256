"""Stream misbehaviour on demand: the failures live feeds are known for."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any


@dataclass
class StreamFaults:
    stalled: bool = False  # sockets stay connected (pings answered) but carry no data
    refuse_until: float = 0.0  # time.monotonic() before which connects are refused
    slow_ms: int = 0  # tick rounds at least this far apart; orders and candles this late

    def refusing_for(self) -> float:
        return max(0.0, self.refuse_until - time.monotonic())

    def update(self, changes: dict[str, Any]) -> None:
        known = {"drop", "stall", "refuse_seconds", "slow_ms"}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown stream fault {sorted(unknown)[0]!r}; "
                             f"known: {', '.join(sorted(known))}")
        if "stall" in changes:
            self.stalled = bool(changes["stall"])
        if "refuse_seconds" in changes:
            seconds = float(changes["refuse_seconds"])
            if seconds < 0:
                raise ValueError("refuse_seconds must be >= 0")
            # Wall-clock seconds on purpose: moving the simulated clock must not end it.
            self.refuse_until = time.monotonic() + seconds
        if "slow_ms" in changes:
            slow = int(changes["slow_ms"])
            if slow < 0:
                raise ValueError("slow_ms must be >= 0")
            self.slow_ms = slow

    def as_dict(self) -> dict[str, Any]:
        return {"stalled": self.stalled,
                "refusing_for_seconds": round(self.refusing_for(), 3),
                "slow_ms": self.slow_ms}
