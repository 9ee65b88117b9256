"""The broker login's secrets at rest: `BrokerSessionStore`, the `brokers.base.LoginStore`.

The login itself is the broker's business (`brokers.icici.session`); what it keeps
between runs lives here, in the database: the one connection row (its state, the
account, the session token encrypted through the secret box, tied to a keyed digest of
the credentials it was made with) and the broker calls counted per day.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from ..brokers.base import (
    BrokerState,
    BrokerUnavailable,
    LoginStore,
    SavedCalls,
    SavedLogin,
)
from ..storage import Database
from .models import BrokerCallDay, BrokerConnectionRow
from .secretbox import SecretBox, SecretBoxError

log = logging.getLogger(__name__)

_TOKEN_PURPOSE = "broker-session-token"
_CREDENTIALS_PURPOSE = "broker-credentials"


def encode_recent(stamps: tuple[float, ...] | list[float]) -> str:
    return " ".join(repr(t) for t in stamps)


def decode_recent(value: str | None) -> list[float]:
    stamps: list[float] = []
    for part in (value or "").split():
        try:
            stamps.append(float(part))
        except ValueError:
            continue
    return stamps


class BrokerSessionStore(LoginStore):
    def __init__(self, db: Database, box: SecretBox) -> None:
        self._db = db
        self._box = box

    def _digest(self, credentials: str) -> bytes:
        return self._box.digest(credentials, _CREDENTIALS_PURPOSE)

    def load(self, credentials: str) -> SavedLogin | None:
        with self._db.session() as s:
            row = s.get(BrokerConnectionRow, 1)
            if row is None:
                return None
            if row.credentials_digest != self._digest(credentials):
                s.delete(row)  # the session of another app key or endpoint
                return None
            token = None
            if row.state == BrokerState.CONNECTED and row.token_ciphertext is not None:
                try:
                    token = self._box.decrypt(row.token_ciphertext, _TOKEN_PURPOSE)
                except SecretBoxError:
                    log.warning("the stored broker session cannot be decrypted (was "
                                "secret.key replaced?); connect again")
                    s.delete(row)
                    return None
            return SavedLogin(BrokerState(row.state), row.user_id, row.user_name,
                              row.connected_at, row.expires_at, row.ended_reason, token)

    def forget(self) -> None:
        with self._db.session() as s:
            row = s.get(BrokerConnectionRow, 1)
            if row is not None:
                s.delete(row)

    def save(self, credentials: str, login: SavedLogin) -> None:
        with self._db.session() as s:
            row = s.get(BrokerConnectionRow, 1)
            if row is None:
                row = BrokerConnectionRow(id=1)
                s.add(row)
            row.state = login.state
            row.credentials_digest = self._digest(credentials)
            row.user_id, row.user_name = login.user_id, login.user_name
            row.token_ciphertext = (None if login.token is None
                                    else self._box.encrypt(login.token, _TOKEN_PURPOSE))
            row.connected_at, row.expires_at = login.connected_at, login.expires_at
            row.ended_at = None
            row.ended_reason = login.ended_reason

    def end(self, state: BrokerState, reason: str, at: dt.datetime) -> None:
        with self._db.session() as s:
            row = s.get(BrokerConnectionRow, 1)
            if row is not None:
                row.state = state
                row.token_ciphertext = None  # a dead token is not kept
                row.ended_at = at
                row.ended_reason = reason

    def load_calls(self) -> SavedCalls | None:
        with self._db.session() as s:
            row = s.scalars(select(BrokerCallDay).order_by(BrokerCallDay.day.desc())
                            .limit(1)).first()
            if row is None:
                return None
            return SavedCalls(row.day, row.calls, tuple(decode_recent(row.recent)))

    def save_calls(self, calls: SavedCalls) -> None:
        with self._db.session() as s:
            row = s.get(BrokerCallDay, calls.day)
            if row is None:
                s.add(BrokerCallDay(day=calls.day, calls=calls.calls,
                                    recent=encode_recent(calls.recent)))
            else:
                row.calls = calls.calls
                row.recent = encode_recent(calls.recent)


__all__ = [
    "BrokerSessionStore",
    "BrokerState",  # where the order and market services import them from (compatibility)
    "BrokerUnavailable",
    "decode_recent",
    "encode_recent",
]
