"""sim.pupils.progress: value added, peers, home background, accumulation, learning loss.

Hand-worked from the module docstring, with E the school's expertise, ref 0.5,
w_dis = (0.3, 0.5, 0.2, 0.25) (sum 1.25), w_oth = (0.4, 0.1, 0.2, 0.3) (sum 1.0),
M = (2.0, 4.4) months a year per unit, home = (0.12, 0.38), peers = (0.05, 0.05).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import stats

from sim.pupils import progress
from sim.pupils.roll import Pupils
from sim.region import PRIMARY, SECONDARY

PARAMS = progress.ProgressParams()
QUIET = dataclasses.replace(PARAMS, noise_sd_months=0.0)


def pupils(school, year, dis, attainment, persistent=None) -> Pupils:
    n = len(school)
    persistent = np.zeros(n) if persistent is None else np.asarray(persistent, float)
    return Pupils(np.asarray(school, np.int32), np.asarray(year, np.int8), np.asarray(dis, bool),
                  np.zeros(n, np.int32), np.zeros((n, 2), np.float32),
                  np.asarray(attainment, np.float32), persistent.astype(np.float32),
                  np.zeros(n, np.float32))


def test_value_added_of_a_hand_built_primary_and_secondary():
    # E - ref = (0.1, 0.3, 0, 0): w_dis . = 0.03 + 0.15 = 0.18, w_oth . = 0.04 + 0.03 = 0.07.
    # Primary: M 2.0, school effect 1.4 months over 7 years = 0.2 a year:
    #   dis 0.36 + 0.2 = 0.56, other 0.14 + 0.2 = 0.34.
    # Secondary: M 4.4, school effect 1.0 over 5 years = 0.2: dis 0.792 + 0.2, other 0.308 + 0.2.
    e = np.array([[0.6, 0.8, 0.5, 0.5]] * 2)
    dis, oth = progress.value_added(e, np.array([PRIMARY, SECONDARY]), np.array([1.4, 1.0]),
                                    PARAMS)
    np.testing.assert_allclose(dis, [0.56, 0.992])
    np.testing.assert_allclose(oth, [0.34, 0.508])


def test_an_even_rise_in_every_domain_narrows_the_gap():
    # Every domain 0.1 above the reference: dis - oth = M * 0.1 * (1.25 - 1.0).
    e = np.full((2, 4), 0.6)
    dis, oth = progress.value_added(e, np.array([PRIMARY, SECONDARY]), np.zeros(2), PARAMS)
    np.testing.assert_allclose(dis - oth, [0.05, 0.11])


def test_schools_below_the_reference_widen_the_gap():
    dis, oth = progress.value_added(np.full((1, 4), 0.4), np.array([PRIMARY]), np.zeros(1), PARAMS)
    assert oth[0] - dis[0] == pytest.approx(0.05)


def test_school_deviation_is_the_year_group_mean_at_the_school_minus_the_regions():
    # One year group: school 0 holds -2 and 4 (mean 1), school 2 holds 7; region mean 3;
    # school 1 has nobody in it: 0.
    deviation = progress.school_deviation(np.array([0, 0, 2]), np.array([-2.0, 4.0, 7.0]), 3)
    np.testing.assert_allclose(deviation, [-2.0, 0.0, 4.0])


def test_peers_move_progress_by_the_year_group_s_deviation_at_the_school():
    # In order of entry, as a roll is kept: Year 5 first. Quiet, no value added, no home.
    # Year 5: school 0 holds 10 alone (deviation 0). Year 3: school 0 holds -2 and 4 (mean
    # 1), school 1 holds 7; region mean 3: deviations -2 and 4, x peers 0.05 a year.
    p = pupils([0, 0, 0, 1], [5, 3, 3, 3], [0, 1, 0, 0], [10.0, -2.0, 4.0, 7.0])
    delta = progress.progress(p, np.array([PRIMARY, PRIMARY]), np.zeros(2), np.zeros(2),
                              QUIET, np.random.default_rng(0))
    np.testing.assert_allclose(delta, [0.0, -0.1, -0.1, 0.2], atol=1e-6)


def test_standard_normals_are_standard_normal():
    # Box-Muller from single-precision uniforms: moments, the tails beyond 2 and 3 sd, a
    # Kolmogorov-Smirnov test, and the two draws of each pair (i, n/2 + i) independent.
    n = 400_000
    z = progress.standard_normals(n, np.random.default_rng(3))
    assert z.dtype == np.float32 and len(z) == n
    assert abs(z.mean()) < 0.01 and z.std() == pytest.approx(1.0, abs=0.01)
    assert stats.kurtosis(z) == pytest.approx(0.0, abs=0.05)
    assert (np.abs(z) > 2).mean() == pytest.approx(2 * stats.norm.sf(2), rel=0.05)
    assert (np.abs(z) > 3).mean() == pytest.approx(2 * stats.norm.sf(3), rel=0.15)
    assert stats.kstest(z, "norm").pvalue > 0.01
    first, second = z[: n // 2], z[n // 2:]
    assert abs(np.corrcoef(first, second)[0, 1]) < 0.01
    assert abs(np.corrcoef(first**2, second**2)[0, 1]) < 0.01
    assert len(progress.standard_normals(7, np.random.default_rng(3))) == 7


def test_one_years_progress_of_hand_built_pupils():
    # In order of entry, as a roll is kept (`sim.pupils.roll`): the oldest first.
    # Pupil 0: other, secondary school 1, Year 9 alone in the region, persistent 10.
    # Pupil 1: disadvantaged, primary school 0, persistent -5, Year 3 with pupil 2 at school 0.
    # Pupil 2: other, primary school 0, persistent +5.
    # VA (given): school 0 dis 0.5 / other 0.3; school 1 dis 1.0 / other 0.8.
    # Peers: year 3 at school 0 is the whole region's year 3 -> deviation 0.
    # 0: 0.8 + 0.38 * 10 = 4.6;  1: 0.5 + 0.12 * -5 = -0.1;  2: 0.3 + 0.12 * 5 = 0.9.
    p = pupils([1, 0, 0], [9, 3, 3], [0, 1, 0], [10.0, -5.0, 5.0], [10.0, -5.0, 5.0])
    delta = progress.progress(p, np.array([PRIMARY, SECONDARY]), np.array([0.5, 1.0]),
                              np.array([0.3, 0.8]), QUIET, np.random.default_rng(0))
    np.testing.assert_allclose(delta, [4.6, -0.1, 0.9], atol=1e-5)


def test_progress_accumulates_over_the_years():
    # One disadvantaged primary pupil, alone, persistent -4, VA 0.5 a year: each year
    # 0.5 + 0.12 * -4 = 0.02, so after 3 years -4 + 3 * 0.02 = -3.94.
    p = pupils([0], [2], [1], [-4.0], [-4.0])
    for _ in range(3):
        p.attainment += progress.progress(p, np.array([PRIMARY]), np.array([0.5]),
                                          np.array([9.9]), QUIET, np.random.default_rng(0))
        p.year += 1
    assert p.attainment[0] == pytest.approx(-3.94, abs=1e-5)


def test_noise_has_the_configured_spread():
    p = pupils(np.zeros(200_000), np.zeros(200_000), np.zeros(200_000), np.zeros(200_000))
    delta = progress.progress(p, np.array([PRIMARY]), np.zeros(1), np.zeros(1), PARAMS,
                              np.random.default_rng(1))
    assert delta.std() == pytest.approx(3.0, rel=0.01)
    assert abs(delta.mean()) < 0.03


def test_learning_loss_falls_on_the_pupils_on_roll_by_group():
    p = pupils([0, 1], [4, 8], [1, 0], [1.0, 1.0])
    progress.learning_loss(p, progress.months_lost(p, 4.3, 3.7))
    np.testing.assert_allclose(p.attainment, [-3.3, -2.7], rtol=1e-6)
    np.testing.assert_allclose(p.loss, [4.3, 3.7], rtol=1e-6)


def test_recovery_makes_up_a_share_of_the_outstanding_loss():
    # Pupil 0 (disadvantaged, school 0, rate 0.5 a year) over a year makes up
    # 1 - e^-0.5 = 0.3935 of a 4-month loss: 1.574 months; pupil 1 (other, school 1, rate 0)
    # makes up nothing.
    p = pupils([0, 1], [4, 8], [1, 0], [-4.0, -3.0])
    p.loss[:] = [4.0, 3.0]
    rates = np.array([[9.9, 0.5], [0.0, 9.9]])     # columns: other, disadvantaged
    progress.recover(p, rates, 1.0)
    np.testing.assert_allclose(p.loss, [4.0 * np.exp(-0.5), 3.0], rtol=1e-6)
    np.testing.assert_allclose(p.attainment, [-4.0 + 4.0 * (1 - np.exp(-0.5)), -3.0], rtol=1e-6)


def test_recovery_reaches_every_block_of_the_roll(monkeypatch):
    # Blocks of 3 over 10 pupils (4 blocks, the last of 1): every pupil has lost its group's
    # months (disadvantaged 2, other 1), then makes up half (rate ln 2 a year, one year).
    monkeypatch.setattr(progress, "BLOCK", 3)
    dis = np.arange(10) % 3 == 0
    p = pupils(np.zeros(10), np.full(10, 4), dis, np.zeros(10))
    progress.learning_loss(p, progress.months_lost(p, 2.0, 1.0))
    lost = np.where(dis, 2.0, 1.0)
    np.testing.assert_array_equal(p.loss, lost)
    np.testing.assert_array_equal(p.attainment, -lost)
    progress.recover(p, np.full((1, 2), np.log(2.0)), 1.0)
    np.testing.assert_allclose(p.loss, lost / 2, rtol=1e-6)
    np.testing.assert_allclose(p.attainment, -lost / 2, rtol=1e-6)
