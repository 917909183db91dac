"""Descriptive statistics of a region at the start, to compare synthetic regions with real
ones (`tests/test_region_calibration.py`, experiments/data/fit_synthetic_regions.py, the
real-vs-synthetic notebook). None of them is a segregation: the segregation of pupils is
what the model makes of these (`sim.metrics`).

- `quantiles` of pupils on roll and of the free-school-meal share, by phase, pupil-weighted
  for the share (a pupil's school), school-weighted for the size;
- `nearest_km`: each school's distance to the nearest other school of its phase;
- the neighbourhoods' deprivation: its deciles and quartiles, and its `correlogram`, Moran's
  I of the deprivation's normal scores at bands of distance (how far deprived
  neighbourhoods cluster; real Greater Manchester's LSOAs, income domain of IMD 2019: about
  0.5 within 1 km, 0.3 at 1-2 km, under 0.05 beyond 2 km).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree
from scipy.stats import norm, rankdata

from sim.geography import PHASE_NAMES, Region

QUARTILES = (0.25, 0.5, 0.75)
DEPRIVATION_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
# Bands of distance (km) of the deprivation correlogram: (0, 1], (1, 2], (2, 4], (4, 8].
BANDS_KM = (0.0, 1.0, 2.0, 4.0, 8.0)


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


def normal_scores(values: np.ndarray) -> np.ndarray:
    """Each value's rank turned into a standard normal quantile (ties share their mean rank)."""
    return norm.ppf((rankdata(values) - 0.5) / len(values))


def correlogram(pos_km: np.ndarray, values: np.ndarray, bands_km=BANDS_KM) -> np.ndarray:
    """Moran's I of `values` at each band of distance (lo, hi]: the mean product of two
    points' centred values over the pairs that far apart, over the values' variance (nan
    for a band with no pair). Pairs are counted, not listed (England has millions)."""
    z = values - values.mean()
    tree = cKDTree(pos_km)
    products = tree.count_neighbors(tree, bands_km, weights=(z, z), cumulative=True)
    pairs = tree.count_neighbors(tree, bands_km, cumulative=True).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.diff(products) / np.diff(pairs) / z.var()


def describe_neighbourhoods(region: Region) -> dict[str, float]:
    """Deciles and quartiles of the neighbourhoods' deprivation, and its correlogram."""
    deprivation = region.neighbourhood_deprivation
    out = {f"deprivation_q{int(q * 100)}": float(v) for q, v in
           zip(DEPRIVATION_QUANTILES, np.quantile(deprivation, DEPRIVATION_QUANTILES))}
    moran = correlogram(region.neighbourhood_pos_km, normal_scores(deprivation))
    for lo, hi, value in zip(BANDS_KM[:-1], BANDS_KM[1:], moran):
        out[f"deprivation_moran_{lo:g}_{hi:g}km"] = float(value)
    return out


def describe(region: Region) -> dict[str, float]:
    """The compared statistics, flat: the neighbourhoods', then quartiles by phase."""
    out = describe_neighbourhoods(region)
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
