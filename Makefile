# OneVisit build / run / test entry points.
#   make run   - build, migrate + seed the SQLite database data/onevisit.sqlite, serve on 127.0.0.1:8080
#   make test  - install test dependencies, build once, run all test phases (scripts/test-all.sh)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

SWIFT    ?= swift
PYTHON   ?= python3
VENV     := .venv
REQS     := tests/browser/requirements.txt
APT_PKGS := postgresql-15 chromium chromium-driver fonts-noto-cjk
BIN      := .build/debug/onevisit
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps-run deps-test build run test soak clean-data bench bench-quick

deps-run:
	@command -v $(SWIFT) >/dev/null 2>&1 || { echo "error: '$(SWIFT)' not found on PATH (install Swift 6.x, e.g. under /opt/swift)" >&2; exit 1; }

deps-test:
	@missing=""; \
	for p in $(APT_PKGS); do \
	  dpkg -s "$$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "==> apt: installing$$missing"; \
	  $(SUDO) apt-get update -q; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@if ! $(VENV)/bin/python -c 'import selenium, pytest' >/dev/null 2>&1 \
	     || [ ! -f $(VENV)/.requirements.stamp ] || [ $(REQS) -nt $(VENV)/.requirements.stamp ]; then \
	  if ! $(VENV)/bin/python -c 'import sys' >/dev/null 2>&1; then \
	    echo "==> creating $(VENV) with $$(command -v $(PYTHON))"; \
	    rm -rf $(VENV); \
	    if ! $(PYTHON) -m venv $(VENV) >/dev/null 2>&1; then \
	      rm -rf $(VENV); \
	      if $(PYTHON) -m pip --version >/dev/null 2>&1; then \
	        echo "==> '$(PYTHON) -m venv' failed (no ensurepip?); using virtualenv"; \
	        $(PYTHON) -m pip install -q virtualenv && $(PYTHON) -m virtualenv -q $(VENV); \
	      else \
	        echo "==> '$(PYTHON) -m venv' failed; installing python3-venv and using /usr/bin/python3"; \
	        $(SUDO) apt-get update -q; \
	        $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv; \
	        /usr/bin/python3 -m venv $(VENV); \
	      fi; \
	    fi; \
	  fi; \
	  echo "==> pip install -r $(REQS)"; \
	  $(VENV)/bin/python -m pip install -q --disable-pip-version-check -r $(REQS); \
	  touch $(VENV)/.requirements.stamp; \
	fi

# One build for the executable and the test bundle, so `swift test --skip-build` reuses it.
build: deps-run
	$(SWIFT) build --build-tests

# The demo data (public passwords, TOTP secret) and the simulated payment gateway exist
# only in demo mode, switched on here and nowhere by default.
run: deps-run build
	$(BIN) migrate
	ONEVISIT_DEMO=true $(BIN) seed --demo
	ONEVISIT_DEMO=true exec $(BIN) serve --host 127.0.0.1 --port 8080

test: deps-test build
	bash scripts/test-all.sh

# The long part of the reliability suite: G4 with 1,000 keys, G2 with 500 kills, G7 with >= 20,000 requests,
# 10,000 progress-query guesses throttled, 40 parallel wrong passwords lock the account (docs/security.md).
soak: deps-test build
	ONEVISIT_SOAK=1 swift test --skip-build --filter "Reliability|ProgressThrottle|AccountSecurity"
	ONEVISIT_SOAK=1 ONEVISIT_CRASH_ROUNDS=500 .venv/bin/pytest -q tests/reliability

clean-data:
	-@bash scripts/pg-test-cluster.sh stop >/dev/null 2>&1 || true
	rm -rf data .artifacts

# Benchmarks (figures only, never a pass/fail): see bench/README.md. Each appends a section to
# bench/RESULTS.md. bench: the full run (25 min on a fresh clone, measured, incl. the ~13 min release build in
# .build-release); bench-quick: fewer cases, queries at 30k cases (< 5 min once the release binary is built).
bench:
	bash bench/run.sh

bench-quick:
	bash bench/run.sh --quick
