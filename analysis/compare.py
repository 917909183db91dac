"""Comparing scenarios across replicate runs: means, 90 % intervals and differences.

Conventions (the report and the figures share them):
- A run's outcome is a metric's value in its last row (the end of the run).
- The interval is the spread across runs (seeds): the 5th to 95th percentile of the run
  values, as Covasim's quantile bands do. It says where 90 % of simulated outcomes fell;
  it does not shrink with more runs, but it is unreliable with few (see MIN_RUNS).
- A difference from the baseline is paired by seed when both scenarios ran the same
  seeds: with common random numbers each seed is the same region and the same draws, so
  the per-seed difference isolates the policy. Seeds run by only one side are left out.
  Without common seeds every run of the scenario is compared with every baseline run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LEVEL = 0.90
MIN_RUNS = 10  # below this a 90 % interval from percentiles is too rough to rely on


@dataclass(frozen=True)
class Estimate:
    mean: float
    low: float
    high: float
    n: int             # runs (or seed pairs) the numbers rest on
    paired: bool = False

    @property
    def few(self) -> bool:
        return self.n < MIN_RUNS


def interval(values, level: float = LEVEL) -> tuple[float, float]:
    """The central `level` percentile interval of the values."""
    tail = (1 - level) / 2
    low, high = np.quantile(np.asarray(values, float), [tail, 1 - tail])
    return float(low), float(high)


def estimate(values, paired: bool = False) -> Estimate:
    values = np.asarray(values, float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return Estimate(np.nan, np.nan, np.nan, 0, paired)
    return Estimate(float(values.mean()), *interval(values), n=len(values), paired=paired)


def final_values(metrics: pd.DataFrame, metric: str) -> pd.DataFrame:
    """One row per run: run_id, scenario, seed and the metric at the run's last row."""
    last = metrics.sort_values("week").groupby("run_id", sort=False).tail(1)
    return last[["run_id", "scenario", "seed", metric]].rename(columns={metric: "value"})


def difference(finals: pd.DataFrame, scenario: str, baseline: str) -> Estimate:
    """Scenario minus baseline, paired by seed where seeds match (see module docstring)."""
    a = finals[finals["scenario"] == scenario].groupby("seed")["value"].mean()
    b = finals[finals["scenario"] == baseline].groupby("seed")["value"].mean()
    common = a.index.intersection(b.index)
    if len(common):
        return estimate(a[common] - b[common], paired=True)
    return estimate(np.subtract.outer(a.to_numpy(), b.to_numpy()).ravel(), paired=False)


def comparison(metrics: pd.DataFrame, metric_names: list[str],
               baseline: str | None) -> pd.DataFrame:
    """One row per metric per scenario: level and (if a baseline) difference, with n."""
    rows = []
    for metric in metric_names:
        finals = final_values(metrics, metric)
        for scenario, group in finals.groupby("scenario"):
            level = estimate(group["value"])
            row = {"metric": metric, "scenario": scenario, "mean": level.mean,
                   "low": level.low, "high": level.high, "n": level.n}
            if baseline is not None and scenario != baseline:
                diff = difference(finals, scenario, baseline)
                row.update(diff_mean=diff.mean, diff_low=diff.low, diff_high=diff.high,
                           diff_n=diff.n, paired=diff.paired)
            rows.append(row)
    return pd.DataFrame(rows)
