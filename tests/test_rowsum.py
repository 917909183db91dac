"""sim.rowsum: sums and means over a short last axis give numpy's own numbers bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from sim.rowsum import row_mean, row_sum


@pytest.mark.parametrize("k", range(0, 11))
def test_row_sum_and_mean_equal_numpys_bit_for_bit(k):
    # Magnitudes from 1e-9 to 1e9 in one row make the order of the additions show in the
    # last bits: a different order would differ in some of the 3000 rows.
    rng = np.random.default_rng(k)
    x = rng.random((3000, k)) * 10.0 ** rng.integers(-9, 10, (3000, k))
    x[rng.random(x.shape) < 0.3] *= -1
    np.testing.assert_array_equal(row_sum(x), x.sum(axis=-1))
    cube = x.reshape(1000, 3, k)
    np.testing.assert_array_equal(row_sum(cube), cube.sum(axis=-1))
    if k:
        np.testing.assert_array_equal(row_mean(x), x.mean(axis=-1))


def test_row_sum_does_not_alias_its_input():
    x = np.ones((4, 3))
    row_sum(x)[:] = 7.0
    assert (x == 1.0).all()
