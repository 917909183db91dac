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


def test_beta_means_of_exactly_zero_and_one():
    # The config allows initial_trust and openness_mean anywhere in [0, 1].
    x = beta_with_mean(np.random.default_rng(2), np.array([0.0, 1.0, 0.4]), 0.15)
    assert x[0] == 0.0 and x[1] == 1.0 and 0 < x[2] < 1


@pytest.mark.parametrize("overrides", [
    ["scheme=trios", "scheme.initial_trust=0"],
    ["scheme=trios", "scheme.initial_trust=1"],
    ["scheme=none", "school.openness_mean=1"],
])
def test_edge_means_build_a_model(overrides):
    model = build_model(["region.n_schools=150", *overrides])
    assert np.isfinite(model.state.openness).all()
    assert ((model.partnerships.trust >= 0) & (model.partnerships.trust <= 1)).all()
    sim.run(["region.n_schools=150", "years=1", *overrides], progress=False)
