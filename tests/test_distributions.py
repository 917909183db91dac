"""sim.distributions: draws with a given mean and spread, including the edge means."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.distributions import beta_with_mean, gamma_with_mean
from tests.helpers import build_model


def test_gamma_with_mean_moments():
    x = gamma_with_mean(np.random.default_rng(0), np.full(50000, 8.0), 2.0)
    assert x.mean() == pytest.approx(8.0, rel=0.01)
    assert x.std() == pytest.approx(2.0, rel=0.03)
    assert (x > 0).all()


def test_beta_with_mean_moments():
    x = beta_with_mean(np.random.default_rng(0), np.full(50000, 0.6), 0.15)
    assert x.mean() == pytest.approx(0.6, abs=0.005)
    assert x.std() == pytest.approx(0.15, rel=0.03)


def test_beta_too_wide_is_narrowed_to_a_unimodal_shape():
    # sd 0.6 > sqrt(0.25): concentration is held at 1: beta(0.5, 0.5), sd sqrt(0.25 / 2)
    x = beta_with_mean(np.random.default_rng(0), np.full(50000, 0.5), 0.6)
    assert x.std() == pytest.approx(np.sqrt(0.25 / 2), rel=0.03)


def test_zero_sd_returns_the_mean():
    np.testing.assert_array_equal(beta_with_mean(np.random.default_rng(0), np.array([0.3]), 0),
                                  [0.3])
    np.testing.assert_array_equal(gamma_with_mean(np.random.default_rng(0), np.array([3.0]), 0),
                                  [3.0])


@pytest.mark.parametrize("sd", [1e-283, 1e-160])
def test_a_spread_too_small_to_represent_returns_the_mean(sd):
    # (1 / 1e-160) ** 2 overflows a float: the shape or concentration would be inf and the
    # draw NaN (found by tests/test_extremes.py with trust.affinity_sd = 1.46e-283).
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(gamma_with_mean(rng, np.array([1.0, 4.0]), sd), [1.0, 4.0])
    np.testing.assert_array_equal(beta_with_mean(rng, np.array([0.2, 0.5]), sd), [0.2, 0.5])


def test_beta_means_of_exactly_zero_and_one():
    # The config allows initial_trust and openness_mean anywhere in [0, 1].
    x = beta_with_mean(np.random.default_rng(2), np.array([0.0, 1.0, 0.4]), 0.15)
    assert x[0] == 0.0 and x[1] == 1.0 and 0 < x[2] < 1


@pytest.mark.parametrize("overrides", [
    ["scheme=trios", "scheme.initial_trust=0"],
    ["scheme=trios", "scheme.initial_trust=1"],
    ["scheme=none", "school.openness_mean=1"],
    ["scheme=trios", "trust.affinity_sd=1.4595019240570896e-283"],
])
def test_edge_means_build_a_model(overrides):
    model = build_model(["region.n_schools=150", *overrides])
    assert np.isfinite(model.state.openness).all()
    assert ((model.partnerships.trust >= 0) & (model.partnerships.trust <= 1)).all()
    assert np.isfinite(model.partnerships.affinity).all()
    sim.run(["region.n_schools=150", "years=1", *overrides], progress=False)
