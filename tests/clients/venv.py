"""The venv that holds the newest `openalgo` client, 2.0.5, which needs Python >= 3.12
(the project's own venv is 3.11, with 1.0.47 — the last release that installs there).

    python -m tests.clients.venv      # `make test` runs it: builds once, then a no-op

The venv is built from a Python >= 3.12 found on the machine (`python3.12`, `python3.13`,
`python3.14` on PATH, then pyenv's versions), with exactly `openalgo==2.0.5` from the
package index: the tests are about that client. A marker file naming the requirement
makes a built venv cost one stat. No such Python is an error saying so, never a skip.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-openalgo2"
PYTHON = VENV / "bin" / "python"
REQUIREMENT = "openalgo==2.0.5"
MINIMUM = (3, 12)
_MARKER = VENV / ".installed"
_LOCK = ROOT / ".venv-openalgo2.lock"  # two xdist workers may both find it missing


class NoPython312(RuntimeError):
    """No Python >= 3.12 on this machine: the 2.0.5 client cannot be installed."""


def _candidates() -> Iterator[str]:
    for name in ("python3.12", "python3.13", "python3.14"):
        found = shutil.which(name)
        if found:
            yield found  # may be a pyenv shim that refuses to run: checked by the caller
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    installed = pyenv.glob("versions/3.*/bin/python3")
    yield from (str(p) for p in sorted(installed, key=lambda p: _numbers(p.parents[1].name)))


def _numbers(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


def _version(python: str) -> tuple[int, int] | None:
    try:
        answer = subprocess.run([python, "-c", "import sys, venv, ensurepip; print(*sys.version_info[:2])"],
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if answer.returncode != 0:
        return None
    major, minor = answer.stdout.split()
    return int(major), int(minor)


def find_python() -> str:
    """The first Python >= 3.12 (with its venv module) among the candidates."""
    for python in _candidates():
        version = _version(python)
        if version is not None and version >= MINIMUM:
            return python
    raise NoPython312(
        "the openalgo 2.0.5 client needs Python >= 3.12, and none was found (looked for "
        "python3.12, python3.13, python3.14 on PATH and in $PYENV_ROOT or ~/.pyenv/versions). "
        "Install one (`pyenv install 3.12`, or the distribution's python3.12 with its venv "
        "module) and run `make test` again.")


def is_built() -> bool:
    return PYTHON.exists() and _MARKER.exists() and _MARKER.read_text().strip() == REQUIREMENT


def ensure() -> Path:
    """The venv's python, building the venv first if it is missing or stale."""
    if is_built():
        return PYTHON
    with _LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not is_built():
            _build(find_python())
    return PYTHON


def _build(python: str) -> None:
    print(f"building {VENV.name} ({REQUIREMENT}) with {python}", file=sys.stderr)
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    REQUIREMENT], check=True)
    _MARKER.write_text(REQUIREMENT + "\n")


def main() -> int:
    try:
        ensure()
    except NoPython312 as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"error: building {VENV} failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
