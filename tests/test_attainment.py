"""sim.attainment: expected attainment of the two learner groups, and cohort noise.

From the module docstring, for phase p, share s, expertise E, S = 0.24:
    dis = -G_p (1 - S) + M_p (w_dis . E - ref) - C (s - S) + u
    oth =  G_p S       + M_p (w_oth . E - ref) - C (s - S) + u
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim import attainment
from sim.geography import PRIMARY, SECONDARY
from tests.helpers import clone, section


def att_cfg(**over):
    values = dict(gap_months_primary=7.5, gap_months_secondary=17.0,
                  months_per_expertise_primary=14.0, months_per_expertise_secondary=22.0,
                  weights_disadvantaged=[0.3, 0.4, 0.15, 0.15],
                  weights_other=[0.4, 0.1, 0.2, 0.3],
                  composition_months=4.0, school_effect_sd=1.5, pupil_sd_months=14.0,
                  reference_expertise=0.5)
    values.update(over)
    return section(**values)


def expected(e, phase, share, effect, cfg=None):
    return attainment.expected_attainment(np.array(e, float), np.array(phase),
                                          np.array(share, float), np.array(effect, float),
                                          cfg or att_cfg())


def test_reference_primary_school_at_national_share():
    # dis = -7.5 * 0.76 = -5.7, oth = 7.5 * 0.24 = 1.8: gap 7.5, pupil-weighted mean 0.
    dis, oth = expected([[0.5] * 4], [PRIMARY], [0.24], [0.0])
    assert dis[0] == pytest.approx(-5.7)
    assert oth[0] == pytest.approx(1.8)
    assert 0.24 * dis[0] + 0.76 * oth[0] == pytest.approx(0.0, abs=1e-12)


def test_hand_built_secondary_school():
    # E = (0.6, 0.8, 0.5, 0.5), share 0.4, school effect +1:
    # w_dis.E - 0.5 = 0.18 + 0.32 + 0.075 + 0.075 - 0.5 = 0.15
    # w_oth.E - 0.5 = 0.24 + 0.08 + 0.10 + 0.15 - 0.5 = 0.07
    # common = 1 - 4 (0.4 - 0.24) = 0.36
    # dis = -17 * 0.76 + 22 * 0.15 + 0.36 = -9.26;  oth = 17 * 0.24 + 22 * 0.07 + 0.36 = 5.98
    dis, oth = expected([[0.6, 0.8, 0.5, 0.5]], [SECONDARY], [0.4], [1.0])
    assert dis[0] == pytest.approx(-9.26)
    assert oth[0] == pytest.approx(5.98)
    assert oth[0] - dis[0] == pytest.approx(15.24)


def test_phases_use_their_own_parameters_in_one_call():
    dis, oth = expected([[0.5] * 4, [0.5] * 4], [PRIMARY, SECONDARY], [0.24, 0.24], [0.0, 0.0])
    np.testing.assert_allclose(oth - dis, [7.5, 17.0])


def test_inclusion_narrows_the_gap():
    # +0.1 inclusion: gap changes by M (w_oth - w_dis) 0.1 = 22 * (0.1 - 0.4) * 0.1 = -0.66
    base = np.array([[0.5, 0.5, 0.5, 0.5]])
    more = np.array([[0.5, 0.6, 0.5, 0.5]])
    d0, o0 = expected(base, [SECONDARY], [0.3], [0.0])
    d1, o1 = expected(more, [SECONDARY], [0.3], [0.0])
    assert (o1 - d1)[0] - (o0 - d0)[0] == pytest.approx(-0.66)
    assert d1[0] - d0[0] == pytest.approx(22 * 0.4 * 0.1)


def test_default_config_weighs_inclusion_more_for_the_disadvantaged():
    cfg = sim.compose_config([]).attainment
    d0, o0 = expected([[0.5] * 4], [PRIMARY], [0.3], [0.0], cfg)
    d1, o1 = expected([[0.5, 0.7, 0.5, 0.5]], [PRIMARY], [0.3], [0.0], cfg)
    assert (o1 - d1)[0] < (o0 - d0)[0]


def test_composition_effect():
    # Both groups lose C = 4 months per unit share above the national share.
    d0, o0 = expected([[0.5] * 4], [PRIMARY], [0.24], [0.0])
    d1, o1 = expected([[0.5] * 4], [PRIMARY], [0.49], [0.0])
    assert d1[0] - d0[0] == pytest.approx(-1.0)
    assert o1[0] - o0[0] == pytest.approx(-1.0)


class TestCohortNoise:
    def test_replays_the_formula(self):
        # sd = 14 / sqrt(pupils / years), floored at a cohort of one pupil.
        rng = np.random.default_rng(2)
        z = clone(rng).standard_normal((2, 3))
        dis, oth = attainment.cohort_noise(np.array([700.0, 7.0, 0.0]), np.array([70.0, 0.0, 35.0]),
                                           np.array([7, 7, 5]), att_cfg(), rng)
        np.testing.assert_allclose(dis, 14 * z[0] / np.sqrt([100.0, 1.0, 1.0]))
        np.testing.assert_allclose(oth, 14 * z[1] / np.sqrt([10.0, 1.0, 7.0]))

    @pytest.mark.parametrize("pupils, years, sd", [
        (700.0, 7, 1.4),        # cohort 100: 14 / 10
        (175.0, 7, 2.8),        # cohort 25: 14 / 5
        (5.0, 5, 14.0),         # cohort 1
        (1.0, 7, 14.0),         # floored at a cohort of one
    ])
    def test_scale_shrinks_with_cohort_size(self, pupils, years, sd):
        n = 20000
        dis, oth = attainment.cohort_noise(np.full(n, pupils), np.full(n, pupils),
                                           np.full(n, years), att_cfg(),
                                           np.random.default_rng(7))
        assert dis.std() == pytest.approx(sd, rel=0.03)
        assert oth.std() == pytest.approx(sd, rel=0.03)
        assert abs(dis.mean()) < 4 * sd / np.sqrt(n)

    def test_always_draws_two_per_school(self):
        a, b = np.random.default_rng(1), np.random.default_rng(1)
        attainment.cohort_noise(np.ones(4), np.ones(4), np.full(4, 7), att_cfg(), a)
        b.standard_normal(8)
        assert a.random() == b.random()
