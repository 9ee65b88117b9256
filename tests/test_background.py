"""`stop_tasks`: what every service's `stop()` uses for its background loops."""

from __future__ import annotations

import asyncio

from algodesk.background import stop_tasks


def test_running_tasks_are_cancelled_and_awaited_finished_ones_left_alone() -> None:
    async def scenario() -> None:
        ended: list[str] = []

        async def forever(name: str) -> None:
            try:
                await asyncio.sleep(3600)
            finally:
                ended.append(name)

        async def failed() -> None:
            raise ValueError("dealt with by its owner")

        loops = [asyncio.create_task(forever(n)) for n in ("a", "b")]
        broken = asyncio.create_task(failed())
        await asyncio.sleep(0)
        assert broken.done()
        await stop_tasks(*loops, None, broken)  # the finished task's error is not raised
        assert sorted(ended) == ["a", "b"]
        assert all(task.cancelled() for task in loops)
        assert isinstance(broken.exception(), ValueError)

    asyncio.run(scenario())
