"""Comparing scenarios across replicate runs: levels, their spread, and effects.

Conventions (the report and the figures share them; the statistics and their names are
`sim.effects`, which the dashboard uses too):
- A run's outcome is a metric's value in its last row (the end of the run), or at a given
  year (e.g. when the funding stopped).
- A scenario's level is the mean over its runs with the spread of the runs: their range,
  or with `SPREAD_RUNS` or more the middle 90 % (5th to 95th percentile).
- An effect is scenario minus baseline, paired by seed when both ran the same seeds (with
  common random numbers each seed is the same region and draws, so the per-seed
  difference isolates the policy; seeds run by only one side are left out). Without
  common seeds the two samples are compared unpaired. From fewer than `ENOUGH_SEEDS`
  differences the report gives their range and calls no effect clear; from more, a
  confidence interval of the mean difference.
- Each scenario is compared with the baseline run under the same settings: when runs
  differ in, say, `years`, `trios years=4` is set against `none years=4`.
"""

from __future__ import annotations

import pandas as pd

from sim.effects import (ENOUGH_SEEDS, LEVEL, SPREAD_RUNS, Estimate, paired_effect, spread,
                         unpaired_effect)

__all__ = ["ENOUGH_SEEDS", "LEVEL", "MIN_RUNS", "Estimate", "comparison", "difference",
           "estimate", "final_values", "matching_baselines"]

MIN_RUNS = SPREAD_RUNS  # below this the report warns that the runs are few
# Facts of a run that two compared scenarios must share, besides the swept settings.
SHARED_FACTS = ("years", "n_schools", "region")


def estimate(values) -> Estimate:
    """A scenario's level: the mean with the spread of its runs (see `sim.effects.spread`)."""
    return spread(values)


def final_values(metrics: pd.DataFrame, metric: str, year: float | None = None) -> pd.DataFrame:
    """One row per run: run_id, scenario, seed and the metric at the run's last row (or at
    its last row up to `year`)."""
    rows = metrics if year is None else metrics[metrics["year"] <= year + 1e-9]
    last = rows.sort_values("week").groupby("run_id", sort=False).tail(1)
    return last[["run_id", "scenario", "seed", metric]].rename(columns={metric: "value"})


def difference(finals: pd.DataFrame, scenario: str, baseline: str) -> Estimate:
    """Scenario minus baseline, paired by seed where seeds match (see module docstring)."""
    a = finals[finals["scenario"] == scenario].groupby("seed")["value"].mean()
    b = finals[finals["scenario"] == baseline].groupby("seed")["value"].mean()
    common = a.index.intersection(b.index)
    if len(common):
        return paired_effect(a[common] - b[common])
    return unpaired_effect(a.to_numpy(), b.to_numpy())


def matching_baselines(runs: pd.DataFrame, baseline: str | None,
                       settings: list[str]) -> dict[str, str | None]:
    """For each scenario that is not a baseline, the baseline scenario run under the same
    settings (None when there is none). `baseline` is a base scenario (`none`), whose
    variants are matched setting by setting, or one variant's full name, used for all."""
    if baseline is None:
        return {}
    scenarios = sorted(runs["scenario"].unique())
    if baseline not in set(runs["base_scenario"]):  # one variant, chosen by its full name
        return {s: baseline for s in scenarios if s != baseline}
    candidates = sorted(runs.loc[runs["base_scenario"] == baseline, "scenario"].unique())
    keys = [k for k in [*settings, *SHARED_FACTS] if k in runs.columns]
    values = {s: _settings(runs[runs["scenario"] == s], keys) for s in scenarios}
    out = {}
    for s in scenarios:
        if s in candidates:
            continue
        same = [c for c in candidates if _agree(values[s], values[c])]
        out[s] = same[0] if len(same) == 1 else None
    return out


def _settings(runs: pd.DataFrame, keys: list[str]) -> dict:
    """A scenario's value of each setting, where all its runs share one."""
    out = {}
    for k in keys:
        vals = runs[k].dropna().astype(str).unique()
        if len(vals) == 1:
            out[k] = vals[0]
    return out


def _agree(a: dict, b: dict) -> bool:
    return all(a[k] == b[k] for k in a.keys() & b.keys())


def comparison(metrics: pd.DataFrame, metric_names: list[str],
               baseline: dict[str, str | None] | str | None,
               year: float | None = None) -> pd.DataFrame:
    """One row per metric per scenario: level and (if it has a baseline) the effect.

    `baseline` maps each scenario to its baseline (see `matching_baselines`), or is one
    baseline scenario for all."""
    if isinstance(baseline, str):
        baseline = {s: baseline for s in metrics["scenario"].unique() if s != baseline}
    baselines = baseline or {}
    rows = []
    for metric in metric_names:
        finals = final_values(metrics, metric, year)
        for scenario, group in finals.groupby("scenario"):
            level = estimate(group["value"])
            row = {"metric": metric, "scenario": scenario, "mean": level.mean,
                   "low": level.low, "high": level.high, "n": level.n, "kind": level.kind}
            base = baselines.get(scenario)
            if base is not None:
                diff = difference(finals, scenario, base)
                row.update(baseline=base, diff_mean=diff.mean, diff_low=diff.low,
                           diff_high=diff.high, diff_n=diff.n, paired=diff.paired,
                           diff_kind=diff.kind, n_below=diff.n_below, n_above=diff.n_above)
            rows.append(row)
    return pd.DataFrame(rows)


def effect_of(row: pd.Series) -> Estimate:
    """The effect stored in a row of `comparison`."""
    return Estimate(row["diff_mean"], row["diff_low"], row["diff_high"], int(row["diff_n"]),
                    bool(row["paired"]), row["diff_kind"], int(row["n_below"]),
                    int(row["n_above"]))


def level_of(row: pd.Series) -> Estimate:
    """The level (mean and spread of the runs) stored in a row of `comparison`."""
    return Estimate(row["mean"], row["low"], row["high"], int(row["n"]), kind=row["kind"])

