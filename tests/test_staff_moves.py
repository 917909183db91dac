"""sim.staff_moves: leavers, where they go, and the practice they carry."""

from __future__ import annotations

import numpy as np
import pytest

from sim import staff_moves
from tests.helpers import section
from tests.test_diffusion import Draws
from tests.test_practices import catalogue, holdings

IMPROVEMENT = section(turnover_shock_probability=0.08, turnover_deprivation_factor=1.0,
                      turnover_shock_loss=0.15)
MOVES = section(move_share=0.5, local_share=0.7, carry_fidelity=0.6)


class MoveDraws(Draws):
    """Also answers `random((3, n))` (the three uniforms per leaver of `destinations`)."""

    def random(self, n):
        out = self.arrays.pop(0)
        assert out.shape == (n if isinstance(n, tuple) else (n,))
        return out


def test_leavers_hand_worked_probability():
    # p = 0.08 * (1/3) * (1 + 1.0 * share): 0.02667 at share 0, 0.04 at share 0.5
    u = np.array([0.0266, 0.0268, 0.0399, 0.0401])
    got = staff_moves.leavers(np.array([0.0, 0.0, 0.5, 0.5]), IMPROVEMENT, 1 / 3, Draws(u))
    np.testing.assert_array_equal(got, [0, 2])


def test_more_leave_disadvantaged_schools():
    share = np.r_[np.zeros(50_000), np.full(50_000, 0.6)]
    got = staff_moves.leavers(share, IMPROVEMENT, 1.0, np.random.default_rng(1))
    low, high = (got < 50_000).sum() / 50_000, (got >= 50_000).sum() / 50_000
    assert low == pytest.approx(0.08, abs=0.004)
    assert high == pytest.approx(0.08 * 1.6, abs=0.005)


def test_destinations_hand_worked():
    la = np.array([0, 1, 0, 1, 0])
    origin = np.array([0, 1, 2, 3])
    # leaver 0 moves locally (u_pick 0.5 of LA 0's [0, 2, 4] -> 2); leaver 1 leaves the
    # region; leaver 2 moves anywhere (0.9 * 5 -> school 4); leaver 3 draws its own school
    draws = np.array([[0.1, 0.6, 0.1, 0.1],       # move?  (< 0.5)
                      [0.1, 0.1, 0.8, 0.1],       # local? (< 0.7)
                      [0.5, 0.5, 0.9, 0.6]])      # which school
    got = staff_moves.destinations(origin, la, MOVES, MoveDraws(draws))
    np.testing.assert_array_equal(got, [2, -1, 4, -1])


def test_move_staff_costs_the_origin_and_carries_practice_one_step():
    cat = catalogue([0.5, 0.8], [0, 0])
    h = holdings([[[0, 1]], [[-1, -1]]], [[[0.2, 0.6]], [[0.0, 0.0]]], cat)
    h.generation[0, 0, 1] = 2
    # school 0 leaves (u 0.0), school 1 does not; the leaver used slot 1 (weights 0.2, 0.6:
    # u 0.5 -> 0.4 > 0.2); moves (0.1) anywhere (0.9 >= 0.7), to school 1 (0.6 * 2 = 1.2)
    draws = MoveDraws([0.0, 0.99], [0.5], np.array([[0.1], [0.9], [0.6]]))
    moves = staff_moves.move_staff(h, cat, np.zeros(2), np.zeros(2, np.int64), IMPROVEMENT,
                                   MOVES, 1 / 3, draws)
    assert moves.origin.tolist() == [0] and moves.destination.tolist() == [1]
    assert moves.practice.tolist() == [1] and moves.placed.tolist() == [True]
    assert moves.generation.tolist() == [3]
    assert h.depth[0, 0, 1] == pytest.approx(0.6 * 0.85)          # origin loses 15 %
    assert h.practice[1, 0, 0] == 1 and h.depth[1, 0, 0] == pytest.approx(0.6 * 0.6)
    assert h.generation[1, 0, 0] == 3
