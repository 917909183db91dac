"""England 2010/11 to 2018/19 (`+scenario=history`) beside the DfE disadvantage gap index.

    python -m experiments.history --seeds 3 -o history/

runs the history scenario at seeds 1-3 and writes `history/gap_index.csv`: one row per school
year and key stage with the DfE index, the model's (mean and range over the seeds) and the
model's disadvantaged pupils' attainment beside it; then prints the decade's relative change
of each, read from the least-squares line (`experiments.evidence.trend_change`), the DfE's
with its band (+/- 2 standard errors). Run year k's results are those of school year
2009+k/2010+k (year 1: 2010/11).

    python -m experiments.history --scenario england_2010_no_reforms --seeds 3 -o base/

does the same for the baseline, the same England without academy trusts or the premium.

    python -m experiments.history predict --seeds 3 -o experiments/predictions/<name>.json

continues the history through 2023/24 with the school closures from March 2020 and the
published learning-loss inputs (`shocks.pandemic`: 4.3 months for disadvantaged pupils, 3.7
for others; EPI / Renaissance Learning; since the first prediction failed, also disadvantaged
pupils' wider absence after reopening) and writes a predictions file
(`experiments.predictions`): the index's relative change from 2018/19 in each school year
2019/20 to 2023/24, mean and range over the seeds. The observed values to 2023/24 are in the
project now (experiments/evidence/observed/), so a new file is not held out: say so in
--status.

Bad input is one line `history: error: ...`, exit status 2, nothing written. The runs need
the pupils model (the KS2 / KS4 gap index in the metrics: `gap_index_ks2`, `gap_index_ks4`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from experiments import evidence, predictions
from experiments.validation.cli import parse_seeds
from experiments.validation.tables import yearly_results

FIRST_START_YEAR = 2010            # run year 1 is the school year 2010/11
BASE_YEAR = 9                      # 2018/19, the last year before the pandemic
PREDICTED_YEARS = range(10, 15)    # 2019/20 to 2023/24
# The closures: from late March 2020 (about 0.6 of the way through 2019/20), 24 teaching
# weeks in all (spring-summer 2020 and January-March 2021; shocks.pandemic's default).
PANDEMIC = ("shocks.pandemic.enabled=true", f"shocks.pandemic.start_year={BASE_YEAR + 0.6}")
STAGE_PHASES = {"ks2": "primary", "ks4": "secondary"}
BASELINE = "england_2010_no_reforms"


# Where each input of a prediction comes from (written into the predictions file).
INPUT_SOURCES = {
    "loss_months_disadvantaged / loss_months_other":
        "EPI / Renaissance Learning, autumn 2020, primary maths: disadvantaged pupils about 4.3 "
        "months behind, others about 3.7 (issue 7; sim/shocks.py); the same loss is applied to "
        "every pupil on roll, secondary included",
    "start_year": "schools closed to most pupils from 23 March 2020, about 0.6 of the way "
                  "through 2019/20",
    "closure_weeks": "about 14 teaching weeks in spring-summer 2020 and 9 in January-March "
                     "2021 (shocks.pandemic default 24, taken as one block)",
    "recovery_rate": "the model's default (0.4 of the loss a year at reference expertise), "
                     "not fitted to any gap index",
    "absence_gap_rise_days_per_term / progress_lost_per_day_missed":
        "after reopening disadvantaged pupils miss 1 day a term more than before, against "
        "their peers (EPI from DfE absence statistics: a gap of 2.1 days a term in autumn "
        "2019, over 3 by autumn 2023); a day missed costs a school day's expected progress "
        "(12 months / 190 days, an assumption)",
    "pupil_premium": "DfE rates 2011-12 to 2015-16, 2015-16 held after (the real rates rose "
                     "to GBP 1,455 / 1,035 by 2023-24); effect 0.94 months at KS2 per GBP "
                     "1,000 a year sustained through the phase (Holmlund, McNally & Viarengo "
                     "2008/2010, policy.pupil_premium)",
}


class HistoryError(ValueError):
    """Bad input to the history tools (one line)."""


def school_year(year: int) -> str:
    """The school year of run year `year`: 1 -> '2010/11'."""
    start = FIRST_START_YEAR + year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def run_history(seed: int, extra: tuple[str, ...] = (), years: int = BASE_YEAR,
                scenario: str = "history") -> pd.DataFrame:
    """One seed of the history (or of its baseline, `scenario`): per run year, each stage's
    gap index and disadvantaged pupils' attainment."""
    import sim

    result = sim.run([f"+scenario={scenario}", f"years={years}", *extra, f"seed={seed}",
                      "output.print_summary=false"], progress=False)
    rows = yearly_results(result.metrics)
    out = pd.DataFrame({"seed": seed, "year": rows["year"]})
    for stage, phase in STAGE_PHASES.items():
        out[f"index_{stage}"] = rows[f"gap_index_{stage}"].to_numpy(float)
        out[f"attainment_disadvantaged_{stage}"] = rows[
            f"attainment_disadvantaged_{phase}"].to_numpy(float)
    return out


def run_seeds(seeds, extra=(), years: int = BASE_YEAR, n_jobs: int = 1,
              scenario: str = "history") -> pd.DataFrame:
    frames = Parallel(n_jobs=n_jobs)(delayed(run_history)(s, tuple(extra), years, scenario)
                                     for s in seeds)
    return pd.concat(frames, ignore_index=True)


def beside_dfe(model: pd.DataFrame) -> pd.DataFrame:
    """One row per school year and stage: the DfE index, the model's mean and range over
    the seeds, and the model's disadvantaged attainment (months), mean over the seeds."""
    dfe = evidence.gap_index()
    rows = []
    for stage in STAGE_PHASES:
        by_year = model.groupby("year")
        for year, group in by_year:
            index = group[f"index_{stage}"]
            observed = dfe.loc[dfe["school_year"] == school_year(year), stage]
            rows.append({"school_year": school_year(year), "stage": stage,
                         "dfe": float(observed.iloc[0]) if len(observed) else np.nan,
                         "model_mean": index.mean(), "model_low": index.min(),
                         "model_high": index.max(), "seeds": len(group),
                         "attainment_disadvantaged_months":
                             group[f"attainment_disadvantaged_{stage}"].mean()})
    return pd.DataFrame(rows)


def decade_changes(model: pd.DataFrame) -> pd.DataFrame:
    """Per stage: the DfE decade change with its band, and the model's per seed."""
    dfe = evidence.gap_index()
    rows = []
    for stage in STAGE_PHASES:
        real = evidence.trend_change(dfe[stage])
        low, high = real.band()
        per_seed = [evidence.trend_change(g.sort_values("year")[f"index_{stage}"]).change
                    for _, g in model[model["year"] <= BASE_YEAR].groupby("seed")]
        rows.append({"stage": stage, "dfe_change": real.change, "dfe_low": low,
                     "dfe_high": high, "model_mean": float(np.mean(per_seed)),
                     "model_low": min(per_seed), "model_high": max(per_seed),
                     "seeds": len(per_seed)})
    return pd.DataFrame(rows)


def predicted_changes(model: pd.DataFrame) -> pd.DataFrame:
    """Per stage and predicted school year: the index's relative change from 2018/19,
    mean and range over the seeds."""
    rows = []
    for stage in STAGE_PHASES:
        wide = model.pivot(index="seed", columns="year", values=f"index_{stage}")
        for year in PREDICTED_YEARS:
            change = wide[year] / wide[BASE_YEAR] - 1
            rows.append({"stage": stage, "school_year": school_year(year),
                         "value": float(change.mean()), "low": float(change.min()),
                         "high": float(change.max()), "runs": int(change.notna().sum())})
    return pd.DataFrame(rows)


def posterior_fingerprint(cfg) -> str:
    """The sha256 of the posterior ensemble the runs drew their parameter sets from."""
    import hashlib

    from sim.posterior import ensemble_path

    return hashlib.sha256(ensemble_path(cfg.posterior.ensemble).read_bytes()).hexdigest()


def code_version() -> str:
    from sim.code_version import code_version as digest

    from experiments.validation.cli import git_describe

    return f"{digest()} (git {git_describe()})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.history", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="compare", choices=("compare", "predict"))
    parser.add_argument("--seeds", default="3", help="count (3: seeds 1-3), range or list")
    parser.add_argument("--n-jobs", type=int, default=1, help="parallel runs")
    parser.add_argument("--scenario", default="history", choices=("history", BASELINE),
                        help="the history, or its baseline without the reforms (compare)")
    parser.add_argument("-o", "--out", default=None, help="output folder (compare) or the "
                        "predictions file (predict)")
    parser.add_argument("--status", default="not yet calibrated",
                        help="how far to trust a prediction (predict)")
    parser.add_argument("--override", action="append", default=[],
                        help="a schoolsim override for every run (repeatable)")
    args = parser.parse_args(argv)
    import sim

    try:
        seeds = parse_seeds(args.seeds)
        out = Path(args.out or ("history" if args.command == "compare" else ""))
        if args.command == "predict" and (not args.out or out.exists()):
            raise HistoryError(f"-o={args.out}; allowed: a new predictions file (.json)")
        if args.command == "predict" and args.scenario != "history":
            raise HistoryError(f"--scenario={args.scenario} with predict; allowed: history")
        extra = (*args.override, *(PANDEMIC if args.command == "predict" else ()))
        years = max(PREDICTED_YEARS) if args.command == "predict" else BASE_YEAR
        sim.compose_config([f"+scenario={args.scenario}", f"years={years}", *extra])
    except (HistoryError, ValueError, sim.ConfigError) as exc:
        print(f"history: error: {exc}", file=sys.stderr)
        return 2
    model = run_seeds(seeds, extra, years, args.n_jobs, args.scenario)
    print(decade_changes(model).to_string(index=False))
    if args.command == "compare":
        from sim.atomic import write_with

        table = beside_dfe(model)
        write_with(out / "gap_index.csv", lambda p: table.to_csv(p, index=False))
        print(table.to_string(index=False))
        return 0
    cfg = sim.compose_config(["+scenario=history", f"years={years}", *extra])
    inputs = {key: cfg.shocks.pandemic[key] for key in
              ("start_year", "closure_weeks", "loss_months_disadvantaged", "loss_months_other",
               "recovery_rate", "absence_gap_rise_days_per_term",
              "progress_lost_per_day_missed")}
    inputs["overrides"] = list(args.override)
    inputs["sources"] = INPUT_SOURCES
    if cfg.posterior.ensemble:
        inputs["posterior_ensemble_sha256"] = posterior_fingerprint(cfg)
    table = predicted_changes(model)
    predictions.write_predictions(
        out, table, quantity="DfE disadvantage gap index (KS2, KS4): relative change from "
        "2018/19, school years 2019/20 to 2023/24; low/high = range over the seeds",
        code_version=code_version(), status=args.status, inputs=inputs, seeds=seeds)
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
