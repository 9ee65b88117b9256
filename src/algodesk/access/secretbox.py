"""The platform's own secret: one random key file in DATA_DIR, readable by its owner only.

Every key the platform needs is derived from it with HKDF under a purpose label, so
there is one file to guard and back up (with the database), and keys for different
jobs can never be mixed up:

- `encrypt`/`decrypt`: AES-256-GCM for secrets kept in the database (the broker session
  token, a TOTP seed). The purpose is the associated data, so a ciphertext copied into
  another column does not decrypt.
- `digest`: HMAC-SHA256 for values that must be recognised but never stored (web session
  cookies, the pepper of API-key hashes, used API_Sessions).

The key file lives outside the database on purpose: a copy of the database alone
reveals no session token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import stat
import time
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

log = logging.getLogger(__name__)

KEY_FILE = "secret.key"
_NONCE_BYTES = 12


class SecretBoxError(Exception):
    """A ciphertext that does not open: tampered, another purpose, or another key file."""


def write_owner_only(path: Path, data: bytes) -> bool:
    """Create `path` with mode 0600 and write `data`; False if it already exists.

    O_EXCL makes two processes starting together (the server and a CLI command) agree on
    one file instead of overwriting each other's.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return True


def read_owner_only(path: Path) -> bytes:
    """Read a file that must be private, tightening its mode if someone loosened it."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s was readable by others (mode %o); setting it to 0600", path, mode)
        os.chmod(path, 0o600)
    # A file created a moment ago by another process may not be written yet.
    for _ in range(50):
        data = path.read_bytes()
        if data.strip():
            return data
        time.sleep(0.02)
    raise SecretBoxError(f"{path} is empty")


class SecretBox:
    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("master key must be 32 bytes")
        self._master = master_key
        self._subkeys: dict[str, bytes] = {}

    @classmethod
    def load_or_create(cls, data_dir: str | Path) -> SecretBox:
        path = Path(data_dir) / KEY_FILE
        fresh = base64.b64encode(os.urandom(32)) + b"\n"
        if write_owner_only(path, fresh):
            log.info("created the platform key file %s (mode 0600); back it up with the "
                     "database", path)
        try:
            master = base64.b64decode(read_owner_only(path).strip(), validate=True)
        except (ValueError, SecretBoxError) as exc:
            raise SecretBoxError(f"{path} is not a valid key file: {exc}") from None
        return cls(master)

    def subkey(self, purpose: str) -> bytes:
        key = self._subkeys.get(purpose)
        if key is None:
            key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                       info=f"algodesk/{purpose}".encode()).derive(self._master)
            self._subkeys[purpose] = key
        return key

    def digest(self, value: str | bytes, purpose: str) -> bytes:
        data = value.encode() if isinstance(value, str) else value
        return hmac.new(self.subkey(f"digest/{purpose}"), data, hashlib.sha256).digest()

    def encrypt(self, plaintext: str, purpose: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.subkey(f"aead/{purpose}")).encrypt(
            nonce, plaintext.encode(), purpose.encode())
        return nonce + sealed

    def decrypt(self, blob: bytes, purpose: str) -> str:
        nonce, sealed = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
        try:
            plain = AESGCM(self.subkey(f"aead/{purpose}")).decrypt(
                nonce, sealed, purpose.encode())
        except (InvalidTag, ValueError):
            raise SecretBoxError(f"cannot decrypt the stored {purpose}") from None
        return plain.decode()


__all__ = ["KEY_FILE", "SecretBox", "SecretBoxError", "read_owner_only", "write_owner_only"]
