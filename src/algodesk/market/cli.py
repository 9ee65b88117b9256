"""`algodesk history backfill ...` and `algodesk calendar show | import`.

The backfill asks the running platform, through its own /history endpoint, for the
range piece by piece (a month at a time; a day at a time for 1-second candles) with a
progress bar. Going through the platform is deliberate: it owns the broker session and
the broker's call budget, so a backfill can never starve order actions or run the budget
past its limits, and what it stores is exactly what later requests read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path
from typing import Any

from .intervals import IntervalError, parse_interval


def register(subparsers: argparse._SubParsersAction) -> None:
    history = subparsers.add_parser("history", help="the local candle store: backfill")
    commands = history.add_subparsers(dest="history_command", required=True)
    backfill = commands.add_parser(
        "backfill", help="fetch a symbol's candles for a date range into the candle store "
                         "(through the running platform)")
    backfill.add_argument("symbol", help="OpenAlgo symbol, e.g. RELIANCE or NIFTY28NOV24FUT")
    backfill.add_argument("exchange", help="NSE, BSE, NFO, BFO, CDS, MCX, NSE_INDEX, BSE_INDEX")
    backfill.add_argument("--from", dest="start", required=True, help="first date, YYYY-MM-DD")
    backfill.add_argument("--to", dest="end", required=True, help="last date, YYYY-MM-DD")
    backfill.add_argument("--interval", default="1m",
                          help="interval whose base candles to store (default 1m)")
    backfill.add_argument("--apikey", default=os.environ.get("ALGODESK_APIKEY", ""),
                          help="the platform's API key (default: $ALGODESK_APIKEY)")
    backfill.add_argument("--url", default="", help="the platform (default: from HOST/PORT)")
    backfill.set_defaults(run=_backfill)

    calendar = subparsers.add_parser("calendar", help="exchange holidays and sessions")
    commands = calendar.add_subparsers(dest="calendar_command", required=True)
    show = commands.add_parser("show", help="the holidays of a year")
    show.add_argument("--year", type=int, default=dt.date.today().year)
    show.set_defaults(run=_show)
    imported = commands.add_parser(
        "import", help="install a newer holiday file (its years replace the shipped ones)")
    imported.add_argument("file", type=Path)
    imported.set_defaults(run=_import)


def pieces(start: dt.date, end: dt.date, per_day: bool) -> list[tuple[dt.date, dt.date]]:
    """Calendar months (days for 1-second candles) covering [start, end]."""
    out = []
    cursor = start
    while cursor <= end:
        if per_day:
            stop = cursor
        else:
            following = (cursor.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            stop = min(end, following - dt.timedelta(days=1))
        out.append((cursor, min(stop, end)))
        cursor = min(stop, end) + dt.timedelta(days=1)
    return out


def _platform_url(given: str) -> str:
    if given:
        return given.rstrip("/")
    from ..config import get_settings

    return get_settings().public_base_url


def _backfill(args: argparse.Namespace) -> int:
    import httpx
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console()
    try:
        interval = parse_interval(args.interval)
        start, end = dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end)
    except (IntervalError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    if start > end:
        console.print(f"[red]--from {start} is after --to {end}[/red]")
        return 2
    if not args.apikey:
        console.print("[red]an API key is needed: --apikey KEY or ALGODESK_APIKEY "
                      "(create one on the API key page or with `algodesk apikey create`)[/red]")
        return 2
    url = _platform_url(args.url)
    parts = pieces(start, end, per_day=interval.base.seconds == 1)
    totals = {"candles": 0, "broker_calls": 0}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[candles]:,} candles, {task.fields[calls]} broker calls"),
               TimeElapsedColumn())
    with httpx.Client(base_url=url, timeout=600) as http, Progress(*columns,
                                                                    console=console) as bar:
        task = bar.add_task(f"{args.symbol} {args.exchange} {interval.base.name}",
                            total=len(parts), candles=0, calls=0)
        for first, last in parts:
            answer = _ask(http, {
                "apikey": args.apikey, "symbol": args.symbol, "exchange": args.exchange,
                "interval": interval.text, "start_date": first.isoformat(),
                "end_date": last.isoformat(), "source": "api", "summary_only": True})
            if answer.get("status") != "success":
                bar.stop()
                console.print(f"[red]{first}..{last}: {answer.get('message')}[/red]")
                console.print("Everything fetched before this point is stored; run the same "
                              "command again to resume.")
                return 1
            totals["candles"] += int(answer.get("candles", 0))
            totals["broker_calls"] += int(answer.get("broker_calls", 0))
            bar.update(task, advance=1, candles=totals["candles"], calls=totals["broker_calls"])
    console.print(f"stored {args.symbol} {args.exchange} {start}..{end}: "
                  f"{totals['candles']:,} candles ({interval.text}), "
                  f"{totals['broker_calls']} broker calls")
    return 0


def _ask(http: Any, payload: dict[str, Any]) -> dict[str, Any]:
    import httpx

    try:
        response = http.post("/api/v1/history", json=payload)
    except httpx.HTTPError as exc:
        return {"status": "error", "message": f"the platform at {http.base_url} did not "
                                              f"answer ({exc}); is `algodesk serve` running?"}
    try:
        body = response.json()
    except ValueError:
        return {"status": "error", "message": f"HTTP {response.status_code}: {response.text[:200]}"}
    return body if isinstance(body, dict) else {"status": "error", "message": str(body)}


def _calendar() -> Any:
    from ..config import get_settings
    from .calendar import FILE_NAME, MarketCalendar

    return MarketCalendar(Path(get_settings().data_dir) / FILE_NAME)


def _show(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    calendar = _calendar()
    info = calendar.year_info(args.year)
    table = Table(title=f"Trading holidays {args.year} ({info.get('status', 'not listed')})")
    for column in ("date", "day", "holiday", "closed", "sessions"):
        table.add_column(column)
    for holiday in calendar.holidays(args.year):
        sessions = ", ".join(f"{s.exchange} {s.start:%H:%M}-{s.end:%H:%M}"
                             for s in calendar.holiday_sessions(holiday))
        table.add_row(holiday.date.isoformat(), f"{holiday.date:%a}", holiday.description,
                      " ".join(holiday.closed), sessions)
    console = Console()
    console.print(table)
    for source in info.get("sources", []):
        console.print(f"source: {source}")
    if info.get("notes"):
        console.print(f"note: {info['notes']}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from ..config import get_settings
    from .calendar import CalendarError, install

    try:
        target, years = install(args.file, Path(get_settings().data_dir))
    except CalendarError as exc:
        print(f"not installed: {exc}")
        return 1
    print(f"installed {target} (years {', '.join(map(str, years))}); a running platform "
          "uses it from its next calendar request")
    return 0


__all__ = ["pieces", "register"]
