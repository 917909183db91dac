"""sim.trust: growth after meetings, decay without, lapsing when priorities are set."""

from __future__ import annotations

import numpy as np
import pytest

from sim import trust
from tests.helpers import section


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
