# Waymark: every target bootstraps what it needs and is safe to run again.
#
#   make demo    build the synthetic town and serve it on http://127.0.0.1:8000
#   make test    run the test suite (set DATABASE_URL to run it against PostgreSQL)
#   make lint    ruff, ruff format, mypy, import layers, makemigrations --check, bandit
#   make bench   run the benchmarks in bench/
#   make clean   remove var/ (with the compiled CSS) and the install stamps (keeps .venv and
#                node_modules)
#
# Pass options through make variables, e.g. `make demo SCALE=2 SEED=7 PORT=8001`
# or `make test PYTEST_ARGS="-k concerns -x"`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

SCALE ?=
SEED ?=
PORT ?=
PYTEST_ARGS ?=
# Test processes running side by side (pytest-xdist): one per core by default; 0 runs the suite in
# this process, e.g. to use a debugger.
TEST_WORKERS ?= auto

# Stamps live inside the directories they describe, so deleting .venv or node_modules
# forces a reinstall, and a change to pyproject.toml or package-lock.json does too.
PY_STAMP := $(VENV)/.waymark-installed
NODE_STAMP := node_modules/.waymark-installed
# GOV.UK Frontend compiled with Waymark's settings (package.json's build:css); STATICFILES_DIRS
# serves var/build/ as /static/build/.
GOVUK_CSS := var/build/govuk-frontend.css

# The Debian packages each goal needs are listed in system-packages.txt. The script installs only
# what is missing (through sudo unless root): the `all` packages always, and those of `make demo`
# or `make test` when that is the goal.
SYSTEM_PACKAGE_GOALS := all $(filter demo test,$(MAKECMDGOALS))

.PHONY: help install system-packages demo test lint lint-ruff lint-format lint-mypy \
	lint-imports lint-migrations lint-bandit bench clean

help:
	@echo "make install   system packages, .venv, Python and npm dependencies, compiled CSS"
	@echo "make demo      build the demo town and serve it (SCALE=, SEED=, PORT=)"
	@echo "make test      run pytest (PYTEST_ARGS=, TEST_WORKERS=; DATABASE_URL= for PostgreSQL)"
	@echo "make lint      ruff, ruff format --check, mypy, lint-imports, makemigrations --check, bandit"
	@echo "make bench     run the benchmarks in bench/"
	@echo "make clean     remove var/ and install stamps"

# --- install -------------------------------------------------------------------------------

install: system-packages $(PY_STAMP) $(NODE_STAMP) $(GOVUK_CSS)

system-packages:
	@.ci/install-system-packages $(SYSTEM_PACKAGE_GOALS)

$(BIN)/python: | system-packages
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found: install python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# No package needs its install scripts (sass is plain JavaScript), so none are run.
$(NODE_STAMP): package.json package-lock.json | system-packages
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

$(GOVUK_CSS): $(NODE_STAMP) $(wildcard waymark/static_src/*.scss)
	npm run --silent build:css

# --- demo ----------------------------------------------------------------------------------

demo: install
	$(BIN)/waymark demo --then-serve $(if $(SCALE),--scale $(SCALE)) $(if $(SEED),--seed $(SEED))
	$(BIN)/waymark serve $(if $(PORT),--port $(PORT))

# --- test ----------------------------------------------------------------------------------

# Chromium for the browser tests comes from system-packages.txt, with `make install`.
# DATABASE_URL, when set in the environment, is read by the settings (PostgreSQL in CI).
test: install
	@echo "Database: $${DATABASE_URL:-SQLite (default)}" | sed -E 's#://([^:@/]+):[^@]*@#://\1:***@#'
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# --- lint ----------------------------------------------------------------------------------

lint: lint-ruff lint-format lint-mypy lint-imports lint-migrations lint-bandit

lint-ruff: install
	$(BIN)/ruff check .

lint-format: install
	$(BIN)/ruff format --check .

lint-mypy: install
	$(BIN)/mypy .

# The layer and analytics contracts in pyproject.toml ([tool.importlinter]).
lint-imports: install
	$(BIN)/lint-imports --no-cache

lint-migrations: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

lint-bandit: install
	$(BIN)/bandit -q -c pyproject.toml -r waymark config -x '*/tests/*'

# --- bench ---------------------------------------------------------------------------------

# Every bench/*.py script except helpers (_*.py), with the venv's Python. Each uses a scratch
# database under /tmp unless DATABASE_URL names another (see bench/README.md).
bench: install
	@echo "Database: $${DATABASE_URL:-scratch SQLite under /tmp (default)}" | sed -E 's#://([^:@/]+):[^@]*@#://\1:***@#'
	@shopt -s nullglob; benches=(bench/[!_]*.py); \
	if [ $${#benches[@]} -eq 0 ]; then echo "No benchmarks yet (bench/ is empty)."; exit 0; fi; \
	for b in "$${benches[@]}"; do echo "== $$b"; $(BIN)/python "$$b"; done

# --- clean ---------------------------------------------------------------------------------

clean:
	rm -rf var $(PY_STAMP) $(NODE_STAMP)
