"""`schoolsim-calibrate`: calibrate the free parameters to the declared targets.

    # The full budget (experiments/specs/calibration.yaml): 64 + 2 x 32 parameter sets x 3
    # seeds = 384 jobs, each three three-year runs of the full GM region (1,150 schools,
    # pupils, practices and the network on), plus target 8's four five-year runs and
    # target 11's two-year trios run at each set's first seed (target_seeds). The shipped
    # posterior (session 7): 18.5 min on this 2-core machine (load ~1-2 from other work; the
    # fit's process group at autogroup nice -10; 2.9 s of wall time a job with 2 workers);
    # adopted as the defaults with
    #   schoolsim-calibrate --config configs/calibration/default.yaml
    schoolsim-calibrate
    # A smaller budget (the spec with fewer sets and seeds, labelled as such in its record):
    schoolsim-calibrate --design-points 48 --wave-points 24 --seeds-per-point 2
    # The quick check (12 sets x 2 seeds, one wave = 24 jobs: 4.1 min wall at load 8-11; a
    # check that the machinery runs end to end, its posterior clearly labelled quick):
    schoolsim-calibrate --quick --config /tmp/q/default.yaml \\
        --posterior /tmp/q/posterior.csv --record /tmp/q/calibration.md

Writes the posterior ensemble (default `configs/calibration/posterior.csv` with its group
file `posterior.yaml`: `calibration=posterior`), the posterior medians as a config group
file (default `configs/calibration/posterior_median.yaml`: `calibration=posterior_median`;
`--config configs/calibration/default.yaml` makes them every run's defaults, a model change
that regenerates the pinned baselines) and the record
(default `docs/calibration.md`, with `docs/calibration/runs.csv` and `posterior.png`). A bad
spec or option ends with one line ``schoolsim-calibrate: error: ...``, exit status 2, and
nothing written; the files are written only once the calibration has finished.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

from experiments.calibration import config, fit, model, record
from experiments.calibration.spec import budget_from, check_keys, load_spec
from experiments.spec import SpecError, jobs

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SPEC = ROOT / "experiments" / "specs" / "calibration.yaml"
# --quick: enough to see the machinery work end to end, not a calibration to rely on. The
# region stays the spec's: in a 300-school region Families of 12-20 cannot be formed.
QUICK = {"design_points": 12, "waves": 1, "seeds_per_point": 2, "posterior_size": 100,
         "candidates": 4096}


def fail(message: str) -> None:
    print(f"schoolsim-calibrate: error: {message}", file=sys.stderr)
    sys.exit(2)


def parse(argv):
    parser = argparse.ArgumentParser(prog="schoolsim-calibrate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec", nargs="?", default=str(DEFAULT_SPEC))
    parser.add_argument("--quick", action="store_true",
                        help=f"the quick budget: {QUICK}")
    for key in ("design_points", "waves", "wave_points", "seeds_per_point", "posterior_size"):
        parser.add_argument("--" + key.replace("_", "-"), type=int, default=None,
                            help="override the spec's budget")
    parser.add_argument("--override", action="append", default=[],
                        help="an override added to the spec's base (repeatable)")
    parser.add_argument("--n-jobs", type=int, default=None)
    parser.add_argument("--config", default=str(config.MEDIAN),
                        help="where to write the posterior medians (a calibration group file)")
    parser.add_argument("--posterior", default=str(config.ENSEMBLE),
                        help="where to write the ensemble (CSV; its group file beside it)")
    parser.add_argument("--record", default=str(ROOT / "docs" / "calibration.md"))
    return parser.parse_args(argv)


def spec_of(args):
    spec = load_spec(args.spec)
    given = {k: v for k, v in vars(args).items() if k in fit.Budget.__dataclass_fields__
             and v is not None}
    budget = budget_from({**(QUICK if args.quick else {}), **given}, spec.budget)
    base = (*spec.base, *args.override)
    spec = dataclasses.replace(spec, budget=budget, base=base)
    if args.n_jobs is not None:
        spec = dataclasses.replace(spec, n_jobs=jobs(args.n_jobs, "--n-jobs"))
    check_keys(spec)
    return spec


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    from sim.errors import ConfigError

    try:
        spec = spec_of(args)
    except (SpecError, ConfigError) as exc:
        fail(str(exc))
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[calibrate] {message} ({time.perf_counter() - started:.0f} s)", flush=True)

    names = [p.name for p in spec.parameters]
    with model.ModelEvaluator(spec.targets, names, spec.base, spec.n_jobs,
                              spec.target_seeds) as evaluate:
        result = fit.calibrate(spec.parameters, model.targets_of(spec.targets), evaluate,
                               spec.budget, progress)
    runtime = time.perf_counter() - started
    rel = lambda p: os.path.relpath(Path(p).resolve(), ROOT)  # noqa: E731
    meta = meta_of(spec, args, runtime)
    files = {"spec": rel(args.spec), "config": rel(args.config),
             "ensemble": rel(args.posterior)}
    record.write_record(result, meta, args.record, files)
    head = record.header(result, meta, rel(args.record))
    config.write_posterior(result.ensemble, args.posterior, head)
    config.write_calibration(result.summary.set_index("parameter")["median"].to_dict(),
                             args.config, head)
    if Path(args.posterior).resolve() == config.ENSEMBLE:
        # The ODD's parameter table states the shipped posterior's intervals.
        from sim.parameters import write_odd

        write_odd(ROOT / "docs" / "ODD.md")
    print(result.summary[["parameter", "median", "interval_low", "interval_high",
                          "status"]].to_string(index=False))
    print(f"schoolsim-calibrate: wrote {args.posterior}, {args.config} and {args.record} "
          f"({runtime / 60:.1f} min)")
    return 0


def meta_of(spec, args, runtime: float) -> dict:
    import sklearn
    from joblib import effective_n_jobs

    from sim.code_version import code_version

    load = os.getloadavg()[0]
    b = spec.budget
    budget = (f"{b.design_points} Latin-hypercube sets, {b.waves} wave(s), "
              f"{b.seeds_per_point} seeds per set")
    flags = [k for k in fit.Budget.__dataclass_fields__ if getattr(args, k, None) is not None]
    if args.quick:
        label = ("Quick budget (--quick): a check that the machinery runs end to end, not a "
                 "calibration to rely on.")
    elif flags:
        label = (f"Budget set on the command line ({budget}), not the spec's: a smaller "
                 "calibration than the spec asks for.")
    else:
        label = f"The spec's budget ({budget})."
    per_job = runtime / (b.points * b.seeds_per_point)
    full = load_spec(args.spec).budget
    full_jobs = full.points * full.seeds_per_point
    full_budget = "" if full == b else (
        f"The spec's budget ({full.points} sets x {full.seeds_per_point} seeds = {full_jobs} "
        f"jobs) would take about {full_jobs * per_job / 3600:.1f} h at this run's "
        f"{per_job:.0f} s a job.")
    written = Path(args.config).resolve() == config.DEFAULT
    defaults = ("They are the defaults (`configs/config.yaml`: `calibration: default`; "
                "`calibration=none` gives the code's own defaults)." if written else
                "The defaults (`calibration: default`) are not changed by this calibration: "
                "`configs/calibration/default.yaml` keeps the point values it had.")
    fewer = "; ".join(f"target {t} is measured at " + ("each set's first seed only" if k == 1
                                                        else f"the first {k} seeds of each set")
                      + " (spec: target_seeds)"
                      for t, k in spec.target_seeds.items() if k < b.seeds_per_point)
    return {"label": label, "code_version": code_version(), "sklearn": sklearn.__version__,
            "defaults": defaults, "target_seeds": fewer,
            "base": list(spec.base),
            "full_budget": full_budget,
            "runtime": f"{runtime / 60:.1f} min on this machine (2 cores, "
                       f"{effective_n_jobs(spec.n_jobs)} workers; {per_job:.0f} s a job; load "
                       f"average {load:.1f} at the end)"}


if __name__ == "__main__":
    sys.exit(main())
