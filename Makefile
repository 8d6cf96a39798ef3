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

# bytecode up front, as a wheel install has it: with PYTHONDONTWRITEBYTECODE set (many
# containers) every start would otherwise compile each module from source (~80 ms)
demo: $(STAMP)
	$(BIN)/python -m compileall -q cockpit
	$(BIN)/cockpit demo

run: $(STAMP)
	$(BIN)/python -m compileall -q cockpit
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
