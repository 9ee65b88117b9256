"""The single admin account: creation (setup page or CLI), login checks, TOTP, password reset.

Hash checks take a few hundred milliseconds of CPU; callers on the event loop run these
methods in a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..storage import Database, utcnow
from . import passwords
from .errors import AccountError
from .models import User
from .secretbox import SecretBox
from .totp import TotpVerifier, new_secret, provisioning_uri

_TOTP_PURPOSE = "totp-secret"


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    username: str
    totp_enabled: bool


class UserStore:
    def __init__(self, db: Database, box: SecretBox) -> None:
        self._db = db
        self._box = box
        self._totp = TotpVerifier()
        self._known_to_exist = False

    # ------------------------------------------------------------------ setup

    def exists(self) -> bool:
        """Is the admin account there? (Once true, it stays true for this process.)"""
        if not self._known_to_exist:
            with self._db.session() as s:
                self._known_to_exist = bool(s.scalar(select(func.count(User.id))))
        return self._known_to_exist

    def create(self, username: str, password: str) -> Account:
        """Create the one admin account. Refused once an account exists."""
        username = username.strip()
        problem = passwords.username_problem(username) or passwords.password_problem(
            password, username)
        if problem:
            raise AccountError(problem)
        password_hash = passwords.hash_password(password)
        now = utcnow()
        with self._db.session() as s:
            # Checked inside the same transaction that inserts, so two setup forms
            # submitted together cannot both create an admin.
            if s.scalar(select(func.count(User.id))):
                raise AccountError("The admin account already exists.")
            user = User(username=username, password_hash=password_hash, created_at=now,
                        password_changed_at=now)
            s.add(user)
            s.flush()
            account = Account(user.id, user.username, False)
        self._known_to_exist = True
        return account

    def get(self, user_id: int) -> Account | None:
        with self._db.session() as s:
            user = s.get(User, user_id)
            return None if user is None else Account(user.id, user.username, user.totp_enabled)

    def the_admin(self) -> Account | None:
        with self._db.session() as s:
            user = s.scalars(select(User).order_by(User.id)).first()
            return None if user is None else Account(user.id, user.username, user.totp_enabled)

    def totp_required(self) -> bool:
        admin = self.the_admin()
        return bool(admin and admin.totp_enabled)

    # ------------------------------------------------------------------ login

    def authenticate(self, username: str, password: str, totp_code: str = "") -> Account | None:
        """The account when username, password (and TOTP code, if enabled) are right."""
        with self._db.session() as s:
            user = s.scalars(select(User).where(User.username == username.strip())).first()
            if user is None:
                passwords.burn_verification_time()
                return None
            if not passwords.verify_password(user.password_hash, password):
                return None
            if user.totp_enabled:
                secret = self._totp_secret(user)
                if secret is None or not self._totp.verify(user.id, secret, totp_code):
                    return None
            if passwords.needs_rehash(user.password_hash):
                user.password_hash = passwords.hash_password(password)
            return Account(user.id, user.username, user.totp_enabled)

    def check_password(self, user_id: int, password: str) -> bool:
        with self._db.session() as s:
            user = s.get(User, user_id)
            return bool(user and passwords.verify_password(user.password_hash, password))

    def reset_password(self, username: str, password: str, *, disable_totp: bool = False) -> None:
        """Headless recovery (`algodesk user reset-password`)."""
        problem = passwords.password_problem(password, username)
        if problem:
            raise AccountError(problem)
        with self._db.session() as s:
            user = s.scalars(select(User).where(User.username == username.strip())).first()
            if user is None:
                raise AccountError(f"No account named {username!r}.")
            user.password_hash = passwords.hash_password(password)
            user.password_changed_at = utcnow()
            if disable_totp:
                user.totp_enabled = False
                user.totp_secret = None

    # ------------------------------------------------------------------ TOTP

    def _totp_secret(self, user: User) -> str | None:
        if user.totp_secret is None:
            return None
        return self._box.decrypt(user.totp_secret, _TOTP_PURPOSE)

    def begin_totp(self, user_id: int) -> tuple[str, str]:
        """A new (not yet active) TOTP seed: returns (secret, otpauth URI)."""
        secret = new_secret()
        with self._db.session() as s:
            user = s.get(User, user_id)
            if user is None:
                raise AccountError("No such account.")
            if user.totp_enabled:
                raise AccountError("Two-factor login is already on.")
            user.totp_secret = self._box.encrypt(secret, _TOTP_PURPOSE)
            return secret, provisioning_uri(secret, user.username)

    def pending_totp(self, user_id: int) -> tuple[str, str] | None:
        with self._db.session() as s:
            user = s.get(User, user_id)
            if user is None or user.totp_enabled or user.totp_secret is None:
                return None
            secret = self._totp_secret(user)
            return None if secret is None else (secret, provisioning_uri(secret, user.username))

    def confirm_totp(self, user_id: int, code: str) -> None:
        with self._db.session() as s:
            user = s.get(User, user_id)
            secret = None if user is None else self._totp_secret(user)
            if user is None or secret is None:
                raise AccountError("Start the two-factor setup first.")
            if not self._totp.verify(user.id, secret, code):
                raise AccountError("That code is not right (check the phone's clock).")
            user.totp_enabled = True

    def disable_totp(self, user_id: int, password: str) -> None:
        with self._db.session() as s:
            user = s.get(User, user_id)
            if user is None or not passwords.verify_password(user.password_hash, password):
                raise AccountError("The password is not right.")
            user.totp_enabled = False
            user.totp_secret = None


__all__ = ["Account", "AccountError", "UserStore"]
