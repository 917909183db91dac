"""The growth decomposition of experiments/effect_growth.py against hand-worked numbers."""

import numpy as np
import pytest

from experiments.effect_growth import decompose, exposure_sum


def test_a_cohort_carries_the_gains_of_its_last_seven_years_only():
    gains = np.arange(1, 11) / 10            # 0.1, 0.2, ..., 1.0 months a year
    # Year 2: 0.1 + 0.2; year 7: 0.1 + ... + 0.7 = 2.8; year 10: 0.4 + ... + 1.0 = 4.9.
    assert exposure_sum(gains)[[1, 6, 9]] == pytest.approx([0.3, 2.8, 4.9])


def test_the_ratio_splits_into_exposure_and_the_value_added_s_growth():
    d = decompose(np.arange(1, 11) / 10, early=2, late=10)
    # Held at year 2's 0.2 a year, a year-10 cohort would carry 7 x 0.2 = 1.4 months
    # against the year-2 cohort's 0.3: exposure 1.4 / 0.3; the rest 4.9 / 1.4 = 3.5.
    assert d.ratio == pytest.approx(4.9 / 0.3)
    assert d.exposure == pytest.approx(1.4 / 0.3)
    assert d.growth == pytest.approx(3.5)


def test_a_gain_that_stops_growing_leaves_only_the_exposure():
    gains = np.array([0.5, 1.0] + [1.0] * 8)
    d = decompose(gains)
    assert d.growth == pytest.approx(1.0)
    assert d.ratio == pytest.approx(7.0 / 1.5)
