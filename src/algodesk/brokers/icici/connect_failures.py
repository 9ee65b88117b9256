"""Why an ICICI login did not complete, in the trader's words: what happened, what to do.

Each failure of `/icici/callback` ends on a page built from one of these
(`brokers.base.ConnectFailed`); `kind` lets the page pick an HTTP status and lets tests
tell the cases apart.
"""

from __future__ import annotations

from ..base import ConnectFailed

PORTAL = "https://api.icicidirect.com/apiuser/home"


def no_pending_connect() -> ConnectFailed:
    return ConnectFailed(
        "no_pending", "No login was started here",
        "algodesk received a broker login it did not ask for (or the login took longer "
        "than 15 minutes), so it was ignored.",
        "Open the broker page and click Connect; finish the login within 15 minutes.")


def missing_api_session(redirect_url: str) -> ConnectFailed:
    return ConnectFailed(
        "missing_api_session", "The broker sent no API_Session",
        "ICICI came back to /icici/callback without an API_Session (neither the apisession "
        "query parameter nor the API_Session form field).",
        "Click Connect again and complete the login on ICICI's page. If it keeps happening, "
        f"check that the app's redirect URL on the Breeze portal is exactly {redirect_url}.")


def reused_api_session() -> ConnectFailed:
    return ConnectFailed(
        "reused_api_session", "This login was already used",
        "That API_Session has already been exchanged for a session; ICICI accepts each one "
        "once.",
        "Click Connect to log in again (a reloaded or bookmarked callback page cannot be "
        "reused).")


def invalid_app_key() -> ConnectFailed:
    return ConnectFailed(
        "invalid_app_key", "ICICI does not know this app key",
        "The broker answered \"Public Key does not exist.\": the BROKER_API_KEY in .env is "
        "not an app registered on the Breeze portal.",
        f"Copy the API key of your app from {PORTAL} into BROKER_API_KEY in .env, restart "
        "algodesk, then click Connect.")


def expired_api_session(broker_words: str) -> ConnectFailed:
    return ConnectFailed(
        "expired_api_session", "The login has expired",
        f"The broker refused the API_Session ({broker_words}): it is expired, already used, "
        "or from another day.",
        "Click Connect and log in again; then come straight back.")


def wrong_secret() -> ConnectFailed:
    return ConnectFailed(
        "wrong_secret", "ICICI refused the signature",
        "The login worked, but the first signed call was refused with \"Authentication Fail "
        ":: Invalid Checksum.\" ICICI answers this when BROKER_API_SECRET is wrong (or was "
        "regenerated on the portal) or the computer's clock is more than a minute off.",
        f"Copy the secret key of your app from {PORTAL} into BROKER_API_SECRET in .env, "
        "check the system clock, restart algodesk, then click Connect.")


def unreachable(api_url: str, detail: str) -> ConnectFailed:
    return ConnectFailed(
        "unreachable", "The broker could not be reached",
        f"algodesk could not talk to {api_url}: {detail}.",
        "Check the internet connection (and, in demo mode, that the simulator is running), "
        "then click Connect again.")


def broker_error(detail: str) -> ConnectFailed:
    return ConnectFailed(
        "broker_error", "The broker gave an unexpected answer",
        f"customerdetails failed: {detail}.",
        "Wait a minute and click Connect again. If it persists, ICICI's service may be "
        "down; see the log for details.")


__all__ = [
    "ConnectFailed",
    "broker_error",
    "expired_api_session",
    "invalid_app_key",
    "missing_api_session",
    "no_pending_connect",
    "reused_api_session",
    "unreachable",
    "wrong_secret",
]
