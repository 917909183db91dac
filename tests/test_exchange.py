"""sim.exchange: learning gains, absorptive capacity, creation of practice, broadcast.

Hand-worked from the module docstring, for a pair with g_d = E[source, d] - E[learner, d]
and delta = mean_d |g_d|:
    gain_d = learning_rate * A[learner] * trust * w_d max(g_d, 0) * max(0, 1 - delta / max_distance)
capped, over all sources, at the learner's best source in that domain.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import exchange
from tests.helpers import clone, section


def ex_cfg(**over):
    values = dict(learning_rate=0.5, max_distance=0.4, absorptive_floor=0.3,
                  creation_rate=0.6, creation_step=0.1, competition_openness_cut=0.3)
    values.update(over)
    return section(**values)


def gains(e, learner, source, trust, absorptive, weights=None, **cfg_over):
    return exchange.learning_gains(np.asarray(e, float), np.asarray(learner), np.asarray(source),
                                   weights, np.asarray(trust, float),
                                   np.asarray(absorptive, float), ex_cfg(**cfg_over))


class TestLearningGains:
    def test_single_pair_hand_worked(self):
        # gap (0.2, 0), delta 0.1, understood 1 - 0.1/0.4 = 0.75;
        # gain = 0.5 * 0.8 * 0.5 * 0.75 * 0.2 = 0.03 in domain 0, nothing in domain 1.
        got = gains([[0.4, 0.5], [0.6, 0.5]], [0], [1], [0.5], [0.8, 1.0])
        np.testing.assert_allclose(got, [[0.03, 0.0], [0.0, 0.0]], atol=1e-15)

    def test_source_behind_teaches_nothing(self):
        got = gains([[0.6, 0.7], [0.5, 0.6]], [0], [1], [1.0], [1.0, 1.0])
        np.testing.assert_array_equal(got, np.zeros((2, 2)))

    def test_only_ahead_domains_gain_but_all_domains_count_for_distance(self):
        # gap (0.2, -0.2): delta 0.2, understood 0.5; gain = 0.5*1*1*0.5*0.2 = 0.05 in d0 only.
        got = gains([[0.4, 0.7], [0.6, 0.5]], [0], [1], [1.0], [1.0, 1.0])
        np.testing.assert_allclose(got[0], [0.05, 0.0], atol=1e-15)

    @pytest.mark.parametrize("g, expected", [
        (0.0, 0.0),           # too close: nothing new
        (0.1, 0.1 * 0.75),    # g (1 - g / 0.4)
        (0.2, 0.2 * 0.5),     # the peak of the inverted U, at max_distance / 2
        (0.3, 0.3 * 0.25),
        (0.4, 0.0),           # at the cutoff: cannot be absorbed
        (0.5, 0.0),           # beyond it
    ])
    def test_inverted_u_in_distance(self, g, expected):
        # Both domains ahead by g, so delta = g; rate * A * trust = 1.
        e = [[0.3, 0.3], [0.3 + g, 0.3 + g]]
        got = gains(e, [0], [1], [1.0], [1.0, 1.0], learning_rate=1.0)
        np.testing.assert_allclose(got[0], [expected, expected], atol=1e-12)

    def test_inverted_u_peaks_in_the_middle(self):
        gs = np.linspace(0.0, 0.5, 51)
        out = [gains([[0.2, 0.2], [0.2 + g, 0.2 + g]], [0], [1], [1.0], [1.0, 1.0],
                     learning_rate=1.0)[0, 0] for g in gs]
        assert gs[int(np.argmax(out))] == pytest.approx(0.2)
        assert out[0] == 0 and out[-1] == 0

    def test_trust_scales_gains_linearly(self):
        e = [[0.4, 0.5], [0.6, 0.5]]
        low, high, none = (gains(e, [0], [1], [t], [0.8, 1.0])[0, 0] for t in (0.2, 0.4, 0.0))
        assert low == pytest.approx(0.5 * 0.8 * 0.2 * 0.75 * 0.2)
        assert high == pytest.approx(2 * low)
        assert none == 0.0

    def test_domain_weights_restrict_what_is_discussed(self):
        # gap (0.1, 0.1): delta 0.1, understood 0.75; gain 0.5*1*1*0.75*0.1 = 0.0375 in d1 only.
        got = gains([[0.4, 0.4], [0.5, 0.5]], [0], [1], [1.0], [1.0, 1.0],
                    weights=np.array([[0.0, 1.0]]))
        np.testing.assert_allclose(got[0], [0.0, 0.0375], atol=1e-15)

    def test_two_sources_add_up_below_the_cap(self):
        # Source 1: gap 0.1, delta 0.05, understood 0.875 (max 0.4) -> 0.5*0.875*0.1 = 0.04375
        # Source 2: gap 0.05, delta 0.025, understood 0.9375      -> 0.5*0.9375*0.05 = 0.0234375
        e = [[0.5, 0.5], [0.6, 0.5], [0.55, 0.5]]
        got = gains(e, [0, 0], [1, 2], [1.0, 1.0], [1.0, 1.0, 1.0])
        assert got[0, 0] == pytest.approx(0.04375 + 0.0234375)
        assert got[0, 1] == 0.0
        np.testing.assert_array_equal(got[1:], 0.0)

    def test_two_sources_capped_at_the_best_source(self):
        # Same pairs with learning_rate 4: 0.35 + 0.1875 > 0.1, so the learner stops at
        # exactly the level of its best source (0.6).
        e = np.array([[0.5, 0.5], [0.6, 0.5], [0.55, 0.5]])
        got = gains(e, [0, 0], [1, 2], [1.0, 1.0], [1.0, 1.0, 1.0], learning_rate=4.0)
        assert got[0, 0] == pytest.approx(0.1)
        assert (e + got)[0, 0] == pytest.approx(0.6)

    def test_unsorted_interleaved_learners(self):
        # Pairs arrive in any order; each learner's gains are summed over its own pairs only.
        e = [[0.4, 0.4], [0.5, 0.5], [0.6, 0.4]]
        got = gains(e, [2, 0, 1], [1, 1, 2], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
        # learner 2 from 1: gap (-0.1, 0.1), delta 0.1, u 0.75 -> d1: 0.5*0.75*0.1 = 0.0375
        # learner 0 from 1: gap (0.1, 0.1), delta 0.1, u 0.75 -> both: 0.0375
        # learner 1 from 2: gap (0.1, -0.1), delta 0.1, u 0.75 -> d0: 0.0375
        np.testing.assert_allclose(got, [[0.0375, 0.0375], [0.0375, 0.0], [0.0, 0.0375]])

    def test_no_pairs(self):
        got = gains([[0.4, 0.4]], np.zeros(0, int), np.zeros(0, int), [], [1.0])
        np.testing.assert_array_equal(got, [[0.0, 0.0]])


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


class TestCreatePractice:
    def test_probability_one_lifts_both_partners_above_the_better(self):
        e = np.array([[0.2, 0.7, 0.5], [0.5, 0.3, 0.9], [0.6, 0.6, 0.1], [0.1, 0.2, 0.3]])
        before = e.copy()
        rng = np.random.default_rng(4)
        replay = clone(rng)
        a, b = np.array([0, 2]), np.array([1, 3])
        hit = exchange.create_practice(e, a, b, np.array([1.0, 1.0]),
                                       ex_cfg(creation_rate=1e9, creation_step=0.1), rng)
        np.testing.assert_array_equal(hit, [0, 1])
        replay.random(2)
        domains = replay.integers(0, 3, 2)
        for (x, y), d in zip([(0, 1), (2, 3)], domains):
            top = max(before[x, d], before[y, d])
            level = top + 0.1 * (1 - top)
            assert e[x, d] == pytest.approx(level) and e[y, d] == pytest.approx(level)
            assert level > top
            others = [k for k in range(3) if k != d]
            np.testing.assert_array_equal(e[[x, y]][:, others], before[[x, y]][:, others])

    def test_one_domain_literal(self):
        # Single domain: 0.4 and 0.8, step 0.25 -> 0.8 + 0.25 * 0.2 = 0.85 for both.
        e = np.array([[0.4], [0.8]])
        exchange.create_practice(e, np.array([0]), np.array([1]), np.array([1.0]),
                                 ex_cfg(creation_rate=1e9, creation_step=0.25),
                                 np.random.default_rng(0))
        np.testing.assert_allclose(e, [[0.85], [0.85]])

    def test_probability_zero_creates_nothing(self):
        e = np.random.default_rng(1).uniform(0, 1, (6, 4))
        before = e.copy()
        hit = exchange.create_practice(e, np.array([0, 2, 4]), np.array([1, 3, 5]),
                                       np.ones(3), ex_cfg(creation_rate=0.0),
                                       np.random.default_rng(2))
        assert len(hit) == 0
        np.testing.assert_array_equal(e, before)

    def test_identical_schools_create_nothing(self):
        # chance = rate * delta * trust with delta = 0
        e = np.full((2, 4), 0.5)
        hit = exchange.create_practice(e, np.array([0]), np.array([1]), np.ones(1),
                                       ex_cfg(creation_rate=1e9), np.random.default_rng(2))
        assert len(hit) == 0 and (e == 0.5).all()

    def test_chance_rises_with_distance(self):
        # chance = 0.6 * delta * 1: 0.06 at delta 0.1, 0.3 at delta 0.5.
        n = 4000
        rng = np.random.default_rng(8)
        counts = []
        for delta in (0.1, 0.5):
            e = np.r_[np.zeros((n, 1)), np.full((n, 1), delta)]
            hit = exchange.create_practice(e, np.arange(n), np.arange(n, 2 * n), np.ones(n),
                                           ex_cfg(creation_rate=0.6), rng)
            counts.append(len(hit) / n)
        assert counts[0] == pytest.approx(0.06, abs=0.015)
        assert counts[1] == pytest.approx(0.30, abs=0.03)

    def test_school_in_two_creating_pairs_keeps_the_higher_level(self):
        e = np.array([[0.5], [0.9], [0.1]])
        exchange.create_practice(e, np.array([0, 0]), np.array([1, 2]), np.ones(2),
                                 ex_cfg(creation_rate=1e9, creation_step=0.5),
                                 np.random.default_rng(0))
        # pair (0,1): 0.9 + 0.5*0.1 = 0.95; pair (0,2): 0.5 + 0.5*0.5 = 0.75
        np.testing.assert_allclose(e[:, 0], [0.95, 0.95, 0.75])

    def test_same_draws_whatever_the_outcome(self):
        a, b = np.random.default_rng(3), np.random.default_rng(3)
        e = np.random.default_rng(0).uniform(0, 1, (10, 4))
        pairs = (np.arange(5), np.arange(5, 10), np.ones(5))
        exchange.create_practice(e.copy(), *pairs, ex_cfg(creation_rate=0.0), a)
        exchange.create_practice(e.copy(), *pairs, ex_cfg(creation_rate=1e9), b)
        assert a.random() == b.random()


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


def test_profile_distance():
    e = np.array([[0.1, 0.5, 0.9], [0.4, 0.5, 0.3]])
    # (0.3 + 0 + 0.6) / 3 = 0.3
    np.testing.assert_allclose(exchange.profile_distance(e, np.array([0]), np.array([1])), [0.3])


def test_broadcast_never_overshoots_the_summary():
    # rate 2 x capacity 0.9 = 1.8 > 1: the pull is capped, the school lands on the summary.
    got = exchange.broadcast(np.array([[0.9, 0.5]]), np.array([1.0, 0.6]), np.array([0.9]), 2.0)
    np.testing.assert_allclose(got, [[1.0, 0.6]])
