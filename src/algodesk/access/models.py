"""Tables of the access layer: the admin, web sessions, API keys, the broker connection.

Nothing here holds a secret in the clear: passwords and API keys are argon2 hashes, web
sessions are stored by a keyed digest of the cookie, the broker session token and TOTP
seeds are AES-GCM ciphertexts whose key lives in DATA_DIR/secret.key.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from ..storage import Base


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite forgets the zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class User(Base):
    __tablename__ = "access_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebSession(Base):
    __tablename__ = "access_web_sessions"

    # Hex HMAC of the cookie value: a copied database cannot be replayed as a cookie.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("access_users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiKey(Base):
    __tablename__ = "access_api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("access_users.id", ondelete="CASCADE"))
    # First characters only, so the trader can tell which key a tool holds.
    hint: Mapped[str] = mapped_column(String(8))
    key_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class BrokerConnectionRow(Base):
    """The one broker connection (id 1): its state survives a restart."""

    __tablename__ = "access_broker_connection"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    # Which app key and endpoint the session belongs to: a changed .env drops it.
    credentials_digest: Mapped[bytes] = mapped_column(LargeBinary)
    user_id: Mapped[str | None] = mapped_column(String(32), default=None)
    user_name: Mapped[str | None] = mapped_column(String(128), default=None)
    token_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    connected_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    ended_reason: Mapped[str | None] = mapped_column(String(512), default=None)


class BrokerCallDay(Base):
    """Breeze calls made per IST day (ICICI's daily budget runs on IST days)."""

    __tablename__ = "access_broker_calls"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    #: When the calls of the minute before the row was written went out (Unix times,
    #: space-separated), so a restart keeps the per-minute window. Added after the
    #: first release: the baseline migration adds it to databases made before.
    recent: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)


__all__ = ["ApiKey", "BrokerCallDay", "BrokerConnectionRow", "User", "UtcDateTime", "WebSession"]
