"""A round of ticks is spread over its period in slices; a wake-up that comes late
(other work held the simulator's loop) sends every slice due by then, so the round
keeps its rate instead of trickling out one slice a wake-up and bursting afterwards."""

from __future__ import annotations

from algodesk.simulator.streams.hub import slices_due

PERIOD = 0.5  # 2 rounds a second
SLICES = 250  # 2 ms apart


def test_an_on_time_wake_up_sends_the_next_slice() -> None:
    assert slices_due(0.0, PERIOD, SLICES, 0) == 1
    assert slices_due(0.010, PERIOD, SLICES, 5) == 6  # slice 5 is due at 10 ms


def test_a_late_wake_up_sends_every_slice_due() -> None:
    # 5 ms late at slice 5 (a 5 ms slice of other work): slices 5, 6 and 7 are due.
    assert slices_due(0.015, PERIOD, SLICES, 5) == 8
    # Behind by most of the round: the rest of what is due, not one slice.
    assert slices_due(0.4, PERIOD, SLICES, 10) == 201


def test_never_more_than_the_round_nor_less_than_one_slice() -> None:
    assert slices_due(3 * PERIOD, PERIOD, SLICES, 100) == SLICES
    assert slices_due(0.0, PERIOD, SLICES, 40) == 41  # woken early: still one slice
    assert slices_due(0.0, PERIOD, 1, 0) == 1
