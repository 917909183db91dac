"""How far deprivation is shared between neighbours, real Greater Manchester beside the
synthetic `gm` (issue 13): the measurement behind `sim.region`'s territories and the
secondaries' segregation test in tests/test_region_calibration.py.

    python -m experiments.deprivation_range                  # gm_real, then gm seeds 1-3
    python -m experiments.deprivation_range --seeds 1 2 3 4 5

Prints, for the real LSOAs (their income deprivation: the IMD 2019 income rank, as normal
scores; and the count of income-deprived children, IDACI numerator, where not suppressed:
the data give no LSOA's number of children, so it is a count, not a share) and for each
synthetic draw's neighbourhoods:
- Moran's I (`sim.region_stats.correlogram`) in bands of 0.5-1 km from 0.5 to 5 km, pooled
  and within authorities (each authority's mean taken out);
- the correlation length: c exp(-d^2 / (2 L^2)) fitted by least squares to the correlogram
  in 0.25 km bands from 0.5 to 5 km (the generator's field has this form: `spatial_field`;
  on one draw of a field of known range over 24 km the fit is within about 15 %:
  tests/test_deprivation_range.py; real and synthetic are measured the same way);
- the share of pairs of schools within 1, 2 and 3 km of each other that are in different
  authorities (real authorities tile the map);
- the dissimilarity of disadvantaged and other Year 6 pupils were each primary's Year 6
  (roll / 7) at the secondary nearest it: the segregation the map alone gives secondaries,
  before families choose.
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.optimize import curve_fit
from scipy.spatial import cKDTree

from sim.compose import compose_config
from sim.geography import PRIMARY, SECONDARY
from sim.region import build_region
from sim.region_stats import correlogram, normal_scores

SHOWN_KM = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0)
FIT_KM = tuple(np.arange(0.5, 5.001, 0.25))


def within_authorities(values: np.ndarray, la: np.ndarray) -> np.ndarray:
    return values - np.bincount(la, values)[la] / np.bincount(la)[la]


def correlation_length(pos_km: np.ndarray, values: np.ndarray) -> tuple[float, float]:
    """(c, L) of c exp(-d^2 / (2 L^2)) fitted to Moran's I in 0.25 km bands, 0.5-5 km."""
    moran = correlogram(pos_km, values, FIT_KM)
    middle = 0.5 * (np.array(FIT_KM[1:]) + np.array(FIT_KM[:-1]))
    known = ~np.isnan(moran)
    (c, length), _ = curve_fit(lambda d, c, r: c * np.exp(-d**2 / (2 * r**2)),
                               middle[known], moran[known], p0=(0.5, 1.0))
    return c, abs(length)


def cross_authority_pairs(pos_km: np.ndarray, la: np.ndarray, within_km: float) -> float:
    pairs = cKDTree(pos_km).query_pairs(within_km, output_type="ndarray")
    return float((la[pairs[:, 0]] != la[pairs[:, 1]]).mean())


def nearest_secondary_segregation(region) -> float:
    primary, secondary = region.phase == PRIMARY, region.phase == SECONDARY
    year6 = region.pupils[primary] / 7
    share = region.disadvantaged_share[primary]
    _, nearest = cKDTree(region.pos_km[secondary]).query(region.pos_km[primary])
    dis = np.bincount(nearest, year6 * share, secondary.sum())
    other = np.bincount(nearest, year6 * (1 - share), secondary.sum())
    return 0.5 * float(np.abs(dis / dis.sum() - other / other.sum()).sum())


def line(name: str, pos_km: np.ndarray, values: np.ndarray, la: np.ndarray) -> str:
    pooled = correlogram(pos_km, values, SHOWN_KM)
    within = correlogram(pos_km, within_authorities(values, la), SHOWN_KM)
    c, length = correlation_length(pos_km, values)
    c_w, length_w = correlation_length(pos_km, within_authorities(values, la))
    return (f"{name:34} pooled {' '.join(f'{v:5.2f}' for v in pooled)}  L {length:.2f} km "
            f"(c {c:.2f}) | within {' '.join(f'{v:5.2f}' for v in within)}  "
            f"L {length_w:.2f} km (c {c_w:.2f})")


def schools_line(name: str, region) -> str:
    mixed = [cross_authority_pairs(region.pos_km, region.la, km) for km in (1, 2, 3)]
    return (f"{name:34} schools in different authorities within 1, 2, 3 km: "
            f"{' '.join(f'{m:.3f}' for m in mixed)}; nearest-secondary segregation "
            f"{nearest_secondary_segregation(region):.3f}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    args = parser.parse_args(argv)
    bands = " ".join(f"{lo:g}-{hi:g}" for lo, hi in zip(SHOWN_KM[:-1], SHOWN_KM[1:]))
    print(f"Moran's I at {bands} km; L: fitted correlation length")
    real = build_region(compose_config(["region=gm_real"]).region, np.random.default_rng(0))
    mine = real.neighbourhood_la >= 0
    pos, la = real.neighbourhood_pos_km[mine], real.neighbourhood_la[mine]
    print(line("gm_real LSOAs, income rank", pos,
               normal_scores(real.neighbourhood_deprivation[mine]), la))
    children = real.neighbourhood_income_deprived_children[mine]
    known = ~np.isnan(children)
    print(line("gm_real LSOAs, deprived children", pos[known],
               normal_scores(children[known]), la[known]))
    print(schools_line("gm_real", real))
    for seed in args.seeds:
        drawn = build_region(compose_config(["region=gm"]).region, np.random.default_rng(seed))
        # A synthetic region records no neighbourhood's authority: its nearest school's.
        _, nearest = cKDTree(drawn.pos_km).query(drawn.neighbourhood_pos_km)
        nb_la = drawn.la[nearest]
        print(line(f"gm seed {seed} neighbourhoods", drawn.neighbourhood_pos_km,
                   normal_scores(drawn.neighbourhood_deprivation), nb_la))
        print(schools_line(f"gm seed {seed}", drawn))


if __name__ == "__main__":
    main()
