# Quickstart: `make run` (set up, run the default scenario) and `make test` (set up, run the tests).
# Needs Python 3.12 (see .python-version); override with `make PYTHON=/path/to/python3.12 ...`.
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup run test test-all bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 12), sys.version' \
	  || { echo "make: error: $(PYTHON) is not Python 3.12; allowed: PYTHON=<a python3.12>"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*; touch $@

setup: $(STAMP)

run: setup
	$(BIN)/schoolsim $(ARGS)

test: setup
	$(BIN)/python -m pytest -m "not slow" -n auto $(ARGS)

test-all: setup
	$(BIN)/python -m pytest -n auto $(ARGS)

bench: setup
	$(BIN)/python -m experiments.benchmark $(ARGS)

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache
