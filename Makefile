# Motif: `make demo` and `make test` set everything up when needed (idempotent, quick once done).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.motif-installed
SYS_STAMP := $(VENV)/.motif-system
APT_PACKAGES := fluidsynth fluid-soundfont-gm timgm6mb-soundfont libcairo2 fonts-dejavu-core postgresql
PROMPT ?= moody jazz in D minor, 8 bars
DEMO_OUT ?= demo
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup system-deps demo test bench lint clean

setup: $(SYS_STAMP) $(STAMP)

# System packages: installed with apt-get only when one is missing (rechecked when this list changes).
# postgresql: the store tests start a throwaway server (tests/pg_server.py); Debian keeps initdb off PATH.
$(SYS_STAMP): Makefile
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@command -v fluidsynth >/dev/null || { echo "fluidsynth is missing after apt-get"; exit 1; }
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	  || { echo "PostgreSQL's initdb is missing after apt-get"; exit 1; }
	@mkdir -p $(VENV) && touch $@

# Python packages: torch first and pinned (a looser pin pulls GBs of CUDA), then the project with dev extras.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PIP) install -q --upgrade pip >/dev/null
	@$(PIP) install -q "torch==2.13.0"
	@$(PIP) install -q -e ".[dev]"
	@touch $@

demo: setup
	@$(VENV)/bin/motif compose "$(PROMPT)" --out $(DEMO_OUT)/ --seed 7

test: setup
	@$(VENV)/bin/pytest -q -p no:cacheprovider

bench: setup
	@$(VENV)/bin/motif bench

lint: setup
	@$(VENV)/bin/ruff check prompts composer storage bot tests

clean:
	rm -rf $(VENV) demo tests/_artifacts
