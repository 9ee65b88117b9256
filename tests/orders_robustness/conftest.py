"""Stacks (platform + counting simulator) for the order robustness tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.orders_robustness.stack import Stack


@pytest.fixture
def stack_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Stack]]:
    """Open a fresh stack (closed after the test); options as `Stack.open`."""
    opened: list[Stack] = []

    def open_stack(**options: Any) -> Stack:
        stack = Stack.open(tmp_path_factory.mktemp("stack"), **options)
        opened.append(stack)
        return stack

    try:
        yield open_stack
    finally:
        for stack in opened:
            stack.close()
