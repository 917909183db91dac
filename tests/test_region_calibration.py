"""Synthetic regions against the real ones (issue 13): the synthetic defaults `gm` and
`england` (configs/region/, fitted by experiments/data/fit_synthetic_regions.py) must start
like real Greater Manchester and England within stated bands, over three seeds' mean:

- free-school-meal segregation (dissimilarity): within 0.03 (real: 0.314 GM, 0.311 England),
  about a tenth of the real value and a third of the 0.09 by which the unfitted generator
  overshot (0.40); the issue holds the real region itself to 0.31 ± 0.02;
- school size quartiles by phase: within 15 % (sizes set per-pupil rates and capacity; a
  lognormal cannot follow real primaries' one-, two- and three-form-entry steps of 210, 420
  and 630 pupils closer than this);
- pupil-weighted free-school-meal share quartiles by phase: within 0.05 (under half the
  distance between adjacent real quartiles, 0.09-0.13);
- median distance to the nearest school of the same phase: within 20 % (the distance sets
  who competes and partners; the tails are not matched: England's rural schools are further
  apart than any disc of towns gives).

And the statistics, by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.compose import compose_config
from sim.geography import Region
from sim.region import build_region
from sim.region_stats import describe, fsm_segregation, nearest_km, weighted_quantiles

BANDS = {"fsm_segregation": (0.03, False), "pupils": (0.15, True), "fsm_share": (0.05, False),
         "nearest_km": (0.20, True)}


def stats(region: str, seeds) -> dict:
    cfg = compose_config([f"region={region}"]).region
    runs = [describe(build_region(cfg, np.random.default_rng(s))) for s in seeds]
    return {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}


def compared(key: str) -> bool:
    return "nearest_km" not in key or key.endswith("_q50")


@pytest.mark.parametrize("place", ["gm", "england"])
def test_synthetic_region_starts_like_the_real_one(place):
    real = stats(f"{place}_real", [0])
    drawn = stats(place, [1, 2, 3])
    misses = []
    for key, target in real.items():
        if not compared(key):
            continue
        band, relative = BANDS[next(p for p in BANDS if key.startswith(p))]
        error = abs(drawn[key] - target) / (target if relative else 1.0)
        if error > band:
            misses.append(f"{key}: real {target:.3f}, synthetic {drawn[key]:.3f}")
    assert not misses, "; ".join(misses)


# ----------------------------------------------------------------------------- by hand
def region(pos, phase, pupils, share) -> Region:
    n = len(phase)
    zeros = np.zeros(n)
    return Region("t", ("A",), np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(1),
                  np.asarray(pos, float), np.asarray(phase), np.asarray(pupils, float),
                  np.asarray(share, float), zeros, zeros)


def test_weighted_quantiles_by_hand():
    # weights 1, 1, 2: midpoints 1/8, 3/8, 3/4 of the weight
    q = weighted_quantiles(np.array([30.0, 10.0, 20.0]), np.array([2.0, 1.0, 1.0]),
                           q=(0.125, 0.25, 0.75))
    assert q == pytest.approx([10.0, 10.0 + 10.0 * (0.125 / 0.25), 30.0])


def test_nearest_school_and_segregation_by_hand():
    r = region([[0, 0], [3, 4], [0, 1], [10, 10]], [0, 0, 1, 1], [100, 100, 100, 300],
               [0.5, 0.0, 0.5, 0.0])
    assert nearest_km(r, 0).tolist() == [5.0, 5.0]
    assert nearest_km(r, 1) == pytest.approx([np.hypot(10, 9)] * 2)
    # 100 disadvantaged pupils in schools 0 and 2 (50 each); 500 others: 50, 100, 50, 300.
    # D = 0.5 * (|.5-.1| + |0-.2| + |.5-.1| + |0-.6|) = 0.8
    assert fsm_segregation(r) == pytest.approx(0.8)
