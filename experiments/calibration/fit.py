"""The likelihood-free fit: optuna's TPE sampler minimising a loss over the targets.

loss(θ) = Σ_targets ((mean over replicates of the measure at θ − target) / scale)²

with `scale` the half-width of the check's target band, so a loss of 1 per target means
"at the edge of the band". Every trial runs the same replicate seeds (common random
numbers), so differences between trials are differences in θ, not in luck. A replicate
mean that is undefined (NaN) costs `NAN_PENALTY` for that target.

The sampler is seeded and trials run one after another (each trial's model runs are
parallel inside `evaluate`), so the same spec gives the same fit. Storage is in memory
(optuna's SQLite storage is not used).

Identification. Two views, both reported. (1) A *slice* through the fit: each parameter
moved to `SLICE_POINTS` values across its range with the others held at the fit (extra
evaluations after the trials). If the loss stays within `DELTA` of the best along the whole
slice the targets do not constrain the parameter: *not identified*. If it rises by `DELTA` at
only one end, the targets rule out one side only: *bounded on one side only*. (2) The
trials near the best (loss within `DELTA`): the range they span (`plausible`). If it covers
half the range or more, the parameter trades off against others: *weakly identified*.
A fit within 5 % of an end of the range (log scale for log parameters) is *pinned at the edge of its range* (widen the range, or the
model cannot reach the targets inside it); otherwise *identified*. The profile (lowest loss
per fifth of the range over all trials) is drawn in the record's figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.spec import Parameter

NAN_PENALTY = 25.0
BINS = 5
DELTA = 1.0
SLICE_POINTS = 5


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
    slices: pd.DataFrame          # parameter, value, loss: one-at-a-time through the fit
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
        progress: Callable[[int, float, float], None] | None = None,
        slice_points: int = SLICE_POINTS) -> FitResult:
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
    slices = slice_losses(parameters, targets, evaluate, best, slice_points)
    return FitResult(best=best, best_loss=float(best_row["loss"]), achieved=achieved,
                     trials=table, identification=identification(table, parameters, slices),
                     slices=slices, n_trials=trials, sampler_seed=sampler_seed)


def slice_values(p: Parameter, points: int) -> np.ndarray:
    if p.log:
        return np.exp(np.linspace(math.log(p.low), math.log(p.high), points))
    return np.linspace(p.low, p.high, points)


def slice_losses(parameters, targets, evaluate, best: dict, points: int) -> pd.DataFrame:
    rows = []
    for p in parameters:
        for v in slice_values(p, points):
            rows.append({"parameter": p.name, "value": float(v),
                         "loss": loss(evaluate({**best, p.name: float(v)}), targets)})
    return pd.DataFrame(rows, columns=["parameter", "value", "loss"])


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
                   slices: pd.DataFrame | None = None, delta: float = DELTA) -> pd.DataFrame:
    best_loss = table["loss"].min()
    best_row = table.loc[table["loss"].idxmin()]
    near = table[table["loss"] <= best_loss + delta]
    rows = []
    for p in parameters:
        best = float(best_row[p.name])
        share = float((near[p.name].max() - near[p.name].min()) / (p.high - p.low))
        rise_low = rise_high = float("nan")
        if slices is not None and len(slices):
            sl = slices[slices["parameter"] == p.name].sort_values("value")["loss"].to_numpy()
            floor = min(sl.min(), best_loss)
            rise_low, rise_high = float(sl[0] - floor), float(sl[-1] - floor)
        rise = max(rise_low, rise_high)
        if p.log:
            lo, hi, b = math.log(p.low), math.log(p.high), math.log(best)
        else:
            lo, hi, b = p.low, p.high, best
        edge = min(b - lo, hi - b) <= 0.05 * (hi - lo)
        if rise == rise and rise < delta:
            status = "not identified (flat: the targets do not constrain it)"
        elif edge:
            status = "pinned at the edge of its range"
        elif rise_low < delta or rise_high < delta:
            side = "high" if rise_high >= delta else "low"
            status = f"bounded on one side only (the targets rule out {side} values)"
        elif share >= 0.5:
            status = "weakly identified (trades off against other parameters)"
        else:
            status = "identified"
        rows.append({"parameter": p.name, "low": p.low, "high": p.high, "best": best,
                     "plausible_low": float(near[p.name].min()),
                     "plausible_high": float(near[p.name].max()),
                     "plausible_share_of_range": share, "slice_rise_low_end": rise_low,
                     "slice_rise_high_end": rise_high,
                     "status": status})
    return pd.DataFrame(rows)
