"""Breeze request signing (reference §3.2) and the session token (§2.1).

Pure functions: the caller serialises the body once and passes those exact bytes' text
here; the checksum covers `timestamp + body + secret_key`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def serialize_body(payload: Mapping[str, Any] | None) -> str:
    """Compact JSON in insertion order; an empty request is `{}`, never ``""``."""
    return json.dumps(dict(payload or {}), separators=(",", ":"), ensure_ascii=False)


def format_timestamp(now: datetime) -> str:
    """`X-Timestamp`: UTC, seconds precision, literal `.000`, trailing `Z`."""
    if now.tzinfo is None:
        raise ValueError("the clock must return a timezone-aware datetime")
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def checksum(timestamp: str, body: str, secret_key: str) -> str:
    """`X-Checksum`: `token ` + hex SHA-256 of timestamp + body + secret, UTF-8."""
    digest = hashlib.sha256((timestamp + body + secret_key).encode("utf-8")).hexdigest()
    return "token " + digest


def signed_headers(
    *, timestamp: str, body: str, app_key: str, secret_key: str, session_token: str
) -> dict[str, str]:
    """The headers of every signed v1 call."""
    return {
        "Content-Type": "application/json",
        "X-Checksum": checksum(timestamp, body, secret_key),
        "X-Timestamp": timestamp,
        "X-AppKey": app_key,
        "X-SessionToken": session_token,
    }


def history_headers(*, app_key: str, session_token: str) -> dict[str, str]:
    """The headers of historical v2: no checksum, no timestamp (reference §6)."""
    return {
        "Content-Type": "application/json",
        "X-SessionToken": session_token,
        "apikey": app_key,
    }


def encode_session_token(user_id: str, session_key: str) -> str:
    """base64 (standard alphabet, padded) of `user_id:session_key`."""
    return base64.b64encode(f"{user_id}:{session_key}".encode()).decode("ascii")


def decode_session_token(session_token: str) -> tuple[str, str]:
    """Split a `session_token` into (user_id, session_key).

    Raises ValueError with a message that never repeats the token.
    """
    try:
        text = base64.b64decode(session_token.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise ValueError("session token is not valid base64 text") from None
    user_id, sep, session_key = text.partition(":")
    if not sep or not user_id or not session_key:
        raise ValueError("session token does not decode to 'user_id:session_key'")
    return user_id, session_key


__all__ = [
    "checksum",
    "decode_session_token",
    "encode_session_token",
    "format_timestamp",
    "history_headers",
    "serialize_body",
    "signed_headers",
]
