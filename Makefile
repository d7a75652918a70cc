# Yearbook QA — `make run` starts the app, `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup ingest eval bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

ingest: setup
	$(BIN)/yearbook ingest

run: ingest
	$(BIN)/yearbook ingest --list

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf .yearbook .pytest_cache
