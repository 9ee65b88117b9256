"""Markets shared by the market tests: built once per session, on a fixed day."""

from __future__ import annotations

from datetime import date

import pytest

from algodesk.simulator.market import Market

# A Tuesday: NIFTY's weekly (and, here, not monthly) expiry day.
TODAY = date(2026, 11, 24)


@pytest.fixture(scope="session")
def market() -> Market:
    return Market(seed=7, size="small", hours="always", today=TODAY)


@pytest.fixture(scope="session")
def exchange_market() -> Market:
    return Market(seed=7, size="small", hours="exchange", today=TODAY)


@pytest.fixture(scope="session")
def full_market() -> Market:
    return Market(seed=7, size="full", today=TODAY)
