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
from sim.region import (_own_territory, _school_shares, _share_offsets, _territory,
                        build_region)
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
# segregation is tested on its own below (it misses). gm seed 3 missed one band from the
# session-8 refit (09e7692) until session 9 gave the boroughs territories of their own
# (secondaries' FSM share q75 0.345 against the real 0.397; 0.370 since).
@pytest.mark.parametrize("place, seed", [
    *(("gm", s) for s in SEEDS),
    *(pytest.param("england", s, marks=pytest.mark.slow) for s in SEEDS)])
def test_with_pupils_placed_the_synthetic_region_starts_like_the_real_one(place, seed):
    """The segregation of pupils is the model's: it is compared, not fitted."""
    real, drawn = placed_stats(f"{place}_real", 1), placed_stats(place, seed)
    assert {"segregation", "segregation_primary", "segregation_secondary"} <= set(real)
    missed = [m for m in misses(real, drawn) if not m.startswith("segregation_secondary")]
    assert not missed, "; ".join(missed)


# Session 8 measured, at the synthetic GM with its boroughs' census shares, secondaries' 0.228,
# 0.225, 0.224 at seeds 1-3 against gm_real's 0.282. Session 9 found a cause in the generator
# (experiments/deprivation_range.py): the boroughs' discs overlapped, so a third of the pairs
# of schools within 1 km of each other were in different boroughs (real GM: 3 %) and the
# boroughs' different shares interleaved at the scale of a secondary's catchment; the
# neighbourhoods' deprivation itself was as clustered as real GM's LSOAs' (Gaussian
# correlation length fitted at 0.5-5 km: 1.2-1.4 km in seeds 1-3 against the LSOAs' 1.3 km,
# 1.05 km within boroughs). With territories of their own, the neighbourhoods' own borough
# means (`la_deprivation_shares`) and secondaries' shares drawn around their nearest
# primaries', refitted: 0.258, 0.250, 0.251 at seeds 1-3 (0.238, 0.243 at 4, 5), so seed 1
# passes and seeds 2 and 3 miss by 0.001-0.002 (at the session-9 refit's defaults, 90e9374:
# 0.259, 0.253, 0.253 against gm_real's 0.283, misses of 0.0007 and 0.0003). The rest is the
# real region's border, not the generator: gm_real sends 13 % of its Year 6 to secondaries
# across its border (its primaries' Year 6, roll / 7, 39,190; its secondaries' year groups,
# roll x 0.929 / 5, 34,140),
# and with its secondaries sized to seat its own Year 6 instead (every authority's pre-16
# share x 1.16: none leave) its secondaries' segregation is 0.257, 0.261, 0.265 at seeds 1-3
# (0.282, 0.282, 0.283 as it is; at bf133ed): the synthetic region, which is closed, is within
# 0.01 of that. The shipped data cannot say how many of GM's Year 6 really leave: the census
# gives no school's age range and no flows, and the same arithmetic over all of England, which
# has no such border, leaves 4.3 % of Year 6 without a Year 7 place (663,979 against 635,749),
# so at least a third of GM's 13 % is the arithmetic, not a flow.
# Session 10 (experiments/secondary_segregation.py: between boroughs = the index over their
# totals, within = their own indices weighted by pupils). The census's 0.278 is 0.164
# between and 0.228 within, and 0.259 without Trafford's seven grammar schools (4.9 % of
# their pupils eligible against 20.7 % in Trafford's other secondaries); gm_real's placed
# 0.283 is 0.166 and 0.229, 0.270 without them: the model, which admits nobody by
# attainment, gives them 10 % from where they stand. Synthetic GM was short on both parts
# (seeds 1-10: between 0.12-0.17, within 0.18-0.22) and moved 12-22 % of its secondary
# pupils across a borough border (gm_real 10 %), because its secondaries were drawn
# region-wide (seed 1: Manchester had 46,400 secondary pupils for 54,500 primary ones,
# Wigan 16,500 for 40,600). Each borough now has its share of the secondaries and seats its
# own Year 6 (`sim.region._phases`, `_seated_by_authority`): 10-14 % cross, and the index is
# 0.272, 0.265, 0.238 at seeds 1-3 (0.259, 0.253, 0.253 before; seeds 1-10: mean 0.253
# against 0.249, paired difference +0.004, 95 % interval -0.002 to +0.011: unclear), so
# seeds 1 and 2 pass and seed 3 misses by 0.015. Their mean is near the census's without
# Trafford's grammar schools (0.259: between 0.143, within 0.215), which neither region
# admits by attainment. Two experiments on the region-wide draw did not close it (not in
# the model): 7 of 19 of synthetic Trafford's secondaries as grammar schools with 0.16 of
# their area's share (Cribb et al. 2013, Poor Grammar: under 3 % of entrants eligible
# against 18 % locally) moved it by at most +0.003 (the placed share is the transition's,
# not the input's); admitting to them only the region's top quarter by attainment, among
# the families' 8 nearest candidates, moved it by -0.004 to +0.001 at seeds 1-3 (the
# grammars were left short of pupils) and gm_real's by +0.010. At the session-10 refit's
# defaults (885260e): gm_real 0.280, gm 0.269, 0.264, 0.236 at seeds 1-3 (seeds 1-10 mean
# 0.251), so seed 3 misses by 0.044. Not fixed: issue 13.
@pytest.mark.xfail(strict=True, reason="synthetic GM's secondaries less segregated than "
                                       "gm_real's 0.280 at start: seed 3 0.236 (seeds 1, 2: "
                                       "0.269, 0.264; refit 885260e), issue 13")
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


def test_synthetic_gm_neighbourhoods_have_their_boroughs_real_deprivation():
    """gm's `la_deprivation_shares` are the mean deprivation of each real borough's LSOAs
    (gm_real's neighbourhoods of that borough), not values chosen for the test."""
    cfg = compose_config(["region=gm"]).region
    real = build_region(compose_config(["region=gm_real"]).region, np.random.default_rng(0))
    for name, share in zip(cfg.la_names, cfg.la_deprivation_shares):
        mine = real.neighbourhood_la == real.la_names.index(name)
        assert share == pytest.approx(real.neighbourhood_deprivation[mine].mean(),
                                      abs=0.0005), name


def test_territory_is_the_nearest_centre_in_radii_by_hand():
    # Centres at 0 and 10 km, radii 5 and 10: at 4 km the distances in radii are 0.8 and
    # 0.6 (the second's); at 3 km 0.6 and 0.7 (the first's); at -1 km 0.2 and 1.1.
    centres, radius = np.array([[0.0, 0.0], [10.0, 0.0]]), np.array([5.0, 10.0])
    points = np.array([[4.0, 0.0], [3.0, 0.0], [-1.0, 0.0]])
    assert _territory(points, centres, radius).tolist() == [1, 0, 0]


def test_neighbourhoods_lie_in_their_own_disc_and_territory():
    # Three overlapping discs: every point is drawn again until it is in its own territory.
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 5.0]])
    radius = np.array([6.0, 3.0, 4.0])
    nb_la = np.repeat(np.arange(3), 400)
    pos, r = _own_territory(np.random.default_rng(1), nb_la, centres, radius)
    assert (_territory(pos, centres, radius) == nb_la).all()
    assert np.hypot(*(pos - centres[nb_la]).T) == pytest.approx(r)
    assert (r <= radius[nb_la]).all()


class MeanBeta:
    """A generator whose beta draw is the distribution's mean, a / (a + b)."""

    def beta(self, a, b):
        return a / (a + b)


def test_secondary_share_is_its_nearest_primaries_by_hand():
    # Primaries at 0, 1 and 10 km (rolls 100, 300, 200; expected shares 0.2, 0.4, 0.1);
    # secondaries at 0.5 km (nearest to the first two: (100 x 0.2 + 300 x 0.4) / 400 = 0.35),
    # 9 km (the third's 0.1) and 50 km (no primary's nearest: its own expected 0.3).
    cfg = compose_config(["region=gm"]).region
    pos = np.array([[0.0, 0], [1, 0], [10, 0], [0.5, 0], [9, 0], [50, 0]])
    phase = np.array([0, 0, 0, 1, 1, 1])
    pupils = np.array([100.0, 300, 200, 1000, 1000, 1000])
    expected = np.array([0.2, 0.4, 0.1, 0.9, 0.9, 0.3])
    share = _school_shares(cfg, MeanBeta(), expected, phase, pos, pupils)
    assert share == pytest.approx([0.2, 0.4, 0.1, 0.35, 0.1, 0.3])


def test_each_authority_s_neighbourhoods_average_its_given_share():
    # Two authorities: logits 0, 0 (shares 0.5 needs no shift) and 1, -1 (mean 0.3 needs
    # the shift o with (expit(1 + o) + expit(-1 + o)) / 2 = 0.3, about -1.054).
    cfg = compose_config(["region=gm", "region.n_local_authorities=2",
                          "region.la_fsm_shares=[0.5,0.3]", "region.la_names=[]",
                          "region.la_weights=[]", "region.la_centres_km=[]",
                          "region.la_deprivation_shares=[]"]).region
    logits, la = np.array([0.0, 0.0, 1.0, -1.0]), np.array([0, 0, 1, 1])
    shifted = logits + _share_offsets(cfg, logits, la)[la]
    assert expit(shifted[:2]) == pytest.approx([0.5, 0.5])
    assert expit(shifted[2:]).mean() == pytest.approx(0.3)
    assert shifted[2] - 1.0 == pytest.approx(-1.054, abs=0.001)
