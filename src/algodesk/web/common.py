"""What every page needs: who is looking, the CSRF token, rendering, cookies.

Pages are plain server-rendered HTML (Jinja2, autoescaped); the one script is a static file
(the Copy button). Every state-changing form posts a `csrf_token` field; `checked_form` refuses a form
without the right one before anything else happens.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from ..access.web_sessions import (
    CSRF_FIELD,
    PRELOGIN_COOKIE,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    SessionInfo,
)
from ..domain.values import IST
from ..runtime import Runtime, get_runtime

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def inr(value: Decimal | int | float | None) -> str:
    """Rupees with Indian digit grouping: 1,23,45,678.90."""
    if value is None:
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    whole, _, fraction = f"{abs(amount):.2f}".partition(".")
    if len(whole) > 3:
        head, tail = whole[:-3], whole[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        whole = ",".join([*groups, tail])
    return f"{sign}₹{whole}.{fraction}"


def ist(value: dt.datetime | None, fmt: str = "%d %b %Y %H:%M IST") -> str:
    return "—" if value is None else value.astimezone(IST).strftime(fmt)


templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.filters["inr"] = inr
templates.env.filters["ist"] = ist


# Notices shown after a redirect (`?m=<key>`): fixed texts, so nothing is reflected.
NOTICES = {
    "created": "Admin account created. Log in.",
    "logged_out": "Logged out.",
    "connected": "Broker connected.",
    "revoked": "API key revoked: tools using it now get 403.",
    "totp_on": "Two-factor login is on.",
    "totp_off": "Two-factor login is off.",
    "analyzer_analyze": "Analyzer mode is on: new orders go to the paper account.",
    "analyzer_live": "Analyzer mode is off: new orders go to the broker.",
}


def notice(key: str | None) -> str | None:
    return NOTICES.get(key or "")


class LoginRequired(Exception):
    """Raised by `require_user`; answered with a redirect to /setup or /login."""


class CsrfRejected(Exception):
    """A state-changing form arrived without this browser's token."""


@dataclass
class Viewer:
    user: SessionInfo | None
    session_token: str | None
    prelogin_token: str | None
    set_prelogin: bool = False

    @property
    def user_id(self) -> int:
        """The signed-in user's id (only after `require_user`)."""
        if self.user is None:
            raise LoginRequired()
        return self.user.user_id


def viewer_of(request: Request) -> Viewer:
    runtime = get_runtime(request)
    session_token = request.cookies.get(SESSION_COOKIE)
    user = runtime.web_sessions.lookup(session_token)
    if user is None:
        session_token = None
    prelogin = request.cookies.get(PRELOGIN_COOKIE)
    viewer = Viewer(user, session_token, prelogin)
    if user is None and not prelogin:
        # The pre-login forms (setup, login) need a browser-bound CSRF secret too.
        viewer.prelogin_token = secrets.token_urlsafe(24)
        viewer.set_prelogin = True
    return viewer


def require_user(request: Request) -> Viewer:
    viewer = viewer_of(request)
    if viewer.user is None:
        raise LoginRequired()
    return viewer


async def checked_form(request: Request, viewer: Viewer) -> FormData:
    form = await request.form()
    given = form.get(CSRF_FIELD)
    ok = get_runtime(request).web_sessions.csrf_valid(
        given if isinstance(given, str) else None,
        session_token=viewer.session_token, prelogin_token=viewer.prelogin_token)
    if not ok or viewer.set_prelogin:
        raise CsrfRejected()
    return form


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(response: Response, request: Request, name: str, value: str,
               max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True,
                        samesite="lax", secure=is_https(request))


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    set_cookie(response, request, SESSION_COOKIE, token,
               int(SESSION_LIFETIME.total_seconds()))


def render(request: Request, viewer: Viewer, template: str, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    runtime: Runtime = get_runtime(request)
    csrf = runtime.web_sessions.csrf_token(session_token=viewer.session_token,
                                           prelogin_token=viewer.prelogin_token)
    response = templates.TemplateResponse(request, template, {
        "user": viewer.user,
        "csrf": csrf,
        "csrf_field": CSRF_FIELD,
        "broker": runtime.broker.status(),
        "demo": runtime.mode == "demo",
        "analyze": runtime.analyzer.analyze,  # analyzer mode: the badge on every page
        "runtime": runtime,
        **context,
    }, status_code=status_code)
    if viewer.set_prelogin and viewer.prelogin_token:
        set_cookie(response, request, PRELOGIN_COOKIE, viewer.prelogin_token, None)
    response.headers["Cache-Control"] = "no-store"
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never `//host` or `http://...` (an open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


__all__ = [
    "STATIC",
    "CsrfRejected",
    "LoginRequired",
    "Viewer",
    "checked_form",
    "field",
    "inr",
    "ist",
    "notice",
    "redirect",
    "render",
    "require_user",
    "safe_next",
    "set_cookie",
    "set_session_cookie",
    "templates",
    "viewer_of",
]
