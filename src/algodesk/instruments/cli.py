"""`algodesk contracts update | status | search TEXT`: the master contract by hand.

These work on the same database as a running platform (SQLite in WAL mode lets both
read and write); a running platform picks up a master stored here within a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from ..domain import Exchange, InstrumentType


def register(subparsers: argparse._SubParsersAction) -> None:
    contracts = subparsers.add_parser(
        "contracts", help="the master contract: update, status, search")
    commands = contracts.add_subparsers(dest="contracts_command", required=True)
    update = commands.add_parser("update", help="download SecurityMaster.zip and install it now")
    update.set_defaults(run=_update)
    status = commands.add_parser("status", help="the stored master and recent refreshes")
    status.set_defaults(run=_status)
    search = commands.add_parser("search", help="find instruments by symbol or name")
    search.add_argument("text", nargs="+", help="words, e.g. NIFTY 24000 CE")
    search.add_argument("--exchange", choices=[e.value for e in Exchange])
    search.add_argument("--type", dest="instrument_type",
                        choices=[t.value for t in InstrumentType])
    search.add_argument("--limit", type=int, default=20)
    search.set_defaults(run=_search)


def _console() -> Any:
    from rich.console import Console

    console = Console()
    # Piped output (no terminal) would wrap tables at 80 columns; give them room.
    return console if console.is_terminal else Console(width=160)


def _context() -> tuple[Any, Any]:
    from ..config import get_settings
    from ..storage import Database
    from .store import ensure_tables

    settings = get_settings()
    database = Database.from_settings(settings)
    ensure_tables(database)
    return settings, database


def _update(args: argparse.Namespace) -> int:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        TextColumn,
        TimeElapsedColumn,
        TransferSpeedColumn,
    )
    from rich.progress import Progress as Bar

    from .refresh import Progress, refresh_master

    settings, database = _context()
    console = _console()
    console.print(f"Downloading {settings.security_master_url}")
    with Bar(TextColumn("{task.description:<12}"), BarColumn(), DownloadColumn(),
             TransferSpeedColumn(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("downloading", total=None)

        def show(progress: Progress) -> None:
            bar.update(task, description=progress.phase, completed=progress.bytes_done,
                       total=progress.bytes_total)

        outcome = asyncio.run(refresh_master(settings, database, trigger="cli",
                                             progress=Progress(listener=show)))
    if not outcome.ok:
        console.print(f"[red]Refresh failed[/red] ({outcome.stage}): {outcome.message}")
        return 1
    console.print(f"Installed master {outcome.master_id}: {outcome.message} "
                  f"in {outcome.seconds:.2f} s")
    for warning in outcome.summary.get("warnings", []):
        console.print(f"[yellow]warning[/yellow]: {warning}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from ..storage import utcnow
    from .schedule import IST, is_stale, next_due, parse_refresh_time
    from .store import active_master, recent_attempts

    settings, database = _context()
    console = _console()
    info = active_master(database)
    at = parse_refresh_time(settings.contracts_refresh_time)
    now = utcnow()
    if info is None:
        console.print("No master contract yet: symbols cannot be looked up and orders are "
                      "refused until one is downloaded (`algodesk contracts update`, or the "
                      "running platform's next try).")
    else:
        counts = ", ".join(f"{ex} {n:,}" for ex, n in info.summary.get("counts", {}).items())
        stale = is_stale(info.created_at, now, at)
        console.print(f"Master {info.id}: {info.instrument_count:,} instruments ({counts})")
        console.print(f"  downloaded {info.created_at.astimezone(IST):%Y-%m-%d %H:%M:%S} IST "
                      f"from {info.source_url} ({info.archive_bytes:,} bytes)"
                      f"{'  [yellow]stale[/yellow]' if stale else ''}")
        for warning in info.summary.get("warnings", []):
            console.print(f"  [yellow]warning[/yellow]: {warning}")
    console.print(f"Daily refresh after {settings.contracts_refresh_time} IST "
                  f"(next {next_due(now, at).astimezone(IST):%a %Y-%m-%d %H:%M} IST"
                  f"{'' if settings.contracts_auto_refresh else ', auto refresh off'})")
    attempts = recent_attempts(database, 5)
    if attempts:
        console.print("Recent refreshes:")
    for a in attempts:
        mark = "[green]ok[/green]" if a.ok else f"[red]failed at {a.stage}[/red]"
        console.print(f"  {a.started_at.astimezone(IST):%Y-%m-%d %H:%M:%S} IST  {a.trigger:<9} "
                      f"{mark}  {a.seconds:.2f} s  {a.message}")
    return 0 if info is not None else 1


def _search(args: argparse.Namespace) -> int:
    from rich.table import Table

    from .service import _load_index

    _settings, database = _context()
    console = _console()
    started = time.perf_counter()
    index = _load_index(database)
    if index is None:
        console.print("No master contract yet: run `algodesk contracts update`.")
        return 1
    loaded = time.perf_counter() - started
    found = index.search(" ".join(args.text), args.exchange, args.instrument_type, args.limit)
    table = Table(title=f"{len(found)} match(es) for {' '.join(args.text)!r} "
                        f"(index of {len(index):,} loaded in {loaded:.2f} s)")
    for column in ("symbol", "exchange", "name", "type", "expiry", "strike", "lot", "tick",
                   "breeze", "stream"):
        table.add_column(column)
    for inst in found:
        table.add_row(inst.symbol, str(inst.exchange), inst.name, str(inst.instrument_type),
                      inst.expiry_text, inst.breeze_strike, str(inst.lot_size),
                      str(inst.tick_size), f"{inst.breeze_exchange} {inst.brsymbol}",
                      inst.stream_token)
    console.print(table)
    return 0
