"""sim.improvement: within-school improvement, forgetting and turnover shocks.

Expected values are worked by hand from the module docstring:
    a = rate * resource, b = forgetting_rate * (1 + factor * share)
    E(t + dt) = E* + (E - E*) exp(-(a + b) dt),  E* = a / (a + b)
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import improvement
from tests.helpers import clone, section


def cfg(**over):
    values = dict(rate=0.1, forgetting_rate=0.1, turnover_deprivation_factor=1.0,
                  turnover_shock_probability=0.0, turnover_shock_loss=0.15)
    values.update(over)
    return section(**values)


class TestImprovementResource:
    def test_hand_worked(self):
        # funding * max(days - used, 0) / mean_days
        got = improvement.improvement_resource(
            np.array([8.0, 6.0, 4.0]), np.array([2.0, 8.0, 0.0]),
            np.array([1.0, 1.0, 0.5]), 8.0)
        np.testing.assert_allclose(got, [6 / 8, 0.0, 0.5 * 4 / 8])

    def test_overspent_time_gives_no_negative_resource(self):
        got = improvement.improvement_resource(np.array([3.0]), np.array([5.0]),
                                               np.array([1.0]), 8.0)
        assert got[0] == 0.0


class TestImproveAndForget:
    def test_exact_solution_no_deprivation(self):
        # a = 0.1 * 2 = 0.2, b = 0.1, E* = 2/3; E(1) = 2/3 + (0.2 - 2/3) e^-0.3 = 0.32095
        got = improvement.improve_and_forget(np.array([[0.2, 0.9]]), np.array([2.0]),
                                             np.array([0.0]), cfg(), 1.0)
        star = 0.2 / 0.3
        expected = [star + (0.2 - star) * math.exp(-0.3), star + (0.9 - star) * math.exp(-0.3)]
        np.testing.assert_allclose(got, [expected], rtol=1e-12)
        assert got[0, 0] == pytest.approx(0.320951, abs=1e-6)
        assert got[0, 1] == pytest.approx(0.839524, abs=1e-6)

    def test_deprivation_raises_forgetting(self):
        # share 0.5, factor 1: b = 0.1 * 1.5 = 0.15; a = 0.1; E* = 0.4; dt = 1/3
        got = improvement.improve_and_forget(np.array([[0.7]]), np.array([1.0]),
                                             np.array([0.5]), cfg(), 1 / 3)
        expected = 0.4 + (0.7 - 0.4) * math.exp(-0.25 / 3)
        assert got[0, 0] == pytest.approx(expected, rel=1e-12)
        poorer = improvement.improve_and_forget(np.array([[0.7]]), np.array([1.0]),
                                                np.array([0.0]), cfg(), 1 / 3)
        assert got[0, 0] < poorer[0, 0]

    def test_no_rates_leaves_expertise_unchanged(self):
        e = np.array([[0.3, 0.6], [0.1, 0.0]])
        got = improvement.improve_and_forget(e, np.zeros(2), np.array([0.2, 0.9]),
                                             cfg(rate=0.0, forgetting_rate=0.0), 1.0)
        np.testing.assert_array_equal(got, e)

    def test_zero_time_step_is_identity(self):
        e = np.array([[0.3, 0.6]])
        got = improvement.improve_and_forget(e, np.array([1.0]), np.array([0.3]), cfg(), 0.0)
        np.testing.assert_allclose(got, e, rtol=0, atol=1e-15)

    def test_long_run_reaches_equilibrium(self):
        # a = 0.3, b = 0.1 * (1 + 2 * 0.25) = 0.15, E* = 0.3 / 0.45 = 2/3
        got = improvement.improve_and_forget(np.array([[0.05, 0.95]]), np.array([3.0]),
                                             np.array([0.25]),
                                             cfg(turnover_deprivation_factor=2.0), 500.0)
        np.testing.assert_allclose(got, [[2 / 3, 2 / 3]], rtol=1e-9)

    def test_two_half_steps_equal_one_step(self):
        # An exact solution composes: the term can be split without changing the result.
        e = np.array([[0.2, 0.5, 0.8]])
        args = (np.array([1.3]), np.array([0.4]), cfg())
        once = improvement.improve_and_forget(e, *args, 0.5)
        twice = improvement.improve_and_forget(
            improvement.improve_and_forget(e, *args, 0.25), *args, 0.25)
        np.testing.assert_allclose(once, twice, rtol=1e-12)

    def test_stays_in_unit_interval_for_extreme_rates(self):
        e = np.array([[0.0, 1.0, 0.5]] * 3)
        got = improvement.improve_and_forget(e, np.array([0.0, 50.0, 1e6]), np.array([1.0, 0.0, 0.5]),
                                             cfg(rate=5.0, forgetting_rate=5.0), 1.0)
        assert ((got >= 0) & (got <= 1)).all()


def test_default_depth_loss_is_teachers_yearly_turnover_over_englands_schools():
    """The default b = forgetting_rate * (1 + factor * share), averaged over England's real
    schools (their census disadvantaged shares), is the share of a school's teachers who leave
    it each year: 12.8-13.6 % (Smithers & Robinson 2004, secondary and primary) to about 17 %
    (DfE School Workforce Census: about 9 % leave the state-funded sector, up to 8 % move to
    another state school). Fails if either default, or the real data's shares, move b off it."""
    import sim
    from sim.region import build_region

    config = sim.compose_config(["region=england_real"])
    share = np.asarray(build_region(config.region, np.random.default_rng(1)).disadvantaged_share)
    imp = config.improvement
    loss = imp.forgetting_rate * (1 + imp.turnover_deprivation_factor * share)
    assert 0.128 <= loss.mean() <= 0.17
