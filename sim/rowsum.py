"""Sums and means over a short last axis (domains, slots), the same numbers numpy gives, fast.

numpy reduces the last axis of a (rows, k) array with one inner call per row, which costs
tens of microseconds for the model's (schools, 4) expertise, every meeting week. Adding whole
columns in numpy's order gives the same floats with about k vector operations: for k < 8 it
adds a row's entries in order, ((x0 + x1) + x2) + ...; from 8 to 128 entries it keeps eight
running sums (entry j into sum j mod 8), adds them as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) +
(r6 + r7)), then the remaining k mod 8 entries in order. Longer rows use numpy's own sum.
That is the order for a last axis contiguous in memory (numpy adds along a strided one entry
by entry); `row_sum` gives it whatever the layout, so its argument may be a transposed view
whose columns are contiguous, the fastest layout for these column operations.
"""

from __future__ import annotations

import numpy as np

PAIRWISE_FROM = 8     # numpy's reduction adds fewer entries than this in order
PAIRWISE_BLOCK = 128  # and up to this many with eight running sums (then it splits)


def row_sum(x: np.ndarray) -> np.ndarray:
    """`x.sum(axis=-1)` of x laid out with a contiguous last axis, bit for bit."""
    k = x.shape[-1]
    if k == 0 or k > PAIRWISE_BLOCK:
        return np.ascontiguousarray(x).sum(axis=-1)
    if k < PAIRWISE_FROM:
        return _in_order(x, 0, x[..., 0].copy())
    r = [x[..., j].copy() for j in range(PAIRWISE_FROM)]
    whole = k - k % PAIRWISE_FROM
    for start in range(PAIRWISE_FROM, whole, PAIRWISE_FROM):
        for j in range(PAIRWISE_FROM):
            r[j] += x[..., start + j]
    out = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    return _in_order(x, whole - 1, out)


def _in_order(x: np.ndarray, last_added: int, out: np.ndarray) -> np.ndarray:
    """`out` plus the entries after `last_added`, one column at a time (in place)."""
    for j in range(last_added + 1, x.shape[-1]):
        out += x[..., j]
    return out


def row_mean(x: np.ndarray) -> np.ndarray:
    """`x.mean(axis=-1)`, bit for bit (numpy's mean is the sum divided by the count)."""
    return row_sum(x) / x.shape[-1]
