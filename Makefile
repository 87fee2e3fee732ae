# Every target sets up its own virtual environment from requirements.lock on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test test-pg postgresql lint typecheck demo bench lock run db-upgrade clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy bot handlers storage workflow emulator benchmarks tests

# Every test; those marked `pg` run on a PostgreSQL server the tests start themselves, and are
# skipped (the summary says so) when no PostgreSQL server binaries are installed. The tests
# run in TEST_WORKERS processes (pytest-xdist): most of an end-to-end test's time is waiting
# for Telegram's limits, so four share two cores well. TEST_WORKERS=0 runs them in one.
# Tests that share an expensive module fixture (a whole run to compare with) are marked
# `xdist_group` and run in one process, so the fixture is built once.
TEST_WORKERS ?= 4
test: lint typecheck
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

# Only the PostgreSQL tests, installing the server binaries first when they are missing.
test-pg: postgresql $(STAMP)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup -m pg

# The Debian `postgresql` package (initdb, pg_ctl): the tests start their own server with
# them, in a temporary folder; nothing is started as a system service.
postgresql:
	@if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "PostgreSQL server binaries found."; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
		echo "PostgreSQL server binaries (initdb, pg_ctl) are missing and there is no apt-get:"; \
		echo "install PostgreSQL (15 or newer) with your system's packages, then run make test-pg."; \
		exit 1; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "Installing PostgreSQL (apt-get install postgresql) ..."; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; \
	else \
		echo "Installing PostgreSQL with sudo (apt-get install postgresql); it may ask for your password ..."; \
		sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; \
	fi

demo: $(STAMP)
	$(BIN)/python -m bot.demo

# Every benchmark; the load benchmark also on PostgreSQL (a server it starts itself, like the
# tests), installing the server binaries first when they are missing.
bench: postgresql $(STAMP)
	$(BIN)/python -m benchmarks

run: $(STAMP)
	$(BIN)/renja-bot db upgrade
	$(BIN)/renja-bot run

db-upgrade: $(STAMP)
	$(BIN)/renja-bot db upgrade

# Regenerate requirements.lock after changing dependencies in pyproject.toml.
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --generate-hashes \
		--python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
