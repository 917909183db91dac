"""Baseline regression: pinned outputs of a few short runs (see `runs.py`)."""
