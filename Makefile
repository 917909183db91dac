# Quickstart: `make run` (set up, run the default scenario) and `make test` (set up, run the tests).
# Needs Python 3.12 or 3.13 (.python-version says 3.12); override with `make PYTHON=/path/to/python3.13 ...`.
# `make run` installs only what running needs; `make test` adds the extras and test tools (dev).
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
RUN_STAMP := $(VENV)/.installed-run-$(HASH)
DEV_STAMP := $(VENV)/.installed-dev-$(HASH)

.PHONY: setup setup-dev run test test-all fuzz venv-ray test-ray bench bench-sweep clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] in ((3, 12), (3, 13)), sys.version' \
	  || { echo "make: error: $(PYTHON) is not Python 3.12 or 3.13; allowed: PYTHON=<a python3.12 or python3.13>"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	@rm -f $(VENV)/.installed-run-*; touch $@

$(DEV_STAMP): pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*; touch $@ $(RUN_STAMP)

setup: $(RUN_STAMP)
setup-dev: $(DEV_STAMP)

run: setup
	$(BIN)/schoolsim $(ARGS)

test: setup-dev
	$(BIN)/python -m pytest -m "not slow" -n auto $(ARGS)

# Property tests with fresh random examples, 20x as many as `make test` draws.
fuzz: setup-dev
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -n auto -m "not slow" $(ARGS) \
	  tests/test_extremes.py tests/test_properties.py tests/test_overrides.py

test-all: setup-dev
	$(BIN)/python -m pytest -n auto $(ARGS)

bench: setup-dev
	$(BIN)/python -m experiments.benchmark $(ARGS)

bench-sweep: setup-dev
	$(BIN)/python -m experiments.bench_sweep $(ARGS)

# The Ray launcher in its own venv: hydra-ray-launcher pins cloudpickle<3, which the
# joblib in .venv cannot use. Only the Ray test runs there (the rest is `make test`).
VENV_RAY := .venv-ray
RAY_STAMP := $(VENV_RAY)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

$(RAY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV_RAY)
	$(VENV_RAY)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_RAY)/bin/python -m pip install --quiet -e ".[ray,experiments]" "pytest>=8" "hypothesis>=6.100"
	@rm -f $(VENV_RAY)/.installed-*; touch $@

venv-ray: $(RAY_STAMP)

test-ray: venv-ray
	RAY_USAGE_STATS_ENABLED=0 $(VENV_RAY)/bin/python -m pytest -o addopts="-ra --strict-markers" \
	  tests/test_experiments_launchers.py -k "ray_local or serial_sweep" $(ARGS)

clean:
	rm -rf $(VENV) $(VENV_RAY) outputs multirun sensitivity .pytest_cache
