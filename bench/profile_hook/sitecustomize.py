"""`bench_feed.py --profile FILE`: the platform process profiles itself (cProfile, the
main thread: the event loop) from start to exit and writes FILE's pstats when it ends.
Python imports `sitecustomize` at start-up from this folder, put on the platform's
PYTHONPATH by the bench only."""

from __future__ import annotations

import atexit
import cProfile
import os
import time

_OUT = os.environ.get("ALGODESK_PROFILE_OUT")
if _OUT:
    _profile = cProfile.Profile(time.thread_time)  # CPU of the event loop's thread
    _profile.enable()

    @atexit.register
    def _dump() -> None:
        _profile.disable()
        _profile.dump_stats(_OUT)
