"""Misbehaviour on demand, so that the platform's failure handling can be tested.

Faults are drawn from their own seeded generator, so a test run is repeatable.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class Faults:
    latency_ms: int = 0  # added before every API answer
    error_rate: float = 0.0  # answer with a back-end outage error
    timeout_rate: float = 0.0  # do the work, then never answer (a lost response)
    malformed_rate: float = 0.0  # answer with broken JSON
    html_rate: float = 0.0  # answer with a maintenance HTML page
    reject_next_order: str | None = None  # refuse the next order action with this text
    expire_sessions: bool = False  # one-shot: kill every live session now

    def update(self, changes: dict[str, Any]) -> None:
        known = {f.name: f.type for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(sorted(known))}")
            if name.endswith("_rate"):
                value = float(value)
                if not 0.0 <= value <= 1.0:
                    raise ValueError(f"{name} must be between 0 and 1")
            elif name == "latency_ms":
                value = int(value)
                if value < 0:
                    raise ValueError("latency_ms must be >= 0")
            elif name == "expire_sessions":
                value = bool(value)
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultPlan:
    """Decides, request by request, which fault (if any) strikes."""

    OUTAGE = "Error while calling service, Please contact admin (T2:154)"

    def __init__(self, seed: int) -> None:
        self.faults = Faults()
        self._random = random.Random(seed ^ 0xFA17)

    def reset(self) -> None:
        self.faults = Faults()

    def strikes(self, rate: float) -> bool:
        return rate > 0 and self._random.random() < rate

    def take_order_rejection(self) -> str | None:
        message, self.faults.reject_next_order = self.faults.reject_next_order, None
        return message
