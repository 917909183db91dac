"""experiments.naive_pupils, the benchmark's naive twin, measures a cohort's gap as
`sim.pupils.results` does (hand-worked numbers)."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.naive_pupils import cohort_gap
from sim.pupils.results import gap_index


def test_naive_gap_and_gap_index_match_the_hand_worked_cohort():
    # Attainment 1, 2, 2, 4 (disadvantaged: the 1 and one of the 2s). Mid-ranks 0, 1.5, 1.5,
    # 3, percentiles (r + 0.5) / 4 = 0.125, 0.5, 0.5, 0.875: disadvantaged mean 0.3125,
    # others 0.6875, index 20 x 0.375 = 7.5. Gap in months (2 + 4) / 2 - (1 + 2) / 2 = 1.5.
    attainment, disadvantaged = [1.0, 2.0, 2.0, 4.0], [True, False, True, False]
    gap, index = cohort_gap(list(zip(attainment, disadvantaged)))
    assert gap == pytest.approx(1.5)
    assert index == pytest.approx(7.5)
    assert gap_index(np.array(attainment), np.array(disadvantaged)) == pytest.approx(7.5)
