# OCOP ETL — every target sets up what it needs. `make help` lists them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

# The test PostgreSQL (trust auth on this kind of machine). Override to point elsewhere.
OCOP_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
export OCOP_TEST_POSTGRES_URL

.PHONY: help demo test test-unit test-integration lint bench clean reliability-table

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)  ## set up, write sample district reports, ingest them into SQLite, print a summary
	@test -n "$$(ls -A data/inbox 2>/dev/null)" || $(BIN)/ocop-etl sample data/inbox --files 12 --faults
	$(BIN)/ocop-etl ingest data/inbox --db sqlite:///warehouse.db

test: $(STAMP)  ## set up, start PostgreSQL if needed, lint, run unit and integration tests
	scripts/ensure-postgres
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

test-unit: $(STAMP)  ## fast unit tests only (no database server, no Prefect server)
	$(BIN)/pytest -m "not integration"

test-integration: $(STAMP)  ## integration tests only (real SQLite, PostgreSQL, Prefect)
	scripts/ensure-postgres
	$(BIN)/pytest -m integration

lint: $(STAMP)  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)  ## naive script vs floor vs pipeline, interleaved (see README, Performance)
	scripts/ensure-postgres
	$(BIN)/python -m benchmarks.run

clean:  ## remove the demo warehouse and data (not the virtualenv)
	rm -rf data warehouse.db warehouse.db-wal warehouse.db-shm

reliability-table: $(STAMP)  ## run the reliability tests, render their figures into README (Reliability)
	scripts/ensure-postgres
	$(BIN)/pytest -m integration tests/integration/test_reliability_faults.py tests/integration/test_reliability_inputs.py
	$(BIN)/python scripts/reliability-table
