"""The broker page, Connect, and ICICI's redirect back to /icici/callback.

Connect is a CSRF-checked form that opens a 15-minute window and sends the browser to
ICICI's login page. The callback cannot carry our CSRF token (ICICI posts it from its
own site), so the broker connection accepts it only inside that window and only once;
what the callback carries (ICICI: the API_Session) is the connection's to read.

The page also shows the broker's live feed: the feed's own state (`Feed.state()`, what
`/ping` shows), not counted again here.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..brokers.base import ConnectFailed
from ..demo import DEMO_OTP, DEMO_PASSWORD, DEMO_USER_ID
from ..runtime import CALLBACK_PATH, get_runtime
from .common import checked_form, notice, redirect, render, require_user, viewer_of
from .master_view import master_view

router = APIRouter()

_FAILURE_STATUS = {"unreachable": 502, "broker_error": 502, "no_pending": 409}


@router.get("/broker")
async def broker_page(request: Request, m: str = "") -> Response:
    viewer = require_user(request)
    runtime = get_runtime(request)
    return render(request, viewer, "broker.html", message=notice(m),
                  demo_login=(DEMO_USER_ID, DEMO_PASSWORD, DEMO_OTP),
                  redirect_url=runtime.settings.redirect_url,
                  redirect_problem=runtime.redirect_problem,
                  master=master_view(runtime.instruments),
                  feed=runtime.feed.state() if runtime.feed is not None else None)


@router.post("/broker/connect")
async def connect(request: Request) -> Response:
    viewer = require_user(request)
    await checked_form(request, viewer)
    runtime = get_runtime(request)
    if runtime.demo is not None and not await runtime.demo.wait_ready(20):
        return render(request, viewer, "problem.html", status_code=503,
                      title="The demo simulator is not running",
                      happened="The bundled Breeze simulator did not start (see the console "
                               "or DATA_DIR/logs/algodesk.log for why).",
                      todo="Restart algodesk; if SIMULATOR_PORT is taken, set another one "
                           "in .env.")
    return redirect(runtime.broker.begin_connect())


async def _callback(request: Request, form: dict[str, str] | None) -> Response:
    runtime = get_runtime(request)
    try:
        await runtime.broker.complete_connect(dict(request.query_params), form)
    except ConnectFailed as failure:
        return render(request, viewer_of(request), "problem.html",
                      status_code=_FAILURE_STATUS.get(failure.kind, 400),
                      title=failure.title, happened=failure.happened, todo=failure.todo,
                      kind=failure.kind)
    return redirect("/?m=connected")


@router.get(CALLBACK_PATH)
async def callback_get(request: Request) -> Response:
    return await _callback(request, None)


@router.post(CALLBACK_PATH)
async def callback_post(request: Request) -> Response:
    form = await request.form()
    return await _callback(request, {k: v for k, v in form.items() if isinstance(v, str)})
