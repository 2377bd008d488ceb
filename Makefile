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

## run: seed the demo production (once), then serve the web app with it at http://127.0.0.1:8000/
run: $(STAMP)
	$(BIN)/coldcheck demo
	$(BIN)/coldcheck status
	@echo "Open http://127.0.0.1:8000/ and sign in (see above: e.g. dana / 'showdown at high noon'). Ctrl-C stops."
	@echo "This demo runs with two-step sign-in optional (--mfa optional); a production node requires it (coldcheck serve's default)."
	$(BIN)/coldcheck serve --host 127.0.0.1 --port 8000 --mfa optional

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
