"""What makes Greater Manchester's secondaries segregated (issue 13): the census shares of
real GM beside the pupils the model places at the start in `gm_real` and in the synthetic
`gm`, split between and within boroughs, with and without Trafford's selective schools.
The measurement behind the secondaries' strict xfail in tests/test_region_calibration.py.

    python -m experiments.secondary_segregation                  # gm_real seed 1, gm seeds 1-3
    python -m experiments.secondary_segregation --seeds 1 2 3 4 5

Each line gives the dissimilarity of disadvantaged and other pupils across secondaries
(`sim.metrics.dissimilarity`), the between-borough part (the same index over the boroughs'
totals: what the boroughs' different shares alone give) and the within-borough part (each
borough's own index, weighted by its pupils), and the index without the selective schools.
The census line counts each school's roll x its free-school-meal share (January 2023); the
model lines count the pupils on roll after the spin-up (`sim.pupils.system`), Years 7-11.

Trafford is GM's one selective authority: seven grammar schools (`TRAFFORD_SELECTIVE`),
which admit by an eleven-plus test, so their intakes are far less disadvantaged than their
neighbourhoods' (nationally under 3 % of grammar school entrants are eligible for free school
meals against 18 % of pupils in their local areas: Cribb, Jesson, Sibieta, Skipp & Vignoles
2013, *Poor Grammar*, Sutton Trust). The census has no admissions-policy field, so they are
named here by URN.
"""

from __future__ import annotations

import argparse

import numpy as np

from sim.compose import compose_config
from sim.geography import SECONDARY
from sim.metrics import dissimilarity
from sim.model import SchoolSystem
from sim.region import build_region

# Trafford's grammar schools (Trafford Council's list of its selective schools; DfE's list of
# England's 163 grammar schools): Stretford Grammar, Sale Grammar, Altrincham Grammar School
# for Boys, Urmston Grammar, Altrincham Grammar School for Girls, St Ambrose College, Loreto
# Grammar. William Hulme's Grammar (Manchester) is not selective.
TRAFFORD_SELECTIVE = (106368, 136498, 136458, 136297, 137289, 138134, 138464)


def between_and_within(disadvantaged: np.ndarray, other: np.ndarray,
                       la: np.ndarray) -> tuple[float, float]:
    """(between, within): the dissimilarity of the boroughs' totals, and the boroughs' own
    dissimilarities weighted by their pupils (boroughs with nobody of a group left out)."""
    between = dissimilarity(np.bincount(la, disadvantaged), np.bincount(la, other))
    own = [(dissimilarity(disadvantaged[la == b], other[la == b]),
            (disadvantaged[la == b] + other[la == b]).sum()) for b in np.unique(la)]
    own = [(d, n) for d, n in own if not np.isnan(d)]
    index, pupils = np.array(own).T
    return between, float((index * pupils).sum() / pupils.sum())


def line(name: str, disadvantaged, other, la, selective) -> str:
    between, within = between_and_within(disadvantaged, other, la)
    keep = ~selective
    return (f"{name:22} {dissimilarity(disadvantaged, other):.3f}  between {between:.3f}  "
            f"within {within:.3f}  without selective "
            f"{dissimilarity(disadvantaged[keep], other[keep]):.3f} ({selective.sum()} schools)")


def census_line(cfg) -> str:
    region = build_region(cfg, np.random.default_rng(0))
    secondary = region.phase == SECONDARY
    pupils, share = region.pupils[secondary], region.disadvantaged_share[secondary]
    return line("census (gm_real)", pupils * share, pupils * (1 - share), region.la[secondary],
                np.isin(region.urn[secondary], TRAFFORD_SELECTIVE))


def placed_line(region_name: str, seed: int) -> str:
    model = SchoolSystem(compose_config([f"region={region_name}", "scheme=none",
                                         f"seed={seed}"]))
    region, state = model.region, model.state
    secondary = region.phase == SECONDARY
    selective = (np.isin(region.urn[secondary], TRAFFORD_SELECTIVE) if region.urn is not None
                 else np.zeros(secondary.sum(), bool))
    return line(f"placed {region_name} seed {seed}", state.pupils_disadvantaged[secondary]
                .astype(float), state.pupils_other[secondary].astype(float),
                region.la[secondary], selective)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args(argv)
    print(census_line(compose_config(["region=gm_real"]).region), flush=True)
    print(placed_line("gm_real", args.seeds[0]), flush=True)
    for seed in args.seeds:
        print(placed_line("gm", seed), flush=True)


if __name__ == "__main__":
    main()
