"""sim.diffusion: choosing what a meeting discusses, adoption, passing on, creation."""

from __future__ import annotations

import numpy as np
import pytest

from sim import diffusion
from tests.helpers import section
from tests.test_practices import catalogue, holdings


class Draws:
    """A stand-in generator whose `random(n)` (or `standard_normal(n)`) calls return the
    given arrays in turn."""

    def __init__(self, *arrays):
        self.arrays = [np.asarray(a, float) for a in arrays]

    def random(self, n):
        out = self.arrays.pop(0)
        assert len(out) == n
        return out

    standard_normal = random


# Expertise of up to four schools in one domain: school 0 behind all the others, so what
# they show it is where they do better.
EXP = np.array([[0.2], [0.6], [0.7], [0.8]])

CFG = section(learning_rate=0.6, share_depth=0.2, mutual_fidelity=0.8, copy_fidelity=0.5,
              creation_rate=0.1, novelty_spread=0.6, effectiveness_ceiling=1.5,
              creation_depth=0.3)


def test_pick_hand_worked():
    w = np.array([[0.0, 1.0, 3.0], [0.0, 0.0, 0.0], [2.0, 0.0, 0.0], [0.0, 1.0, 3.0]])
    # row 0: 0.2 * 4 = 0.8 falls in column 1 (cumulative 0, 1, 4); row 3: 0.3 * 4 = 1.2 in 2
    got = diffusion.pick(w, np.array([0.2, 0.5, 0.9, 0.3]))
    np.testing.assert_array_equal(got, [1, -1, 0, 2])


def test_pick_frequencies_follow_weights():
    w = np.tile([1.0, 0.0, 3.0], (40_000, 1))
    got = diffusion.pick(w, np.random.default_rng(0).random(40_000))
    assert not (got == 1).any()
    assert (got == 2).mean() == pytest.approx(0.75, abs=0.01)


def two_schools():
    cat = catalogue([0.5, 0.8], [0, 0])
    # school 0 holds practice 0; school 1 holds practice 1 at 0.6 and practice 0 at 0.1
    # (too thin to show)
    h = holdings([[[0, -1]], [[1, 0]]], [[[0.5, 0.0]], [[0.6, 0.1]]], cat)
    return cat, h


def adopt_once(h, cat, u_take, fidelity=0.5):
    # A = 0.5, trust 0.8, time 1, distance 0.07 of max 0.35: p = 0.6 .5 .8 .8 = 0.192
    return diffusion.adopt(h, cat, EXP, np.array([0]), np.array([1]), np.array([0.8]),
                           np.array([0.5, 0.5]), np.ones(2), np.array([0.07]), fidelity,
                           None, CFG, 0.35, Draws([0.5], [u_take]))


def test_adopt_hand_worked_probability_depth_and_generation():
    cat, h = two_schools()
    assert len(adopt_once(h, cat, 0.193)[0]) == 0        # 0.193 >= p: not taken up
    pairs, practice, generation = adopt_once(h, cat, 0.191)
    assert (pairs.tolist(), practice.tolist()) == ([0], [1])
    # copied one-way: depth 0.5 * 0.6; one step from the source (generation 0)
    assert h.practice[0, 0].tolist() == [0, 1] and h.depth[0, 0, 1] == pytest.approx(0.3)
    assert generation.tolist() == [1] and h.generation[0, 0, 1] == 1


def test_adopt_nothing_to_show_below_share_depth_or_beyond_understanding():
    cat, h = two_schools()
    h.depth[1, 0, 0] = 0.15                               # below share_depth 0.2
    assert len(adopt_once(h, cat, 0.0)[0]) == 0
    cat, h = two_schools()
    got = diffusion.adopt(h, cat, EXP, np.array([0]), np.array([1]), np.array([0.8]),
                          np.array([0.5, 0.5]), np.ones(2), np.array([0.35]), 0.5, None,
                          CFG, 0.35, Draws([0.5], [0.0]))
    assert len(got[0]) == 0                               # chance 0 at the max distance


def test_nothing_is_discussed_where_the_partner_does_no_better():
    cat, h = two_schools()
    behind = np.array([[0.6], [0.6]])
    got = diffusion.adopt(h, cat, behind, np.array([0]), np.array([1]), np.array([0.8]),
                          np.array([0.5, 0.5]), np.ones(2), np.array([0.07]), 0.5, None,
                          section(**{**vars(CFG), "learning_rate": 1.0}), 0.35,
                          Draws([0.5], [0.0]))
    assert len(got[0]) == 0


def test_only_practices_new_to_the_learner_are_discussed():
    cat = catalogue([0.5, 0.8], [0, 0])
    # the source's strongest practice (1) is already held by the learner, however thinly
    h = holdings([[[1, -1]], [[0, 1]]], [[[0.05, 0.0]], [[0.3, 0.9]]], cat)
    got = diffusion.adopt(h, cat, EXP, np.array([0]), np.array([1]), np.ones(1), np.ones(2),
                          np.ones(2), np.zeros(1), 1.0, None,
                          section(**{**vars(CFG), "learning_rate": 1.0}), 0.35,
                          Draws([0.99], [0.0]))
    assert got[1].tolist() == [0]


def test_adopt_one_practice_per_learner_per_week():
    cat = catalogue([0.5, 0.8], [0, 0])
    h = holdings([[[-1, -1]], [[0, -1]], [[1, -1]]],
                 [[[0.0, 0.0]], [[0.9, 0.0]], [[0.9, 0.0]]], cat)
    got = diffusion.adopt(h, cat, EXP, np.array([0, 0]), np.array([1, 2]), np.ones(2),
                          np.ones(3), np.ones(3), np.zeros(2), 1.0, None,
                          section(**{**vars(CFG), "learning_rate": 1.0}), 0.35,
                          Draws([0.5, 0.5], [0.0, 0.0]))
    assert got[0].tolist() == [0] and got[1].tolist() == [0]   # the first pair only


def test_domain_weights_restrict_what_is_discussed():
    cat = catalogue([0.5, 0.8], [0, 1])
    h = holdings([[[-1], [-1]], [[0], [1]]], [[[0.0], [0.0]], [[0.9], [0.9]]], cat)
    got = diffusion.adopt(h, cat, np.array([[0.2, 0.2], [0.6, 0.6]]), np.array([0]), np.array([1]), np.ones(1), np.ones(2),
                          np.ones(2), np.zeros(1), 1.0, np.array([[0.0, 1.0]]),
                          section(**{**vars(CFG), "learning_rate": 1.0}), 0.35,
                          Draws([0.01], [0.0]))
    assert got[1].tolist() == [1]   # only domain 1 discussed, however small the draw


def test_a_practice_is_passed_on_along_a_chain():
    """Schools 0-1-2-3 in a line; only school 0 holds practice 0. Certain adoption at full
    fidelity passes it one step per round: generation k at school k."""
    cat = catalogue([0.5], [0])
    h = holdings([[[0]], [[-1]], [[-1]], [[-1]]], [[[0.9]], [[0.0]], [[0.0]], [[0.0]]], cat)
    cfg = section(**{**vars(CFG), "learning_rate": 1.0})
    learner, source = np.array([1, 2, 3]), np.array([0, 1, 2])
    for k in range(3):
        diffusion.adopt(h, cat, EXP[::-1], learner, source, np.ones(3), np.ones(4), np.ones(4),
                        np.zeros(3), 1.0, None, cfg, 0.35, Draws([0.5] * 3, [0.0] * 3))
        assert h.held[:, 0, 0].tolist() == [True] * (k + 2) + [False] * (2 - k)
    assert h.generation[:, 0, 0].tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(h.depth[:, 0, 0], 0.9)


def test_creation_chance_hand_worked_inverted_u():
    got = diffusion.creation_chance(np.array([0.5, 0.5, 0.5]), np.array([0.0, 0.1, 0.35]),
                                    CFG, 0.35)
    np.testing.assert_allclose(got, [0.0, 0.1 * 0.5 * 0.1 * (1 - 0.1 / 0.35), 0.0])


def test_recombined_hand_worked():
    """v_top 0.5 of ceiling 1.5: odds 0.5 / 1.0 = 0.5. Novelty 0.5, spread 0.6:
    z = 3 moves the log-odds by 0.6 * 0.5 * 2 = +0.6: odds 0.5 e^0.6 = 0.911059,
    v = 1.5 * 0.911059 / 1.911059 = 0.715095; z = 0 by -0.3: odds 0.5 e^-0.3 = 0.370409,
    v = 1.5 * 0.370409 / 1.370409 = 0.405436; z = 1 (one spread above the mean) keeps 0.5."""
    got = diffusion.recombined(np.full(3, 0.5), 0.5, np.array([3.0, 0.0, 1.0]), 0.6, 1.5)
    np.testing.assert_allclose(got, [0.715095, 0.405436, 0.5], atol=1e-6)


def test_recombined_ends():
    """Nothing held gives nothing; a best held at the ceiling stays there; no novelty or no
    spread gives the partners' best."""
    got = diffusion.recombined(np.array([0.0, 1.5, 0.7, 0.7]), np.array([0.5, 0.5, 0.0, 0.5]),
                               np.array([3.0, -2.0, -2.0, -2.0]), np.array([0.6, 0.6, 0.6, 0.0]),
                               1.5)
    np.testing.assert_allclose(got, [0.0, 1.5, 0.7, 0.7])


def test_recombined_less_useful_on_average_more_variable_the_more_novel():
    """Fleming 2001's pattern: below the partners' best on average, more spread the more
    novel; the chance of beating the best is Phi(-1) = 0.1587 at any novelty."""
    z = np.random.default_rng(3).standard_normal(200_000)
    spread = {}
    for novelty in (0.2, 0.5, 1.0):
        v = diffusion.recombined(np.full(len(z), 0.5), novelty, z, 0.6, 1.5)
        assert v.mean() < 0.5
        assert (v > 0.5).mean() == pytest.approx(0.1587, abs=0.003)
        spread[novelty] = v.std()
    assert spread[0.2] < spread[0.5] < spread[1.0]


def test_create_hand_worked_new_practice_in_the_most_different_domain():
    cat = catalogue([0.4, 0.9, 0.2], [0, 0, 1])
    h = holdings([[[0, -1], [2, -1]], [[1, -1], [-1, -1]]],
                 [[[0.5, 0.0], [0.5, 0.0]], [[0.5, 0.0], [0.0, 0.0]]], cat)
    expertise = np.array([[0.5, 0.2], [0.45, 0.6]])     # differ most in domain 1
    # distance (0.05 + 0.4) / 2 = 0.225: chance 0.1 * 1 * .225 * (1 - .225/.35) = 0.00804
    distance = np.array([0.225])
    assert len(diffusion.create(h, cat, expertise, np.array([0]), np.array([1]),
                                np.ones(1), distance, CFG, 0.35, 7, Draws([0.0081]),
                                Draws([2.0]))[1]) == 0
    pairs, schools, created = diffusion.create(h, cat, expertise, np.array([0]),
                                               np.array([1]), np.ones(1), distance, CFG, 0.35,
                                               7, Draws([0.008]), Draws([2.0]))
    assert pairs.tolist() == [0] and schools.tolist() == [0, 1] and created.tolist() == [3, 3]
    # best held in domain 1: 0.2, odds 0.2 / 1.3 = 0.153846; novelty 0.225 / 0.35 = 0.642857,
    # z = 2: log-odds + 0.6 * 0.642857 * 1 = 0.385714, odds 0.153846 * 1.470700 = 0.226262,
    # v = 1.5 * 0.226262 / 1.226262 = 0.276764
    assert cat.effectiveness[3] == pytest.approx(0.276764, abs=1e-6) and cat.domain[3] == 1
    assert (cat.origin[3], cat.partner[3], cat.created_week[3]) == (0, 1, 7)
    assert h.practice[:, 1].tolist() == [[2, 3], [3, -1]]
    np.testing.assert_allclose(h.depth[[0, 1], 1, [1, 0]], 0.3)
    assert h.generation[[0, 1], 1, [1, 0]].tolist() == [0, 0]


def test_a_new_practice_worse_than_every_slot_is_not_kept():
    """Both slots of both schools full (v h 0.4 x 0.5 = 0.2 at least). The best either holds
    is 0.5 (odds 0.5 / 1.0); z = -3 at novelty 0.225 / 0.35 moves its log-odds by
    0.6 * 0.642857 * -4 = -1.542857: odds e^(-0.693147 - 1.542857) = 0.106885,
    v = 1.5 * 0.106885 / 1.106885 = 0.144845, giving 0.144845 x 0.3 = 0.043 at creation
    depth: neither takes it up, though it is created."""
    cat = catalogue([0.4, 0.5], [0, 0])
    h = holdings([[[0, 1]], [[1, 0]]], [[[0.5, 0.5]], [[0.5, 0.5]]], cat)
    expertise = np.array([[0.3], [0.75]])
    pairs, schools, created = diffusion.create(h, cat, expertise, np.array([0]), np.array([1]),
                                               np.ones(1), np.array([0.225]), CFG, 0.35, 2,
                                               Draws([0.0]), Draws([-3.0]))
    assert pairs.tolist() == [0] and len(schools) == 0 and len(created) == 0
    assert cat.effectiveness[2] == pytest.approx(0.144845, abs=1e-6)
    assert h.practice.tolist() == [[[0, 1]], [[1, 0]]]


def test_adoption_log_table():
    log = diffusion.AdoptionLog()
    assert log.table().shape == (0, 6)
    log.record(5, [1, 2], [7, 8], [0, 0], [1, 2], diffusion.Channel.PARTNER)
    np.testing.assert_array_equal(log.table(), [[5, 1, 7, 0, 1, 1], [5, 2, 8, 0, 2, 1]])


def test_rounds_keep_a_schools_pairs_in_order():
    # (0,1) and (3,4) share no school: one round; (1,2) comes after (0,1)
    got = diffusion.rounds(np.array([0, 1, 3]), np.array([1, 2, 4]))
    assert [r.tolist() for r in got] == [[0, 2], [1]]
    assert diffusion.rounds(np.zeros(0, np.int64), np.zeros(0, np.int64)) == []


def test_a_school_in_two_creating_pairs_builds_on_its_first_creation():
    """School 1 creates with school 0 (best held 0.4: odds 0.4 / 1.1 = 0.363636; novelty
    0.2 / 0.35, z = 3: log-odds + 0.6 * 0.571429 * 2 = 0.685714, odds 0.721900,
    v = 1.5 * 0.721900 / 1.721900 = 0.628863), then with school 2, where the best it now holds
    is that new practice (odds 0.628863 / 0.871137 = 0.721888; novelty 0.3 / 0.35, z = 3:
    + 1.028571, odds 2.019161, v = 1.5 * 2.019161 / 3.019161 = 1.003174)."""
    cat = catalogue([0.4], [0])
    h = holdings([[[0, -1]], [[-1, -1]], [[-1, -1]]],
                 [[[0.5, 0.0]], [[0.0, 0.0]], [[0.0, 0.0]]], cat)
    expertise = np.array([[0.5], [0.3], [0.6]])
    pairs, schools, created = diffusion.create(h, cat, expertise, np.array([0, 1]),
                                               np.array([1, 2]), np.ones(2),
                                               np.array([0.2, 0.3]), CFG, 0.35, 3,
                                               Draws([0.0, 0.0]), Draws([3.0, 3.0]))
    assert pairs.tolist() == [0, 1]
    assert schools.tolist() == [0, 1, 1, 2] and created.tolist() == [1, 1, 2, 2]
    np.testing.assert_allclose(cat.effectiveness[1:], [0.628863, 1.003174], atol=1e-6)
    assert h.practice[1, 0].tolist() == [1, 2]
