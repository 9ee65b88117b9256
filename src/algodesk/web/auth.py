"""First-run setup, login and logout.

Setup exists only while there is no admin account. Login checks are rate-limited per
client address: five failures in 15 minutes, then every attempt (right or wrong) is
refused until the oldest failure is 15 minutes old.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..access.users import AccountError
from ..access.web_sessions import SESSION_COOKIE
from ..runtime import client_address, get_runtime
from .common import (
    checked_form,
    field,
    notice,
    redirect,
    render,
    safe_next,
    set_session_cookie,
    viewer_of,
)

log = logging.getLogger(__name__)
router = APIRouter()


def _setup_gone(request: Request) -> Response:
    return render(request, viewer_of(request), "message.html", status_code=404,
                  title="Setup is done",
                  text="The admin account exists already. Log in instead.",
                  link=("/login", "Log in"))


@router.get("/setup")
async def setup_page(request: Request) -> Response:
    if get_runtime(request).users.exists():
        return _setup_gone(request)
    return render(request, viewer_of(request), "setup.html", error=None, username="")


@router.post("/setup")
async def setup_submit(request: Request) -> Response:
    runtime = get_runtime(request)
    viewer = viewer_of(request)
    form = await checked_form(request, viewer)
    if runtime.users.exists():
        return _setup_gone(request)
    username, password = field(form, "username"), field(form, "password")
    if password != field(form, "confirm"):
        return render(request, viewer, "setup.html", status_code=400, username=username,
                      error="The two passwords differ.")
    try:
        await run_in_threadpool(runtime.users.create, username, password)
    except AccountError as exc:
        return render(request, viewer, "setup.html", status_code=400, username=username,
                      error=str(exc))
    return redirect("/login?m=created")


@router.get("/login")
async def login_page(request: Request, next: str = "/", m: str = "") -> Response:
    runtime = get_runtime(request)
    if not runtime.users.exists():
        return redirect("/setup")
    viewer = viewer_of(request)
    if viewer.user is not None:
        return redirect(safe_next(next))
    return render(request, viewer, "login.html", error=None, next=safe_next(next),
                  totp=runtime.users.totp_required(), message=notice(m))


@router.post("/login")
async def login_submit(request: Request) -> Response:
    runtime = get_runtime(request)
    viewer = viewer_of(request)
    form = await checked_form(request, viewer)
    target = safe_next(field(form, "next"))
    totp = runtime.users.totp_required()
    address = client_address(request)
    wait = runtime.login_limiter.retry_after(address)
    if wait > 0:
        log.warning("login from %s refused: too many failures", address)
        minutes = max(1, round(wait / 60))
        response = render(request, viewer, "login.html", status_code=429, next=target,
                          totp=totp, message=None,
                          error=f"Too many failed logins from this address. Try again in "
                                f"about {minutes} minute{'s' if minutes != 1 else ''}.")
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    account = await run_in_threadpool(
        runtime.users.authenticate, field(form, "username"), field(form, "password"),
        field(form, "totp"))
    if account is None:
        runtime.login_limiter.failed(address)
        log.warning("failed login from %s", address)
        return render(request, viewer, "login.html", status_code=401, next=target, totp=totp,
                      message=None, error="Wrong username, password or code.")
    runtime.login_limiter.succeeded(address)
    # A new session on every login: a cookie planted before login is worth nothing.
    runtime.web_sessions.end(request.cookies.get(SESSION_COOKIE))
    token = runtime.web_sessions.create(account.id)
    response = redirect(target)
    set_session_cookie(response, request, token)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    runtime = get_runtime(request)
    viewer = viewer_of(request)
    await checked_form(request, viewer)
    runtime.web_sessions.end(viewer.session_token)
    response = redirect("/login?m=logged_out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
