"""Pattern tests of practices, the network and trust (issue 12), over ten seeds.

Each pattern holds when the mean over seeds goes the stated way and the direction holds in
a majority of seeds (paired comparisons share the region, the starting state and every draw
the settings do not change). They run whole simulations, so they are slow-marked.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from experiments import network_structure
from experiments.validation import measures
from experiments.validation.runner import run_one

SEEDS = tuple(range(1, 11))
NETWORK = ("scheme=network", "years=10")

pytestmark = pytest.mark.slow


@lru_cache(maxsize=None)
def network_run(seed: int):
    """The network scheme's default graph on a 300-school synthetic region."""
    return sim.run([*NETWORK, "region.n_schools=300", f"seed={seed}"], progress=False)


def created(diffusion):
    return diffusion[diffusion["origin"] >= 0]


# Since session 9 (created practice's effectiveness drawn, 7db74a2; synthetic GM's
# territories, a0c8241) these are below their bars; re-measured at the session-10 refit's
# defaults (885260e) with this module's own structure_measures and paired_interval (one
# process, 18:49-18:59 UTC, load 4-6). Strict: each fails again once reproduced; the
# expectations are the and are not changed. Why (docs/network_structure.md,
# session 10): at ten years Watts-Strogatz rewiring spreads the number of partners (2-12 a
# school at p = 1) and schools with many spend the leadership days that in-school work and
# take-up need, so the mean falls with p; with every school kept at 4 partners
# (scheme.generator=degree_preserving_ring) it rises a little and levels off. At thirty
# years the mean and the difference between schools rise with p to the random graph.
CROSS_LINKS_NOT_RESOLVED = pytest.mark.xfail(strict=True, reason=(
    "Not resolved at the session-10 refit's defaults (885260e): early reach at p = 0.2 minus "
    "the lattice +0.000001 (a share of schools) on average, up in 6 of seeds 1-10, paired 95 % "
    "interval [-0.000011, +0.000012]: not told apart from no effect (it was at the session-7 "
    "and -8 refits). Spread is subcritical: about 0.4 take-ups beyond the pair per created "
    "practice."))
TEN_YEAR_OPTIMUM_LOST = pytest.mark.xfail(strict=True, reason=(
    "Not reproduced at the session-10 refit's defaults (885260e): mean expertise at year 10 "
    "falls with p over seeds 1-30: p = 0.3 minus the lattice -0.0039 [-0.0047, -0.0031] (0 of "
    "30 up), p = 0.3 minus p = 1 +0.0035 [+0.0028, +0.0041] (30 of 30), p = 1 minus the "
    "lattice -0.0074 [-0.0081, -0.0067]: the lattice does best."))
LONG_RUN_OPTIMUM_LOST = pytest.mark.xfail(strict=True, reason=(
    "Not reproduced at the session-10 refit's defaults (885260e): mean expertise at year 30 "
    "rises with p to the random graph over seeds 1-20: p = 0.3 minus the lattice +0.0151 "
    "[+0.0116, +0.0187] (20 of 20), but p = 0.3 minus p = 1 -0.0059 [-0.0108, -0.0009] (5 of "
    "20): the random graph does better."))
LONG_RUN_DIVERSITY_RISES = pytest.mark.xfail(strict=True, reason=(
    "Not reproduced at the session-10 refit's defaults (885260e): at year 30 the difference "
    "between schools is higher on the random graph than on the lattice: p = 1 minus p = 0 "
    "+0.0202 [+0.0180, +0.0223] over seeds 1-20 (20 of 20 up); it was below 0 at fe11969, "
    "0644a39 and the session-8 refit."))


def test_a_created_practice_reaches_schools_three_or_more_steps_away():
    far = []
    for seed in SEEDS:
        d = created(network_run(seed).diffusion)
        far.append(int((d["max_hops"].fillna(0) >= 3).any()))
    assert sum(far) > len(SEEDS) / 2, far


@CROSS_LINKS_NOT_RESOLVED
def test_cross_group_links_speed_diffusion_with_the_same_number_of_links():
    """Ring lattice (p = 0) against the same ring with a fifth of its links rewired across
    the ring (p = 0.2): the same number of links, more of them across groups. Practices
    created in the first five years reach more schools by year 10 (issue 12: "adding
    cross-group links speeds diffusion": how far practice gets in a given time). On the
    whole GM region: on a 300-school region the ~60 practices a run created at the earlier
    defaults were too few to see it (15 of seeds 1-20 went the stated way there, 19 of 20
    on GM). Strict xfail at the session-6 refit's defaults (learning_rate 0.2125: reach
    -0.0007 schools, 6 of 10 seeds); passes at the session-7 refit's (61b9976: learning_rate
    0.207, creation_rate 0.882), the paired interval above 0 (slow run at 9a7ddca)."""
    links = [structure_measures(s, p, 10)["links"] for s in SEEDS for p in (0.0, 0.2)]
    assert len(set(links)) == 1, links
    diff = np.array([structure_measures(s, 0.2, 10)["early_reach"]
                     - structure_measures(s, 0.0, 10)["early_reach"] for s in SEEDS])
    assert diff.mean() > 0 and (diff > 0).sum() > len(SEEDS) / 2, diff
    # Added in session 6: with no effect at all the two lines above pass about one time in
    # three (six of ten seeds up by chance); the paired interval is the file's rule for the
    # other network-structure comparisons.
    assert paired_interval(0.0, 0.2, "early_reach")[0] > 0, diff


@lru_cache(maxsize=None)
def structure_measures(seed: int, p: float, years: int) -> dict:
    """Mean expertise, how different schools' practices are, the mean reach (share of
    schools) of the practices created in the first five years, in the last year, and the
    number of links, on the whole GM region with the Watts-Strogatz ring rewired with probability p
    (`network_structure`). Only these numbers are kept (a whole run's tables are kept for
    the 300-school runs above: about a hundred GM runs' would take gigabytes)."""
    result = sim.run(["scheme=network", f"years={years}", "region.n_schools=1150",
                      f"scheme.p={p}", f"seed={seed}"], progress=False)
    final = result.diffusion.assign(job=0)
    final = final[final["year"] == final["year"].max()]
    difference = network_structure.between_school_difference(
        final, pd.Series({0: result.summary["n_schools"]}))
    made = created(final)
    early = made[made["created_week"] <= network_structure.EARLY_YEARS * 39]
    return {"expertise_mean": float(result.metrics["expertise_mean"].iloc[-1]),
            "between_school_difference": float(difference.iloc[0]),
            "early_reach": float(early["reach"].mean()),
            "links": int(result.summary["n_partnerships"])}


def paired_interval(a: float, b: float, measure: str, seeds: tuple[int, ...] = SEEDS,
                    years: int = 10) -> tuple[float, float]:
    """95 % t-interval over the seeds of the mean of (value at p=b - value at p=a)."""
    diff = np.array([structure_measures(s, b, years)[measure]
                     - structure_measures(s, a, years)[measure] for s in seeds])
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
    return diff.mean() - half, diff.mean() + half


def test_diversity_between_schools_responds_to_network_structure():
    """Issue 12, pattern 3: the difference between schools' practices responds to rewiring
    the same 2,300 links from a lattice (p = 0) to a random graph (p = 1): the 95 % interval
    of the paired difference over ten seeds excludes 0 (it rises: random partners are further
    apart, so the starting catalogue's practices are copied less; docs/network_structure.md)."""
    low, high = paired_interval(0.0, 1.0, "between_school_difference")
    assert low > 0 or high < 0, (low, high)


# Seeds 1-10 suggested the optimum at p = 0.3 (0.3 minus the random graph +0.0016, interval
# -0.0007 to +0.0039, 8 of 10); written down (the helpers' board, 11:14 UTC) before seeds
# 11-30 were run, which confirmed it (+0.0016, +0.0004 to +0.0028). Twenty more seeds: the
# optimum is about a third of the lattice-to-peak rise, too small for ten seeds to resolve.
SHAPE_SEEDS = tuple(range(1, 31))


@TEN_YEAR_OPTIMUM_LOST
def test_moderate_linking_does_better_than_both_extremes():
    """Issue 12, pattern 3, against Cowan & Jonard 2004 (knowledge diffusion by barter peaks
    at small-world rewiring), Lazer & Friedman 2007 and Fang, Lee & Schilling 2010 (moderate
    linking does best): mean expertise at year 10 at p = 0.3 (clustering 0.50 -> 0.18, mean
    path 144 -> 6.3 steps) is above both the lattice and the random graph, each by a paired
    95 % interval over seeds 1-30 that excludes 0. Why (docs/network_structure.md): rewiring
    sets how far apart partners are; lattice partners, sharing their other partners, grow
    alike and create less and from a narrower best (creation rises with their distance), while
    partners too far apart understand less of each other and adopt less (the two sides of
    the cognitive-distance inverted U).

    History: held at the issue-14 refit's defaults (2cdee4c, p = 0.2 tested); failed before
    that refit (learning rate 0.38, creation rate 0.05: a monotone fall) and at the session-6
    refit's (3447e66: p = 0.2 not told apart from the random graph; strict xfail). At the
    session-7 refit's defaults (61b9976) p = 0.2 is still not told apart from the random
    graph (+0.0005, -0.0005 to +0.0014, 17 of seeds 1-30) but p = 0.3 was. After the synthetic
    GM region changed (86d693f, same rates) it was not (+0.0005 [-0.0006, +0.0015], 16 of 30:
    a strict xfail at 9f37c0c); at the session-8 refit's defaults (learning rate 0.244,
    creation rate 0.703) it holds again, narrowly: +0.0031 [+0.0022, +0.0039] above the
    lattice (28 of 30), +0.0011 [+0.0002, +0.0019] above the random graph (21 of 30). A
    real check on a small, fragile optimum, not a margin."""
    assert paired_interval(0.0, 0.3, "expertise_mean", SHAPE_SEEDS)[0] > 0
    assert paired_interval(1.0, 0.3, "expertise_mean", SHAPE_SEEDS)[0] > 0


# Thirty years, seeds 1-20: 60 GM runs of thirty years, about ten minutes on one core.
LONG_RUN_YEARS, LONG_RUN_SEEDS = 30, tuple(range(1, 21))


@LONG_RUN_OPTIMUM_LOST
def test_in_the_long_run_moderate_linking_does_better_than_both_extremes():
    """Issue 12, pattern 3 in the long run (the literature's claims are about it): mean
    expertise at year 30 at p = 0.3 is above both the lattice and the random graph, each by
    a paired 95 % interval over seeds 1-20 that excludes 0. Found at fe11969 on seeds 1-20
    (+0.0022 and +0.0029); held on the changed synthetic GM (0644a39: +0.0019 [+0.0007,
    +0.0032] and +0.0033 [+0.0019, +0.0047]), where the ten-year optimum did not, and was
    confirmed there on seeds 21-30, written on the helpers' board before they ran (+0.0034
    [+0.0012, +0.0056] and +0.0038 [+0.0016, +0.0059]). At the session-8 refit's defaults
    +0.0045 [+0.0030, +0.0059] and +0.0023 [+0.0006, +0.0040]. Why: docs/network_structure.md."""
    seeds, years = LONG_RUN_SEEDS, LONG_RUN_YEARS
    assert paired_interval(0.0, 0.3, "expertise_mean", seeds, years)[0] > 0
    assert paired_interval(1.0, 0.3, "expertise_mean", seeds, years)[0] > 0


@LONG_RUN_DIVERSITY_RISES
def test_in_the_long_run_linking_cuts_the_difference_between_schools():
    """Issue 12, pattern 3, diversity in the long run: at year 30 the difference between
    schools' practices is lower on the random graph than on the lattice (the paired 95 %
    interval over seeds 1-20 below 0): the direction of Lazer & Friedman 2007 and Fang, Lee
    & Schilling 2010, though not their mechanism (the old shared practices survive longer
    where partners take up fewer of each other's; docs/network_structure.md). At ten years
    it goes the other way (`test_diversity_between_schools_responds_to_network_structure`).
    At fe11969 -0.0023 [-0.0025, -0.0021], at 0644a39 -0.0023 [-0.0024, -0.0021], at the
    session-8 refit's defaults -0.0028 [-0.0030, -0.0026], 0 of seeds 1-20 above the lattice
    each time."""
    low, high = paired_interval(0.0, 1.0, "between_school_difference", LONG_RUN_SEEDS,
                                LONG_RUN_YEARS)
    assert high < 0, (low, high)


def test_partnerships_outliving_the_funding_keep_more_of_their_gains():
    """Validation check 7b, now defined: GM Challenge families still meeting at year 8 keep
    a larger share of their year-3 gain than those that stopped."""
    values = []
    for seed in SEEDS:
        runs = {"programme": run_one("gm_challenge_8y", seed),
                "comparison": run_one("none_8y", seed)}
        values.append(measures.retention_where_partnerships_outlive(runs))
    values = np.array(values)
    assert np.isfinite(values).sum() > len(SEEDS) / 2, values
    kept = values[np.isfinite(values)]
    assert kept.mean() > 0 and (kept > 0).sum() > len(kept) / 2, values


@pytest.mark.parametrize("scheme", ["trios", "families"])
def test_with_defaults_partnerships_last_and_trust_rises_in_the_first_years(scheme):
    """Of the groups formed at the start (re-brokered ones come after them and do not
    count), a share is still active at year 10; mean trust rises over the first years."""
    active_share, trust_rise = [], []
    for seed in SEEDS:
        result = sim.run([f"scheme={scheme}", f"seed={seed}"], progress=False)
        m = result.metrics
        yearly = m[m["week"] % 39 == 0].reset_index(drop=True)
        formed = int(yearly["active_partnerships"].iloc[0])
        links = result.partnerships
        first = links[links["group"] < formed].groupby("group")["active"].first()
        active_share.append(first.sum() / formed)
        trust_rise.append(yearly["mean_trust"].iloc[3] - yearly["mean_trust"].iloc[0])
    assert all(0 < s for s in active_share), active_share
    assert np.mean(trust_rise) > 0 and sum(t > 0 for t in trust_rise) > 5, trust_rise
