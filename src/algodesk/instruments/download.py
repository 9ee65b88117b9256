"""Fetching SecurityMaster.zip over HTTP, streamed, with progress and one overall deadline.

The deadline covers the whole download, not each read: a server trickling a byte a
second would otherwise never time out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from .errors import MasterError

ProgressCallback = Callable[[int, int | None], None]  # (bytes received, bytes expected)
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024  # ICICI's archive is tens of MB


async def download(url: str, *, deadline: float, on_progress: ProgressCallback | None = None,
                   max_bytes: int = MAX_ARCHIVE_BYTES) -> bytes:
    """The archive's bytes. Raises MasterError("download", ...) saying what went wrong."""
    received = 0
    expected: int | None = None
    chunks: list[bytes] = []
    try:
        async with asyncio.timeout(deadline), httpx.AsyncClient(
                timeout=httpx.Timeout(deadline), follow_redirects=True) as client, \
                client.stream("GET", url) as response:
            if response.status_code != 200:
                raise MasterError("download", f"{url} answered HTTP {response.status_code} "
                                  f"{response.reason_phrase}".rstrip())
            length = response.headers.get("content-length", "")
            expected = int(length) if length.isdigit() else None
            if expected is not None and expected > max_bytes:
                raise MasterError("download", f"{url} offers {expected:,} bytes, more than "
                                  f"the {max_bytes:,} a master may have")
            if on_progress:
                on_progress(0, expected)
            async for chunk in response.aiter_bytes(256 * 1024):
                received += len(chunk)
                if received > max_bytes:
                    raise MasterError("download", f"{url} sent more than {max_bytes:,} bytes")
                chunks.append(chunk)
                if on_progress:
                    on_progress(received, expected)
    except MasterError:
        raise
    except (TimeoutError, httpx.TimeoutException):
        raise MasterError("download", f"no complete answer from {url} within {deadline:g} s "
                          f"({_amount(received, expected)} received)") from None
    except httpx.HTTPError as exc:
        raise MasterError("download", f"could not download {url}: "
                          f"{exc.__class__.__name__}: {exc} "
                          f"({_amount(received, expected)} received)") from None
    return b"".join(chunks)


def _amount(received: int, expected: int | None) -> str:
    if expected is None:
        return f"{received:,} bytes"
    return f"{received:,} of {expected:,} bytes"
