"""`schoolsim-validate`: run the validation checks over seeds and write the report.

    schoolsim-validate                                   # every fact, seeds 1-10 -> validation/
    schoolsim-validate --facts 1,3 --seeds 1-20 -o out/
    schoolsim-validate --override region.n_schools=400   # any setting, for every run
    schoolsim-validate -o docs/validation --markdown docs/validation.md   # the kept report

Bad input (an unknown fact, a bad seed list, a setting the model rejects) ends with one
line ``schoolsim-validate: error: ...``, exit status 2, and nothing written.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import experiments
from experiments import spec
from experiments.spec import SpecError
from experiments.validation import checks as checks_mod
from experiments.validation import report, runner


# The held-out predictions and the observed series they are compared with (the report's
# first section).
PREDICTIONS = Path(experiments.__file__).parent / "predictions"
OBSERVED = Path(experiments.__file__).parent / "evidence" / "observed"


def fail(message: str) -> None:
    print(f"schoolsim-validate: error: {message}", file=sys.stderr)
    sys.exit(2)


def parse_seeds(text: str) -> list[int]:
    """'10' (seeds 1-10), '3-12' or '1,5,9'."""
    text = str(text).strip()
    try:
        if "," in text:
            value = [int(s) for s in text.split(",") if s.strip()]
        elif "-" in text:
            a, b = (int(s) for s in text.split("-", 1))
            if b < a:
                raise ValueError
            value = list(range(a, b + 1))
        else:
            value = int(text)
    except ValueError:
        raise SpecError(f"--seeds={text} is not understood; allowed: a count (10), a range "
                        "(1-10) or a list (1,5,9) of integers >= 0") from None
    return list(spec.seeds(value, "--seeds"))


def precheck(checks, extra: list[str]) -> None:
    """Compose every scenario with the extra overrides once, before anything runs."""
    import sim

    for scenario in sorted({s for c in checks for s in c.scenarios}):
        sim.compose_config([*checks_mod.SCENARIOS[scenario], *extra])


def git_describe() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True, cwd=Path(__file__).parent).stdout.strip()
        return head
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def calibration_meta() -> str:
    from experiments.calibration.config import calibrated_values

    values = calibrated_values()
    if not values:
        return "none (code defaults)"
    return ", ".join(f"`{k}={v:g}`" if isinstance(v, float) else f"`{k}={v}`"
                     for k, v in values.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="schoolsim-validate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--facts", default="",
                        help=f"facts ({min(checks_mod.FACTS)}-{max(checks_mod.FACTS)}) or "
                        "check ids (2a), comma-separated; default: all")
    parser.add_argument("--seeds", default="10", help="count (10: seeds 1-10), range or list")
    parser.add_argument("--n-jobs", type=int, default=-1, help="parallel runs (-1: all cores)")
    parser.add_argument("-o", "--out", default="validation", help="output folder")
    parser.add_argument("--markdown", default=None,
                        help="where the Markdown goes (default OUT/validation.md)")
    parser.add_argument("--override", action="append", default=[],
                        help="a schoolsim override applied to every run (repeatable)")
    args = parser.parse_args(argv)
    from sim.errors import ConfigError

    try:
        facts = [f for f in args.facts.split(",") if f.strip()] if args.facts else None
        checks = checks_mod.select(facts)
        seeds = parse_seeds(args.seeds)
        spec.jobs(args.n_jobs, "--n-jobs")
        precheck(checks, args.override)
    except (SpecError, ConfigError) as exc:
        fail(str(exc))
    started = time.perf_counter()
    values, summary = runner.validate(checks, seeds, args.n_jobs, args.override)
    elapsed = time.perf_counter() - started
    command = "schoolsim-validate " + " ".join(argv if argv is not None else sys.argv[1:])
    meta = {"Command": f"`{command.strip()}`",
            "Seeds": f"{seeds[0]}-{seeds[-1]} ({len(seeds)})" if seeds == list(
                range(seeds[0], seeds[-1] + 1)) else ", ".join(map(str, seeds)),
            "Calibration in the defaults": calibration_meta(),
            "Extra overrides": ", ".join(f"`{o}`" for o in args.override) or "none",
            "Commit": git_describe(),
            "Runtime": f"{elapsed:.0f} s (load average {os.getloadavg()[0]:.1f} at the end, "
                       f"{os.cpu_count()} cores)"}
    path = report.write_report(checks, values, summary, args.out, args.markdown, meta,
                               report.predictions_markdown(PREDICTIONS, OBSERVED))
    passed = int(summary["passed"].sum())
    for row in summary.itertuples():
        print(f"{row.check:>3} {'pass' if row.passed else 'FAIL'}  mean {report.fmt(row.mean)}"
              f"  [{report.fmt(row.low)}, {report.fmt(row.high)}]  target {row.target}")
    print(f"schoolsim-validate: {passed} of {len(checks)} checks pass; report {path} "
          f"({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
