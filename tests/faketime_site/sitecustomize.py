"""Loaded by every Python process that `tests/run_at.py` starts (it is put first on
PYTHONPATH there): a `time.sleep` that works under libfaketime.

libfaketime 0.9.10 (Debian's) mistranslates a sleep on the monotonic clock until an
absolute deadline when the monotonic clock is left real (FAKETIME_DONT_FAKE_MONOTONIC=1):
it shifts the deadline by the fake offset, so `clock_nanosleep(CLOCK_MONOTONIC,
TIMER_ABSTIME)` — which is how CPython's `time.sleep` sleeps — fails with EINVAL (the
instant in the future) or sleeps for the offset (in the past). Timed waits on locks,
conditions and the event loops are translated correctly, so this sleep waits on an
event nobody sets.
"""

from __future__ import annotations

import os
import threading
import time

if os.environ.get("FAKETIME") and os.environ.get("FAKETIME_DONT_FAKE_MONOTONIC") == "1":
    _never_set = threading.Event()

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        _never_set.wait(seconds)

    time.sleep = _sleep
