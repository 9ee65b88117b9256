# Two commands for a newcomer: `make run` and `make test`. Everything they need is
# installed here, into .venv (and system packages via apt-get when missing).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install dev run simulator test lint bench clean chromium

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

# The browser tests drive Debian's Chromium through Playwright (no browser download).
chromium:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

test: dev lint chromium
	$(BIN)/pytest

bench: dev
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info src/*.egg-info
