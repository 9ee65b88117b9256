"""Background tasks of the long-running services (loops started in `start()`)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

#: The longest single sleep of `sleep_until`.
SLICE_SECONDS = 30.0


async def stop_tasks(*tasks: asyncio.Task[Any] | None) -> None:
    """Cancel the tasks still running and wait until each has ended. A task that has
    already finished is left as it is (its result or error was dealt with by whoever
    awaited it)."""
    running = [task for task in tasks if task is not None and not task.done()]
    for task in running:
        task.cancel()
    for task in running:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def sleep_until(target: dt.datetime, clock: Callable[[], dt.datetime]) -> None:
    """Return once `clock()` has reached `target`. Short slices: after a laptop sleeps,
    a daily job wakes late but still runs."""
    while (remaining := (target - clock()).total_seconds()) > 0:  # noqa: ASYNC110
        await asyncio.sleep(min(remaining, SLICE_SECONDS))


__all__ = ["sleep_until", "stop_tasks"]
