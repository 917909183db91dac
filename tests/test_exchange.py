"""sim.exchange: absorptive capacity and the broadcast, hand-worked from the docstring."""

from __future__ import annotations

import numpy as np
import pytest

from sim import exchange
from tests.helpers import section


def ex_cfg(**over):
    values = dict(absorptive_floor=0.3, competition_openness_cut=0.3)
    values.update(over)
    return section(**values)


class TestAbsorptiveCapacity:
    @pytest.mark.parametrize("extra, expected", [
        (0.0, 0.8 * (1 - 0.3 * 0.5) * (0.3 + 0.7 * 0.5)),   # 0.68 * 0.65 = 0.442
        (0.5, 0.8 * (1 - 0.8 * 0.5) * 0.65),                 # market cut: 0.312
        (1.0, 0.8 * (1 - 1.0 * 0.5) * 0.65),                 # the cut is clipped at 1: 0.26
    ])
    def test_hand_worked(self, extra, expected):
        got = exchange.absorptive_capacity(np.array([[0.2, 0.8, 0.5, 0.5]]), np.array([0.8]),
                                           np.array([0.5]), ex_cfg(), extra)
        assert got[0] == pytest.approx(expected)

    def test_literal_values(self):
        got = exchange.absorptive_capacity(np.array([[0.5, 0.5]] * 2), np.array([0.8, 0.8]),
                                           np.array([0.5, 0.0]), ex_cfg())
        np.testing.assert_allclose(got, [0.442, 0.52])

    def test_floor_keeps_weak_schools_learning(self):
        got = exchange.absorptive_capacity(np.zeros((1, 3)), np.array([1.0]), np.array([0.0]),
                                           ex_cfg(absorptive_floor=0.3))
        assert got[0] == pytest.approx(0.3)


class TestBroadcast:
    def test_hand_worked(self):
        # 0.2 + 0.1 * 0.5 * (0.6 - 0.2) = 0.22; 0.8 is above the summary and stays.
        got = exchange.broadcast(np.array([[0.2, 0.8], [0.6, 0.0]]), np.array([0.6, 0.6]),
                                 np.array([0.5, 1.0]), 0.1)
        np.testing.assert_allclose(got, [[0.22, 0.8], [0.6, 0.06]])

    def test_zero_rate_is_identity(self):
        e = np.array([[0.2, 0.8]])
        np.testing.assert_array_equal(exchange.broadcast(e, np.array([0.9, 0.9]),
                                                         np.array([1.0]), 0.0), e)


def test_broadcast_never_overshoots_the_summary():
    # rate 2 x capacity 0.9 = 1.8 > 1: the pull is capped, the school lands on the summary.
    got = exchange.broadcast(np.array([[0.9, 0.5]]), np.array([1.0, 0.6]), np.array([0.9]), 2.0)
    np.testing.assert_allclose(got, [[1.0, 0.6]])
