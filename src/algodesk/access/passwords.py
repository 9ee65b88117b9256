"""Password hashing (argon2id) and the strength rule for the admin password."""

from __future__ import annotations

import re
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi's defaults follow RFC 9106's second recommendation (argon2id, 64 MiB):
# tens of milliseconds here, which is the point for a password and too slow for a key
# checked on every API call (apikeys.py caches those).
_hasher = PasswordHasher()

MIN_LENGTH = 10
MAX_LENGTH = 256
# The handful that strength rules based on character classes still let through.
_COMMON = {
    "password123", "password1!", "qwerty1234", "1234567890", "0123456789", "iloveyou12",
    "admin12345", "welcome123", "letmein123", "trading123", "passw0rd12", "abc1234567",
    "administrator", "changeme123", "algodesk123", "icicidirect", "niftybank1",
}
USERNAME_RULE = re.compile(r"[A-Za-z0-9_.-]{3,32}")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def burn_verification_time() -> None:
    """Spend what a real check costs, so an unknown username answers as slowly as a
    wrong password and login timing does not reveal which usernames exist."""
    verify_password(_dummy_hash(), "not the password")


@cache
def _dummy_hash() -> str:
    return _hasher.hash("dummy password for timing only")


def username_problem(username: str) -> str | None:
    if not USERNAME_RULE.fullmatch(username):
        return "Username: 3 to 32 letters, digits, dots, dashes or underscores."
    return None


def password_problem(password: str, username: str = "") -> str | None:
    """What is wrong with a new password, or None.

    The rule: at least 10 characters, at least two kinds of character (lower case,
    upper case, digits, symbols), not the username, not a well-known password.
    """
    if len(password) < MIN_LENGTH:
        return f"Password: at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Password: at most {MAX_LENGTH} characters."
    kinds = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    if kinds < 2:
        return ("Password: mix at least two kinds of character "
                "(lower case, upper case, digits, symbols).")
    if len(set(password)) < 4:
        return "Password: too repetitive."
    lowered = password.lower()
    if username and len(username) >= 3 and username.lower() in lowered:
        return "Password: must not contain the username."
    if lowered in _COMMON:
        return "Password: this one is on every attacker's list; choose another."
    return None


__all__ = [
    "MAX_LENGTH",
    "MIN_LENGTH",
    "burn_verification_time",
    "hash_password",
    "needs_rehash",
    "password_problem",
    "username_problem",
    "verify_password",
]
