"""The simulator's stream option on the command line."""

from __future__ import annotations

import subprocess
import sys


def _simulator(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "algodesk.cli", "simulator", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def test_stream_rate_is_listed_and_checked() -> None:
    assert "--stream-rate" in _simulator("--help").stdout
    for bad in ("0", "-1", "1001"):
        answer = _simulator("--stream-rate", bad)
        assert answer.returncode != 0
        assert "--stream-rate must be above 0 and at most 1000" in answer.stderr
