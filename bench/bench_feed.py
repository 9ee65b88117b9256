"""The live feed end to end: simulator → platform → OpenAlgo WebSocket clients.

A simulator streams 10 ticks a second for each of 1,000 instruments (10,000 ticks/s) to
the running platform (`algodesk serve`, logged in through the broker page); 10 clients
of the platform's WebSocket feed each subscribe to 100 of them in quote mode (mode 2).

Latency is from the simulator's write to the client's receive: the simulator runs with
`--stream-stamp`, so each tick's last traded quantity is the instant (epoch µs) its
frame was written to the socket, and the platform passes it through as
`last_trade_quantity` like any quantity. The stamp also makes every tick distinct (the
market itself moves once a second, and the platform drops exact repeats), so all
10,000 ticks a second are news to deliver.

Counts are exact: the simulator's stream is stalled (admin fault) before and after the
window and the pipeline drained, so what the simulator sent in between and what the
clients received can be compared tick for tick. CPU is per process from /proc (the
platform, the simulator, this bench's clients), memory the platform's resident set.

A floor is measured in the same window: a lean socket.io client straight on the
simulator, joined to 100 of its quote tokens, stamps read the same way. What it sees is
the simulator, the loopback and a Python reader on this (shared) machine; the platform's
figures above it are what the platform adds.

Before the platform subscribes, a busy reader is measured: a direct client of the whole
stream that spends 50 µs of CPU on each tick (half of what the platform spends) and
does nothing else. On a shared machine its latency tail is the scheduler's: a process that
is busy in stretches waits for its turn on the CPU, and ticks wait with it.

A second run adds a client that subscribes to all 1,000 instruments and never reads
(its socket buffers fill, its outbox is conflated); the fast clients' latency beside it
is reported. The platform's slow-client limit is raised for the bench so that the
stalled client stays connected through the whole window.

    PYTHONPATH=src .venv/bin/python bench/bench_feed.py
    PYTHONPATH=src .venv/bin/python bench/bench_feed.py --baseline 996a2ef
    PYTHONPATH=src .venv/bin/python bench/bench_feed.py --profile /tmp/platform.pstats
    PYTHONPATH=src .venv/bin/python bench/bench_feed.py --light-only --stalls /tmp/stalls.json

`--baseline REF` also measures a platform run from REF's `src/` (`git archive`), against
a simulator of this tree (it has the stamp), one run after the other. `--light-only`
runs the 2,000/s case alone and prints it (nothing saved); `--stalls FILE` has the
platform write what held its loop up and the stamp's age along the pipeline
(`stall_hook/sitecustomize.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from common import ROOT, percentiles, save

sys.path.insert(0, str(ROOT))
from tests.conftest import SimulatorProcess, free_port
from tests.market.conftest import MarketDesk, open_desk

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
RATE = 10  # ticks a second per instrument
# A lighter stream measured too (fast clients only): the load this platform carries
# within the goal on this machine, beside the 10,000 a second.
LIGHT_RATE = 2
INSTRUMENTS = 1000
CLIENTS = 10
WARM_UP_SECONDS = 10.0  # after every client has its first tick of every instrument
WINDOW_SECONDS = 20.0
STALLED_WINDOW_SECONDS = 15.0  # the platform's pings would end the stalled client at 40 s
QUIET_SECONDS = 1.0  # counts unchanged this long: everything sent has arrived
FLOOR_TOKENS = 100
BUSY_READER_US = 50.0  # CPU per tick of the busy reader (the platform spends about twice)
BUSY_READER_SECONDS = 15.0
GOAL_P99_MS = 10.0
_STAMP = re.compile(r'"last_trade_quantity":(\d+)')
_INSTRUMENT = re.compile(r'"symbol":"([^"]+)","exchange":"([^"]+)"')


class _Simulators:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[SimulatorProcess] = []

    def __call__(self, **kwargs: Any) -> SimulatorProcess:
        sim = SimulatorProcess(port=free_port(), **kwargs)
        sim.start(self.folder)
        self.started.append(sim)
        return sim

    def stop(self) -> None:
        for sim in self.started:
            sim.stop()


# -- what is measured -------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


class _Client:
    """A plain WebSocket client of the platform's feed. A reading client takes the
    stamp out of each frame with a regular expression (no JSON parse: the figure is
    the platform's, not this client's); a stalled one never reads after subscribing."""

    def __init__(self, url: str, apikey: str, symbols: list[tuple[str, str]], *,
                 reads: bool = True) -> None:
        self.url, self.apikey, self.symbols, self.reads = url, apikey, symbols, reads
        self.received = 0
        self.seen: set[tuple[str, str]] = set()
        self.recording = False
        self.latencies_us: list[int] = []
        self.closed_reason = ""
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._ws = ws = await connect(self.url, max_size=None, compression=None,
                                      max_queue=1 if not self.reads else 1024)
        await ws.send(json.dumps({"action": "authenticate", "api_key": self.apikey}))
        assert '"success"' in str(await ws.recv()), "authentication failed"
        await ws.send(json.dumps({"action": "subscribe", "mode": 2, "symbols": [
            {"symbol": symbol, "exchange": exchange} for symbol, exchange in self.symbols]}))
        while True:  # market data may come before the subscribe reply
            reply = str(await ws.recv())
            if '"type":"subscribe"' in reply.replace(" ", ""):
                assert '"status":"success"' in reply.replace(" ", ""), reply[:300]
                break
        if self.reads:
            self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._ws is not None
        stamp, instrument_of = _STAMP.search, _INSTRUMENT.search
        clock = time.time_ns
        try:
            async for message in self._ws:
                now = clock() // 1000
                text = str(message)
                found = stamp(text)
                if found is None:
                    continue
                self.received += 1
                if self.recording:
                    self.latencies_us.append(now - int(found[1]))
                elif len(self.seen) < len(self.symbols):
                    named = instrument_of(text)
                    if named:
                        self.seen.add((named[1], named[2]))
        except Exception as exc:  # a closed connection ends the reader
            self.closed_reason = str(exc)

    def closed(self) -> str:
        ws = self._ws
        if ws is None or ws.close_code is None:
            return ""
        return f"{ws.close_code} {ws.close_reason}"

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._ws is not None:
            self._ws.transport.abort()


class _FloorClient:
    """Engine.IO 4 / Socket.IO 5 by hand, straight on the simulator: the floor. With
    `busy_us`, it spends that much CPU on each tick it reads (as a platform would)."""

    def __init__(self, busy_us: float = 0.0) -> None:
        self.busy = busy_us / 1e6
        self.received = 0
        self.recording = False
        self.latencies_us: list[int] = []
        self._task: asyncio.Task[None] | None = None

    async def start(self, sim: SimulatorProcess, tokens: list[str]) -> None:
        auth = await asyncio.to_thread(_stream_auth, sim)
        url = sim.base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self._ws = ws = await connect(url, max_size=None, compression=None)
        assert str(await ws.recv()).startswith("0")
        await ws.send("40" + json.dumps(auth))
        assert str(await ws.recv()).startswith("40")
        await ws.send("42" + json.dumps(["join", tokens]))
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        clock = time.time_ns
        async for message in self._ws:
            now = clock() // 1000
            if message == "2":
                await self._ws.send("3")
            elif str(message).startswith('42["stock"'):
                self.received += 1
                if self.recording:
                    frame = json.loads(message[2:])[1]
                    self.latencies_us.append(now - int(frame[10]))
                if self.busy:
                    until = time.perf_counter() + self.busy
                    while time.perf_counter() < until:
                        pass
                    if self.received % 32 == 0:
                        await asyncio.sleep(0)  # as the platform's reader does

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._ws.transport.abort()


def _stream_auth(sim: SimulatorProcess) -> dict[str, str]:
    """A session of the simulator's own (a second login; the platform keeps its own)."""
    api_session = httpx.post(f"{sim.base_url}/admin/api-session", timeout=30).json()
    answer = httpx.request("GET", f"{sim.api_url}customerdetails", timeout=30, json={
        "SessionToken": api_session["api_session"], "AppKey": sim.app_key}).json()
    token = base64.b64decode(answer["Success"]["session_token"]).decode()
    user, _, key = token.partition(":")
    return {"user": user, "token": key}


def _sim_tokens(count: int) -> list[str]:
    """Quote tokens of `count` instruments of the simulator, cash first (not MCX: the
    stamp sits elsewhere in its array)."""
    from algodesk.simulator.market import Market
    from algodesk.simulator.streams.tokens import token_of

    market = Market(seed=7, size="small")
    chosen = sorted((i for i in market.instruments if i.exchange_code != "MCX"),
                    key=lambda i: (i.product != "cash", i.exchange_code, i.stock_code))
    return [token_of(inst) for inst in chosen[:count]]


async def _busy_reader(sim: SimulatorProcess) -> dict[str, Any]:
    """What this machine gives any process that reads the whole stream and spends
    `BUSY_READER_US` of CPU on each tick: a process like the platform, minus the
    platform. Measured before the platform subscribes (the simulator streams to one
    reader at a time)."""
    reader = _FloorClient(busy_us=BUSY_READER_US)
    await reader.start(sim, _sim_tokens(INSTRUMENTS))
    await asyncio.sleep(WARM_UP_SECONDS)
    reader.recording = True
    began, received0, cpu0 = time.monotonic(), reader.received, time.process_time()
    await asyncio.sleep(BUSY_READER_SECONDS)
    elapsed = time.monotonic() - began
    figures = {"busy_us_per_tick": BUSY_READER_US,
               "ticks_per_second": round((reader.received - received0) / elapsed, 1),
               "latency": percentiles([us / 1e6 for us in reader.latencies_us]),
               "bench_process_cpu_percent": round((time.process_time() - cpu0) / elapsed * 100,
                                                  1),
               "load_average_1min": round(os.getloadavg()[0], 2)}
    await reader.stop()
    return figures


# -- the runs -------------------------------------------------------------------------


def _instruments(desk: MarketDesk) -> list[tuple[str, str]]:
    """1,000 instruments: NSE and BSE cash, NFO futures, then NFO options of expiries
    after today (today's stop trading at 15:30 IST)."""
    today = dt.datetime.now(IST).date()
    chosen: list[tuple[str, str]] = []
    with httpx.Client(base_url=desk.platform.base_url, timeout=60) as http:
        for exchange in ("NSE", "BSE", "NFO"):
            rows = http.get("/api/v1/instruments",
                            params={"apikey": desk.apikey, "exchange": exchange}).json()["data"]
            for row in sorted(rows, key=lambda r: (r["instrumenttype"] in ("CE", "PE"),
                                                   r["symbol"])):
                if row["instrumenttype"] in ("CE", "PE"):
                    expiry = dt.datetime.strptime(row["expiry"].title(), "%d-%b-%y").date()
                    if expiry <= today:
                        continue
                chosen.append((row["symbol"], exchange))
    assert len(chosen) >= INSTRUMENTS, len(chosen)
    return chosen[:INSTRUMENTS]


async def _quiet(sim: SimulatorProcess, clients: list[Any]) -> int:
    """Stall the simulator's stream and let what is on its way arrive (the clients'
    counts stand still); the ticks the simulator sent so far."""
    await asyncio.to_thread(sim.admin, "streams", {"stall": True})
    deadline = time.monotonic() + 60
    counts = None
    while (now := [client.received for client in clients]) != counts:
        assert time.monotonic() < deadline, "the clients never caught up"
        counts = now
        await asyncio.sleep(QUIET_SECONDS)
    state = await asyncio.to_thread(sim.admin, "state")
    return int(state["streams"]["ticks_sent"])


async def _window(desk: MarketDesk, fast: list[_Client], floor: _FloorClient,
                  seconds: float, extra: list[_Client]) -> dict[str, Any]:
    sim, platform_pid = desk.sim, desk.platform.process.pid  # type: ignore[union-attr]
    assert sim.process is not None
    sent0 = await _quiet(sim, [*fast, floor])
    received0 = [client.received for client in fast]
    floor0 = floor.received
    for client in (*fast, floor):
        client.latencies_us.clear()
        client.recording = True
    cpu0 = (_cpu_seconds(platform_pid), _cpu_seconds(sim.process.pid), time.process_time())
    await asyncio.to_thread(sim.admin, "streams", {"stall": False})
    began = time.monotonic()
    await asyncio.sleep(seconds)
    feed = await asyncio.to_thread(lambda: desk.post("ping", {}).json()["data"]["feed"])
    cpu1 = (_cpu_seconds(platform_pid), _cpu_seconds(sim.process.pid), time.process_time())
    elapsed = time.monotonic() - began
    rss = _rss_mb(platform_pid)
    sent1 = await _quiet(sim, [*fast, floor])
    for client in (*fast, floor):
        client.recording = False
    await asyncio.to_thread(sim.admin, "streams", {"stall": False})
    sent = sent1 - sent0 - (floor.received - floor0)  # the floor's come from the same count
    received = sum(client.received for client in fast) - sum(received0)
    per_client = [client.received - before for client, before in zip(fast, received0,
                                                                      strict=True)]
    samples = [us / 1e6 for client in fast for us in client.latencies_us]
    latency = percentiles(samples)
    cpu = [round((after - before) / elapsed * 100, 1) for before, after in zip(cpu0, cpu1,
                                                                               strict=True)]
    return {
        "window_seconds": round(elapsed, 2),
        "sent_by_simulator_per_second": round(sent / elapsed, 1),
        "delivered_ticks_per_second": round(received / elapsed, 1),
        "sent_by_simulator": sent,
        "received_by_clients": received,
        "lost": sent - received,
        "received_per_client_min_max": [min(per_client), max(per_client)],
        "latency": latency,
        "latency_max_ms": round(max(samples) * 1000, 3) if samples else None,
        "floor_latency": percentiles([us / 1e6 for us in floor.latencies_us]),
        "platform_cpu_percent": cpu[0],
        "simulator_cpu_percent": cpu[1],
        "bench_clients_cpu_percent": cpu[2],
        "platform_cpu_us_per_tick": round((cpu1[0] - cpu0[0]) / received * 1e6, 1)
        if received else None,
        "platform_rss_mb": rss,
        "ping_feed": {key: feed[key] for key in ("status", "subscriptions",
                                                  "ticks_per_second")},
        "stalled_clients_closed": [client.closed() for client in extra],
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


async def _run(desk: MarketDesk, rate: int, full: bool) -> dict[str, Any]:
    url = f"ws://127.0.0.1:{desk.platform.env['WEBSOCKET_PORT']}"
    instruments = _instruments(desk)
    busy_reader = await _busy_reader(desk.sim) if full else None
    floor = _FloorClient()
    await floor.start(desk.sim, _sim_tokens(FLOOR_TOKENS))
    share = INSTRUMENTS // CLIENTS
    fast = [_Client(url, desk.apikey, instruments[i * share:(i + 1) * share])
            for i in range(CLIENTS)]
    for client in fast:
        await client.start()
    deadline = time.monotonic() + 120
    while any(len(client.seen) < len(client.symbols) for client in fast):
        assert time.monotonic() < deadline, [len(c.seen) for c in fast]
        await asyncio.sleep(0.5)
    await asyncio.sleep(WARM_UP_SECONDS)
    figures: dict[str, Any] = {
        "instruments": INSTRUMENTS, "clients": CLIENTS, "per_client": share,
        "stream_rate_per_instrument": rate, "offered_ticks_per_second": rate * INSTRUMENTS,
        "mode": 2, "busy_reader": busy_reader}
    figures["fast_clients"] = await _window(desk, fast, floor, WINDOW_SECONDS, [])
    if not full:
        for client in [*fast, floor]:
            await client.stop()
        return figures
    stalled = _Client(url, desk.apikey, instruments, reads=False)
    await stalled.start()
    await asyncio.sleep(3.0)  # its buffers fill
    figures["beside_a_stalled_client"] = await _window(desk, fast, floor,
                                                       STALLED_WINDOW_SECONDS, [stalled])
    for client in [*fast, stalled, floor]:
        await client.stop()
    return figures


def _source_of(ref: str, folder: Path) -> Path:
    """REF's `src/` unpacked into `folder` (no checkout, no worktree)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def measure(source: Path | None = None, profile: Path | None = None, rate: int = RATE,
            full: bool = True, stalls: Path | None = None) -> dict[str, Any]:
    """One platform (this tree's, or the one in `source`) against a new simulator at
    `rate` ticks a second per instrument (`full`: the busy reader and the stalled client
    too); with `profile`, the platform writes its cProfile statistics there when it ends."""
    folder = Path(tempfile.mkdtemp(prefix="bench-feed-"))
    simulators = _Simulators(folder)
    platform_env = {"WEBSOCKET_SLOW_CLIENT_SECONDS": "120",
                    # The simulator's market never shuts; the windows' counts stall its
                    # stream for a moment, which REST quotes must not fill in.
                    "FEED_MARKET_HOURS": "always", "FEED_FALLBACK_AFTER_SECONDS": "600"}
    paths = [str(source if source is not None else ROOT / "src")]
    if profile is not None:
        paths.append(str(Path(__file__).parent / "profile_hook"))
        platform_env["ALGODESK_PROFILE_OUT"] = str(profile.resolve())
    if stalls is not None:
        paths.append(str(Path(__file__).parent / "stall_hook"))
        platform_env["ALGODESK_STALLS_OUT"] = str(stalls.resolve())
        platform_env["ALGODESK_STALLS_PROBE"] = "1"
        platform_env["ALGODESK_STALLS_SAMPLE"] = "1"
    platform_env["PYTHONPATH"] = os.pathsep.join(paths)
    try:
        desk = open_desk(folder / "feed", simulators,
                         ["--stream-rate", str(rate), "--stream-stamp"],
                         platform_env=platform_env)
        try:
            try:
                import uvloop

                return uvloop.run(_run(desk, rate, full))
            except ImportError:
                return asyncio.run(_run(desk, rate, full))
        finally:
            desk.admin.close()
            desk.platform.stop()
    finally:
        simulators.stop()


def main(baseline: str | None = None, profile: Path | None = None,
         light_only: bool = False, stalls: Path | None = None) -> dict[str, Any]:
    if light_only:  # a quicker look at the lighter run: printed, not saved
        figures = measure(profile=profile, rate=LIGHT_RATE, full=False, stalls=stalls)
        print(json.dumps(figures["fast_clients"], indent=2))
        return figures
    figures = measure(profile=profile, stalls=stalls)
    if profile is None:
        figures["light"] = measure(rate=LIGHT_RATE, full=False)
    if baseline:
        with tempfile.TemporaryDirectory(prefix="bench-feed-baseline-") as folder:
            commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", baseline],
                                    check=True, capture_output=True, text=True).stdout.strip()
            figures["baseline"] = {"ref": f"{baseline} {commit}",
                                   **measure(_source_of(baseline, Path(folder)))}
    if profile is None:  # a profiled platform is slower: its figures are not kept
        save("feed", figures)
    return figures


def _core_share(run: dict[str, Any], offered: int) -> str:
    """The platform's CPU per tick as a share of one core at the offered rate."""
    per_tick = run["platform_cpu_us_per_tick"]
    return f"{per_tick * offered / 1e4:.0f} %" if per_tick else "?"


def readme_lines(figures: dict[str, Any]) -> list[str]:
    offered = figures["offered_ticks_per_second"]
    lines = []
    clients = f"{figures['clients']} clients × {figures['per_client']} (mode 2)"
    for key, label in (("fast_clients", clients),
                       ("beside_a_stalled_client",
                        f"{clients}, beside one on all {figures['instruments']:,} that "
                        "never reads")):
        run = figures[key]
        latency, floor = run["latency"], run["floor_latency"]
        verdict = "met" if latency["p99_ms"] <= GOAL_P99_MS else "missed"
        line = (
            f"| live feed: simulator {offered:,} ticks/s over {figures['instruments']:,} "
            f"instruments → platform → {label} | "
            f"{run['delivered_ticks_per_second']:,} ticks/s delivered ({run['lost']} lost "
            f"of {run['sent_by_simulator']:,}); simulator write → client p50 "
            f"{latency['p50_ms']} ms, p99 {latency['p99_ms']} ms (goal ≤ {GOAL_P99_MS:g}: "
            f"{verdict}; straight from the simulator p50 {floor['p50_ms']}, p99 "
            f"{floor['p99_ms']}); platform {run['platform_cpu_us_per_tick']} µs CPU a tick "
            f"({_core_share(run, offered)} of a core at {offered:,}/s; measured "
            f"{run['platform_cpu_percent']} %), RSS {run['platform_rss_mb']} MB; simulator "
            f"CPU {run['simulator_cpu_percent']} %; load average {run['load_average_1min']}")
        baseline = figures.get("baseline", {}).get(key)
        if baseline:
            line += (f"; before ({figures['baseline']['ref']}): "
                     f"{baseline['delivered_ticks_per_second']:,} ticks/s delivered "
                     f"({baseline['lost']:,} lost), p50 "
                     f"{baseline['latency']['p50_ms']} ms, p99 "
                     f"{baseline['latency']['p99_ms']} ms, "
                     f"{baseline['platform_cpu_us_per_tick']} µs CPU a tick, load average "
                     f"{baseline['load_average_1min']}")
        lines.append(line + " |")
    light = figures.get("light")
    if light:
        run, offered_light = light["fast_clients"], light["offered_ticks_per_second"]
        verdict = "met" if run["latency"]["p99_ms"] <= GOAL_P99_MS else "missed"
        lines.append(
            f"| live feed, lighter: simulator {offered_light:,} ticks/s over "
            f"{light['instruments']:,} instruments → platform → {clients} | "
            f"{run['delivered_ticks_per_second']:,} ticks/s delivered ({run['lost']} lost "
            f"of {run['sent_by_simulator']:,}); p50 {run['latency']['p50_ms']} ms, p99 "
            f"{run['latency']['p99_ms']} ms (goal ≤ {GOAL_P99_MS:g}: {verdict}); platform "
            f"{run['platform_cpu_us_per_tick']} µs CPU a tick, measured "
            f"{run['platform_cpu_percent']} % of a core; load average "
            f"{run['load_average_1min']} |")
    busy = figures.get("busy_reader")
    if busy:
        lines.append(
            f"| live feed's floor: the same stream read straight from the simulator by a "
            f"process spending {busy['busy_us_per_tick']:g} µs of CPU a tick, no platform | "
            f"{busy['ticks_per_second']:,} ticks/s, p50 "
            f"{busy['latency']['p50_ms']} ms, p99 {busy['latency']['p99_ms']} ms (what this "
            f"shared machine's scheduler gives a process that busy; load average "
            f"{busy['load_average_1min']}) |")
    return lines


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", metavar="REF",
                        help="also measure a platform run from this commit's src/")
    parser.add_argument("--profile", metavar="FILE", type=Path,
                        help="the platform's cProfile statistics (pstats) written to FILE")
    parser.add_argument("--light-only", action="store_true",
                        help="only the lighter run (printed, not saved)")
    parser.add_argument("--stalls", metavar="FILE", type=Path,
                        help="what held the platform's event loop up (JSON) written to FILE")
    args = parser.parse_args()
    main(args.baseline, args.profile, args.light_only, args.stalls)
