"""How the pages answer errors: a login redirect, a refused form, a page not found."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from ..brokers.base import BrokerFailure, BrokerUnavailable
from ..instruments.errors import MasterContractUnavailable
from ..runtime import get_runtime
from .common import CsrfRejected, LoginRequired, redirect, render, viewer_of

log = logging.getLogger(__name__)


async def on_login_required(request: Request, exc: LoginRequired) -> Response:
    if not get_runtime(request).users.exists():
        return redirect("/setup")
    if request.method != "GET":  # a form cannot be replayed by a redirect after login
        return redirect("/login")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(f"/login?next={quote(target, safe='')}")


async def on_csrf_rejected(request: Request, exc: CsrfRejected) -> Response:
    return render(request, viewer_of(request), "message.html", status_code=403,
                  title="Form refused",
                  text="This form arrived without a valid security token (it may be stale, or "
                       "sent from another site). Reload the page and try again.",
                  link=("/", "Dashboard"))


async def on_http_error(request: Request, exc: HTTPException) -> Response:
    title = "Not found" if exc.status_code == 404 else f"Error {exc.status_code}"
    return render(request, viewer_of(request), "message.html", status_code=exc.status_code,
                  title=title, text=str(exc.detail), link=("/", "Dashboard"))


async def on_broker_unavailable(request: Request, exc: BrokerUnavailable) -> Response:
    return render(request, viewer_of(request), "message.html", status_code=403,
                  title="Broker not available", text=exc.message, link=("/broker", "Broker"))


async def on_broker_failure(request: Request, exc: BrokerFailure) -> Response:
    # 502 whatever the failure's own status: this page failed because the broker did.
    return render(request, viewer_of(request), "message.html", status_code=502,
                  title="Broker error", text=f"The broker call failed: {exc.message}",
                  link=("/broker", "Broker"))


async def on_master_unavailable(request: Request, exc: MasterContractUnavailable) -> Response:
    return render(request, viewer_of(request), "message.html", status_code=503,
                  title="Master contract not loaded yet", text=exc.message,
                  link=("/", "Dashboard"))


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s", request.url.path, exc_info=exc)
    return render(request, viewer_of(request), "message.html", status_code=500,
                  title="Something went wrong",
                  text="algodesk hit an unexpected error; the details are in the log.",
                  link=("/", "Dashboard"))
