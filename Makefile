# Every target sets up its own virtual environment from requirements.lock on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint typecheck demo bench lock run db-upgrade clean

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

test: lint typecheck
	$(BIN)/pytest

demo: $(STAMP)
	$(BIN)/python -m bot.demo

bench: $(STAMP)
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
