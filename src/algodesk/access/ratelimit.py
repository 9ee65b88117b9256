"""Failure counting per client address: wrong passwords, invalid API keys.

Only failures count, inside a sliding window; an address that reaches the limit is
refused until its oldest failure leaves the window. In memory: a restart forgives, which
is acceptable for a single-user platform that listens on loopback by default.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_TRACKED = 10_000


class FailureLimiter:
    def __init__(self, max_failures: int, window_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float] | None:
        failures = self._failures.get(key)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return None
        return failures

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again; 0 when it may now."""
        now = self._clock()
        with self._lock:
            failures = self._recent(key, now)
            if failures is None or len(failures) < self.max_failures:
                return 0.0
            return max(0.0, failures[0] + self.window - now)

    def failed(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) >= MAX_TRACKED:
                # Under a flood of addresses forget the stalest, never grow without bound.
                for stale in list(self._failures)[: MAX_TRACKED // 10]:
                    del self._failures[stale]
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


__all__ = ["FailureLimiter"]
