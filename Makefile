# One task runner; CI (.ci/run) calls `make test` and `make load`.
# Everything runs in the project virtualenv .venv/, installed from requirements.lock (never the system interpreter).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.8
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
Q ?= Will my hair grow back if I stop the pills?
# torch's CPU wheel lies on this disk; uv does not read pip's configuration, so it is named here.
FIND_LINKS ?= /opt/wheels

.PHONY: install install-system install-python install-npm ask check test lint lock bench load medquad

install: install-system install-python install-npm

install-system:  ## Chromium (browser tests) and wrk (load tests), from Debian
	@if ! command -v chromium >/dev/null || ! command -v wrk >/dev/null; then \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q --no-install-recommends chromium wrk; fi

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check uv==$(UV_VERSION)

# Re-synced only when the lock or pyproject.toml changes: a second `make` is instant.
$(STAMP): requirements.lock pyproject.toml | $(UV)
	$(UV) pip sync -q --python $(PY) --require-hashes --find-links $(FIND_LINKS) requirements.lock
	$(UV) pip install -q --python $(PY) --no-deps -e .
	touch $@

install-python: $(STAMP)  ## the project virtualenv, exactly as locked

install-npm:  ## axe-core for the accessibility checks in the browser tests
	@[ -f node_modules/axe-core/axe.min.js ] || npm install --no-audit --no-fund --silent --no-save axe-core@4

lock: | $(UV)  ## refresh requirements.lock to today's newest compatible versions (then run `make test`)
	$(UV) pip compile pyproject.toml --extra test --generate-hashes --upgrade --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --find-links $(FIND_LINKS) --emit-find-links -o requirements.lock

ask: install-python  ## install, then answer Q (builds the default index on first use)
	$(VENV)/bin/bot ask "$(Q)"

lint:
	$(PY) -m ruff check bot index web tests

UNIT := tests/test_understanding.py tests/test_ranking.py tests/test_lock.py tests/test_dates.py \
	tests/test_present.py tests/test_chunking.py tests/test_clean.py

check:  ## edit-run loop, no installs: lint plus the unit tests (no real model; needs a previous `make test`)
	$(PY) -m ruff check bot index web tests
	$(PY) -m pytest -q -m "not slow and not browser" $(UNIT)

test: install  ## install everything, lint, run every test (browser tests included)
	$(PY) -m ruff check bot index web tests
	$(PY) -m pytest -q

bench: install-python  ## performance benchmark: figures and ratios, one run
	$(PY) tests/bench.py

load: install  ## 4 clients for 30 s against `bot serve` on 127.0.0.1 (CI runs it after the tests)
	$(PY) tests/load.py

medquad: install-python  ## index the 16k MedQuAD articles (../shared/medquad) and report figures
	$(PY) tests/medquad.py
