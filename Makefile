# coldcheck: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint types unit slow bench clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "coldcheck needs Python 3.11 or newer (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

## run: seed the demo production (once) and show where every firearm is
run: $(STAMP)
	$(BIN)/coldcheck demo
	$(BIN)/coldcheck status

## test: lint, types, and the whole test suite
test: lint types unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench docs/examples
	$(BIN)/ruff format --check src tests bench docs/examples

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

## slow: the long soak runs (500 crash kills ...)
slow: $(STAMP)
	$(BIN)/pytest -q -m slow

## bench: durability benchmark; writes docs/benchmarks.md
bench: $(STAMP)
	$(BIN)/python bench/append.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
