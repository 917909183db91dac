"""sim.pupils.roll: selecting, joining, counting and the table view."""

from __future__ import annotations

import numpy as np

from tests.test_pupils_progress import pupils


def test_take_join_and_count():
    p = pupils([0, 1, 1, 2], [0, 3, 3, 7], [1, 0, 1, 0], [1.0, 2.0, 3.0, 4.0])
    q = p.take(np.array([False, True, True, False])).joined(p.take(slice(0, 1)))
    np.testing.assert_array_equal(q.school, [1, 1, 0])
    np.testing.assert_array_equal(q.attainment, [2.0, 3.0, 1.0])
    dis, oth = q.counts(3)
    np.testing.assert_array_equal(dis, [1, 1, 0])
    np.testing.assert_array_equal(oth, [0, 1, 0])


def test_table_view_is_a_copy():
    p = pupils([0, 1], [0, 3], [1, 0], [1.0, 2.0])
    table = p.frame()
    table.loc[0, "attainment_months"] = 99.0
    assert p.attainment[0] == 1.0
    assert list(table.columns)[:3] == ["school", "year_group", "disadvantaged"]
