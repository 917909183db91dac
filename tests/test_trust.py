"""sim.trust: growth after meetings, decay without, lapsing when priorities are set."""

from __future__ import annotations

import numpy as np
import pytest

from sim import trust
from tests.helpers import section


def test_grow_hand_worked_only_on_met_links():
    t = np.array([0.5, 0.2, 0.9])
    trust.grow(t, np.array([0, 2]), 0.2)
    # 0.5 + 0.2 * 0.5 = 0.6; 0.9 + 0.2 * 0.1 = 0.92; link 1 did not meet
    np.testing.assert_allclose(t, [0.6, 0.2, 0.92])


def test_repeated_growth_has_closed_form():
    # T_n = 1 - (1 - T_0)(1 - g)^n, never reaching 1
    t = np.array([0.3])
    for _ in range(10):
        trust.grow(t, np.array([0]), 0.1)
    assert t[0] == pytest.approx(1 - 0.7 * 0.9**10)
    assert t[0] < 1


def test_decay_fades_every_link():
    t = np.array([0.6, 0.5, 0.0])
    trust.decay(t, 0.1)
    np.testing.assert_allclose(t, [0.54, 0.45, 0.0])


def test_meeting_value_inverted_u_hand_worked():
    # novelty 0.1, max distance 0.35: too close (0.02) -> 0.2 * (1 - 0.02/0.35);
    # 0.1 -> 1 * (1 - 0.1/0.35) = 0.714...; beyond 0.35 -> 0
    q = trust.meeting_value(np.array([0.0, 0.02, 0.1, 0.2, 0.35, 0.5]), 0.1, 0.35)
    np.testing.assert_allclose(q, [0.0, 0.2 * (1 - 0.02 / 0.35), 1 - 0.1 / 0.35,
                                   1 - 0.2 / 0.35, 0.0, 0.0])


def test_meeting_value_without_novelty_floor():
    q = trust.meeting_value(np.array([0.0, 0.175]), 0.0, 0.35)
    np.testing.assert_allclose(q, [1.0, 0.5])


def test_grow_accepts_a_rate_per_link():
    t = np.array([0.5, 0.5])
    trust.grow(t, np.array([0, 1]), np.array([0.2, 0.0]))
    np.testing.assert_allclose(t, [0.6, 0.5])


def test_lapsing_groups_threshold_and_activity():
    mean = np.array([0.2, 0.5, 0.3, 0.1])
    active = np.array([True, True, True, False])
    cfg = section(lapse_threshold=0.35, lapse_probability=1.0)
    got = trust.lapsing_groups(mean, active, cfg, np.random.default_rng(0))
    # below threshold and active: groups 0 and 2; group 3 has already lapsed
    np.testing.assert_array_equal(got, [True, False, True, False])


def test_lapse_probability_zero_keeps_every_group():
    cfg = section(lapse_threshold=0.35, lapse_probability=0.0)
    got = trust.lapsing_groups(np.zeros(20), np.ones(20, bool), cfg, np.random.default_rng(0))
    assert not got.any()


def test_lapse_probability_half_lapses_about_half():
    cfg = section(lapse_threshold=0.35, lapse_probability=0.5)
    got = trust.lapsing_groups(np.zeros(4000), np.ones(4000, bool), cfg, np.random.default_rng(1))
    assert got.mean() == pytest.approx(0.5, abs=0.03)


def test_lapse_draws_one_uniform_per_group_whatever_the_outcome():
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    trust.lapsing_groups(np.ones(7), np.ones(7, bool), section(lapse_threshold=0.0,
                                                               lapse_probability=0.0), a)
    trust.lapsing_groups(np.zeros(7), np.ones(7, bool), section(lapse_threshold=1.0,
                                                                lapse_probability=1.0), b)
    assert a.random() == b.random()
