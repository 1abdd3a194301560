# The few verbs a newcomer needs. Every target sets up the venv first if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench bench-large docs clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

run: setup
	$(BIN)/newsevents run --source seeds --data-dir data

test: setup
	@bash scripts/install_chromium.sh || echo "no chromium: the Prefect UI and report rendering tests will skip"
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m benchmarks.bench --sizes 1000,20000

bench-large: setup
	$(BIN)/python -m benchmarks.bench --sizes 100000

clean:
	rm -rf data .pytest_cache .ruff_cache .mypy_cache

docs: setup
	$(BIN)/python -m warehouse.dictionary > docs/tables.md
