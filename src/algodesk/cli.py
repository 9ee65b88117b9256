"""The `algodesk` command."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import __version__
from .access import cli as access_cli
from .demo import PARENT_PID_VARIABLE
from .instruments import cli as contracts_cli
from .market import cli as market_cli
from .storage import cli as db_cli

if TYPE_CHECKING:
    from sqlalchemy import MetaData


def _simulator_parser(sub: argparse._SubParsersAction) -> None:
    from .simulator.config import SimulatorConfig

    d = SimulatorConfig()
    p = sub.add_parser("simulator", help="run the Breeze-protocol exchange simulator")
    p.add_argument("--host", default=d.host)
    p.add_argument("--port", type=int, default=d.port)
    p.add_argument("--seed", type=int, default=d.seed, help="seed of the price process")
    p.add_argument("--app-key", default=d.app_key)
    p.add_argument("--app-secret", default=d.app_secret)
    p.add_argument("--user-id", default=d.user_id)
    p.add_argument("--password", default=d.password)
    p.add_argument("--otp", default=d.otp)
    p.add_argument("--redirect-url", default=d.redirect_url)
    p.add_argument("--contracts", choices=["small", "full"], default=d.contracts,
                   help="instrument universe: small (a few hundred) or full (150,000+ rows)")
    p.add_argument("--market-hours", choices=["always", "exchange"], default=d.market_hours,
                   help="always open (default) or NSE hours 09:15-15:30 IST on weekdays")
    p.add_argument("--calls-per-minute", type=int, default=d.calls_per_minute)
    p.add_argument("--calls-per-day", type=int, default=d.calls_per_day)
    p.add_argument("--session-expiry", default=d.session_expiry,
                   help="daily session expiry, IST HH:MM (default 00:00)")
    p.add_argument("--stream-rate", type=float, default=d.stream_rate,
                   help="socket.io ticks per second per joined token (default 1, max 1000)")
    p.add_argument("--stream-stamp", action="store_true",
                   help="benches only: each tick's last traded quantity is the instant it "
                        "is written to the socket, in epoch microseconds")
    p.set_defaults(run=_run_simulator)


def _config_from(args: argparse.Namespace):  # -> SimulatorConfig
    from .simulator.config import SimulatorConfig

    hour, _, minute = args.session_expiry.partition(":")
    if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise SystemExit(f"--session-expiry must be HH:MM, got {args.session_expiry!r}")
    if not 0 < args.stream_rate <= 1000:
        raise SystemExit(f"--stream-rate must be above 0 and at most 1000, got {args.stream_rate}")
    return SimulatorConfig(
        host=args.host, port=args.port, seed=args.seed, app_key=args.app_key,
        app_secret=args.app_secret, user_id=args.user_id, password=args.password,
        otp=args.otp, redirect_url=args.redirect_url, contracts=args.contracts,
        market_hours=args.market_hours, calls_per_minute=args.calls_per_minute,
        calls_per_day=args.calls_per_day, session_expiry=args.session_expiry,
        stream_rate=args.stream_rate, stream_stamp=args.stream_stamp,
    )


def _serve_simulator(config, banner: str) -> int:
    import uvicorn

    from .simulator.app import build_app

    started = time.perf_counter()
    app = build_app(config)
    print(banner)
    print(f"  Breeze simulator  {config.base_url}  (instruments: {config.contracts}, "
          f"seed {config.seed}, ready in {time.perf_counter() - started:.1f}s)")
    print(f"  login page        {config.base_url}/apiuser/login?api_key=<app key>")
    print(f"  app key           {config.app_key}")
    print(f"  app secret        {config.app_secret}")
    print(f"  user id / password / OTP   {config.user_id} / {config.password} / {config.otp}")
    print(f"  redirect URL      {config.redirect_url}")
    sys.stdout.flush()
    uvicorn.run(app, host=config.host, port=config.port, log_level="warning",
                access_log=False)
    return 0


def _end_with_parent() -> None:
    """Linux: when the parent named by ALGODESK_PARENT_PID dies (even killed outright),
    the kernel sends this process SIGTERM, so no orphan keeps the port. Done here, in
    the child's own start, rather than between fork and exec: code there is not safe
    while the parent has threads (it hung the child now and then)."""
    parent = os.environ.get(PARENT_PID_VARIABLE, "")
    if not parent.isdigit() or not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != int(parent):  # the parent died before the line above
        raise SystemExit("algodesk simulator: the parent process is gone")


def _run_simulator(args: argparse.Namespace) -> int:
    _end_with_parent()
    config = _config_from(args)
    return _serve_simulator(config, "algodesk simulator: demo credentials (practice only)")


def _run_serve(args: argparse.Namespace) -> int:
    from .server import run_serve

    return run_serve()


def _platform_metadata() -> MetaData:
    from .tables import platform_metadata  # every model module: only `db revision` needs it

    return platform_metadata()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="algodesk", description=__doc__)
    parser.add_argument("--version", action="version", version=f"algodesk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start the platform (demo mode without a broker key)")
    serve.set_defaults(run=_run_serve)
    _simulator_parser(sub)
    access_cli.register(sub)
    contracts_cli.register(sub)
    market_cli.register(sub)  # history backfill, calendar show/import
    db_cli.register(sub, metadata=_platform_metadata)  # db upgrade/current/revision
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except RuntimeError as exc:
        # Imported only now: `algodesk simulator` must not load the database stack.
        from .storage.schema import SchemaError

        if not isinstance(exc, SchemaError):
            raise
        print(f"algodesk: {exc}", file=sys.stderr)  # e.g. a database from a newer algodesk
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
