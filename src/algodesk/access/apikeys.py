"""The platform API key: generate, reveal once, rotate, revoke, verify.

Only a slow hash is stored: argon2id over HMAC-SHA256(pepper, key), the pepper derived
from DATA_DIR/secret.key, so a stolen database alone cannot even be brute-forced.

Verifying on every API call cannot cost an argon2 run, so a key that verified once is
remembered in memory by its peppered digest (never the key itself). A call then costs
one HMAC and a constant-time comparison per cached key (one, normally): microseconds.
Each cached entry is re-checked against the database every `revalidate_seconds`, so a
key revoked by another process (the CLI) stops working within that time; revoking from
this process drops it at once. Wrong keys are remembered briefly too, so repeating one
does not buy repeated argon2 runs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select, update

from ..logging_setup import redactor
from ..storage import Database, utcnow
from .models import ApiKey
from .secretbox import SecretBox

KEY_BYTES = 32  # 64 hex characters, the shape OpenAlgo's own keys have
HINT_CHARS = 4
_NEGATIVE_ENTRIES = 1024
_NEGATIVE_TTL = 60.0
_LAST_USED_EVERY = timedelta(minutes=1)

# Lighter than the password hasher: the input is already a 256-bit keyed digest of a
# 256-bit random key, so argon2 here guards a leaked database, not a guessable secret.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    id: int
    hint: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(slots=True)
class _Verified:
    key_id: int
    user_id: int
    digest: bytes
    checked_at: float
    last_used_written: datetime | None


class ApiKeyService:
    def __init__(self, db: Database, box: SecretBox, *, revalidate_seconds: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._db = db
        self._pepper = box.subkey("apikey-pepper")
        self._revalidate = revalidate_seconds
        self._clock = clock
        self._verified: dict[int, _Verified] = {}
        self._wrong: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()
        #: argon2 verifications run (tests read it to prove the cache works).
        self.slow_checks = 0
        # Bumped by create/revoke: a slow check that overlapped one does not cache.
        self._generation = 0

    def _peppered(self, key: str) -> bytes:
        return hmac.new(self._pepper, key.encode(), hashlib.sha256).digest()

    # ------------------------------------------------------------------ managing

    def create(self, user_id: int) -> str:
        """A new key for the user, replacing (revoking) any previous one. Shown once."""
        key = secrets.token_hex(KEY_BYTES)
        redactor.add(key)
        key_hash = _hasher.hash(self._peppered(key).hex())
        now = utcnow()
        with self._db.session() as s:
            s.execute(update(ApiKey).where(ApiKey.user_id == user_id,
                                           ApiKey.revoked_at.is_(None)).values(revoked_at=now))
            s.add(ApiKey(user_id=user_id, hint=key[:HINT_CHARS], key_hash=key_hash,
                         created_at=now))
        with self._lock:
            self._generation += 1
            self._drop_user(user_id)
            self._wrong.clear()
        return key

    def revoke(self, user_id: int) -> int:
        """Revoke every active key of the user; returns how many were active."""
        with self._db.session() as s:
            result = s.execute(update(ApiKey).where(ApiKey.user_id == user_id,
                                                    ApiKey.revoked_at.is_(None))
                               .values(revoked_at=utcnow()))
            count = result.rowcount or 0  # type: ignore[attr-defined]
        with self._lock:
            self._generation += 1
            self._drop_user(user_id)
        return count

    def _drop_user(self, user_id: int) -> None:
        for key_id in [k for k, v in self._verified.items() if v.user_id == user_id]:
            del self._verified[key_id]

    def active(self, user_id: int) -> ApiKeyInfo | None:
        with self._db.session() as s:
            row = s.scalars(select(ApiKey).where(ApiKey.user_id == user_id,
                                                 ApiKey.revoked_at.is_(None))
                            .order_by(ApiKey.id.desc())).first()
            return None if row is None else ApiKeyInfo(row.id, row.hint, row.created_at,
                                                      row.last_used_at)

    # ------------------------------------------------------------------ verifying

    def verify_cached(self, key: str) -> int | None:
        """The user id if `key` verified recently; None means "not known yet" (call
        `verify_slow`, off the event loop) — not "wrong"."""
        digest = self._peppered(key)
        now = self._clock()
        with self._lock:
            entries = list(self._verified.values())
        found: _Verified | None = None
        for entry in entries:
            # Compare against every entry, found or not: the time taken does not say
            # which entry (if any) matched.
            if hmac.compare_digest(entry.digest, digest):
                found = entry
        if found is None:
            return None
        if now - found.checked_at > self._revalidate:
            if not self._still_active(found):
                with self._lock:
                    self._verified.pop(found.key_id, None)
                return None
            found.checked_at = now
        self._note_use(found)
        return found.user_id

    def known_wrong(self, key: str) -> bool:
        digest = self._peppered(key)
        now = self._clock()
        with self._lock:
            seen = self._wrong.get(digest)
            if seen is None:
                return False
            if now - seen > _NEGATIVE_TTL:
                del self._wrong[digest]
                return False
            return True

    def verify_slow(self, key: str) -> int | None:
        """argon2 against the stored hashes of active keys (tens of milliseconds)."""
        digest = self._peppered(key)
        generation = self._generation
        with self._db.session() as s:
            rows = s.execute(select(ApiKey.id, ApiKey.user_id, ApiKey.key_hash)
                             .where(ApiKey.revoked_at.is_(None))).all()
        for key_id, user_id, key_hash in rows:
            self.slow_checks += 1
            try:
                _hasher.verify(key_hash, digest.hex())
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                continue
            entry = _Verified(key_id, user_id, digest, self._clock(), None)
            with self._lock:
                if generation != self._generation:
                    return None  # revoked or replaced while we checked: ask again
                self._verified[key_id] = entry
            self._note_use(entry)
            return user_id
        with self._lock:
            self._wrong[digest] = self._clock()
            while len(self._wrong) > _NEGATIVE_ENTRIES:
                self._wrong.popitem(last=False)
        return None

    def _still_active(self, entry: _Verified) -> bool:
        with self._db.session() as s:
            return s.scalar(select(ApiKey.id).where(ApiKey.id == entry.key_id,
                                                    ApiKey.revoked_at.is_(None))) is not None

    def _note_use(self, entry: _Verified) -> None:
        # "Last used" for the key page, written at most once a minute: a DB write per
        # API call would cost more than the verification itself.
        now = utcnow()
        if entry.last_used_written and now - entry.last_used_written < _LAST_USED_EVERY:
            return
        entry.last_used_written = now
        with self._db.session() as s:
            s.execute(update(ApiKey).where(ApiKey.id == entry.key_id).values(last_used_at=now))


__all__ = ["ApiKeyInfo", "ApiKeyService"]
