# Jumo: one entry point for installing, running and checking everything locally (no Docker).
# `make help` lists every target: the `## ` comment on a target's line is its description.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# uv from PATH; when it is missing, install.sh installs it with pip and we call it as a module.
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
STACK := $(UV) run --frozen python deploy/local/stack.py
STACK_ENV := $(or $(JUMO_STACK_ENV),deploy/local/stack.env)
RUN_DIR := $(or $(JUMO_RUN_DIR),deploy/local/run)
PYTEST_ARGS ?=

.PHONY: help install tools uv up down status logs test lint packages format clean observe

help: ## list every target
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) \
		| sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 18

uv: ## install uv with pip when it is missing
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv \
		|| python3 -m pip install --quiet --break-system-packages uv

# Idempotent: system packages, the FerretDB program, uv and the Python workspace.
install: uv ## install what is missing (Debian packages, FerretDB, uv, the workspace)
	bash deploy/local/install.sh

tools: install ## the same as install

up: install ## install what is missing, start the local stack
	$(STACK) up

# Debian's prometheus, a process of ours like the stack's servers (deploy/prometheus/README.md).
observe: up ## the same as up, then Prometheus on 127.0.0.1:9090 scraping every service
	$(STACK) observe

# Needs no install or sync: only the record of what `up` started, and the environment it used.
down: ## stop exactly what `make up` started
	@if [ ! -d "$(RUN_DIR)" ]; then echo "stack: no $(RUN_DIR), nothing to stop"; \
	elif [ -x .venv/bin/python ]; then .venv/bin/python deploy/local/stack.py down; \
	else echo "stack: no .venv to run deploy/local/stack.py down; pids: $(RUN_DIR)/stack.json"; \
		! [ -f "$(RUN_DIR)/stack.json" ]; fi

# A report, not a check: it exits 0 whether the stack is up, partly up or down.
status: ## what runs, who started it, and a summary line
	@if [ -x .venv/bin/python ]; then .venv/bin/python deploy/local/stack.py status; \
	else echo "stack: down (no .venv yet; \`make up\` installs and starts it)"; fi

# Follows every component's log file in the run folder (Ctrl-C to stop).
logs: ## tail the stack's logs (every component's log file)
	@if [ ! -x .venv/bin/python ] || [ ! -d "$(RUN_DIR)" ]; then \
		echo "stack: no logs yet in $(RUN_DIR) (\`make up\` starts the stack)"; exit 0; fi; \
	mapfile -t files < <(.venv/bin/python deploy/local/stack.py logs); \
	if [ "$${#files[@]}" -eq 0 ]; then echo "stack: no log files in $(RUN_DIR)"; exit 0; fi; \
	exec tail -n 20 -F "$${files[@]}"

# Lists only; replaying after a fix is the command itself (docs/operations.md).
.PHONY: deadletters
deadletters: ## every service's dead letters with their reasons (SERVICE=orgs for one)
	@set -a; . "$(STACK_ENV)"; set +a; \
	for service in $(or $(SERVICE),orgs feed notifier); do \
		$(UV) run --frozen python -m jumo_common.bus.deadletters list "$$service"; done

# Fills the running stack (`make up` first) through the gateway's public API and the Facebook
# sandbox's test-user API; a second run adds nothing (deploy/demo/README.md).
.PHONY: demo
demo: ## fill the running stack with demo data (50 organizations, 2,000 volunteers; DEMO_ARGS=...)
	set -a && . "$(STACK_ENV)" && set +a; \
	$(UV) run --frozen python deploy/demo/jumo_demo.py $(DEMO_ARGS)

# Brings up what is not running, then runs pytest with the stack's URLs. pytest's exit code is
# make's: 5 (no tests collected) fails like any other.
test: up ## the same as up, then every test against the real servers (PYTEST_ARGS=...)
	set -a && . "$(STACK_ENV)" && set +a; \
	rc=0; $(UV) run --frozen pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ "$$rc" -eq 5 ]; then echo "pytest collected no tests: that is a failure"; fi; \
	exit "$$rc"

# mypy runs once per package, and once per folder of tests/ (e2e, browser): one run over all of
# them would see several `conftest` modules.
lint: install ## ruff check, ruff format --check, mypy --strict per package
	@rc=0; \
	$(UV) run --frozen ruff check . || rc=1; \
	$(UV) run --frozen ruff format --check . || rc=1; \
	for pkg in libs/* services/*; do \
		[ -d "$$pkg/src" ] || continue; \
		paths="$$pkg/src"; \
		[ -n "$$(find "$$pkg/tests" -name '*.py' 2>/dev/null)" ] && paths="$$paths $$pkg/tests"; \
		echo "mypy $$paths"; $(UV) run --frozen mypy $$paths || rc=1; \
	done; \
	for dir in deploy/* bench tests/*; do \
		[ -d "$$dir" ] || continue; \
		files=$$(find "$$dir" -name '*.py' -not -path '*/run/*' | sort); \
		[ -n "$$files" ] || continue; \
		echo "mypy $$dir"; $(UV) run --frozen mypy $$files || rc=1; \
	done; \
	exit $$rc

# CI: each package under libs/ and services/ synced alone into a fresh environment and
# imported, so an import of something it does not declare fails here, not in its image.
packages: uv ## sync each package alone and import it (undeclared dependencies fail)
	@bash deploy/local/packages.sh

format: install ## ruff check --fix, ruff format
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

# Stops the stack, then deletes its data and logs.
clean: down ## stop the stack, then delete its data and logs
	@if [ -x .venv/bin/python ]; then .venv/bin/python deploy/local/stack.py clean; \
	else rm -rf "$(RUN_DIR)"; fi
