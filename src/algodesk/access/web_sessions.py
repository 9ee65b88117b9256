"""Browser sessions and CSRF tokens.

A session is a random cookie value; the database keeps only its keyed digest. Cookies
are HttpOnly and SameSite=Lax, and Secure when the page came over https.

CSRF: every state-changing form carries a token the server derives from something only
this browser holds: the session cookie once logged in, a random pre-login cookie before
(setup and login forms). A form posted from another site cannot know either.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from ..storage import Database, utcnow
from .models import User, WebSession
from .secretbox import SecretBox

SESSION_COOKIE = "algodesk_session"
PRELOGIN_COOKIE = "algodesk_prelogin"
SESSION_LIFETIME = timedelta(hours=12)
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True, slots=True)
class SessionInfo:
    user_id: int
    username: str
    expires_at: datetime


class WebSessions:
    def __init__(self, db: Database, box: SecretBox) -> None:
        self._db = db
        self._box = box

    def _id(self, token: str) -> str:
        return self._box.digest(token, "web-session").hex()

    def create(self, user_id: int) -> str:
        """A new session (always a fresh token: logging in never reuses a cookie)."""
        token = secrets.token_urlsafe(32)
        now = utcnow()
        with self._db.session() as s:
            s.execute(delete(WebSession).where(WebSession.expires_at < now))
            s.add(WebSession(id=self._id(token), user_id=user_id, created_at=now,
                             expires_at=now + SESSION_LIFETIME))
        return token

    def lookup(self, token: str | None) -> SessionInfo | None:
        if not token or len(token) > 128:
            return None
        with self._db.session() as s:
            row = s.get(WebSession, self._id(token))
            if row is None or row.expires_at <= utcnow():
                return None
            user = s.get(User, row.user_id)
            if user is None:
                return None
            return SessionInfo(user.id, user.username, row.expires_at)

    def end(self, token: str | None) -> None:
        if token:
            with self._db.session() as s:
                s.execute(delete(WebSession).where(WebSession.id == self._id(token)))

    def end_all(self, user_id: int) -> None:
        with self._db.session() as s:
            s.execute(delete(WebSession).where(WebSession.user_id == user_id))

    # ------------------------------------------------------------------ CSRF

    def csrf_token(self, *, session_token: str | None, prelogin_token: str | None) -> str:
        """The token forms must carry for this browser ('' when it holds no cookie yet)."""
        if session_token:
            return self._box.digest("session:" + session_token, "csrf").hex()
        if prelogin_token:
            return self._box.digest("prelogin:" + prelogin_token, "csrf").hex()
        return ""

    def csrf_valid(self, given: str | None, *, session_token: str | None,
                   prelogin_token: str | None) -> bool:
        expected = self.csrf_token(session_token=session_token, prelogin_token=prelogin_token)
        return bool(expected and given) and hmac.compare_digest(expected, given or "")


__all__ = ["CSRF_FIELD", "PRELOGIN_COOKIE", "SESSION_COOKIE", "SessionInfo", "WebSessions"]
