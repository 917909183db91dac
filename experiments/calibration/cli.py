"""`schoolsim-calibrate`: fit the free parameters to the quantitative facts.

    schoolsim-calibrate                                   # experiments/specs/calibration.yaml
    schoolsim-calibrate my_spec.yaml --trials 40 --config configs/calibration/test.yaml \\
        --record docs/calibration_test.md

Writes the fitted values as a config group file (default `configs/calibration/default.yaml`,
which the defaults use) and the record of the fit (default `docs/calibration.md`, with
`docs/calibration/trials.csv` and `profiles.png`). A bad spec ends with one line
``schoolsim-calibrate: error: ...``, exit status 2, and nothing written; the files are
written only once the fit has finished.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

from experiments.calibration import config, fit, model, record
from experiments.calibration.spec import check_keys, load_spec
from experiments.spec import SpecError, jobs, need

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SPEC = ROOT / "experiments" / "specs" / "calibration.yaml"


def fail(message: str) -> None:
    print(f"schoolsim-calibrate: error: {message}", file=sys.stderr)
    sys.exit(2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="schoolsim-calibrate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec", nargs="?", default=str(DEFAULT_SPEC))
    parser.add_argument("--trials", type=int, default=None, help="override the spec's budget")
    parser.add_argument("--n-jobs", type=int, default=None)
    parser.add_argument("--config", default=str(config.DEFAULT),
                        help="calibration config to write")
    parser.add_argument("--record", default=str(ROOT / "docs" / "calibration.md"))
    args = parser.parse_args(argv)
    from sim.errors import ConfigError

    try:
        spec = load_spec(args.spec)
        if args.trials is not None:
            need(args.trials >= 2, f"--trials={args.trials}; allowed: an integer >= 2")
            spec = dataclasses.replace(spec, trials=args.trials)
        if args.n_jobs is not None:
            spec = dataclasses.replace(spec, n_jobs=jobs(args.n_jobs, "--n-jobs"))
        check_keys(spec)
    except (SpecError, ConfigError) as exc:
        fail(str(exc))
    targets = model.targets_of(spec.targets)
    started = time.perf_counter()

    def progress(k: int, value: float, best: float) -> None:
        print(f"[calibrate] trial {k + 1}/{spec.trials}: loss {value:.2f}, best {best:.2f} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)

    with model.ModelEvaluator(spec.targets, spec.replicates, spec.base, spec.n_jobs) as ev:
        result = fit.fit(spec.parameters, targets, ev, spec.trials, spec.startup_trials,
                         spec.sampler_seed, progress)
    runtime = time.perf_counter() - started
    rel = lambda p: os.path.relpath(Path(p).resolve(), ROOT)  # noqa: E731
    record.write_record(result, spec, runtime, rel(args.config), args.record, rel(args.spec))
    config.write_calibration(result.best, args.config,
                             record.header(result, spec, rel(args.record)))
    print(result.identification[["parameter", "best", "plausible_low", "plausible_high",
                                 "status"]].to_string(index=False))
    print(f"schoolsim-calibrate: best loss {result.best_loss:.2f}; wrote {args.config} and "
          f"{args.record} ({runtime / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
