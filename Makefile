# `make demo` and `make test` create .venv themselves: the two quick-start commands.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cockpit demo

run: $(STAMP)
	$(BIN)/cockpit

lint: $(STAMP)
	$(BIN)/ruff check cockpit tests bench
	$(BIN)/ruff format --check cockpit tests bench

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/journal.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
