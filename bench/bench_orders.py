"""Platform overhead per placeorder: what algodesk adds on top of the Breeze round trip.

In one run, against one simulator process, one order at a time:
- end to end: `POST /api/v1/placeorder` to a running platform (a minimal keep-alive
  HTTP/1.1 client, `common.KeepAliveClient`, so the figure is the platform's and not a
  client library's), a resting LIMIT buy of ITC — API key check, validation, symbol
  lookup, the journal intent (a fully synced SQLite commit), pacing, the signed Breeze
  call, the journal update;
- direct: the same order through our `BreezeClient` straight to the simulator (its own
  session);
- floor: the same body to `floor_server.py`, a bare ASGI app under uvicorn that does one
  synced SQLite INSERT — the least any journal-first order service in Python adds (one
  HTTP hop, one synced write), whatever its code.
Every round makes the three calls, in an order that rotates, so all see the same
simulator (whose order book grows as the run goes) and the same machine load.
Overhead = end-to-end minus direct. Reported: p50/p99 of each, of the paired
differences (round by round), of the overhead above the floor (also paired), and the
difference of the percentiles.

Three paces, because an idle machine answers slower (every process has to be woken —
the platform adds two wake-ups to the path, `wakeup_rtt` measures that on a bare TCP
echo — and finds its caches cold): *sporadic* orders 0.65 s apart, as alerts arrive, a
*steady* stream of 8 a second, and *bursts* of 10 back to back. The
bench's platform is told ICICI allows any number of calls a minute
(`BREEZE_CALLS_PER_MINUTE`; the simulator is unlimited too), so no order ever waits for
the budget: waiting there is policy, not cost.

    .venv/bin/python bench/bench_orders.py
    .venv/bin/python bench/bench_orders.py --baseline 0c99f10   # paired against a commit

`--baseline REF` starts a second platform from a checkout of REF (a detached git
worktree) against the same simulator, and every round places the order through both:
the paired difference (this tree minus REF) says whether a change cost time, measured
under the same load, not across two runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from decimal import ROUND_UP, Decimal
from pathlib import Path
from typing import Any

from algodesk.brokers.icici import BreezeClient
from common import (
    APP_KEY,
    APP_SECRET,
    ROOT,
    KeepAliveClient,
    api_session,
    free_port,
    percentiles,
    save,
    simulator,
)

sys.path.insert(0, str(ROOT))
# The tests' one implementation of the platform process and the login dance.
from tests.web.platform import (
    ADMIN,
    ADMIN_PASSWORD,
    PlatformProcess,
    env_file,
)

WARMUP = 10
# Pace name -> (rounds, seconds from one group of rounds' start to the next, rounds in a
# group). Steady: 8 orders a second — the pacer's slot lasts from grant to a second
# after the answer, so a stream at exactly 10 a second would queue. Burst: 10 rounds
# back to back (all the pacer allows in a second), then a pause, as a basket or a
# strategy's entries arrive: the only pace at which the machine stays warm.
PACES = {"sporadic": (200, 0.65, 1), "steady": (300, 0.125, 1), "burst": (300, 1.25, 10)}
# Between two paces: the pacer's window empties, so no pace starts by waiting for it.
PAUSE = 1.5
TARGET_P50_MS, TARGET_P99_MS = 1.0, 3.0


def start_platform(base: str, workdir: Path, source: Path | None = None
                   ) -> tuple[PlatformProcess, str]:
    """A connected platform with an API key; `source`: run that tree's `src` instead."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    callback = f"http://127.0.0.1:{port}/icici/callback"
    (workdir / ".env").write_text(env_file(APP_KEY, APP_SECRET, callback))
    platform = PlatformProcess(workdir, port=port, env={
        "BREEZE_API_URL": f"{base}/breezeapi/api/v1/",
        "BREEZE_HISTORY_URL": f"{base}/api/v2/",
        "BREEZE_LOGIN_URL": f"{base}/apiuser/login",
        "SECURITY_MASTER_URL": f"{base}/MotherAppMaster/SecurityMaster.zip",
        "WEBSOCKET_PORT": str(free_port()),
        "BREEZE_CALLS_PER_MINUTE": "1000000",
        "BREEZE_CALLS_PER_DAY": "100000000",
        **({"PYTHONPATH": str(source / "src")} if source else {}),
    }).start()
    created = platform.cli("user", "create", "--username", ADMIN, "--password-stdin",
                           stdin=ADMIN_PASSWORD + "\n")
    if created.returncode:
        raise RuntimeError(created.stderr)
    browser = platform.browser()
    try:
        browser.login()
        browser.start_connect()
        answer = browser.http.post("/icici/callback", data={"API_Session": api_session(base)})
        if answer.status_code != 303:
            raise RuntimeError(f"could not connect the platform: {answer.text}")
    finally:
        browser.close()
    apikey = platform.cli("apikey", "create").stdout.strip()
    deadline = time.monotonic() + 60
    while True:  # the master contract loads in the background on a first start
        ready = platform.api("symbol", {"apikey": apikey, "symbol": "ITC", "exchange": "NSE"})
        if ready.status_code == 200:
            return platform, apikey
        if time.monotonic() > deadline:
            raise RuntimeError(f"symbol index not ready: {ready.text}")
        time.sleep(0.2)


def resting_price(ltp: Decimal) -> str:
    tick = Decimal("0.10")
    return str((ltp * Decimal("0.85") / tick).quantize(Decimal(1), rounding=ROUND_UP) * tick)


async def measure(base: str, platform_port: int, apikey: str, floor_port: int,
                  baseline: tuple[int, str] | None = None) -> dict[str, Any]:
    async with BreezeClient(APP_KEY, APP_SECRET, api_url=f"{base}/breezeapi/api/v1/",
                            history_url=f"{base}/api/v2/") as direct, \
            KeepAliveClient("127.0.0.1", platform_port) as http, \
            KeepAliveClient("127.0.0.1", floor_port) as bare, \
            KeepAliveClient("127.0.0.1", baseline[0] if baseline else floor_port) as old:
        await direct.customer_details(api_session(base))
        quote = await direct.get_quotes("ITC", "NSE", product_type="cash")
        price = resting_price(next(q.ltp for q in quote if q.exchange_code == "NSE"))
        body = {"apikey": apikey, "strategy": "bench", "symbol": "ITC", "exchange": "NSE",
                "action": "BUY", "pricetype": "LIMIT", "product": "CNC", "quantity": "1",
                "price": price}
        payload = json.dumps(body).encode()

        async def timed_post(client: KeepAliveClient, path: str) -> tuple[float, bytes]:
            started = time.perf_counter()
            status, answer = await client.post_json(path, payload)
            took = time.perf_counter() - started
            if status != 200:
                raise RuntimeError(f"POST {path} failed: {status} {answer.decode()}")
            return took, answer

        async def through_platform() -> float:
            return (await timed_post(http, "/api/v1/placeorder"))[0]

        old_payload = json.dumps({**body, "apikey": baseline[1] if baseline else ""}).encode()

        async def through_baseline() -> float:
            started = time.perf_counter()
            status, answer = await old.post_json("/api/v1/placeorder", old_payload)
            if status != 200:
                raise RuntimeError(f"baseline placeorder failed: {status} {answer.decode()}")
            return time.perf_counter() - started

        async def straight() -> float:
            started = time.perf_counter()
            await direct.place_order(stock_code="ITC", exchange_code="NSE", product="cash",
                                     action="buy", order_type="limit", quantity="1",
                                     price=price, user_remark="bench-direct")
            return time.perf_counter() - started

        writes_s: list[float] = []  # the floor server's synced INSERT, as it timed it

        async def floor() -> float:
            took, answer = await timed_post(bare, "/")
            writes_s.append(json.loads(answer)["write_ms"] / 1000)
            return took

        figures = {}
        for pace, (rounds, spacing, group) in PACES.items():
            await asyncio.sleep(PAUSE)
            writes_s.clear()
            calls = (through_platform, straight, floor) + ((through_baseline,) if baseline else ())
            platform_s, direct_s, floor_s, *old_s = await _rounds(calls, rounds, spacing, group)
            figures[pace] = _summary(platform_s, direct_s, floor_s, rounds, spacing)
            if old_s:
                figures[pace]["baseline"] = _versus_baseline(platform_s, old_s[0], direct_s)
            figures[pace]["floor_synced_write_alone"] = percentiles(writes_s[-rounds:])
            figures[pace]["rounds_back_to_back"] = group
    figures["wakeup_rtt"] = await wakeup_rtt()
    return figures


async def _rounds(calls: tuple[Callable[[], Awaitable[float]], ...], rounds: int,
                  spacing: float, group: int) -> tuple[list[float], ...]:
    """Each round makes every call once, in an order that rotates from round to round."""
    samples: tuple[list[float], ...] = tuple([] for _ in calls)
    next_group = time.monotonic()
    for round_ in range(WARMUP + rounds):
        if round_ % group == 0:
            await asyncio.sleep(max(next_group - time.monotonic(), 0))
            next_group = time.monotonic() + spacing
        took = [0.0] * len(calls)
        for step in range(len(calls)):
            which = (round_ + step) % len(calls)
            took[which] = await calls[which]()
        if round_ >= WARMUP:
            for kept, value in zip(samples, took, strict=True):
                kept.append(value)
    return samples


def _summary(platform_s: list[float], direct_s: list[float], floor_s: list[float],
             rounds: int, spacing: float) -> dict[str, Any]:
    paired = [p - d for p, d in zip(platform_s, direct_s, strict=True)]
    above_floor = [o - f for o, f in zip(paired, floor_s, strict=True)]
    end_to_end, breeze = percentiles(platform_s), percentiles(direct_s)
    overhead = percentiles(paired)
    overhead["min_ms"] = round(min(paired) * 1000, 3)
    overhead["stdev_ms"] = round(statistics.stdev(paired) * 1000, 3)
    of_percentiles = {"p50_ms": round(end_to_end["p50_ms"] - breeze["p50_ms"], 3),
                      "p99_ms": round(end_to_end["p99_ms"] - breeze["p99_ms"], 3)}
    return {
        "rounds": rounds,
        "spacing_s": spacing,
        "end_to_end": end_to_end,
        "direct_breeze": breeze,
        "overhead_paired": overhead,
        "overhead_of_percentiles": of_percentiles,
        # The least any journal-first Python service adds: an HTTP hop and a synced write.
        "floor_hop_and_synced_write": percentiles(floor_s),
        "overhead_above_floor_paired": percentiles(above_floor),
        "targets_ms": {"p50": TARGET_P50_MS, "p99": TARGET_P99_MS},
        "met": {"p50": overhead["p50_ms"] <= TARGET_P50_MS,
                "p99": overhead["p99_ms"] <= TARGET_P99_MS},
    }


def _versus_baseline(platform_s: list[float], baseline_s: list[float],
                     direct_s: list[float]) -> dict[str, Any]:
    """This tree against the baseline's platform, round by round (positive: slower)."""
    difference = [p - b for p, b in zip(platform_s, baseline_s, strict=True)]
    return {
        "end_to_end": percentiles(baseline_s),
        "overhead_paired": percentiles([b - d for b, d in zip(baseline_s, direct_s,
                                                               strict=True)]),
        "this_minus_baseline_paired": {**percentiles(difference),
                                       "mean_ms": round(statistics.mean(difference) * 1000, 3)},
    }


async def wakeup_rtt() -> dict[str, Any]:
    """A bare TCP echo to another process, back to back and with the sporadic pace's
    gap: what waking idle processes costs on this machine, before any platform code."""
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _ECHO_SERVER, stdout=asyncio.subprocess.PIPE)
    assert server.stdout is not None
    port = int(await server.stdout.readline())
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    figures: dict[str, Any] = {}
    try:
        for name, gap, rounds in (("busy", 0.0, 300), ("idle", 0.1, 200)):
            samples = []
            for _ in range(rounds):
                started = time.perf_counter()
                writer.write(b"x" * 64)
                await reader.readexactly(64)
                samples.append(time.perf_counter() - started)
                await asyncio.sleep(gap)
            figures[name] = percentiles(samples)
    finally:
        writer.close()
        server.kill()
        await server.wait()
    return figures


_ECHO_SERVER = """
import socket
listener = socket.create_server(("127.0.0.1", 0))
print(listener.getsockname()[1], flush=True)
connection, _ = listener.accept()
connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
while data := connection.recv(64):
    connection.sendall(data)
"""


@contextlib.contextmanager
def floor_server(folder: Path) -> Iterator[int]:
    """`floor_server.py` on a free port, its database beside the platform's (same disk)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("floor_server.py")), str(port),
         str(folder / "floor.db")], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        if server.stdout.readline().strip() != "ready":
            raise RuntimeError("the floor server did not start")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextlib.contextmanager
def checkout(ref: str, folder: Path) -> Iterator[Path]:
    """A detached worktree of `ref` (removed afterwards)."""
    tree = folder / "baseline-tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree),
                    ref], check=True)
    try:
        yield tree
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       check=False)


def main(baseline_ref: str | None = None) -> dict[str, Any]:
    with simulator() as base, tempfile.TemporaryDirectory() as folder, \
            floor_server(Path(folder)) as floor_port, contextlib.ExitStack() as stack:
        platform, apikey = start_platform(base, Path(folder) / "platform")
        stack.callback(platform.stop)
        baseline = None
        if baseline_ref:
            tree = stack.enter_context(checkout(baseline_ref, Path(folder)))
            old, old_key = start_platform(base, Path(folder) / "baseline", source=tree)
            stack.callback(old.stop)
            baseline = (old.port, old_key)
        figures = asyncio.run(measure(base, platform.port, apikey, floor_port, baseline))
    if baseline_ref:
        figures["baseline_ref"] = baseline_ref
        save("orders_overhead_vs_baseline", figures)
    else:
        save("orders_overhead", figures)
    return figures


def readme_lines(figures: dict[str, Any]) -> list[str]:
    lines = []
    for pace, (_, spacing, group) in PACES.items():
        apart = f"{spacing} s apart" if group == 1 else f"{group} back to back every {spacing} s"
        e2e, direct, overhead, floor, above = (
            figures[pace]["end_to_end"], figures[pace]["direct_breeze"],
            figures[pace]["overhead_paired"], figures[pace]["floor_hop_and_synced_write"],
            figures[pace]["overhead_above_floor_paired"])
        write = figures[pace]["floor_synced_write_alone"]
        verdict = "met" if all(figures[pace]["met"].values()) else "missed"
        lines += [
            f"| placeorder through the platform, {pace} ({apart}) | "
            f"p50 {e2e['p50_ms']} ms, p99 {e2e['p99_ms']} ms |",
            f"| same order, BreezeClient straight to the simulator, {pace} | "
            f"p50 {direct['p50_ms']} ms, p99 {direct['p99_ms']} ms |",
            f"| platform overhead per placeorder, {pace} (paired) | p50 {overhead['p50_ms']} "
            f"ms, p99 {overhead['p99_ms']} ms (target ≤ {TARGET_P50_MS} / ≤ {TARGET_P99_MS} "
            f"ms: {verdict}) |",
            f"| floor: a bare ASGI app under uvicorn doing one synced SQLite INSERT, {pace} | "
            f"p50 {floor['p50_ms']} ms, p99 {floor['p99_ms']} ms (the INSERT alone: p50 "
            f"{write['p50_ms']} ms) |",
            f"| platform overhead above that floor, {pace} (paired) | p50 {above['p50_ms']} "
            f"ms, p99 {above['p99_ms']} ms |",
        ]
    wake = figures["wakeup_rtt"]
    lines.append(f"| bare TCP echo between two processes, busy / idle | p50 "
                 f"{wake['busy']['p50_ms']} / {wake['idle']['p50_ms']} ms |")
    return lines


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", metavar="REF",
                        help="also place every order through a platform run from this commit")
    main(parser.parse_args().baseline)
