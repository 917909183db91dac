"""sim.admissions: the choice sets of nearby same-phase schools."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import admissions
from tests.helpers import section


def adm_cfg(**over):
    values = dict(home_preference=1.5,
                  performance_weight_advantaged=0.4, performance_weight_disadvantaged=0.1,
                  distance_weight_advantaged=0.3, distance_weight_disadvantaged=1.0)
    values.update(over)
    return section(**values)


def flat_cfg():
    """Every choice equally attractive: logit shares are uniform over the choice set."""
    return adm_cfg(home_preference=0.0, performance_weight_advantaged=0.0,
                   performance_weight_disadvantaged=0.0, distance_weight_advantaged=0.0,
                   distance_weight_disadvantaged=0.0)


def random_market(seed, n=60, k=5):
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, 10, (n, 2))
    phase = (rng.random(n) < 0.3).astype(int)
    choices, dist = admissions.choice_sets(pos, phase, k)
    dem_dis, dem_oth = rng.uniform(0, 30, n), rng.uniform(0, 80, n)
    perf = rng.normal(0, 5, n)
    return choices, dist, dem_dis, dem_oth, perf, phase


class TestChoiceSets:
    def test_two_schools_hand_worked(self):
        choices, dist = admissions.choice_sets(np.array([[0.0, 0.0], [3.0, 4.0]]),
                                               np.array([0, 0]), 2)
        np.testing.assert_array_equal(choices, [[0, 1], [1, 0]])
        np.testing.assert_allclose(dist, [[0.0, 5.0], [0.0, 5.0]])

    def test_school_itself_first_same_phase_sorted(self):
        rng = np.random.default_rng(0)
        pos = rng.uniform(0, 10, (80, 2))
        phase = (rng.random(80) < 0.3).astype(int)
        choices, dist = admissions.choice_sets(pos, phase, 6)
        np.testing.assert_array_equal(choices[:, 0], np.arange(80))
        assert (dist[:, 0] == 0).all()
        assert (phase[choices] == phase[:, None]).all()
        assert (np.diff(dist, axis=1) >= 0).all()
        d = np.linalg.norm(pos[choices] - pos[:, None, :], axis=2)
        np.testing.assert_allclose(d, dist, atol=1e-12)

    def test_co_located_schools_each_put_themselves_first(self):
        pos = np.zeros((4, 2))
        choices, _ = admissions.choice_sets(pos, np.zeros(4, int), 3)
        np.testing.assert_array_equal(choices[:, 0], np.arange(4))
        assert all(len(set(row)) == 3 for row in choices.tolist())

    def test_short_phase_is_padded_far_away(self):
        pos = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]])
        phase = np.array([0, 0, 1])
        choices, dist = admissions.choice_sets(pos, phase, 3)

        def phase_of(row):
            return set(phase[row].tolist())

        np.testing.assert_array_equal(choices[2], [2, 2, 2])
        assert dist[2, 0] == 0 and (dist[2, 1:] >= 1e6).all()
        np.testing.assert_array_equal(choices[0, :2], [0, 1])
        assert phase_of(choices[0]) == {0} and dist[0, 2] >= 1e6
