"""sim.rowsum: sums and means over a short last axis give numpy's own numbers bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from sim.rowsum import row_mean, row_sum


# In order below 8 entries, eight running sums from 8 to 128 (with a tail after the last
# multiple of 8), numpy's own sum beyond.
LENGTHS = [*range(0, 20), 23, 64, 127, 128, 129, 200]


def hard_rows(k: int, rows: int = 3000) -> np.ndarray:
    """Magnitudes from 1e-9 to 1e9 in one row make the order of the additions show in the
    last bits: a different order would differ in some of the rows."""
    rng = np.random.default_rng(k)
    x = rng.random((rows, k)) * 10.0 ** rng.integers(-9, 10, (rows, k))
    x[rng.random(x.shape) < 0.3] *= -1
    return x


@pytest.mark.parametrize("k", LENGTHS)
def test_row_sum_and_mean_equal_numpys_bit_for_bit(k):
    x = hard_rows(k)
    np.testing.assert_array_equal(row_sum(x), x.sum(axis=-1))
    cube = x.reshape(1000, 3, k)
    np.testing.assert_array_equal(row_sum(cube), cube.sum(axis=-1))
    if k:
        np.testing.assert_array_equal(row_mean(x), x.mean(axis=-1))


@pytest.mark.parametrize("k", [3, 8, 21, 200])
def test_a_transposed_view_sums_as_its_contiguous_copy(k):
    # numpy adds along a strided last axis in order; row_sum keeps the contiguous order, so
    # a (k, rows) array's transposed view (contiguous columns) sums as (rows, k) does.
    x = hard_rows(k, 500)
    view = np.ascontiguousarray(x.T).T
    np.testing.assert_array_equal(row_sum(view), x.sum(axis=-1))


def test_row_sum_does_not_alias_its_input():
    x = np.ones((4, 3))
    row_sum(x)[:] = 7.0
    assert (x == 1.0).all()
