"""The ASGI app: pages, the OpenAlgo API under /api/v1, and the callback from ICICI.

`create_app(settings)` wires the parts (`runtime.build_runtime`) and returns a FastAPI
app whose lifespan starts the services in order and stops them in reverse: the demo
simulator (demo mode), the broker connection (session restore, daily expiry, call
count), and whatever later parts add to `runtime.services` — the place for services
with `start()/stop()` such as the instrument index.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import __version__
from .api import API_PREFIX, include_api
from .api import errors as api_errors
from .api.docs import build_docs_router
from .brokers.base import BrokerFailure, BrokerUnavailable
from .config import Settings
from .instruments.errors import MasterContractUnavailable
from .runtime import Runtime, Service, build_runtime
from .trading.ports import OrderError
from .web import STATIC, build_web_router
from .web import errors as web_errors
from .web.common import CsrfRejected, LoginRequired

log = logging.getLogger(__name__)
access_log = logging.getLogger("algodesk.access")

Handler = Callable[[Request, Any], Awaitable[Response]]


class SecurityHeaders:
    """Headers on every answer: no framing, no sniffing, no referrer leaving the site
    (a callback URL carries the API_Session), and a policy that allows our own styles
    and scripts (files served here, never inline), and forms that post here or go to the
    broker's login page."""

    def __init__(self, app: ASGIApp, login_url: str) -> None:
        self.app = app
        parts = urlsplit(login_url)
        login_origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
        policy = ("default-src 'self'; script-src 'self'; object-src 'none'; "
                  "base-uri 'none'; frame-ancestors 'none'; "
                  f"form-action 'self' {login_origin}".strip())
        self.headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
            (b"content-security-policy", policy.encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AccessLog:
    """One line per answered request, as uvicorn writes it (`127.0.0.1:5123 - "GET /broker
    HTTP/1.1" 200`), for pages and the ICICI callback; for /api/ calls only when
    API_ACCESS_LOG is set: a script polling the order book 20 times a second would write
    72,000 lines an hour, and order actions have lines of their own. Here rather than
    uvicorn's access log, which builds its record before any filter can drop it, on every
    order's path."""

    def __init__(self, app: ASGIApp, api_calls: bool = False) -> None:
        self.app = app
        self.api_calls = api_calls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (not self.api_calls
                                       and scope["path"].startswith(API_PREFIX + "/")):
            await self.app(scope, receive, send)
            return

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                client = scope.get("client")
                target = scope["path"] + (f"?{scope['query_string'].decode('latin-1')}"
                                          if scope.get("query_string") else "")
                access_log.info('%s - "%s %s HTTP/%s" %d',
                                f"{client[0]}:{client[1]}" if client else "-",
                                scope["method"], target, scope["http_version"],
                                message["status"])
            await send(message)

        await self.app(scope, receive, send_logged)


def _by_path(api: Handler, web: Handler) -> Handler:
    """One exception type, two answers: OpenAlgo JSON under /api, a page elsewhere."""

    async def handle(request: Request, exc: Any) -> Response:
        if request.url.path.startswith("/api/"):
            return await api(request, exc)
        return await web(request, exc)

    return handle


def _install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(api_errors.OpenAlgoError, api_errors.on_openalgo_error)
    app.add_exception_handler(OrderError, api_errors.on_order_error)
    app.add_exception_handler(RequestValidationError, api_errors.on_validation_error)
    app.add_exception_handler(LoginRequired, web_errors.on_login_required)
    app.add_exception_handler(CsrfRejected, web_errors.on_csrf_rejected)

    async def api_http_error(request: Request, exc: HTTPException) -> Response:
        return api_errors.error_reply(request, exc.status_code, str(exc.detail))

    app.add_exception_handler(HTTPException, _by_path(api_http_error, web_errors.on_http_error))
    app.add_exception_handler(BrokerUnavailable, _by_path(api_errors.on_broker_unavailable,
                                                          web_errors.on_broker_unavailable))
    # Every broker's failures (ICICI's client errors and call budget included).
    app.add_exception_handler(BrokerFailure, _by_path(api_errors.on_broker_failure,
                                                      web_errors.on_broker_failure))
    app.add_exception_handler(MasterContractUnavailable, _by_path(
        api_errors.on_master_unavailable, web_errors.on_master_unavailable))
    app.add_exception_handler(Exception, _by_path(api_errors.on_unexpected,
                                                  web_errors.on_unexpected))


def create_app(settings: Settings, *, extra_services: tuple[Service, ...] = ()) -> FastAPI:
    runtime: Runtime = build_runtime(settings)
    runtime.services.extend(extra_services)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started: list[Service] = []
        try:
            for service in runtime.services:
                await service.start()
                started.append(service)
            yield
        finally:
            for service in reversed(started):
                try:
                    await service.stop()
                except Exception:
                    log.exception("stopping %s failed", type(service).__name__)
            runtime.db.dispose()

    app = FastAPI(title="algodesk", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.runtime = runtime
    _install_error_handlers(app)
    include_api(app)
    app.include_router(build_docs_router(app))
    app.include_router(build_web_router())
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    # Browsers ask for /favicon.ico whatever the page links; answer with the same icon.
    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml",
                            headers={"Cache-Control": "max-age=86400"})

    app.add_middleware(SecurityHeaders, login_url=runtime.settings.breeze_login_url)
    app.add_middleware(AccessLog, api_calls=runtime.settings.api_access_log)
    return app


__all__ = ["API_PREFIX", "AccessLog", "SecurityHeaders", "create_app"]
