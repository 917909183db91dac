"""Descriptive statistics of a region's schools at the start, to compare synthetic regions
with real ones (`tests/test_region_calibration.py`, the real-vs-synthetic notebook).

- `fsm_segregation`: Duncan's dissimilarity of free-school-meal and other pupils across
  schools (real England and Greater Manchester, January 2023: about 0.31);
- `quantiles` of pupils on roll and of the free-school-meal share, by phase, pupil-weighted
  for the share (a pupil's school), school-weighted for the size;
- `nearest_km`: each school's distance to the nearest other school of its phase.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from sim.geography import PHASE_NAMES, Region
from sim.metrics import dissimilarity

QUARTILES = (0.25, 0.5, 0.75)


def fsm_segregation(region: Region) -> float:
    disadvantaged = region.pupils * region.disadvantaged_share
    return dissimilarity(disadvantaged, region.pupils - disadvantaged)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, q=QUARTILES) -> np.ndarray:
    """Quantiles of a weighted sample (the value below which a share q of the weight lies,
    interpolated between weight midpoints)."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    midpoints = (cum - weights[order] / 2) / cum[-1]
    return np.interp(q, midpoints, values[order])


def nearest_km(region: Region, phase: int) -> np.ndarray:
    """Distance from each school of `phase` to the nearest other school of that phase."""
    pos = region.pos_km[region.phase == phase]
    if len(pos) < 2:
        return np.full(len(pos), np.nan)
    distance, _ = cKDTree(pos).query(pos, k=2)
    return distance[:, 1]


def describe(region: Region) -> dict[str, float]:
    """The compared statistics, flat: segregation and quartiles by phase."""
    out = {"fsm_segregation": fsm_segregation(region)}
    for phase, name in enumerate(PHASE_NAMES):
        mine = region.phase == phase
        if not mine.any():
            continue
        pupils = region.pupils[mine]
        for q, v in zip(QUARTILES, np.quantile(pupils, QUARTILES)):
            out[f"pupils_{name}_q{int(q * 100)}"] = float(v)
        for q, v in zip(QUARTILES, weighted_quantiles(region.disadvantaged_share[mine],
                                                      pupils)):
            out[f"fsm_share_{name}_q{int(q * 100)}"] = float(v)
        for q, v in zip(QUARTILES, np.quantile(nearest_km(region, phase), QUARTILES)):
            out[f"nearest_km_{name}_q{int(q * 100)}"] = float(v)
    return out
