"""sim.pupils.roll: selecting, counting and the table view."""

from __future__ import annotations

import numpy as np

from tests.test_pupils_progress import pupils


def test_take_and_count():
    p = pupils([0, 1, 1, 2], [0, 3, 3, 7], [1, 0, 1, 0], [1.0, 2.0, 3.0, 4.0])
    q = p.take(np.array([2, 1, 0]))
    np.testing.assert_array_equal(q.school, [1, 1, 0])
    np.testing.assert_array_equal(q.attainment, [3.0, 2.0, 1.0])
    dis, oth = q.counts(3)
    np.testing.assert_array_equal(dis, [1, 1, 0])
    np.testing.assert_array_equal(oth, [0, 1, 0])


def test_table_view_is_a_copy():
    p = pupils([0, 1], [0, 3], [1, 0], [1.0, 2.0])
    table = p.frame()
    table.loc[0, "attainment_months"] = 99.0
    assert p.attainment[0] == 1.0
    assert list(table.columns)[:3] == ["school", "year_group", "disadvantaged"]


def test_a_cohort_is_one_run_of_the_roll_in_order_of_entry():
    # Years 11, 11, 7, 6, 6, 0: Year 6 are pupils 3-4, Years 7-11 pupils 0-2, Reception
    # pupil 5; a year group nobody is in is an empty run where it would be.
    p = pupils([5, 5, 4, 0, 1, 2], [11, 11, 7, 6, 6, 0], [0] * 6, [0.0] * 6)
    assert p.cohort(6) == slice(3, 5)
    assert p.cohort(7, 11) == slice(0, 3)
    assert p.cohort(0, 5) == slice(5, 6)
    assert p.cohort(3) == slice(5, 5)
    assert pupils([], [], [], []).cohort(6) == slice(0, 0)
