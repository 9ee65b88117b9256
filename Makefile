# Two commands for a newcomer: `make run` and `make test`. Everything they need is
# installed here, into .venv (and system packages via apt-get when missing).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install dev run simulator test test-at lint bench clean chromium faketime openalgo2

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || (apt-get update && apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV))
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

run: install
	$(BIN)/algodesk serve

simulator: install
	$(BIN)/algodesk simulator

lint: dev
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports  # the one-way dependency rule: [tool.importlinter] in pyproject.toml

# The browser tests drive Debian's Chromium through Playwright (no browser download).
chromium:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# The newest openalgo client (2.0.5 needs Python >= 3.12; .venv is 3.11 with 1.0.47) in a
# venv of its own, .venv-openalgo2, from a Python 3.12+ found on the machine (PATH, then
# pyenv): the tests drive both clients. Built once; an error, not a skip, without one.
openalgo2: dev
	$(BIN)/python -m tests.clients.venv

# Two workers, a test file each at a time (a file's fixtures stay in one process).
test: dev lint chromium openalgo2
	$(BIN)/pytest -n 2 --dist loadfile

# The suite with every process's clock at a chosen instant (Debian's libfaketime):
#   make test-at AT='2026-12-10 15:29:00 IST' [TESTS='tests/market tests/orders']
faketime:
	command -v faketime >/dev/null || (apt-get update && apt-get install -y faketime)

test-at: dev chromium faketime openalgo2
	@test -n "$(AT)" || (echo "usage: make test-at AT='2026-12-10 15:29:00 IST' [TESTS=...]" >&2; exit 2)
	$(BIN)/python -m tests.run_at "$(AT)" -n 2 --dist loadfile $(TESTS)

bench: dev
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .venv-openalgo2 .pytest_cache .ruff_cache build *.egg-info src/*.egg-info
