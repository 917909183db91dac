"""sim.admissions: choice sets, market allocation with capacity, ageing rolls."""

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


class TestAllocate:
    def test_uniform_shares_hand_worked(self):
        choices = np.array([[0, 1], [1, 0]])
        dist = np.zeros((2, 2))
        dis, oth = admissions.allocate(np.array([10.0, 0.0]), np.array([0.0, 4.0]), choices,
                                       dist, np.zeros(2), np.full(2, 100.0), flat_cfg())
        np.testing.assert_allclose(dis, [5.0, 5.0])
        np.testing.assert_allclose(oth, [2.0, 2.0])

    def test_full_school_sends_the_rest_where_there_is_room(self):
        # Origin 0 splits 10 pupils 5/5; school 0 holds 2 (accepts 2/5 of its 5) and the
        # 3 rejected go to school 1, the only choice with room: intake (2, 8).
        choices = np.array([[0, 1], [1, 0]])
        dis, oth = admissions.allocate(np.array([10.0, 0.0]), np.zeros(2), choices,
                                       np.zeros((2, 2)), np.zeros(2), np.array([2.0, 100.0]),
                                       flat_cfg())
        np.testing.assert_allclose(dis, [2.0, 8.0])
        np.testing.assert_allclose(oth, [0.0, 0.0])

    def test_logit_shares_hand_worked(self):
        # Two schools 1 km apart, performance (0, 10), home preference 1.5, 100 of each group
        # per origin. Share choosing school 1 is logistic(u1 - u0):
        #   advantaged from 0: u0 = 1.5, u1 = 0.4*10 - 0.3*1 = 3.7        -> logistic(2.2)
        #   advantaged from 1: u1 = 1.5 + 4, u0 = -0.3                     -> logistic(5.8)
        #   disadvantaged from 0: u0 = 1.5, u1 = 0.1*10 - 1.0*1 = 0       -> logistic(-1.5)
        #   disadvantaged from 1: u1 = 1.5 + 1, u0 = -1                    -> logistic(3.5)
        def logistic(x):
            return 1 / (1 + math.exp(-x))
        choices = np.array([[0, 1], [1, 0]])
        dist = np.array([[0.0, 1.0], [0.0, 1.0]])
        dis, oth = admissions.allocate(np.full(2, 100.0), np.full(2, 100.0), choices, dist,
                                       np.array([0.0, 10.0]), np.full(2, 1e6), adm_cfg())
        assert oth[1] == pytest.approx(100 * (logistic(2.2) + logistic(5.8)))
        assert dis[1] == pytest.approx(100 * (logistic(-1.5) + logistic(3.5)))
        assert oth[1] == pytest.approx(189.72, abs=0.01)
        assert dis[1] == pytest.approx(115.31, abs=0.01)
        assert dis.sum() == pytest.approx(200) and oth.sum() == pytest.approx(200)

    @pytest.mark.parametrize("seed", range(5))
    @pytest.mark.parametrize("room", [2.0, 1.05, 0.5])
    def test_conserves_each_origins_demand_exactly(self, seed, room):
        # Demand from one origin at a time must all be placed, within its own choice set,
        # whether capacity is ample, tight or short (short: the home school takes the rest).
        choices, dist, dem_dis, dem_oth, perf, _ = random_market(seed)
        n = len(perf)
        capacity = room * (dem_dis + dem_oth)
        for origin in (0, 7, 33):
            one_dis = np.where(np.arange(n) == origin, dem_dis, 0.0)
            one_oth = np.where(np.arange(n) == origin, dem_oth, 0.0)
            dis, oth = admissions.allocate(one_dis, one_oth, choices, dist, perf,
                                           capacity, adm_cfg())
            assert dis.sum() == pytest.approx(dem_dis[origin], rel=1e-12)
            assert oth.sum() == pytest.approx(dem_oth[origin], rel=1e-12)
            outside = np.setdiff1d(np.arange(n), choices[origin])
            assert (dis[outside] == 0).all() and (oth[outside] == 0).all()
        dis, oth = admissions.allocate(dem_dis, dem_oth, choices, dist, perf, capacity,
                                       adm_cfg())
        assert dis.sum() == pytest.approx(dem_dis.sum(), rel=1e-12)
        assert oth.sum() == pytest.approx(dem_oth.sum(), rel=1e-12)
        assert (dis >= 0).all() and (oth >= 0).all()

    @pytest.mark.parametrize("seed", range(5))
    def test_capacity_respected_when_there_is_room_elsewhere(self, seed):
        # One star school with a tiny capacity, plenty of room everywhere else.
        choices, dist, dem_dis, dem_oth, perf, _ = random_market(seed)
        perf = perf.copy()
        star = int(np.argmax(np.bincount(choices.ravel(), minlength=len(perf))))
        perf[star] = 40.0
        capacity = 3.0 * (dem_dis + dem_oth)
        capacity[star] = 5.0
        dis, oth = admissions.allocate(dem_dis, dem_oth, choices, dist, perf, capacity,
                                       adm_cfg())
        assert dis[star] + oth[star] == pytest.approx(5.0, rel=1e-9)
        assert ((dis + oth) <= capacity * (1 + 1e-9)).all()

    def test_advantaged_families_move_more_towards_high_performance(self):
        choices, dist, _, _, perf, phase = random_market(3, n=200, k=6)
        demand = np.full(200, 50.0)
        dis, oth = admissions.allocate(demand, demand, choices, dist, perf, np.full(200, 1e6),
                                       adm_cfg())
        # What each group's pupils see on the league table, against staying at home.
        gain_dis = (dis * perf).sum() / dis.sum() - (demand * perf).sum() / demand.sum()
        gain_oth = (oth * perf).sum() / oth.sum() - (demand * perf).sum() / demand.sum()
        assert gain_oth > gain_dis > 0
        assert gain_oth > 2 * gain_dis
        # ... and more of them leave their local school.
        assert np.abs(oth - demand).sum() > np.abs(dis - demand).sum()


def test_age_rolls_hand_worked():
    # primary (7 years): 70 * 6/7 + 12 = 72; secondary (5 years): 50 * 4/5 + 3 = 43
    dis, oth = admissions.age_rolls(np.array([70.0, 50.0]), np.array([140.0, 100.0]),
                                    np.array([12.0, 3.0]), np.array([20.0, 25.0]),
                                    np.array([7, 5]))
    np.testing.assert_allclose(dis, [72.0, 43.0])
    np.testing.assert_allclose(oth, [140.0, 105.0])


def test_steady_state_rolls_are_unchanged():
    roll = np.array([700.0, 500.0])
    years = np.array([7, 5])
    dis, _ = admissions.age_rolls(roll, roll, roll / years, roll / years, years)
    np.testing.assert_allclose(dis, roll)
