# One task runner; CI (.ci/run) calls `make test`.
SHELL := /bin/bash
PY ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
Q ?= Will my hair grow back if I stop the pills?

.PHONY: install install-system install-python ask test lint bench load medquad

install: install-system install-python

install-system:  ## Chromium (browser tests) and wrk (load tests), from Debian
	@if ! command -v chromium >/dev/null || ! command -v wrk >/dev/null; then \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q --no-install-recommends chromium wrk; fi

install-python:  ## torch's CPU wheel first, so pip never picks a CUDA build
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	@[ -f node_modules/axe-core/axe.min.js ] || npm install --no-audit --no-fund --silent --no-save axe-core@4

ask: install-python  ## install, then answer Q (builds the default index on first use)
	bot ask "$(Q)"

lint:
	$(PY) -m ruff check bot index web tests

test: install  ## install everything, lint, run every test (browser tests included)
	$(PY) -m ruff check bot index web tests
	$(PY) -m pytest -q

bench: install-python  ## performance benchmark: figures and ratios, one run
	$(PY) tests/bench.py

load: install  ## 64 clients for 30 s against `bot serve` on 127.0.0.1 (CI runs it after the tests)
	$(PY) tests/load.py

medquad: install-python  ## index the 16k MedQuAD articles (../shared/medquad) and report figures
	$(PY) tests/medquad.py
