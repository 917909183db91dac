"""Sums and means over a short last axis (domains, slots), the same numbers numpy gives, fast.

numpy reduces the last axis of a (rows, k) array with one inner call per row, which costs
tens of microseconds for the model's (schools, 4) expertise, every meeting week. For k < 8 it
adds a row's entries in order, ((x0 + x1) + x2) + ...; adding whole columns in that order
gives the same floats with k vector operations. From 8 entries numpy sums pairwise, so there
the numpy reduction itself is used.
"""

from __future__ import annotations

import numpy as np

PAIRWISE_FROM = 8   # numpy's reduction adds fewer entries than this in order


def row_sum(x: np.ndarray) -> np.ndarray:
    """`x.sum(axis=-1)`, bit for bit."""
    k = x.shape[-1]
    if k == 0 or k >= PAIRWISE_FROM:
        return x.sum(axis=-1)
    out = x[..., 0].copy()
    for j in range(1, k):
        out += x[..., j]
    return out


def row_mean(x: np.ndarray) -> np.ndarray:
    """`x.mean(axis=-1)`, bit for bit (numpy's mean is the sum divided by the count)."""
    return row_sum(x) / x.shape[-1]
