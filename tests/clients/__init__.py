"""The `openalgo` clients the suite drives: 1.0.47 imported here (the project's venv,
Python 3.11) and 2.0.5 in a venv of its own (Python >= 3.12) through a proxy.

Tests build clients with `api(...)` (what `desk.client` does), which is the client of
the test's parameter `openalgo_client` (plugin.py): every test that uses one runs once
with each, the ids saying which (`[openalgo-1.0.47]`, `[openalgo-2.0.5]`). Set-up shared
by both runs (a module's or session's fixture) gets 1.0.47; a test that uses a client
without having been parametrized gets an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

OPENALGO_1 = "openalgo-1.0.47"
OPENALGO_2 = "openalgo-2.0.5"
CLIENTS = (OPENALGO_1, OPENALGO_2)


def shared_setup_api(**kwargs: Any) -> Any:
    """The client outside any test: for fixtures whose set-up both runs share."""
    import openalgo

    return openalgo.api(**kwargs)


_current: Callable[..., Any] | None = shared_setup_api


def api(**kwargs: Any) -> Any:
    """`openalgo.api(**kwargs)` of the client this test runs with."""
    if _current is None:
        raise RuntimeError(
            "this test uses an openalgo client but was not parametrized over the clients: "
            "tests/clients/plugin.py did not see it reach `.client` or `tests.clients.api` "
            "(request the `openalgo_client` fixture by name)")
    return _current(**kwargs)


def use(factory: Callable[..., Any] | None) -> None:
    """The client `api` builds from now on (None: refuse)."""
    global _current
    _current = factory
