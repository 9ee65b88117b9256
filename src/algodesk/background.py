"""Background tasks of the long-running services (loops started in `start()`)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any


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


__all__ = ["stop_tasks"]
