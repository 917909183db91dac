"""Synthetic regions against the real ones (issue 13): the synthetic defaults `gm` and
`england` (configs/region/, fitted by experiments/data/fit_synthetic_regions.py) must start
like real Greater Manchester and England within stated bands.

What is fitted is descriptive: the neighbourhoods' deprivation (its deciles and quartiles,
and how far deprived neighbourhoods cluster: Moran's I by distance), school sizes, schools'
free-school-meal shares and nearest-school distances. What is not fitted is the segregation
of pupils: the model makes it when it places them (Reception intake from the catchments,
transition at 11, mobility), so it is checked here with pupils placed, at the start.

Bands:
- segregation of pupils at the start (dissimilarity; overall, primary, secondary): within
  0.03, a tenth of the real values (0.30, 0.31, 0.28 in Greater Manchester); one synthetic
  draw of GM varies by about 0.02 between seeds, and a run starts from one draw, so each of
  seeds 1-3 is compared on its own (GM's secondaries miss: see their test);
- neighbourhood deprivation deciles and quartiles: within 0.03 (a third of the distance
  between the real deciles, 0.06-0.12);
- Moran's I of the deprivation by band of distance: within 0.1 (real GM: 0.50, 0.29, 0.05,
  0.03 at 0-1, 1-2, 2-4, 4-8 km; a synthetic draw varies by about 0.05);
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

import dataclasses
import functools

import numpy as np
import pytest
from scipy.special import expit

from sim import metrics
from sim.compose import compose_config
from sim.geography import Region
from sim.model import SchoolSystem
from sim.region import _share_offsets, build_region
from sim.region_stats import (correlogram, describe, nearest_km, normal_scores,
                              weighted_quantiles)

BANDS = {"segregation": (0.03, False), "deprivation_q": (0.03, False),
         "deprivation_moran": (0.10, False), "pupils": (0.15, True),
         "fsm_share": (0.05, False), "nearest_km": (0.20, True)}


@functools.cache
def stats(region: str, seed: int) -> dict:
    cfg = compose_config([f"region={region}"]).region
    return describe(build_region(cfg, np.random.default_rng(seed)))


@functools.cache
def placed_stats(region: str, seed: int) -> dict:
    """The statistics with the pupils placed, at the start of a run: sizes and shares are the
    pupils on roll (schools with none left out: they have no share), with the segregation of
    pupils overall and by phase."""
    model = SchoolSystem(compose_config([f"region={region}", "scheme=none", f"seed={seed}"]))
    s = model.state
    region_now = dataclasses.replace(model.region, pupils=s.pupils,
                                     disadvantaged_share=s.disadvantaged_share)
    on_roll = np.flatnonzero(s.pupils > 0)
    out = {key: value for key, value in describe(_schools(region_now, on_roll)).items()
           if not key.startswith("deprivation")}
    out["segregation"] = metrics.segregation(model)
    out.update(metrics.segregation_by_phase(model))
    return out


def _schools(region: Region, keep: np.ndarray) -> Region:
    per_school = ("la", "neighbourhood", "pos_km", "phase", "pupils", "disadvantaged_share",
                  "eal_share", "mobility")
    return dataclasses.replace(region, **{f: getattr(region, f)[keep] for f in per_school})


def misses(real: dict, drawn: dict) -> list[str]:
    out = []
    for key, target in real.items():
        if "nearest_km" in key and not key.endswith("_q50"):
            continue
        band, relative = BANDS[next(p for p in BANDS if key.startswith(p))]
        if abs(drawn[key] - target) / (target if relative else 1.0) > band:
            out.append(f"{key}: real {target:.3f}, synthetic {drawn[key]:.3f}")
    return out


SEEDS = (1, 2, 3)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("place", ["gm", "england"])
def test_synthetic_region_starts_like_the_real_one(place, seed):
    """Each draw, not their mean: a run starts from one."""
    missed = misses(stats(f"{place}_real", 0), stats(place, seed))
    assert not missed, "; ".join(missed)


# Both sides' secondary year groups leave out the sixth form: real rolls by their region's
# share of pupils in school sixth forms (`sim.sixth_forms`; GM's North West 7.1 %), synthetic
# ones by England's (11.4 %; their rolls are fitted to census rolls). The secondaries'
# segregation is tested on its own below (it misses).
# gm seed 3 passed at 86d693f and misses since the session-8 refit (09e7692) moved the
# defaults that placement at 11 reads (published results): its secondaries' FSM share q75 is
# 0.345 against the real 0.397 (fresh-clone CI at 06a4aba). Strict: fails again once it passes.
GM_SEED_3_MISSES = pytest.mark.xfail(strict=True, reason=(
    "at the session-8 refit's defaults synthetic GM seed 3's secondary FSM share q75 is "
    "0.345 against gm_real's 0.397 (issue 13)"))


@pytest.mark.parametrize("place, seed", [
    *(pytest.param("gm", s, marks=GM_SEED_3_MISSES) if s == 3 else ("gm", s) for s in SEEDS),
    *(pytest.param("england", s, marks=pytest.mark.slow) for s in SEEDS)])
def test_with_pupils_placed_the_synthetic_region_starts_like_the_real_one(place, seed):
    """The segregation of pupils is the model's: it is compared, not fitted."""
    real, drawn = placed_stats(f"{place}_real", 1), placed_stats(place, seed)
    assert {"segregation", "segregation_primary", "segregation_secondary"} <= set(real)
    missed = [m for m in misses(real, drawn) if not m.startswith("segregation_secondary")]
    assert not missed, "; ".join(missed)


# Measured when the synthetic GM took its boroughs' census shares and its refitted inputs (no
# gradient towards the boroughs' centres: real GM's LSOAs have none, pooled slope 0.00):
# secondaries 0.228, 0.225, 0.224 at seeds 1-3 (0.233, 0.245 at 4, 5) against gm_real's 0.282.
# Were every pupil at the secondary nearest home, the segregation would be 0.21-0.22 against
# 0.25; the families' choice adds 0.01-0.02 against 0.03 (real GM's secondaries are full: 13 %
# of its Year 6 go across its border). Not the secondaries' sites (at random primaries' sites
# instead, the nearest-school figure moves by under 0.01 in both regions): the pattern of
# disadvantaged pupils' homes at 1-4 km varies less (sd of the share of Years 7-11 within 2 km
# of a pupil's home 0.10-0.11 against 0.117). Real schools' shares are more alike at 1-4 km
# than their LSOAs' deprivation (Moran's I 0.33 and 0.14 against 0.29 and 0.05), which a share
# drawn around the school's own neighbourhood cannot give; drawn around its catchment instead,
# and refitted, the primaries' segregation fell to 0.27 (real 0.31). About half the gap is the
# real region's, not the generator's: gm_real sends 13 % of its Year 6 to secondaries across
# its border (more than GM really does: the census gives no school's age range, README), and
# with its secondaries sized to seat its own Year 6 instead (every authority's pre-16 share x
# 1.16: none leave, 424 a year arrive) its secondaries' segregation is 0.255 and 0.264 at
# seeds 1 and 2 (0.282, 0.285 as it is); the synthetic region is closed. Not fixed: issue 13.
@pytest.mark.xfail(strict=True, reason="synthetic GM's secondaries about 0.05 less segregated "
                                       "than gm_real's at start (issue 13)")
def test_with_pupils_placed_synthetic_secondaries_are_as_segregated_as_real_ones():
    real = placed_stats("gm_real", 1)["segregation_secondary"]
    drawn = [placed_stats("gm", seed)["segregation_secondary"] for seed in SEEDS]
    assert all(abs(d - real) <= BANDS["segregation"][0] for d in drawn), (real, drawn)


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


def test_nearest_school_by_hand():
    r = region([[0, 0], [3, 4], [0, 1], [10, 10]], [0, 0, 1, 1], [100, 100, 100, 300],
               [0.5, 0.0, 0.5, 0.0])
    assert nearest_km(r, 0).tolist() == [5.0, 5.0]
    assert nearest_km(r, 1) == pytest.approx([np.hypot(10, 9)] * 2)


def test_correlogram_by_hand():
    # Points on a line at 0, 0.5, 1.8 and 7 km; values centred: -1.5, -0.5, 0.5, 1.5
    # (variance 1.25). Within 1 km: (0, 1) -> 0.75; (1, 2]: (0, 2) at 1.8 -> -0.75 and
    # (1, 2) at 1.3 -> -0.25; (2, 4]: none; (4, 8]: (0, 3), (1, 3), (2, 3) -> -2.25, -0.75, 0.75.
    pos = np.array([[0.0, 0], [0.5, 0], [1.8, 0], [7.0, 0]])
    moran = correlogram(pos, np.array([0.0, 1, 2, 3]))
    assert moran[0] == pytest.approx(0.75 / 1.25)
    assert moran[1] == pytest.approx(-0.5 / 1.25)
    assert np.isnan(moran[2])
    assert moran[3] == pytest.approx(-0.75 / 1.25)


def test_normal_scores_are_ranks_on_the_normal_scale():
    assert normal_scores(np.array([5.0, -1.0, 2.0])) == pytest.approx(
        [0.9674216, -0.9674216, 0.0], abs=1e-6)    # Phi^-1 of 5/6, 1/6, 1/2


def test_synthetic_gm_boroughs_have_their_census_shares():
    """gm's `la_fsm_shares` are the real boroughs' (pupil-weighted over their state-funded
    primaries and secondaries in use), not values chosen for the test; each borough's
    neighbourhoods average its share."""
    cfg = compose_config(["region=gm"]).region
    schools = build_region(compose_config(["region=gm_real"]).region, np.random.default_rng(0))
    for name, share in zip(cfg.la_names, cfg.la_fsm_shares):
        mine = schools.la == schools.la_names.index(name)
        census = np.average(schools.disadvantaged_share[mine], weights=schools.pupils[mine])
        assert share == pytest.approx(census, abs=0.0005), name


def test_each_authority_s_neighbourhoods_average_its_given_share():
    # Two authorities: logits 0, 0 (shares 0.5 needs no shift) and 1, -1 (mean 0.3 needs
    # the shift o with (expit(1 + o) + expit(-1 + o)) / 2 = 0.3, about -1.054).
    cfg = compose_config(["region=gm", "region.n_local_authorities=2",
                          "region.la_fsm_shares=[0.5,0.3]", "region.la_names=[]",
                          "region.la_weights=[]", "region.la_centres_km=[]"]).region
    logits, la = np.array([0.0, 0.0, 1.0, -1.0]), np.array([0, 0, 1, 1])
    shifted = logits + _share_offsets(cfg, logits, la)[la]
    assert expit(shifted[:2]) == pytest.approx([0.5, 0.5])
    assert expit(shifted[2:]).mean() == pytest.approx(0.3)
    assert shifted[2] - 1.0 == pytest.approx(-1.054, abs=0.001)
