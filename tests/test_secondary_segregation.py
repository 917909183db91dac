"""experiments.secondary_segregation: the split of the secondaries' segregation between and
within boroughs, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.secondary_segregation import between_and_within


def test_between_and_within_boroughs_by_hand():
    # Borough 0: 10 disadvantaged in one school, 10 others in the other: its own index 1.
    # Borough 1: both schools half and half: 0. The boroughs' totals are both half and half:
    # between 0. Within: (1 x 20 + 0 x 40) / 60 = 1/3.
    la = np.array([0, 0, 1, 1])
    between, within = between_and_within(np.array([10.0, 0, 10, 10]),
                                         np.array([0.0, 10, 10, 10]), la)
    assert between == pytest.approx(0.0)
    assert within == pytest.approx(1 / 3)


def test_between_boroughs_is_the_index_over_their_totals():
    # Totals: borough 0 has 30 disadvantaged and 10 others, borough 1 10 and 30:
    # 0.5 (|30/40 - 10/40| + |10/40 - 30/40|) = 0.5; within each borough the schools are
    # alike (index 0).
    between, within = between_and_within(np.array([15.0, 15, 5, 5]),
                                         np.array([5.0, 5, 15, 15]), np.array([0, 0, 1, 1]))
    assert between == pytest.approx(0.5)
    assert within == pytest.approx(0.0)
