"""The daily Breeze login: the browser URL and the API_Session exchange (reference §2).

1. Send the trader's browser to `login_url(...)`.
2. ICICI redirects to the app's registered URL with the API_Session, either as the query
   parameter `apisession` or as the form field `API_Session` (`api_session_from`).
3. `exchange_api_session` trades it for the session token through `customerdetails`.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from .client import BreezeClient
from .schemas import BreezeCustomerDetails


def login_url(login_base: str, app_key: str) -> str:
    """`…/apiuser/login?api_key=<AppKey>` with the key fully URL-encoded.

    AppKeys can contain `+ = ! ^ # $ ~ (`; every such character is percent-encoded.
    """
    base = login_base.rstrip("?")
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}api_key={quote(app_key, safe='')}"


def api_session_from(
    query: Mapping[str, str] | None = None, form: Mapping[str, str] | None = None
) -> str | None:
    """The API_Session of a redirect: form field `API_Session`, else query `apisession`
    (or `API_Session`). None when absent or blank."""
    for source, key in ((form, "API_Session"), (query, "apisession"), (query, "API_Session")):
        if source is not None:
            value = (source.get(key) or "").strip()
            if value:
                return value
    return None


async def exchange_api_session(client: BreezeClient, api_session: str) -> BreezeCustomerDetails:
    """Trade an API_Session for the session token; the client keeps it for signed calls."""
    return await client.customer_details(api_session)


__all__ = ["api_session_from", "exchange_api_session", "login_url"]
