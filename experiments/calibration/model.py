"""The model as the calibration sees it: parameter sets -> every seed's value of every target.

A job is one parameter set at one seed: it runs every scenario the targets need (θ as
overrides on top of the spec's `base`) and measures them with the declared targets' own
measures (`experiments/targets.yaml`), so one definition of each target serves validation
and calibration. Jobs run in parallel (joblib; its workers are reused across waves, so the
start-up cost is paid once per worker) and return only numbers. A run that cannot be set up
(`ConfigError`, e.g. Families cannot be formed in a seed's region) gives NaN for the
targets that need it; the record counts them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from experiments.calibration.bayes import Target
from experiments.validation import checks as checks_mod
from experiments.validation import runner
from sim.overrides import override


def theta_overrides(names: Sequence[str], values: Sequence[float]) -> list[str]:
    # Six significant digits: the values as the record and the ensemble show them.
    return [override(k, format(float(v), ".6g")) for k, v in zip(names, values)]


def job(target_ids: tuple[str, ...], extra: tuple[str, ...], seed: int) -> list[float]:
    """Every target's value at one parameter set and seed."""
    checks = checks_mod.select(list(target_ids))
    scenarios = sorted({s for c in checks for s in c.scenarios})
    runs = {(s, seed): runner.run_one(s, seed, extra) for s in scenarios}
    values = runner.measure(checks, [seed], runs)
    return values["value"].astype(float).tolist()


class ModelEvaluator:
    """`target_seeds` {target: k}: that target is measured (its scenarios run) at the first k
    seeds of each set only; its other seeds give no row."""

    def __init__(self, target_ids: Sequence[str], names: Sequence[str], base: Sequence[str] = (),
                 n_jobs: int = -1, target_seeds: dict[str, int] | None = None):
        self.target_ids = tuple(target_ids)
        self.names = list(names)
        self.base = list(base)
        self.target_seeds = dict(target_seeds or {})
        self.parallel = Parallel(n_jobs=n_jobs)

    def measured_at(self, seed_index: int) -> tuple[str, ...]:
        """The targets measured at a set's seed number `seed_index` (0 = its first)."""
        return tuple(t for t in self.target_ids
                     if seed_index < self.target_seeds.get(t, seed_index + 1))

    def __enter__(self):
        self.parallel.__enter__()
        return self

    def __exit__(self, *exc):
        return self.parallel.__exit__(*exc)

    def __call__(self, values: np.ndarray, seeds: list[list[int]]) -> pd.DataFrame:
        jobs = [(i, seed, self.measured_at(j)) for i, point_seeds in enumerate(seeds)
                for j, seed in enumerate(point_seeds)]
        out = self.parallel(delayed(job)(ids,
                                         tuple(self.base + theta_overrides(self.names, values[i])),
                                         seed) for i, seed, ids in jobs)
        return pd.DataFrame([{"point": i, "seed": seed, "target": t, "value": v}
                             for (i, seed, ids), vs in zip(jobs, out)
                             for t, v in zip(ids, vs)])


def targets_of(target_ids: Sequence[str]) -> list[Target]:
    out = []
    for check in checks_mod.select(list(target_ids)):
        lo, hi = check.band
        upper = check.bound == checks_mod.UPPER
        centre = (lo + hi) / 2 if upper else float(check.centre)
        out.append(Target(check.id, centre, (hi - lo) / 2, upper))
    return out
