"""sim.pupils.results: KS2 / KS4 results per school and group, the gap and the gap index."""

from __future__ import annotations

import numpy as np
import pytest

from sim.pupils import results
from tests.test_pupils_progress import pupils


def test_cohort_results_of_hand_built_schools():
    # Year 6: school 0 has disadvantaged -10 and -6 (mean -8) and other 2; school 1 has
    # others 4 and 6 (mean 5) and no disadvantaged pupil. A Year 5 pupil is not in the cohort.
    p = pupils([0, 0, 0, 1, 1, 1], [6, 6, 6, 6, 6, 5], [1, 1, 0, 0, 0, 1],
               [-10.0, -6.0, 2.0, 4.0, 6.0, 99.0])
    out = results.cohort_results(p, 6, 3)
    np.testing.assert_array_equal(out["cohort_disadvantaged"], [2, 0, 0])
    np.testing.assert_array_equal(out["cohort_other"], [1, 2, 0])
    np.testing.assert_allclose(out["attainment_disadvantaged"], [-8.0, np.nan, np.nan])
    np.testing.assert_allclose(out["attainment_other"], [2.0, 5.0, np.nan])


def test_cohort_gap_is_measured_over_pupils_not_schools():
    # Disadvantaged -10, -6; others 2, 4, 6: means -8 and 4, gap 12.
    p = pupils([0, 0, 0, 1, 1], [11] * 5, [1, 1, 0, 0, 0], [-10.0, -6.0, 2.0, 4.0, 6.0])
    gap = results.cohort_gap(p, 11)
    assert (gap["attainment_disadvantaged"], gap["attainment_other"], gap["gap_months"]) == \
        pytest.approx((-8.0, 4.0, 12.0))


def test_gap_index_is_ten_for_complete_separation_and_zero_for_none():
    # Ranks (i + 0.5) / 4: separation -> dis mean 0.25, others 0.75: 20 * 0.5 = 10.
    assert results.gap_index(np.array([1.0, 2, 3, 4]), np.array([1, 1, 0, 0], bool)) == \
        pytest.approx(10.0)
    # Disadvantaged at ranks 1 and 4, others 2 and 3: equal mean ranks.
    assert results.gap_index(np.array([1.0, 4, 2, 3]), np.array([1, 1, 0, 0], bool)) == \
        pytest.approx(0.0)


def test_gap_index_gives_pupils_tied_across_the_groups_their_shared_mid_rank():
    # Values 1, 2, 2, 3 (disadvantaged: the 1 and one of the 2s): mid-ranks 0, 1.5, 1.5, 3,
    # percentiles (r + 0.5) / 4: disadvantaged 0.125 and 0.5 (mean 0.3125), others 0.5 and
    # 0.875 (mean 0.6875): 20 * 0.375 = 7.5.
    assert results.gap_index(np.array([2.0, 1, 3, 2]), np.array([1, 1, 0, 0], bool)) == \
        pytest.approx(7.5)


def test_gap_index_of_normal_groups_half_a_standard_deviation_apart():
    # Numerically, for a share of 0.24: 20 * (P(other > dis) - 1/2) = 20 * (Phi(0.5 / sqrt 2)
    # - 1/2) = 2.76 (mean percentile difference of two normals d = 0.5 apart).
    rng = np.random.default_rng(0)
    dis = rng.random(400_000) < 0.24
    x = rng.normal(0, 1, len(dis)) - 0.5 * dis
    assert results.gap_index(x, dis) == pytest.approx(2.76, abs=0.05)


def test_empty_group_gives_no_gap_rather_than_a_number():
    gap = results.cohort_gap(pupils([0, 0], [6, 6], [0, 0], [1.0, 2.0]), 6)
    assert np.isnan(gap["gap_months"]) and np.isnan(gap["gap_index"])
    # ... but the group that is there keeps its mean: (1 + 2) / 2.
    assert np.isnan(gap["attainment_disadvantaged"]) and gap["attainment_other"] == 1.5
