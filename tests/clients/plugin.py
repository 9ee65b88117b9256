"""Every test that uses an `openalgo` client runs with 1.0.47 and with 2.0.5.

A test is parametrized over the clients when its code reaches `tests.clients.api`, or
`.client` with a desk among its fixtures (DESK_FIXTURES) — directly, in a nested
function, or through the tests' own helper functions it calls — or when it requests
`openalgo_client` by name. The
parameter is function-scoped, so the two runs of a test sit side by side and share the
module's and session's platforms and simulators: only the calls double. A test that
builds a client without having been parametrized fails (tests.clients.api), so none
runs with one client only unnoticed. A module's or session's fixture (set-up both
runs share) builds its client between tests: 1.0.47.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Collection, Iterator
from typing import Any

import pytest

import tests.clients as clients
from tests.clients import venv
from tests.clients.remote import RemoteOpenalgo

OPENALGO_1_VERSION = "1.0.47"
OPENALGO_2_VERSION = "2.0.5"


# Fixtures whose value has a `client` property building `tests.clients.api(...)`: the
# desks of tests/market, tests/orders and tests/stream. (`.client` alone says little: a
# BrokerConnection has one too.)
DESK_FIXTURES = frozenset({"desk", "exchange_desk", "feed_desk"})
_API = "tests.clients.api"


def uses_openalgo(function: Any, fixtures: Collection[str]) -> bool:
    """Whether a test with these fixtures builds an openalgo client."""
    reached: set[str] = set()
    _reach(function.__code__, function.__globals__, reached, set())
    return _API in reached or ("client" in reached and not DESK_FIXTURES.isdisjoint(fixtures))


def _reach(code: types.CodeType, names: dict[str, Any], reached: set[str],
           seen: set[types.CodeType]) -> None:
    """The global and attribute names `code` uses, with nested code and the tests' own
    module-level functions it calls; `_API` for a use of tests.clients.api."""
    seen.add(code)
    for name in code.co_names:
        reached.add(name)
        target = names.get(name)
        if target is clients.api:
            reached.add(_API)
        elif (inspect.isfunction(target) and target.__module__.startswith("tests.")
                and target.__code__ not in seen):
            _reach(target.__code__, target.__globals__, reached, seen)
    for const in code.co_consts:
        if isinstance(const, types.CodeType) and const not in seen:
            _reach(const, names, reached, seen)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "openalgo_client" not in metafunc.fixturenames:
        return
    explicit = "openalgo_client" in inspect.signature(metafunc.function).parameters
    if explicit or uses_openalgo(metafunc.function, metafunc.fixturenames):
        metafunc.parametrize("openalgo_client", clients.CLIENTS, indirect=True)


@pytest.fixture(scope="session")
def openalgo2(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteOpenalgo]:
    """The 2.0.5 client's process (built on first use when `make test` has not)."""
    try:
        python = venv.ensure()
    except venv.NoPython312 as exc:
        pytest.fail(str(exc), pytrace=False)
    remote = RemoteOpenalgo(python, tmp_path_factory.mktemp("openalgo2") / "proxy.log")
    try:
        about = remote.about()
        assert about["openalgo"] == OPENALGO_2_VERSION, about
        assert tuple(about["python"]) >= venv.MINIMUM, about
        yield remote
    finally:
        remote.close()


def openalgo1_api() -> Callable[..., Any]:
    """`openalgo.api` of this venv, which must be the version the test ids name."""
    import openalgo

    assert openalgo.__version__ == OPENALGO_1_VERSION, openalgo.__version__
    return openalgo.api


@pytest.fixture
def both_openalgo_clients(openalgo2: RemoteOpenalgo) -> dict[str, Callable[..., Any]]:
    """`api` of each client, for a test that drives both at once (not parametrized)."""
    return {clients.OPENALGO_1: openalgo1_api(), clients.OPENALGO_2: openalgo2.api}


@pytest.fixture(autouse=True)
def openalgo_client(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The client this test runs with (None: it uses none); tests.clients.api builds it."""
    kind = getattr(request, "param", None)
    if kind == clients.OPENALGO_1:
        clients.use(openalgo1_api())
    elif kind == clients.OPENALGO_2:
        clients.use(request.getfixturevalue("openalgo2").api)
    else:
        clients.use(None)
    try:
        yield kind
    finally:
        clients.use(clients.shared_setup_api)
