"""One real platform process connected to one real (counting) simulator process.

Every robustness test gets a stack of its own, so journal tags (`ad1`, `ad2`, …) and the
simulator's order book, call budget and faults never mix between tests. The checks
read the far side directly — the simulator's order list through our `BreezeClient` on
a session of its own, the journal straight from the platform's SQLite file — so the
platform is never the witness of its own correctness.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_UP, Decimal
from pathlib import Path
from typing import Any

import httpx

from algodesk.brokers.icici import BreezeClient, SessionExpired
from algodesk.brokers.icici.formats import IST
from algodesk.brokers.icici.schemas import BreezeOrder
from tests.conftest import SimulatorProcess, free_port
from tests.orders_robustness.counting_simulator import token_digest
from tests.web.platform import ADMIN, ADMIN_PASSWORD, PlatformProcess, env_file, simulator_env

ROOT = Path(__file__).resolve().parents[2]
SYMBOL, EXCHANGE = "ITC", "NSE"  # cash equity: a limit buy far below the market rests
UNSETTLED = ("pending", "in_doubt")
RECONNECT = "broker session expired — log in again at"


@dataclass(frozen=True)
class Call:
    """One request that reached the simulator's Breeze API."""

    at: float  # epoch seconds, on arrival
    method: str
    endpoint: str  # "order", "funds", "quotes", …
    session: str  # digest of X-SessionToken ("" when none)
    status: int | None  # HTTP status of the answer (None: not answered yet)


@dataclass
class CountingSimulator(SimulatorProcess):
    """`SimulatorProcess`, run through `counting_simulator` so calls can be counted."""

    def start(self, log_dir: Path) -> None:
        self.log_path = log_dir / f"simulator-{self.port}.log"
        command = [
            sys.executable, "-m", "tests.orders_robustness.counting_simulator",
            "--host", "127.0.0.1", "--port", str(self.port), "--seed", "7",
            "--app-key", self.app_key, "--app-secret", self.app_secret,
            "--user-id", self.user_id, "--password", self.password, "--otp", self.otp,
            "--redirect-url", self.redirect_url, "--contracts", "small", *self.extra_args,
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            cwd=ROOT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"simulator exited: {self.log_path.read_text()}")
            try:
                httpx.get(f"{self.base_url}/admin/state", timeout=1).raise_for_status()
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"simulator did not start: {self.log_path.read_text()}")

    def calls(self, since: float = 0.0) -> list[Call]:
        answer = httpx.get(f"{self.base_url}/_calls", params={"since": since}, timeout=10)
        answer.raise_for_status()
        return [Call(*row) for row in answer.json()]

    def faults(self, **faults: Any) -> None:
        self.admin("faults", faults)

    def limits(self, **limits: int) -> None:
        self.admin("limits", limits)

    def order_count(self) -> int:
        return int(self.admin("state")["orders"])


def today_ist() -> dt.date:
    return dt.datetime.now(IST).date()


@dataclass
class Stack:
    sim: CountingSimulator
    platform: PlatformProcess
    apikey: str = ""
    price: Decimal = Decimal(0)  # a resting limit-buy price for SYMBOL, set by `open`
    _direct_session: str | None = field(default=None, repr=False)
    _direct_tokens: set[str] = field(default_factory=set, repr=False)

    @property
    def base_url(self) -> str:
        return self.platform.base_url

    # -- setting up --------------------------------------------------------------------

    @classmethod
    def open(cls, workdir: Path, *, sim_args: tuple[str, ...] = (),
             env: dict[str, str] | None = None) -> Stack:
        port = free_port()
        callback = f"http://127.0.0.1:{port}/icici/callback"
        sim = CountingSimulator(port=free_port(), redirect_url=callback,
                                extra_args=list(sim_args))
        (workdir / "sim").mkdir(parents=True, exist_ok=True)
        sim.start(workdir / "sim")
        platform_dir = workdir / "platform"
        platform_dir.mkdir(parents=True, exist_ok=True)
        (platform_dir / ".env").write_text(env_file(sim.app_key, sim.app_secret, callback))
        platform = PlatformProcess(platform_dir, port=port, env={
            **simulator_env(sim), "WEBSOCKET_PORT": str(free_port()), **(env or {})})
        stack = cls(sim, platform)
        try:
            platform.start()
            created = platform.cli("user", "create", "--username", ADMIN, "--password-stdin",
                                   stdin=ADMIN_PASSWORD + "\n")
            assert created.returncode == 0, created.stderr
            stack.connect()
            key = platform.cli("apikey", "create")
            assert key.returncode == 0, key.stderr
            stack.apikey = key.stdout.strip()
            stack.wait_for_contracts()
            stack.price = stack.resting_price()
        except BaseException:
            stack.close()
            raise
        return stack

    def close(self) -> None:
        self.platform.stop()
        self.sim.stop()

    def connect(self) -> None:
        """Log the platform in to the simulator: Connect, then the callback with a fresh
        API_Session (what the simulator's login page would post back)."""
        browser = self.platform.browser()
        try:
            assert browser.login().status_code == 303
            browser.start_connect()
            api_session = self.sim.admin("api-session")["api_session"]
            answer = browser.http.post("/icici/callback", data={"API_Session": api_session})
            assert answer.status_code == 303, answer.text
        finally:
            browser.close()

    def wait_for_contracts(self, timeout: float = 60) -> None:
        """The master contract loads in the background on a first start."""
        deadline = time.monotonic() + timeout
        last: httpx.Response | None = None
        while time.monotonic() < deadline:
            last = self.post("symbol", {"symbol": SYMBOL, "exchange": EXCHANGE})
            if last.status_code == 200:
                return
            time.sleep(0.2)
        raise AssertionError(f"the symbol index never knew {SYMBOL}: "
                             f"{last.status_code if last else None} {last.text if last else ''}")

    def resting_price(self) -> Decimal:
        """About 15% under the market, inside the day's band, on the 0.10 tick grid (a
        multiple of every NSE cash tick): rests for the length of a test."""
        quote = next(q for q in self.direct(lambda c: c.get_quotes(
            SYMBOL, EXCHANGE, product_type="cash")) if q.exchange_code == EXCHANGE)
        floor = max(quote.ltp * Decimal("0.85"), quote.lower_circuit or Decimal(0))
        tick = Decimal("0.10")
        return (floor / tick).quantize(Decimal(1), rounding=ROUND_UP) * tick

    # -- the platform's API ------------------------------------------------------------

    def post(self, endpoint: str, payload: dict[str, Any], *,
             timeout: float = 60) -> httpx.Response:
        with httpx.Client(base_url=self.base_url, timeout=timeout) as client:
            return client.post(f"/api/v1/{endpoint}", json={"apikey": self.apikey, **payload})

    def order(self, **overrides: Any) -> dict[str, Any]:
        """A placeorder body (as the openalgo client sends it: numbers as strings)."""
        return {"apikey": self.apikey, "strategy": "robustness", "symbol": SYMBOL,
                "exchange": EXCHANGE, "action": "BUY", "pricetype": "LIMIT",
                "product": "CNC", "quantity": "1", "price": str(self.price), **overrides}

    def place(self, **overrides: Any) -> httpx.Response:
        return self.post("placeorder", self.order(**overrides))

    # -- the far side, read directly ---------------------------------------------------

    def direct(self, operation: Any) -> Any:
        """Run `operation(client)` on a BreezeClient of our own (its own simulator
        session, so its calls are not the platform's; a new one after the simulator
        expired sessions)."""

        async def run() -> Any:
            async with BreezeClient(self.sim.app_key, self.sim.app_secret,
                                    api_url=self.sim.api_url,
                                    history_url=self.sim.history_url, timeout=20) as client:
                try:
                    await client.customer_details(self._direct_session or "")
                except (SessionExpired, ValueError):
                    self._direct_session = self.sim.admin("api-session")["api_session"]
                    await client.customer_details(self._direct_session)
                self._direct_tokens.add(token_digest(client.session_token or ""))
                return await operation(client)

        return asyncio.run(run())

    def sim_orders(self) -> list[BreezeOrder]:
        today = today_ist()
        return self.direct(lambda c: c.get_order_list(EXCHANGE, today, today))

    def platform_calls(self, since: float = 0.0) -> list[Call]:
        """Calls that reached the simulator's Breeze API from the platform: everything
        but our own direct reads (their session, and the unsigned `customerdetails`
        each of them starts with — the platform makes that call only when connecting)."""
        if not self._direct_tokens:
            self.direct(lambda c: c.get_funds())
        return [c for c in self.sim.calls(since)
                if c.session not in self._direct_tokens and c.endpoint != "customerdetails"]

    # -- the journal -------------------------------------------------------------------

    def journal(self) -> list[dict[str, Any]]:
        path = self.platform.data_dir / "algodesk.db"
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            connection.row_factory = sqlite3.Row
            rows = connection.execute("SELECT * FROM order_journal ORDER BY id").fetchall()
            return [dict(row) for row in rows]
        finally:
            connection.close()

    def wait_settled(self, timeout: float = 30) -> list[dict[str, Any]]:
        """Wait until no journal row is pending or in doubt; returns the journal."""
        deadline = time.monotonic() + timeout
        rows = self.journal()
        while any(r["state"] in UNSETTLED for r in rows) and time.monotonic() < deadline:
            time.sleep(0.5)
            rows = self.journal()
        return rows


def assert_no_duplicates(orders: list[BreezeOrder]) -> dict[str, BreezeOrder]:
    """No two simulator orders carry one journal tag; every order carries one. Returns
    the orders by tag."""
    tags = Counter(o.user_remark for o in orders)
    twice = {tag: n for tag, n in tags.items() if n > 1}
    assert not twice, f"orders sent more than once (tag: count): {twice}"
    untagged = [o.order_id for o in orders if not (o.user_remark or "").startswith("ad")]
    assert not untagged, f"simulator orders without a journal tag: {untagged}"
    return {o.user_remark or "": o for o in orders}


def assert_journal_matches(journal: list[dict[str, Any]], orders: list[BreezeOrder]) -> None:
    """The journal and the broker tell one story: every order at the simulator is an
    accepted placement with that order id, every accepted placement is there, and no
    order id is on two rows."""
    by_tag = assert_no_duplicates(orders)
    places = {r["tag"]: r for r in journal if r["kind"] == "place"}
    unsettled = [(r["tag"], r["state"], r["message"]) for r in journal
                 if r["state"] in UNSETTLED]
    assert not unsettled, f"journal rows never settled: {unsettled}"
    for tag, order in by_tag.items():
        row = places.get(tag)
        assert row is not None, f"simulator order {order.order_id} ({tag}) not in the journal"
        assert (row["state"], row["broker_order_id"]) == ("accepted", order.order_id), (
            f"journal {tag} says {row['state']} / {row['broker_order_id']}, but the "
            f"simulator has order {order.order_id} with that tag ({row['message']})")
    ids = Counter(r["broker_order_id"] for r in places.values() if r["state"] == "accepted")
    twice = {orderid: n for orderid, n in ids.items() if n > 1}
    assert not twice, f"one broker order id on several journal rows: {twice}"
    for tag, row in places.items():
        if row["state"] == "accepted":
            assert tag in by_tag, (f"journal {tag} accepted as {row['broker_order_id']}, "
                                   "but the simulator has no order with that tag")


def error_of(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: not JSON: {response.text[:200]!r}"
    return str(body.get("message", body)) if isinstance(body, dict) else str(body)


__all__ = ["EXCHANGE", "RECONNECT", "SYMBOL", "UNSETTLED", "Call", "CountingSimulator",
           "Stack", "assert_journal_matches", "assert_no_duplicates", "error_of",
           "today_ist"]


# The platform waits this long for a Breeze answer (10 s by default): short, so a test
# that loses answers on purpose pays seconds, not tens of seconds.
SHORT_BREEZE_TIMEOUT = "2"


def lost_answer_stack(workdir: Path) -> Iterator[Stack]:
    """A module's stack for tests that lose Breeze answers: a short Breeze wait and a
    generous call budget, closed after the module."""
    opened = Stack.open(workdir, sim_args=("--calls-per-minute", "2000"),
                        env={"BREEZE_TIMEOUT_SECONDS": SHORT_BREEZE_TIMEOUT})
    try:
        yield opened
    finally:
        opened.close()
