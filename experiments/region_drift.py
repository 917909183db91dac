"""Where free-school-meal segregation goes from the start: synthetic regions beside the real
ones, under scheme=none (issue 13, after the pupils issue made segregation an outcome of
intake and transition).

    python -m experiments.region_drift                          # gm, gm_real; 3 seeds, 10 years
    python -m experiments.region_drift --regions gm gm_real england england_real --seeds 1 2 3

Prints, per region, the segregation (dissimilarity of disadvantaged and other pupils across
schools) of every metrics column that measures it, at the start and after `--years`, as the
mean and the range over the seeds. Nothing is fitted to these figures: the synthetic regions'
inputs are fitted to the real regions' *starting* statistics only
(experiments/data/fit_synthetic_regions.py).
"""

from __future__ import annotations

import argparse

import numpy as np

import sim


def segregation_columns(metrics) -> list[str]:
    return [c for c in metrics.columns if c.startswith("segregation")]


def drift(region: str, seeds, years: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{column: (values at the start, values at the end)} over the seeds."""
    start, end = {}, {}
    for seed in seeds:
        metrics = sim.run([f"region={region}", "scheme=none", f"years={years}",
                           f"seed={seed}"], progress=False).metrics
        for column in segregation_columns(metrics):
            start.setdefault(column, []).append(float(metrics[column].iloc[0]))
            end.setdefault(column, []).append(float(metrics[column].iloc[-1]))
    return {c: (np.array(start[c]), np.array(end[c])) for c in start}


def spread(values: np.ndarray) -> str:
    return f"{values.mean():.3f} ({values.min():.3f}-{values.max():.3f})"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", nargs="+", default=["gm", "gm_real"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args(argv)
    print(f"scheme=none, {args.years} years, seeds {args.seeds}: mean (range over seeds)")
    for region in args.regions:
        for column, (start, end) in drift(region, args.seeds, args.years).items():
            print(f"{region:13} {column:24} start {spread(start)}  year {args.years} "
                  f"{spread(end)}", flush=True)


if __name__ == "__main__":
    main()
