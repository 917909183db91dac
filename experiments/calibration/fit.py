"""The likelihood-free fit: optuna's TPE sampler minimising a loss over the targets.

loss(θ) = Σ_targets ((mean over replicates of the measure at θ − target) / scale)²

with `scale` the half-width of the check's target band, so a loss of 1 per target means
"at the edge of the band". Every trial runs the same replicate seeds (common random
numbers), so differences between trials are differences in θ, not in luck. A replicate
mean that is undefined (NaN) costs `NAN_PENALTY` for that target.

The sampler is seeded and trials run one after another (each trial's model runs are
parallel inside `evaluate`), so the same spec gives the same fit. Storage is in memory
(optuna's SQLite storage is not used).

Identification. From all trials, each parameter's *profile*: its range cut into `BINS`
bins, the lowest loss reached in each. A parameter is *identified* when moving it out of
the best bin costs at least `DELTA` (the profile rises by >= DELTA at the edges), *not
identified* when the profile is flat (every bin reaches within DELTA of the best loss), and
*weakly identified* otherwise. `plausible` is the range of the parameter over the trials
within DELTA of the best loss.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.calibration.spec import Parameter

NAN_PENALTY = 25.0
BINS = 5
DELTA = 1.0


@dataclass(frozen=True)
class Target:
    name: str
    value: float
    scale: float


@dataclass
class FitResult:
    best: dict[str, float]
    best_loss: float
    achieved: dict[str, float]
    trials: pd.DataFrame          # one row per trial: parameters, achieved values, loss
    identification: pd.DataFrame  # one row per parameter
    n_trials: int
    sampler_seed: int


def loss(achieved: Mapping[str, float], targets: Sequence[Target]) -> float:
    total = 0.0
    for t in targets:
        value = achieved.get(t.name, float("nan"))
        total += NAN_PENALTY if value is None or math.isnan(value) else \
            ((value - t.value) / t.scale) ** 2
    return total


def fit(parameters: Sequence[Parameter], targets: Sequence[Target],
        evaluate: Callable[[dict[str, float]], dict[str, float]], trials: int,
        startup_trials: int = 10, sampler_seed: int = 1,
        progress: Callable[[int, float, float], None] | None = None) -> FitResult:
    """Minimise the loss over `trials` parameter sets; `evaluate(θ)` returns the replicate
    mean of every target's measure."""
    import warnings

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    sampler = optuna.samplers.TPESampler(seed=sampler_seed,
                                         n_startup_trials=min(startup_trials, trials),
                                         multivariate=True)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    rows = []
    for k in range(trials):
        trial = study.ask()
        theta = {p.name: trial.suggest_float(p.name, p.low, p.high, log=p.log)
                 for p in parameters}
        achieved = evaluate(theta)
        value = loss(achieved, targets)
        study.tell(trial, value)
        rows.append({"trial": k, **theta, **{f"achieved:{t.name}": achieved.get(t.name)
                                             for t in targets}, "loss": value})
        if progress is not None:
            progress(k, value, study.best_value)
    table = pd.DataFrame(rows)
    best_row = table.loc[table["loss"].idxmin()]
    best = {p.name: float(best_row[p.name]) for p in parameters}
    achieved = {t.name: float(best_row[f"achieved:{t.name}"]) for t in targets}
    return FitResult(best, float(best_row["loss"]), achieved, table,
                     identification(table, parameters), trials, sampler_seed)


def profile(table: pd.DataFrame, p: Parameter, bins: int = BINS) -> pd.Series:
    """Lowest loss per bin of the parameter's range (NaN for a bin without trials)."""
    x = table[p.name].to_numpy(float)
    if p.log:
        x, lo, hi = np.log(x), math.log(p.low), math.log(p.high)
    else:
        lo, hi = p.low, p.high
    edges = np.linspace(lo, hi, bins + 1)
    k = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins - 1)
    out = pd.Series(np.nan, index=range(bins))
    for b in range(bins):
        if (k == b).any():
            out[b] = table["loss"].to_numpy()[k == b].min()
    centres = (edges[:-1] + edges[1:]) / 2
    out.index = np.exp(centres) if p.log else centres
    return out


def identification(table: pd.DataFrame, parameters: Sequence[Parameter],
                   delta: float = DELTA) -> pd.DataFrame:
    best = table["loss"].min()
    near = table[table["loss"] <= best + delta]
    rows = []
    for p in parameters:
        prof = profile(table, p)
        known = prof.dropna()
        rise = known - best
        lowest = int(np.argmin(known.to_numpy())) if len(known) else -1
        if len(known) == BINS and (rise <= delta).all():
            status = "not identified (flat profile)"
        elif len(known) and rise.iloc[0] >= delta and rise.iloc[-1] >= delta:
            status = "identified"
        elif len(known) and lowest in (0, len(known) - 1) and (rise >= delta).any():
            status = "pinned at the edge of its range"
        else:
            status = "weakly identified"
        rows.append({"parameter": p.name, "low": p.low, "high": p.high,
                     "best": float(table.loc[table["loss"].idxmin(), p.name]),
                     "plausible_low": float(near[p.name].min()),
                     "plausible_high": float(near[p.name].max()),
                     "plausible_share_of_range": float(
                         (near[p.name].max() - near[p.name].min()) / (p.high - p.low)),
                     "profile_rise_low_end": float(rise.iloc[0]) if len(known) else np.nan,
                     "profile_rise_high_end": float(rise.iloc[-1]) if len(known) else np.nan,
                     "status": status})
    return pd.DataFrame(rows)
