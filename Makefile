# Jumo: one entry point for installing, running and checking everything locally (no Docker).
#   make up      install what is missing, start the local stack
#   make test    the same, then run every test against the real servers
#   make down    stop exactly what `make up` started
#   make lint    ruff, ruff format --check, mypy --strict per package
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# uv from PATH; when it is missing, install.sh installs it with pip and we call it as a module.
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
STACK := $(UV) run --frozen python deploy/local/stack.py
STACK_ENV := $(or $(JUMO_STACK_ENV),deploy/local/stack.env)
RUN_DIR := $(or $(JUMO_RUN_DIR),deploy/local/run)
PYTEST_ARGS ?=

.PHONY: help install tools uv up down status test lint format clean

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv \
		|| python3 -m pip install --quiet --break-system-packages uv

# Idempotent: system packages, the FerretDB program, uv and the Python workspace.
install: uv
	bash deploy/local/install.sh

tools: install

up: install
	$(STACK) up

# Needs no install or sync: only the record of what `up` started, and the environment it used.
down:
	@if [ ! -d "$(RUN_DIR)" ]; then echo "stack: no $(RUN_DIR), nothing to stop"; \
	elif [ -x .venv/bin/python ]; then .venv/bin/python deploy/local/stack.py down; \
	else echo "stack: no .venv to run deploy/local/stack.py down; pids: $(RUN_DIR)/stack.json"; \
		! [ -f "$(RUN_DIR)/stack.json" ]; fi

status:
	$(STACK) status

# Brings up what is not running, then runs pytest with the stack's URLs. pytest's exit code is
# make's: 5 (no tests collected) fails like any other.
test: up
	set -a && . "$(STACK_ENV)" && set +a; \
	rc=0; $(UV) run --frozen pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ "$$rc" -eq 5 ]; then echo "pytest collected no tests: that is a failure"; fi; \
	exit "$$rc"

# mypy runs once per package: one run over all of them would see several `conftest` modules.
lint: install
	@rc=0; \
	$(UV) run --frozen ruff check . || rc=1; \
	$(UV) run --frozen ruff format --check . || rc=1; \
	for pkg in libs/* services/*; do \
		[ -d "$$pkg/src" ] || continue; \
		paths="$$pkg/src"; \
		[ -n "$$(find "$$pkg/tests" -name '*.py' 2>/dev/null)" ] && paths="$$paths $$pkg/tests"; \
		echo "mypy $$paths"; $(UV) run --frozen mypy $$paths || rc=1; \
	done; \
	for dir in deploy/* bench tests; do \
		[ -d "$$dir" ] || continue; \
		files=$$(find "$$dir" -name '*.py' -not -path '*/run/*' | sort); \
		[ -n "$$files" ] || continue; \
		echo "mypy $$dir"; $(UV) run --frozen mypy $$files || rc=1; \
	done; \
	exit $$rc

format: install
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

# Stops the stack, then deletes its data and logs.
clean: down
	@if [ -x .venv/bin/python ]; then .venv/bin/python deploy/local/stack.py clean; \
	else rm -rf "$(RUN_DIR)"; fi
