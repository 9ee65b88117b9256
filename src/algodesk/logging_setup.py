"""Logging: the console and a rotating file in DATA_DIR/logs, both behind one redactor.

The redactor is a filter on the handlers, so every record that reaches a log — ours,
the access lines, a library's traceback — is scrubbed after it is formatted:

- values registered at run time (the broker secret, a session token once known, a new
  API key) are replaced wherever they appear;
- patterns catch what was never registered: `apisession=`/`API_Session=` in callback
  URLs, `apikey` in query strings and JSON, `password`/`otp` fields, Breeze's session
  headers and `session_token` values.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import logging.handlers
import os
import queue
import re
import sys
import threading
from pathlib import Path

LOG_FILE = "algodesk.log"
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
MASK = "***"

# key=value (query strings, forms, log text) and "key": "value" (JSON) for keys whose
# values are secret. The key is kept so the line still says what was there.
_SECRET_KEYS = (
    r"apisession|api_session|apikey|api_key|x-api-key|password|passwd|otp|totp"
    r"|session_token|sessiontoken|x-sessiontoken|session_key|secret_key|secret|app_secret"
    r"|x-checksum|token"
)
_PATTERNS = (
    re.compile(rf"(?i)(\b(?:{_SECRET_KEYS})=)[^&\s\"',;]+"),
    re.compile(rf"(?i)(\"(?:{_SECRET_KEYS})\"\s*:\s*\")[^\"]*"),
    re.compile(rf"(?i)('(?:{_SECRET_KEYS})'\s*:\s*')[^']*"),
    re.compile(rf"(?i)(\b(?:{_SECRET_KEYS})\s*:\s+)[^\s,;]+"),
)


class Redactor:
    """Known secret values and secret-looking patterns, replaced by `***`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: tuple[str, ...] = ()

    def add(self, *values: str | None) -> None:
        """Register secrets to scrub. Very short values are skipped: masking every "12"
        would garble the logs without protecting anything."""
        with self._lock:
            known = set(self._values)
            known.update(v for v in values if v and len(v) >= 6)
            # Longest first, so a secret containing another is masked whole.
            self._values = tuple(sorted(known, key=len, reverse=True))

    def scrub(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        for pattern in _PATTERNS:
            text = pattern.sub(rf"\1{MASK}", text)
        return text


class RedactingFilter(logging.Filter):
    """Formats the record's message (and exception text) once, scrubbed."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = self.redactor.scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.scrub(record.exc_text)
        # The traceback is now in exc_text, scrubbed; keep formatters from redoing it.
        record.exc_info = None
        return True


#: One redactor for the process: modules register secrets as they learn them.
redactor = Redactor()


class _OwnerOnlyFileHandler(logging.handlers.RotatingFileHandler):
    def _open(self):  # type: ignore[no-untyped-def]
        stream = super()._open()
        with contextlib.suppress(OSError):
            os.chmod(self.baseFilename, 0o600)
        return stream


_listener: logging.handlers.QueueListener | None = None


def configure_logging(data_dir: str | Path, level: str = "INFO") -> Path:
    """Console (stderr) and a rotating file, both redacted. Returns the log file path.

    Loggers only put records on a queue; a thread of its own redacts them and writes
    them out, so a log line never makes a
    request wait for the disk or the terminal. Replaces any handlers already on the root
    logger, so calling it twice is harmless.
    """
    global _listener
    # Owner-only folders (when created here): the data folder holds the database and
    # the key file too.
    Path(data_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = Path(data_dir) / "logs"
    folder.mkdir(exist_ok=True, mode=0o700)
    path = folder / LOG_FILE
    redacting = RedactingFilter(redactor)
    formatter = logging.Formatter(_FORMAT)

    console = logging.StreamHandler(sys.stderr)
    file = _OwnerOnlyFileHandler(path, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
    for handler in (console, file):
        handler.setFormatter(formatter)
        handler.addFilter(redacting)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    if _listener is not None:
        _listener.stop()
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    _listener = logging.handlers.QueueListener(records, console, file)
    _listener.start()
    root.addHandler(logging.handlers.QueueHandler(records))
    root.setLevel(level)
    # uvicorn's own loggers propagate here (it is started with log_config=None).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # httpx logs every request URL at INFO; keep that out of the trader's log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # Alembic says "Context impl SQLiteImpl" at every start; schema.py logs what changed.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return path


def stop_logging() -> None:
    """Write out what is still queued (at exit)."""
    global _listener
    if _listener is not None:
        _listener.stop()
        _listener = None


atexit.register(stop_logging)


__all__ = ["MASK", "RedactingFilter", "Redactor", "configure_logging", "redactor",
           "stop_logging"]
