"""Run pytest with the clock of every process at a chosen instant (Debian's libfaketime).

    python -m tests.run_at "2026-12-10 15:29:00 IST" [pytest arguments...]
    make test-at AT="2026-12-10 15:29:00 IST" [TESTS="tests/market -x"]

The instant is `YYYY-MM-DD HH:MM[:SS]` followed by an optional zone (`IST`, the default;
`UTC`; or `+HH:MM`), or `now`. The clocks start there and keep running: a test that
crosses 15:30 IST on an expiry day crosses it, as a real trader's machine would.

libfaketime is preloaded with a relative offset (`FAKETIME="+N"` seconds), computed
once here: the test process and every process it starts (platform, simulator, CLI,
the browser) inherit the same offset and so agree on the time to the second, which
Breeze's signed timestamps need. An absolute "start at" would restart the clock at
the instant in each new process. The monotonic clock is left real
(FAKETIME_DONT_FAKE_MONOTONIC=1): event loops, timeouts and durations keep working.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
import sys
import time
from pathlib import Path

SITE = Path(__file__).resolve().parent / "faketime_site"
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
ZONES = {"IST": IST, "UTC": dt.UTC, "Z": dt.UTC}
LIBRARY_GLOBS = ("/usr/lib/*/faketime/libfaketimeMT.so.1", "/usr/lib/faketime/libfaketimeMT.so.1",
                 "/usr/local/lib/faketime/libfaketimeMT.so.1")
_INSTANT = re.compile(r"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d(?::\d\d)?)\s*(IST|UTC|Z|[+-]\d\d:\d\d)?")
USAGE = ('the instant must be "YYYY-MM-DD HH:MM[:SS] [IST|UTC|+HH:MM]" (IST when no zone '
         'is given) or "now", e.g. "2026-12-10 15:29:00 IST"')


def parse_instant(text: str) -> dt.datetime:
    """An aware datetime; ValueError naming the accepted forms otherwise."""
    text = text.strip()
    if text.lower() == "now":
        return dt.datetime.now(IST)
    match = _INSTANT.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r}: {USAGE}")
    zone_text = match[3] or "IST"
    if zone_text in ZONES:
        zone = ZONES[zone_text]
    else:
        sign = 1 if zone_text[0] == "+" else -1
        hours, minutes = int(zone_text[1:3]), int(zone_text[4:6])
        zone = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    try:
        naive = dt.datetime.fromisoformat(f"{match[1]}T{match[2]}")
    except ValueError as exc:
        raise ValueError(f"{text!r}: {exc}; {USAGE}") from None
    return naive.replace(tzinfo=zone)


def find_library() -> str:
    for pattern in LIBRARY_GLOBS:
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    raise FileNotFoundError("libfaketime is not installed: `apt-get install faketime` "
                            "(make test-at installs it)")


def faked_environment(instant: dt.datetime, environ: dict[str, str]) -> dict[str, str]:
    """The environment that puts every process started with it at `instant` (now)."""
    offset = round(instant.timestamp() - time.time())
    preload = " ".join(p for p in (find_library(), environ.get("LD_PRELOAD", "")) if p)
    # faketime_site/sitecustomize.py: a time.sleep that works under libfaketime 0.9.10.
    python_path = os.pathsep.join(p for p in (str(SITE), environ.get("PYTHONPATH", "")) if p)
    return {**environ, "LD_PRELOAD": preload, "FAKETIME": f"{offset:+d}",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1", "PYTHONPATH": python_path,
            # Read by tests/conftest.py: the pytest header shows it, and a clock that
            # did not move (the library not loaded) stops the run at once.
            "ALGODESK_TEST_AT": instant.isoformat()}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    try:
        instant = parse_instant(argv[0])
        environ = faked_environment(instant, dict(os.environ))
    except (ValueError, FileNotFoundError) as exc:
        print(f"run_at: {exc}", file=sys.stderr)
        return 2
    print(f"run_at: clocks at {instant.astimezone(IST):%a %Y-%m-%d %H:%M:%S} IST "
          f"(FAKETIME={environ['FAKETIME']})", flush=True)
    command = [sys.executable, "-m", "pytest", *argv[1:]]
    os.execve(sys.executable, command, environ)
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
