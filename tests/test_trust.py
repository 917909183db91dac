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


# ------------------------------------------------------------ relational capital


def test_joint_work_value_hand_worked():
    got = trust.joint_work_value(np.array([0.0, 1.0, 2.0]), 0.2)
    # 0.2 + 0.8 (1 - e^-k): meeting alone is worth the contact credit
    np.testing.assert_allclose(got, [0.2, 0.2 + 0.8 * (1 - np.exp(-1)),
                                     0.2 + 0.8 * (1 - np.exp(-2))])


def test_build_hand_worked_with_affinity_and_value():
    t = np.array([0.5, 0.5, 0.4])
    trust.build(t, np.array([0, 2]), 0.2, np.array([1.0, 0.5]), np.array([1.5, 1.0, 2.0]))
    # link 0: rate 0.2 * 1.5 * 1.0 = 0.3 -> 0.5 + 0.3 * 0.5 = 0.65
    # link 2: rate 0.2 * 2.0 * 0.5 = 0.2 -> 0.4 + 0.2 * 0.6 = 0.52; link 1 did not meet
    np.testing.assert_allclose(t, [0.65, 0.5, 0.52])


def test_build_rate_never_takes_trust_past_one():
    t = np.array([0.5])
    trust.build(t, np.array([0]), 0.9, np.array([1.0]), np.array([3.0]))
    assert t[0] == 1.0


def test_successful_joint_work_strengthens_more_than_meeting_alone():
    alone, fruitful = np.array([0.3]), np.array([0.3])
    for _ in range(10):
        trust.build(alone, np.array([0]), 0.1, trust.joint_work_value([0.0], 0.2), np.ones(1))
        trust.build(fruitful, np.array([0]), 0.1, trust.joint_work_value([1.0], 0.2),
                    np.ones(1))
    assert 0.3 < alone[0] < fruitful[0]
    # closed form: 1 - 0.7 (1 - 0.1 r)^10
    assert alone[0] == pytest.approx(1 - 0.7 * (1 - 0.02) ** 10)


def test_fade_only_without_contact():
    t = np.array([0.6, 0.6])
    trust.fade_without_contact(t, np.array([True, False]), 0.05)
    np.testing.assert_allclose(t, [0.6, 0.57])


def test_hard_decisions_hand_worked():
    mean = np.array([0.6, 0.2, 0.2, 0.6, 0.2])
    active = np.array([True, True, True, True, False])
    cfg = section(hard_decision_rate=0.5, maturity_threshold=0.4, lapse_probability=0.5)
    draws = np.array([[0.1, 0.1, 0.1, 0.9, 0.1],     # faces a decision? (< 0.5)
                      [0.9, 0.4, 0.6, 0.1, 0.1]])    # breaks up if immature? (< 0.5)
    rng = type("R", (), {"random": lambda self, shape: draws})()
    held, lapsed = trust.hard_decisions(mean, active, cfg, rng)
    # 0 mature and faced: holds; 1 immature, faced, 0.4 < 0.5: breaks up; 2 immature but
    # 0.6: survives this time; 3 not faced; 4 already inactive
    np.testing.assert_array_equal(held, [True, False, False, False, False])
    np.testing.assert_array_equal(lapsed, [False, True, False, False, False])


def test_strengthen_hand_worked():
    t = np.array([0.5, 0.8])
    trust.strengthen(t, np.array([1]), 0.25)
    np.testing.assert_allclose(t, [0.5, 0.85])
