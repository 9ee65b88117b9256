"""A client's outbox: replies first, then order updates (every one, in order), then
market data (the latest frame per subscription); too many waiting order updates is an
overflow, as too many replies is."""

from __future__ import annotations

import pytest

from algodesk.stream.outbox import MAX_EVENTS, Outbox, Overflow


async def drain(outbox: Outbox) -> list[str]:
    return [await outbox.next() for _ in range(len(outbox))]


async def test_order_updates_are_never_conflated_and_go_before_market_data() -> None:
    outbox = Outbox()
    outbox.frame(("SBIN", "NSE", 1), "tick 1")
    outbox.event("order 7 open")
    outbox.frame(("SBIN", "NSE", 1), "tick 2")  # replaces tick 1
    outbox.event("order 7 complete")  # does not replace "open"
    outbox.reply("subscribed")
    assert await drain(outbox) == ["subscribed", "order 7 open", "order 7 complete", "tick 2"]
    assert outbox.conflated == 1


async def test_too_many_waiting_order_updates_overflow() -> None:
    outbox = Outbox()
    for n in range(MAX_EVENTS):
        outbox.event(f"update {n}")
    with pytest.raises(Overflow, match=f"{MAX_EVENTS} order updates waiting"):
        outbox.event("one more")
    assert await outbox.next() == "update 0"
    outbox.event("room again")
    assert len(outbox) == MAX_EVENTS
