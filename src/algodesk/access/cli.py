"""`algodesk user ...` and `algodesk apikey ...`: the account and the API key, headless.

They work on the same DATA_DIR as the server (running or not): the database and
secret.key. A key created or revoked here while the server runs takes effect there at
once for new keys, and within 30 seconds for a revoked one (the server's cache
re-checks each key against the database that often).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from .errors import AccountError

if TYPE_CHECKING:
    from ..storage import Database
    from .apikeys import ApiKeyService
    from .users import UserStore


def _stores() -> tuple[UserStore, ApiKeyService, Database]:
    # Imported here, not at the top: `algodesk simulator` builds this parser too and
    # must not load the platform's database and crypto stack.
    from ..config import get_settings
    from ..storage import Database
    from . import models as _models  # noqa: F401  (registers the tables)
    from .apikeys import ApiKeyService
    from .secretbox import SecretBox
    from .users import UserStore

    settings = get_settings()
    box = SecretBox.load_or_create(settings.data_dir)
    db = Database.from_settings(settings)
    db.migrate()
    return UserStore(db, box), ApiKeyService(db, box), db


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise AccountError("The two passwords differ.")
    return first


def _user_create(args: argparse.Namespace) -> int:
    users, _, db = _stores()
    try:
        if users.exists():
            raise AccountError("The admin account already exists (use `algodesk user "
                               "reset-password` to change its password).")
        username = args.username or input("Username: ").strip()
        account = users.create(username, _read_password(args))
    except AccountError as exc:
        print(f"algodesk: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"Admin account {account.username!r} created; the setup page is now gone.")
    return 0


def _user_reset(args: argparse.Namespace) -> int:
    users, _, db = _stores()
    try:
        users.reset_password(args.username, _read_password(args), disable_totp=args.disable_totp)
    except AccountError as exc:
        print(f"algodesk: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"Password of {args.username!r} changed"
          + ("; two-factor login turned off." if args.disable_totp else "."))
    return 0


def _apikey_create(args: argparse.Namespace) -> int:
    users, keys, db = _stores()
    try:
        admin = users.the_admin()
        if admin is None:
            print("algodesk: create the admin account first (`algodesk user create`).",
                  file=sys.stderr)
            return 1
        key = keys.create(admin.id)
    finally:
        db.dispose()
    # The key alone on stdout, so `KEY=$(algodesk apikey create)` works; the note on stderr.
    print(key)
    print("algodesk: new API key above (shown once; any previous key stopped working).",
          file=sys.stderr)
    return 0


def _apikey_revoke(args: argparse.Namespace) -> int:
    users, keys, db = _stores()
    try:
        admin = users.the_admin()
        count = keys.revoke(admin.id) if admin else 0
    finally:
        db.dispose()
    print(f"Revoked {count} API key(s).")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    user = sub.add_parser("user", help="the admin account (headless setup and recovery)")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    create = user_sub.add_parser("create", help="create the admin account")
    create.add_argument("--username")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")
    create.set_defaults(run=_user_create)
    reset = user_sub.add_parser("reset-password", help="set a new password for the admin")
    reset.add_argument("--username", required=True)
    reset.add_argument("--password-stdin", action="store_true")
    reset.add_argument("--disable-totp", action="store_true",
                       help="also turn off two-factor login (lost phone)")
    reset.set_defaults(run=_user_reset)

    apikey = sub.add_parser("apikey", help="the platform API key for tools")
    apikey_sub = apikey.add_subparsers(dest="apikey_command", required=True)
    apikey_sub.add_parser("create", help="print a new API key (replaces the old one)") \
        .set_defaults(run=_apikey_create)
    apikey_sub.add_parser("revoke", help="revoke the API key").set_defaults(run=_apikey_revoke)


__all__ = ["register"]
