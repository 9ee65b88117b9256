"""`algodesk serve`: check the settings, set up logging, run the app under uvicorn.

SIGINT and SIGTERM stop it gracefully: uvicorn finishes open requests, the lifespan
stops the services (the demo simulator included), and the process exits with 0.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import signal
import sys
import threading
import time
from collections.abc import Iterator

import uvicorn

from . import __version__
from .app import create_app
from .config import Settings, get_settings
from .demo import DEMO_OTP, DEMO_PASSWORD, DEMO_USER_ID
from .logging_setup import configure_logging
from .runtime import Runtime
from .storage.schema import SchemaError
from .stream import build_stream_server

log = logging.getLogger("algodesk")


class _Server(uvicorn.Server):
    """uvicorn re-raises the stopping signal after a graceful shutdown (so Ctrl-C ends in
    a KeyboardInterrupt traceback); a clean stop here is an exit code of 0."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        signals = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in signals}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _refuse_remote(settings: Settings) -> str | None:
    if settings.host_is_loopback or settings.allow_remote_access:
        return None
    return (f"algodesk: HOST is {settings.host!r}, which is reachable from other machines. "
            "The pages and the trading API would face your network. If that is what you "
            "want, also set ALLOW_REMOTE_ACCESS = true in .env (and put TLS in front); "
            "otherwise use HOST = '127.0.0.1'.")


def _banner(runtime: Runtime, log_file: str, seconds: float) -> list[str]:
    settings = runtime.settings
    base = settings.public_base_url
    lines = [f"algodesk {__version__} on {base}  (built in {seconds:.1f}s; log: {log_file})"]
    if runtime.demo is not None:
        lines += [
            "DEMO MODE: no BROKER_API_KEY in .env, so the bundled Breeze simulator plays "
            f"ICICI Direct on {runtime.demo.base_url}. No real account is involved.",
            f"  connect at        {base}/broker",
            f"  simulator login   user id {DEMO_USER_ID} / password {DEMO_PASSWORD} / "
            f"OTP {DEMO_OTP}",
            f"  demo app key      {runtime.demo.credentials.app_key}",
        ]
    else:
        lines.append(f"Broker: ICICI Direct Breeze at {settings.breeze_api_url}; connect at "
                     f"{base}/broker")
    ws_host = base.split("://", 1)[1].rsplit(":", 1)[0]
    lines.append(f"WebSocket feed on ws://{ws_host}:{settings.websocket_port} (OpenAlgo "
                 "protocol: authenticate with the API key)")
    if not runtime.users.exists():
        lines.append(f"First run: open {base}/setup to create the admin account "
                     "(or run `algodesk user create`).")
    return lines


def run_serve() -> int:
    settings = get_settings()
    refusal = _refuse_remote(settings)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    started = time.perf_counter()
    # A request allocates a few thousand objects: with Python's default (a young-object
    # pass every 700), each one pays several collector passes. Passes every 50,000
    # allocations cost ~10% less per API call; the long-lived index is frozen out of
    # them anyway (instruments.service).
    gc.set_threshold(50_000, 20, 10)
    log_file = configure_logging(settings.data_dir, settings.log_level)
    try:
        app = create_app(settings)
    except SchemaError as exc:  # e.g. a database a newer algodesk has upgraded
        log.error("cannot start: %s", exc)
        return 1
    runtime: Runtime = app.state.runtime
    stream = build_stream_server(runtime)
    if stream is not None:
        runtime.services.append(stream)  # started last by the app's lifespan, stopped first
    for line in _banner(runtime, str(log_file), time.perf_counter() - started):
        print(line)
    if not settings.host_is_loopback:
        log.warning("listening on %s: the pages and the API are reachable from the network",
                    settings.host)
    if runtime.redirect_problem:
        log.warning("%s", runtime.redirect_problem)
    sys.stdout.flush()
    trusted = settings.trusted_proxies.strip()
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_config=None, access_log=False,
        proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None,
        timeout_graceful_shutdown=5, server_header=False,
    )
    server = _Server(config)
    server.run()
    return 0 if server.started else 1


__all__ = ["run_serve"]
