"""The model as the calibration sees it: θ -> replicate mean of every target's measure.

Each evaluation runs every scenario the target checks need at every replicate seed, with
θ as overrides on top of the spec's `base`, in parallel (joblib, workers reused across
trials), and measures them with the validation checks' own measures — one definition of
each target for validation and calibration.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from joblib import Parallel, delayed

from experiments.validation import checks as checks_mod
from experiments.validation import runner
from sim.overrides import override


def theta_overrides(theta: dict[str, float]) -> list[str]:
    # Six significant digits: the trial's values as the record and the config file show them.
    return [override(k, format(v, ".6g")) for k, v in theta.items()]


class ModelEvaluator:
    def __init__(self, target_ids: Sequence[str], seeds: Sequence[int], base: Sequence[str] = (),
                 n_jobs: int = -1):
        self.checks = checks_mod.select(list(target_ids))
        self.seeds = list(seeds)
        self.base = list(base)
        self.scenarios = sorted({s for c in self.checks for s in c.scenarios})
        self.parallel = Parallel(n_jobs=n_jobs)
        self.evaluations = 0

    def __enter__(self):
        self.parallel.__enter__()
        return self

    def __exit__(self, *exc):
        return self.parallel.__exit__(*exc)

    def per_seed(self, theta: dict[str, float]):
        extra = tuple(self.base + theta_overrides(theta))
        jobs = [(s, seed) for seed in self.seeds for s in self.scenarios]
        out = self.parallel(delayed(runner.run_one)(s, seed, extra) for s, seed in jobs)
        return runner.measure(self.checks, self.seeds, dict(zip(jobs, out)))

    def __call__(self, theta: dict[str, float]) -> dict[str, float]:
        self.evaluations += 1
        values = self.per_seed(theta)
        out = {}
        for check in self.checks:
            rows = values[(values["check"] == check.id) & (values["error"] == "")]
            v = rows["value"].to_numpy(float)   # seeds whose runs could be set up
            out[check.id] = float(np.mean(v)) if len(v) and not np.isnan(v).any() \
                else float("nan")
        return out


def targets_of(target_ids: Sequence[str]):
    from experiments.calibration.fit import Target

    out = []
    for check in checks_mod.select(list(target_ids)):
        lo, hi = check.band
        out.append(Target(check.id, float(check.centre), (hi - lo) / 2))
    return out
