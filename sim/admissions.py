"""Nearby schools of the same phase: the schools a family in a school's catchment would
consider, and so the competitors a school watches in league tables (`sim.schemes.market`).
Where pupils go is decided by the pupils themselves (`sim.pupils`)."""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

def choice_sets(pos_km: np.ndarray, phase: np.ndarray, k: int):
    """For each school, its k nearest same-phase schools (itself first) and distances."""
    n = len(phase)
    choices = np.zeros((n, k), np.int64)
    dist = np.zeros((n, k))
    for p in np.unique(phase):
        idx = np.flatnonzero(phase == p)
        kk = min(k, len(idx))
        d, j = cKDTree(pos_km[idx]).query(pos_km[idx], k=kk)
        d, j = d.reshape(len(idx), kk), j.reshape(len(idx), kk)
        # Co-located schools: swap each school's own entry to the front (no duplicates).
        for r in np.flatnonzero(j[:, 0] != np.arange(len(idx))):
            own = np.flatnonzero(j[r] == r)
            j[r, own[0] if len(own) else 0], j[r, 0] = j[r, 0], r
            d[r, 0] = 0.0
        # Pad short choice sets by repeating the home school at an unattractive distance.
        choices[idx] = np.pad(idx[j], ((0, 0), (0, k - kk)), mode="edge")
        dist[idx] = np.pad(d, ((0, 0), (0, k - kk)), constant_values=1e6)
    return choices, dist
