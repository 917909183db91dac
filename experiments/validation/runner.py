"""Run the scenarios a selection of checks needs over the seeds, then measure.

Every (scenario, seed) runs once, whatever number of checks reads it; runs go in parallel
with joblib and each is deterministic in its seed, so the values do not depend on
`n_jobs`. A run that fails with a `ConfigError` (e.g. Families of 12-20 cannot be formed
for a seed's region) is recorded: the checks that need it get NaN and the error.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from experiments.validation.checks import SCENARIOS, Check
from sim.outputs import RunResult


def run_one(scenario: str, seed: int, extra: tuple[str, ...] = ()) -> RunResult | str:
    """One scenario at one seed; the error message (str) if the config cannot run."""
    import sim
    from sim.errors import ConfigError

    overrides = [*SCENARIOS[scenario], *extra, f"seed={seed}", "output.print_summary=false"]
    try:
        return sim.run(overrides, progress=False)
    except ConfigError as exc:
        return str(exc)


def run_scenarios(checks: Sequence[Check], seeds: Sequence[int], n_jobs: int = -1,
                  extra: Sequence[str] = ()) -> dict[tuple[str, int], RunResult | str]:
    needed = sorted({s for c in checks for s in c.scenarios})
    jobs = [(s, seed) for seed in seeds for s in needed]
    out = Parallel(n_jobs=n_jobs)(delayed(run_one)(s, seed, tuple(extra)) for s, seed in jobs)
    return dict(zip(jobs, out))


def measure(checks: Sequence[Check], seeds: Sequence[int],
            runs: dict[tuple[str, int], RunResult | str]) -> pd.DataFrame:
    """One row per check and seed: value (NaN if undefined) and error (if a run failed)."""
    rows = []
    for check in checks:
        for seed in seeds:
            tables = {role: runs[(scenario, seed)] for role, scenario in check.roles.items()}
            errors = [t for t in tables.values() if isinstance(t, str)]
            if errors:
                value, error = float("nan"), errors[0]
            else:
                value, error = float(check.measure(tables)), ""
            rows.append({"check": check.id, "fact": check.fact, "seed": int(seed),
                         "value": value, "error": error})
    return pd.DataFrame(rows)


def summarise(checks: Sequence[Check], values: pd.DataFrame, level: float = 0.90
              ) -> pd.DataFrame:
    """One row per check: mean, the middle `level` of seeds, seeds used, pass/fail."""
    rows = []
    q = (1 - level) / 2
    for check in checks:
        rows_c = values[values["check"] == check.id]
        ran = rows_c["error"].fillna("") == ""
        v = rows_c.loc[ran, "value"].to_numpy(float)   # seeds whose runs could be set up
        defined = v[~np.isnan(v)]
        lo, hi = check.band
        rows.append({
            "check": check.id, "fact": check.fact, "title": check.title,
            "source": check.source, "target": check.target, "band_low": lo, "band_high": hi,
            "unit": check.unit, "rule": check.rule, "kind": check.kind,
            "band_source": check.band_source,
            "mean": float(defined.mean()) if len(defined) else float("nan"),
            "low": float(np.quantile(defined, q)) if len(defined) else float("nan"),
            "high": float(np.quantile(defined, 1 - q)) if len(defined) else float("nan"),
            "seeds": int(len(v)), "not_run": int((~ran).sum()), "defined": int(len(defined)),
            "in_band": int(((v >= lo) & (v <= hi)).sum()),
            "passed": check.passes(v),
        })
    return pd.DataFrame(rows)


def validate(checks: Sequence[Check], seeds: Sequence[int], n_jobs: int = -1,
             extra: Sequence[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run and measure: (per-seed values, per-check summary)."""
    runs = run_scenarios(checks, seeds, n_jobs, extra)
    values = measure(checks, seeds, runs)
    return values, summarise(checks, values)
