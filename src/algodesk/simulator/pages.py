"""The HTML the simulated ICICI login portal shows: the login form, its error page and
the page that carries the API_Session back to the app's redirect URL."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode, urlsplit, urlunsplit

_STYLE = """
body{font-family:system-ui,sans-serif;background:#f3f5f9;margin:0;color:#1d2733}
main{max-width:380px;margin:8vh auto;background:#fff;padding:28px 32px;border-radius:10px;
box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:1.3rem;margin:0 0 4px}p.sub{color:#5b6776;margin:0 0 20px;font-size:.9rem}
label{display:block;font-size:.85rem;margin:12px 0 4px}
input{width:100%;box-sizing:border-box;padding:9px;border:1px solid #c5ccd6;border-radius:6px}
button{margin-top:20px;width:100%;padding:10px;background:#ae282e;color:#fff;border:0;
border-radius:6px;font-size:1rem;cursor:pointer}
.error{background:#fdecec;color:#8a1f1f;padding:10px;border-radius:6px}
.banner{background:#fff4d6;color:#6b4e00;padding:8px 12px;font-size:.85rem;text-align:center}
"""


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        "<div class='banner'>Breeze simulator: a practice copy of ICICI Direct's login, "
        "running on this machine. No real account is involved.</div>"
        f"<main>{body}</main></body></html>"
    )


def login_page(api_key: str, error: str | None = None) -> str:
    notice = f"<p class='error' role='alert'>{escape(error)}</p>" if error else ""
    return _page(
        "ICICI Direct API login (simulator)",
        "<h1>Login to Breeze API</h1><p class='sub'>ICICI Direct (simulated)</p>"
        f"{notice}<form method='post' action='/apiuser/login'>"
        f"<input type='hidden' name='api_key' value='{escape(api_key, quote=True)}'>"
        "<label for='user_id'>User ID</label>"
        "<input id='user_id' name='user_id' autocomplete='username' required>"
        "<label for='password'>Password</label>"
        "<input id='password' name='password' type='password' "
        "autocomplete='current-password' required>"
        "<label for='otp'>OTP</label>"
        "<input id='otp' name='otp' inputmode='numeric' autocomplete='one-time-code' required>"
        "<button type='submit'>Login</button></form>",
    )


def error_page(message: str) -> str:
    return _page(
        "ICICI Direct API login error (simulator)",
        f"<h1>Login failed</h1><p class='error' role='alert'>{escape(message)}</p>",
    )


def with_api_session(redirect_url: str, api_session: str) -> str:
    parts = urlsplit(redirect_url)
    query = f"{parts.query}&" if parts.query else ""
    query += urlencode({"apisession": api_session})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def redirect_page(redirect_url: str, api_session: str) -> str:
    """Carries the API_Session both ways ICICI does: a POSTed form field `API_Session`
    to a URL that also has `?apisession=` on it."""
    target = escape(with_api_session(redirect_url, api_session), quote=True)
    value = escape(api_session, quote=True)
    return _page(
        "Redirecting (simulator)",
        "<h1>Login successful</h1><p class='sub'>Returning to your app…</p>"
        f"<form id='back' method='post' action='{target}'>"
        f"<input type='hidden' name='API_Session' value='{value}'>"
        "<noscript><button type='submit'>Continue</button></noscript></form>"
        "<script>document.getElementById('back').submit()</script>",
    )
