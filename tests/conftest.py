"""Shared fixtures and the Hypothesis profile for the schoolsim test suite."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# Modest example counts and no deadline: every example is a whole (small) simulation.
settings.register_profile(
    "schoolsim", max_examples=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "schoolsim"))


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run the test with an empty temporary folder as the working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
