"""The dashboard (with analyzer mode's switch), the API key page, two-factor settings,
and the pages still to come."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..access.users import AccountError
from ..brokers.base import BrokerFailure, BrokerUnavailable
from ..runtime import get_runtime
from .common import Viewer, checked_form, field, notice, redirect, render, require_user
from .master_view import master_view

router = APIRouter()

# Later issues fill these in; the dashboard already links to them.
COMING = {
    "orders": "Order book",
    "trades": "Trade book",
    "positions": "Positions",
    "holdings": "Holdings",
    "analyzer": "Analyzer (paper trading)",
}


ANALYZER_MODES = ("analyze", "live")  # the switch form's values (OpenAlgo's `mode`)


@router.get("/")
async def dashboard(request: Request, m: str = "") -> Response:
    viewer = require_user(request)
    broker = get_runtime(request).broker
    funds, funds_error = None, None
    if broker.status().connected:
        try:
            funds = await broker.funds_overview()
        except BrokerUnavailable as exc:
            funds_error = exc.message
        except BrokerFailure as exc:
            funds_error = f"the broker did not give the funds: {exc.message}"
    return render(request, viewer, "dashboard.html", funds=funds, funds_error=funds_error,
                  message=notice(m), coming=COMING,
                  master=master_view(get_runtime(request).instruments))


@router.post("/analyzer/switch")
async def analyzer_switch(request: Request) -> Response:
    """Analyzer mode on or off: the switch the API's /analyzer/toggle sets. The form
    names the mode it wants rather than "flip", so a form sent twice (a double click, a
    stale tab) never switches back."""
    viewer = require_user(request)
    form = await checked_form(request, viewer)
    wanted = field(form, "mode")
    if wanted not in ANALYZER_MODES:
        return render(request, viewer, "message.html", status_code=400,
                      title="Form refused",
                      text="The analyzer switch takes mode \"analyze\" or \"live\".",
                      link=("/", "Dashboard"))
    get_runtime(request).analyzer.set(wanted == "analyze")
    return redirect(f"/?m=analyzer_{wanted}")


@router.get("/coming/{page}")
async def coming(request: Request, page: str) -> Response:
    viewer = require_user(request)
    title = COMING.get(page)
    if title is None:
        return render(request, viewer, "message.html", status_code=404, title="Not found",
                      text="There is no such page.", link=("/", "Dashboard"))
    return render(request, viewer, "message.html", title=title,
                  text="This page arrives with a later release.", link=("/", "Dashboard"))


# ---------------------------------------------------------------------- API key


class KeyReveals:
    """A new key handed from the POST that made it to the one page view that shows it.

    Generating answers with a redirect, so a browser refresh re-reads the page instead of
    posting again (which would rotate the key the trader just copied). The key waits here,
    in memory only and for a short while, under the web session that asked for it; the
    first view takes it, so a refresh no longer shows it."""

    LIFETIME_S = 120.0

    def __init__(self) -> None:
        self._waiting: dict[str, tuple[str, float]] = {}

    def put(self, session_token: str, key: str) -> None:
        now = time.monotonic()
        self._waiting = {token: entry for token, entry in self._waiting.items()
                         if entry[1] > now}
        self._waiting[session_token] = (key, now + self.LIFETIME_S)

    def take(self, session_token: str) -> str | None:
        key, until = self._waiting.pop(session_token, (None, 0.0))
        return key if until > time.monotonic() else None


reveals = KeyReveals()


@router.get("/apikey")
async def apikey_page(request: Request, m: str = "") -> Response:
    viewer = require_user(request)
    key = get_runtime(request).api_keys.active(viewer.user_id)
    new_key = reveals.take(viewer.session_token or "")
    return render(request, viewer, "apikey.html", key=key, new_key=new_key,
                  message=None if new_key else notice(m))


@router.post("/apikey/generate")
async def apikey_generate(request: Request) -> Response:
    """Generate or rotate: the old key stops working, the new one is shown this once."""
    viewer = require_user(request)
    await checked_form(request, viewer)
    keys = get_runtime(request).api_keys
    new_key = await run_in_threadpool(keys.create, viewer.user_id)
    reveals.put(viewer.session_token or "", new_key)
    return redirect("/apikey")


@router.post("/apikey/revoke")
async def apikey_revoke(request: Request) -> Response:
    viewer = require_user(request)
    await checked_form(request, viewer)
    get_runtime(request).api_keys.revoke(viewer.user_id)
    return redirect("/apikey?m=revoked")


# ---------------------------------------------------------------------- two-factor


def _security(request: Request, viewer: Viewer, *, error: str | None = None,
              message: str | None = None, status_code: int = 200) -> Response:
    users = get_runtime(request).users
    account = users.get(viewer.user_id)
    pending = None if account is None or account.totp_enabled else \
        users.pending_totp(viewer.user_id)
    return render(request, viewer, "security.html", status_code=status_code, account=account,
                  pending=pending, error=error, message=message)


@router.get("/security")
async def security_page(request: Request, m: str = "") -> Response:
    viewer = require_user(request)
    return _security(request, viewer, message=notice(m))


@router.post("/security/totp/begin")
async def totp_begin(request: Request) -> Response:
    viewer = require_user(request)
    await checked_form(request, viewer)
    try:
        get_runtime(request).users.begin_totp(viewer.user_id)
    except AccountError as exc:
        return _security(request, viewer, error=str(exc), status_code=400)
    return redirect("/security")


@router.post("/security/totp/confirm")
async def totp_confirm(request: Request) -> Response:
    viewer = require_user(request)
    form = await checked_form(request, viewer)
    try:
        get_runtime(request).users.confirm_totp(viewer.user_id, field(form, "totp"))
    except AccountError as exc:
        return _security(request, viewer, error=str(exc), status_code=400)
    return redirect("/security?m=totp_on")


@router.post("/security/totp/disable")
async def totp_disable(request: Request) -> Response:
    viewer = require_user(request)
    form = await checked_form(request, viewer)
    users = get_runtime(request).users
    try:
        await run_in_threadpool(users.disable_totp, viewer.user_id, field(form, "password"))
    except AccountError as exc:
        return _security(request, viewer, error=str(exc), status_code=400)
    return redirect("/security?m=totp_off")
