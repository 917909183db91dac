"""The calibration: history matching with Gaussian-process emulators, then the posterior.

1. Wave 1: a Latin hypercube of `design_points` parameter sets over the prior ranges, each
   run at `seeds_per_point` seeds of its own (no two points share a seed, so seed noise is
   independent between points, as the emulators' noise term assumes).
2. One emulator per target (`emulator`), fitted to every seed's value.
3. Reachability (`bayes.reachability`): a target no parameter set reaches is reported and
   left out of the likelihood.
4. The posterior on the emulators (`bayes.importance_sample`).
5. Each later wave runs `wave_points` sets drawn from the current posterior (history
   matching's refocusing: the emulators learn where the posterior is), then 2-4 again.
6. The ensemble: `posterior_size` sets resampled from the posterior.

The sampler is seeded (`sampler_seed`) and the model runs are deterministic in their seeds,
so the same spec gives the same posterior whatever the number of processes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from threadpoolctl import threadpool_limits

from experiments.calibration import bayes, design
from experiments.calibration.bayes import Reach, Target
from experiments.calibration.emulator import Emulator, fit_emulator
from experiments.spec import Parameter

FOLDS = 5            # cross-validation of the emulators, by design point
LEVEL = 0.90         # posterior intervals and the emulators' predictive intervals
PINNED, PARTLY = 0.5, 0.2   # posterior contraction: pinned down / partly constrained
EDGE = 0.05          # a posterior median this close to an end of the range (unit scale)

# evaluate(values (n, d), seeds per point) -> rows point, seed, target, value
Evaluate = Callable[[np.ndarray, list[list[int]]], pd.DataFrame]


@dataclass(frozen=True)
class Budget:
    design_points: int = 40
    waves: int = 2
    wave_points: int = 30
    seeds_per_point: int = 3
    posterior_size: int = 200
    candidates: int = 16384
    cutoff: float = bayes.CUTOFF
    sampler_seed: int = 1

    @property
    def points(self) -> int:
        return self.design_points + (self.waves - 1) * self.wave_points


@dataclass
class FitResult:
    parameters: tuple[Parameter, ...]
    targets: tuple[Target, ...]
    runs: pd.DataFrame             # wave, point, seed, the parameters, target, value
    reach: dict[str, Reach]
    emulators: dict[str, Emulator]
    ensemble: pd.DataFrame         # posterior_size parameter sets (the shipped ensemble)
    ess: float                     # effective sample size of the final importance sample
    budget: Budget
    summary: pd.DataFrame = field(default=None)       # one row per parameter
    correlations: pd.DataFrame = field(default=None)  # of the ensemble (unit scale)
    predictive: pd.DataFrame = field(default=None)    # per target: emulated value over it
    informs: pd.DataFrame = field(default=None)       # target x parameter
    diagnostics: pd.DataFrame = field(default=None)   # per target: the emulator's checks

    @property
    def fitted(self) -> list[Target]:
        return [t for t in self.targets if self.reach[t.id].reachable]


def calibrate(parameters: Sequence[Parameter], targets: Sequence[Target], evaluate: Evaluate,
              budget: Budget, progress: Callable[[str], None] = lambda _: None) -> FitResult:
    # One BLAS thread for the emulators: the model runs use the cores, and a threaded BLAS
    # on a busy machine made a GP fit ten times slower (31 s against 3 s, load 13 on 2 cores).
    with threadpool_limits(1):
        return _calibrate(tuple(parameters), tuple(targets), evaluate, budget, progress)


def _calibrate(parameters, targets, evaluate, budget, progress) -> FitResult:
    rng = np.random.default_rng(budget.sampler_seed)
    d = len(parameters)
    candidates = design.sobol(d, budget.candidates, rng)
    u = design.latin_hypercube(d, budget.design_points, rng)
    runs = pd.DataFrame()
    for wave in range(1, budget.waves + 1):
        new = _run_wave(parameters, evaluate, u, wave, _points(runs), budget.seeds_per_point)
        runs = pd.concat([runs, new], ignore_index=True)
        emulators = fit_emulators(parameters, targets, runs, budget.sampler_seed)
        reach = {t.id: bayes.reachability(t, emulators[t.id], candidates, budget.cutoff)
                 if t.id in emulators else bayes.unmeasured(t, _defined(runs, t.id))
                 for t in targets}
        fitted = [t for t in targets if reach[t.id].reachable]
        sample = bayes.importance_sample(
            lambda x: bayes.log_likelihood(fitted, emulators, x), d, budget.candidates, rng)
        progress(f"wave {wave}/{budget.waves}: {_points(runs)} points, "
                 f"{len(fitted)} of {len(targets)} targets reachable, ESS {sample.ess:.0f}")
        if wave < budget.waves:
            u = bayes.resample(sample, budget.wave_points, rng)
    ensemble_u = bayes.resample(sample, budget.posterior_size, rng)
    ensemble = pd.DataFrame(design.to_parameters(parameters, ensemble_u),
                            columns=[p.name for p in parameters])
    result = FitResult(parameters, targets, runs, reach, emulators, ensemble, sample.ess, budget)
    result.summary = parameter_summary(parameters, ensemble_u)
    result.correlations = pd.DataFrame(np.corrcoef(ensemble_u.T), index=ensemble.columns,
                                       columns=ensemble.columns)
    result.predictive = predictive(targets, emulators, ensemble_u, reach)
    result.informs = informs(parameters, targets, emulators, ensemble_u)
    result.diagnostics = diagnostics(parameters, targets, runs, emulators, budget.sampler_seed)
    return result


def _points(runs: pd.DataFrame) -> int:
    return 0 if runs.empty else int(runs["point"].max()) + 1


def _run_wave(parameters, evaluate: Evaluate, u: np.ndarray, wave: int, first_point: int,
              seeds_per_point: int) -> pd.DataFrame:
    """Run the points of a wave; each point gets seeds no other point uses."""
    values = design.to_parameters(parameters, u)
    seeds = [[1 + (first_point + i) * seeds_per_point + j for j in range(seeds_per_point)]
             for i in range(len(u))]
    rows = evaluate(values, seeds)
    rows["point"] = rows["point"] + first_point
    table = pd.DataFrame(values, columns=[p.name for p in parameters])
    table["point"] = np.arange(first_point, first_point + len(u))
    return rows.merge(table, on="point").assign(wave=wave)


def unit_points(parameters, runs: pd.DataFrame) -> np.ndarray:
    return design.to_unit(parameters, runs[[p.name for p in parameters]].to_numpy(float))


def _defined(runs: pd.DataFrame, target: str) -> int:
    return int(runs.loc[runs["target"] == target, "value"].notna().sum())


def fit_emulators(parameters, targets, runs: pd.DataFrame, seed: int) -> dict[str, Emulator]:
    """An emulator for every target with at least MIN_DEFINED defined values."""
    out = {}
    for t in targets:
        if _defined(runs, t.id) < bayes.MIN_DEFINED:
            continue
        rows = runs[runs["target"] == t.id]
        out[t.id] = fit_emulator(unit_points(parameters, rows), rows["value"].to_numpy(float),
                                 seed)
    return out


def parameter_summary(parameters, ensemble_u: np.ndarray) -> pd.DataFrame:
    """Per parameter: the posterior median and LEVEL interval, and how far the targets pin
    it down: the contraction 1 - posterior variance / prior variance (unit scale; 0 = the
    targets say nothing, 1 = a single value)."""
    values = design.to_parameters(parameters, ensemble_u)
    tail = (1 - LEVEL) / 2
    rows = []
    for j, p in enumerate(parameters):
        contraction = 1 - ensemble_u[:, j].var() / (1 / 12)
        median_u = float(np.median(ensemble_u[:, j]))
        if min(median_u, 1 - median_u) < EDGE:
            side = "low" if median_u < 0.5 else "high"
            status = f"at the {side} end of its range (the targets push it beyond)"
        elif contraction >= PINNED:
            status = "pinned down by the targets"
        elif contraction >= PARTLY:
            status = "partly constrained"
        else:
            status = "not pinned down (the posterior is close to the prior)"
        low, median, high = np.quantile(values[:, j], [tail, 0.5, 1 - tail])
        rows.append({"parameter": p.name, "low": p.low, "high": p.high, "log": p.log,
                     "median": float(median), "interval_low": float(low),
                     "interval_high": float(high), "contraction": float(contraction),
                     "status": status})
    return pd.DataFrame(rows)


def predictive(targets, emulators, ensemble_u: np.ndarray, reach) -> pd.DataFrame:
    """Per target: the model's expected value over the ensemble (median and LEVEL
    interval of the emulated mean), and whether the median lies in the band."""
    tail = (1 - LEVEL) / 2
    rows = []
    for t in targets:
        mean = (emulators[t.id].predict(ensemble_u)[0] if t.id in emulators
                else np.full(len(ensemble_u), np.nan))
        low, median, high = np.quantile(mean, [tail, 0.5, 1 - tail])
        rows.append({"target": t.id, "centre": t.centre, "band_low": t.centre - t.half_width,
                     "band_high": t.centre + t.half_width, "median": float(median),
                     "interval_low": float(low), "interval_high": float(high),
                     "in_band": bool(abs(median - t.centre) <= t.half_width),
                     "reachable": reach[t.id].reachable,
                     "distance": reach[t.id].distance,
                     "closest": reach[t.id].closest, "why_not": reach[t.id].why_not})
    return pd.DataFrame(rows)


def informs(parameters, targets, emulators, ensemble_u: np.ndarray) -> pd.DataFrame:
    """How strongly each target speaks to each parameter: the range of the emulated value
    as the parameter moves over its whole range (the others at the posterior median), in
    the target's observation sd. Above 1: the target can tell values of it apart."""
    centre = np.median(ensemble_u, axis=0)
    grid = np.linspace(0, 1, 11)
    out = pd.DataFrame(index=[t.id for t in targets], columns=[p.name for p in parameters],
                       dtype=float)
    for t in targets:
        if t.id not in emulators:
            continue
        for j, p in enumerate(parameters):
            u = np.tile(centre, (len(grid), 1))
            u[:, j] = grid
            mean, _ = emulators[t.id].predict(u)
            out.loc[t.id, p.name] = float((mean.max() - mean.min()) / t.obs_sd)
    return out


def diagnostics(parameters, targets, runs: pd.DataFrame, emulators, seed: int) -> pd.DataFrame:
    """Per target: runs used, undefined values, the seed noise as the emulator's noise term
    has it and as the replicates show it, and the emulator's cross-validated coverage: the
    share of held-out seed values (FOLDS folds of design points) inside its LEVEL
    predictive interval (honest if near LEVEL)."""
    z = stats.norm.ppf(0.5 + LEVEL / 2)
    folds = np.arange(_points(runs)) % FOLDS
    rows = []
    for t in targets:
        r = runs[runs["target"] == t.id]
        ok = r[~r["value"].isna()]
        inside = []
        for k in range(FOLDS if t.id in emulators else 0):
            held = folds[ok["point"].to_numpy()] == k
            if held.all() or not held.any():
                continue
            em = fit_emulator(unit_points(parameters, ok[~held]), ok.loc[~held, "value"], seed)
            mean, sd = em.predict(unit_points(parameters, ok[held]))
            sd = np.sqrt(sd ** 2 + em.seed_sd ** 2)
            inside.append(np.abs(ok.loc[held, "value"].to_numpy() - mean) <= z * sd)
        within = ok.groupby("point")["value"].std(ddof=1).dropna()
        rows.append({"target": t.id, "runs": len(r), "undefined": int(r["value"].isna().sum()),
                     "seed_sd_emulator": emulators[t.id].seed_sd if t.id in emulators
                     else float("nan"),
                     "seed_sd_replicates": float(np.sqrt((within ** 2).mean()))
                     if len(within) else float("nan"),
                     "cv_coverage": float(np.concatenate(inside).mean()) if inside
                     else float("nan")})
    return pd.DataFrame(rows)
