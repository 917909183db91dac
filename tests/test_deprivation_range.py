"""experiments.deprivation_range's measurements, by hand and against a field of known range."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.deprivation_range import (correlation_length, cross_authority_pairs,
                                           nearest_secondary_segregation, within_authorities)
from sim.geography import Region
from sim.region import spatial_field


def test_within_authorities_takes_out_each_authority_s_mean():
    values, la = np.array([1.0, 3.0, 10.0, 20.0, 30.0]), np.array([0, 0, 1, 1, 1])
    assert within_authorities(values, la) == pytest.approx([-1.0, 1.0, -10.0, 0.0, 10.0])


def test_cross_authority_pairs_by_hand():
    # Within 1 km: (0, 1) same authority, (1, 2) different; (0, 2) are 1.2 km apart.
    pos = np.array([[0.0, 0.0], [0.5, 0.0], [1.2, 0.0], [9.0, 9.0]])
    la = np.array([0, 0, 1, 1])
    assert cross_authority_pairs(pos, la, 1.0) == pytest.approx(0.5)


def test_nearest_secondary_segregation_by_hand():
    # Primaries of 700 pupils (Year 6: 100 each) with shares 0.5 and 0.1 near secondary A,
    # one with 0.3 near secondary B. A: 60 disadvantaged, 140 others; B: 30, 70. Shares of
    # all 90 disadvantaged and 210 others: A 2/3 and 2/3, B 1/3 and 1/3: dissimilarity 0.
    # With B's primary at 0.9 instead: A 60/150 and 140/150, B 90/150 and 10/150:
    # 0.5 (|0.4 - 0.9333| + |0.6 - 0.0667|) = 0.5333.
    pos = np.array([[0.0, 0], [0.2, 0], [10, 0], [0.1, 0], [10.1, 0]])
    phase = np.array([0, 0, 0, 1, 1])
    pupils = np.array([700.0, 700, 700, 1000, 1000])

    def region(shares):
        n = len(phase)
        return Region("t", ("A",), np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(1),
                      pos, phase, pupils, np.asarray(shares, float), np.zeros(n), np.zeros(n))

    assert nearest_secondary_segregation(region([0.5, 0.1, 0.3, 0.2, 0.2])) == \
        pytest.approx(0.0, abs=1e-12)
    assert nearest_secondary_segregation(region([0.5, 0.1, 0.9, 0.2, 0.2])) == \
        pytest.approx(0.5 * (abs(0.4 - 140 / 150) + abs(0.6 - 10 / 150)))


def test_correlation_length_recovers_a_field_of_known_range():
    # sim.region's field has correlation exp(-d^2 / (2 L^2)); on an 80 x 80 grid 0.3 km apart
    # the fit finds L within 0.2 km of 1 and of 1.5 km (one draw of 500 waves: over seeds 3-6
    # 0.85-0.99 and 1.35-1.52 km), and c near 1.
    side = np.arange(80) * 0.3
    pos = np.array([(x, y) for x in side for y in side])
    for range_km in (1.0, 1.5):
        field = spatial_field(np.random.default_rng(3), pos, range_km)
        c, length = correlation_length(pos, field)
        assert length == pytest.approx(range_km, abs=0.2)
        assert c == pytest.approx(1.0, abs=0.2)
