"""Shared fixtures and the Hypothesis profile for the schoolsim test suite."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# Modest example counts and no deadline: every example is a whole (small) simulation.
# The default profile draws the same examples every run (derandomize), so the suite gives
# the same verdict on the same code; `make fuzz` searches new examples, many more of them,
# and a case it finds becomes a unit test.
settings.register_profile(
    "schoolsim", max_examples=20, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "fuzz", max_examples=400, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "schoolsim"))


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run the test with an empty temporary folder as the working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
