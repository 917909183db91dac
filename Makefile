# Quickstart: `make run` (set up, run the default scenario) and `make test` (set up, run the tests).
# Needs Python 3.12 (see .python-version); override with `make PYTHON=/path/to/python3.12 ...`.
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup run test test-all venv-ray test-ray bench bench-sweep clean

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

bench-sweep: setup
	$(BIN)/python -m experiments.bench_sweep $(ARGS)

# The Ray launcher in its own venv: hydra-ray-launcher pins cloudpickle<3, which the
# joblib in .venv cannot use. Only the Ray test runs there (the rest is `make test`).
VENV_RAY := .venv-ray
RAY_STAMP := $(VENV_RAY)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

$(RAY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV_RAY)
	$(VENV_RAY)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_RAY)/bin/python -m pip install --quiet -e ".[ray]" "pytest>=8" "hypothesis>=6.100"
	@rm -f $(VENV_RAY)/.installed-*; touch $@

venv-ray: $(RAY_STAMP)

test-ray: venv-ray
	RAY_USAGE_STATS_ENABLED=0 $(VENV_RAY)/bin/python -m pytest -o addopts="-ra --strict-markers" \
	  tests/test_experiments_launchers.py -k "ray_local or serial_sweep" $(ARGS)

clean:
	rm -rf $(VENV) $(VENV_RAY) outputs multirun sensitivity .pytest_cache
