"""Benchmark: N Greater Manchester runs one process per run, as a sweep, and as a batch.

    python -m experiments.bench_sweep                        # 40 and 80 GM runs, 3 repeats
    python -m experiments.bench_sweep --runs 10 --repeats 1  # a quick look
    python -m experiments.bench_sweep --modes serial,sweep   # the launchers' speed-up
    python -m experiments.bench_sweep --code /path/to/checkout   # another checkout's code
    python -m experiments.bench_sweep --before /path/to/older/checkout   # + its sweep

Every mode runs the same runs (GM region, 10 years, seeds 1..N, plus any `--override`) on
`--n-jobs` processes at a time, each as one command timed on the wall clock from its start
(Python, imports, Hydra) to its end:
- `process`: one `python -m sim` per run (what a launcher without reused workers does:
  every run starts Python, imports the model and composes its config);
- `sweep`: one `schoolsim -m` sweep with the default launcher (workers that run many
  jobs, each job's config from `SweepConfigs`);
- `batch`: `sim.batch.run_many` from one Python process (what the calibration calls);
- `serial`: the sweep with Hydra's basic launcher (one process, one job after another);
- `sweep_before` (with `--before CHECKOUT`): the sweep as that checkout's code runs it
  (e.g. the commit before the amortised launcher, with the same model), so old and new are
  timed in one run.
All modes must write byte-identical tables for every run (checked). Each mode but `process`
runs at N and at 2N runs (`--repeats` times each, the median kept), so the time a run adds
is measured (the slope) apart from the fixed start-up; 1,000 runs are extrapolated as
time(N) + (1000 - N) x slope. `process` has no shared start-up (each run pays its own), so
it runs at N only and its slope is time(N) / N. `model_seconds` is the time spent inside the model (setup and
simulation, from each run's summary.json), summed over the runs; per added run, the wall
time x processes beyond it is the cost of starting, composing and writing a run. The
machine's load average is reported before and after: other work on the machine slows
everything, so compare modes within one run of this benchmark, not across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MODES = ("process", "sweep", "batch", "serial")
TABLES = ("metrics.parquet", "schools.parquet", "partnerships.parquet")
BASE = ["region=gm", "years=10", "output.print_summary=false", "output.progress=false"]
TARGET_RUNS = 1000
# (slower, faster) pairs of modes whose ratio is reported.
COMPARISONS = [("process", "sweep"), ("process", "batch"), ("sweep_before", "sweep"),
               ("serial", "sweep")]

BATCH = textwrap.dedent("""
    import json, sys
    from sim.batch import run_many
    jobs = json.loads(sys.argv[1])
    run_many(jobs, n_jobs=int(sys.argv[2]), out_dir=sys.argv[3], reduce=bool)  # tables on disk
""")


def jobs(runs: int, extra: list[str]) -> list[list[str]]:
    return [[*BASE, *extra, f"seed={seed}"] for seed in range(1, runs + 1)]


def commands(mode: str, runs: int, extra: list[str], n_jobs: int, out: Path) -> list[list[str]]:
    """The command(s) of one mode; each run's outputs go to out/<k> (k from 0)."""
    py = [sys.executable]
    if mode == "process":
        return [[*py, "-m", "sim", *job, f"hydra.run.dir={out / str(k)}"]
                for k, job in enumerate(jobs(runs, extra))]
    if mode == "batch":
        return [[*py, "-c", BATCH, json.dumps(jobs(runs, extra)), str(n_jobs), str(out)]]
    launcher = ["hydra/launcher=basic"] if mode == "serial" else \
        [f"hydra.launcher.n_jobs={n_jobs}"]
    return [[*py, "-m", "sim", "-m", *BASE, *extra, f"seed=range(1,{runs + 1})", *launcher,
             f"hydra.sweep.dir={out}"]]


def timed(cmds: list[list[str]], n_jobs: int, code: Path) -> float:
    """Wall seconds of running the commands, n_jobs at a time, from `code`."""
    def run(cmd):
        proc = subprocess.run(cmd, cwd=code, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"bench_sweep: error: {' '.join(cmd[:3])[:80]} ... failed:\n"
                             f"{proc.stderr[-2000:]}")

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=n_jobs if len(cmds) > 1 else 1) as pool:
        list(pool.map(run, cmds))
    return time.perf_counter() - start


def run_folders(mode: str, out: Path, runs: int) -> list[Path]:
    """Each run's folder, by seed: out/<k> for seed k+1, a sweep's job folder as its plan
    names it (named for the overrides, or numbered by older code)."""
    if mode not in ("sweep", "serial"):
        return [out / str(k) for k in range(runs)]
    from experiments.plan import load_jobs

    by_seed = {job.swept_values()["seed"]: out / job.subdir for job in load_jobs(out)}
    return [by_seed[seed] for seed in range(1, runs + 1)]


def tables(folders: list[Path]) -> list[dict[str, bytes]]:
    return [{name: (folder / name).read_bytes() for name in TABLES} for folder in folders]


def model_seconds(folders: list[Path]) -> float:
    """Time spent inside the model (setup + simulation), summed over the runs."""
    return sum(sum(json.loads((folder / "summary.json").read_text())
                   ["runtime_seconds"].values()) for folder in folders)


def measure(mode: str, runs: int, extra: list[str], n_jobs: int, repeats: int, code: Path,
            reference: dict, name: str) -> dict:
    """Median wall and model seconds over `repeats`; the tables checked against `reference`
    (the first mode's, filled in by the first call)."""
    walls, models = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="bench_sweep-") as tmp:
            out = Path(tmp) / mode
            load = os.getloadavg()[0]
            wall = timed(commands(mode, runs, extra, n_jobs, out), n_jobs, code)
            folders = run_folders(mode, out, runs)
            written = tables(folders)
            reference.setdefault(runs, written)
            if written != reference[runs]:
                raise SystemExit(f"bench_sweep: error: {name} wrote other tables than the "
                                 "first mode for the same runs (another model version?)")
            walls.append(wall)
            models.append(model_seconds(folders))
    return {"runs": runs, "seconds": round(statistics.median(walls), 2),
            "all_seconds": [round(w, 2) for w in walls],
            "model_seconds": round(statistics.median(models), 2),
            "load_before_last": round(load, 2), "load_after": round(os.getloadavg()[0], 2)}


def bench(modes: list[str], runs: int, n_jobs: int, repeats: int, extra: list[str],
          code: Path, before: Path | None = None) -> dict:
    reference: dict = {}
    result = {"region": "gm", "years": 10, "overrides": extra, "n_jobs": n_jobs,
              "cpus": os.cpu_count(), "repeats": repeats, "code": str(code),
              "load_at_start": [round(x, 2) for x in os.getloadavg()], "modes": {}}
    if before is not None:
        result["before"] = str(before)
        modes = [*modes, "sweep_before"]
    for name in modes:
        mode, checkout = ("sweep", before) if name == "sweep_before" else (name, code)
        small = measure(mode, runs, extra, n_jobs, repeats, checkout, reference, name)
        if mode == "process":
            large = None
            per_run, model_per_run = small["seconds"] / runs, small["model_seconds"] / runs
        else:
            large = measure(mode, 2 * runs, extra, n_jobs, repeats, checkout, reference,
                            name)
            per_run = (large["seconds"] - small["seconds"]) / runs
            model_per_run = (large["model_seconds"] - small["model_seconds"]) / runs
        result["modes"][name] = {
            "at_n": small, "at_2n": large,
            "seconds_per_added_run": round(per_run, 3),
            "model_seconds_per_added_run": round(model_per_run, 3),
            # Process-seconds an added run costs beyond the model (start, compose, write).
            "overhead_seconds_per_added_run": round(
                per_run * (1 if mode == "serial" else n_jobs) - model_per_run, 3),
            f"extrapolated_{TARGET_RUNS}_runs_seconds":
                round(small["seconds"] + (TARGET_RUNS - runs) * per_run, 1)}
    timed_modes = result["modes"]
    result["speedups_at_n"] = {
        f"{fast} over {slow}": round(timed_modes[slow]["at_n"]["seconds"]
                                     / timed_modes[fast]["at_n"]["seconds"], 2)
        for slow, fast in COMPARISONS if slow in timed_modes and fast in timed_modes}
    result["speedups_per_added_run"] = {
        f"{fast} over {slow}": round(timed_modes[slow]["seconds_per_added_run"]
                                     / timed_modes[fast]["seconds_per_added_run"], 2)
        for slow, fast in COMPARISONS if slow in timed_modes and fast in timed_modes}
    result["identical_tables"] = True  # every mode was checked against the first
    result["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_sweep", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=40,
                        help="N: runs at the smaller size (the larger is 2N; default 40)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="repeats per mode and size, the median kept (default 3)")
    parser.add_argument("--n-jobs", type=int, default=os.cpu_count() or 1,
                        help="processes at a time (default: every core)")
    parser.add_argument("--modes", default="process,sweep,batch",
                        help=f"comma-separated, from {', '.join(MODES)} "
                             "(default process,sweep,batch)")
    parser.add_argument("--override", action="append", default=[],
                        help="an override for every run, e.g. scheme=families (repeatable)")
    parser.add_argument("--code", type=Path, default=Path.cwd(),
                        help="the checkout whose code runs (default: this folder)")
    parser.add_argument("--before", type=Path,
                        help="also time the sweep with this (older) checkout's code")
    parser.add_argument("--json", help="also write the result to this JSON file")
    args = parser.parse_args(argv)
    modes = args.modes.split(",")
    for key in ("runs", "repeats", "n_jobs"):
        if getattr(args, key) < 1:
            return _refuse(f"--{key.replace('_', '-')}={getattr(args, key)}", "an integer >= 1")
    if not modes or not set(modes) <= set(MODES):
        return _refuse(f"--modes={args.modes}", f"a comma-separated list of {', '.join(MODES)}")
    for flag, checkout in (("--code", args.code), ("--before", args.before)):
        if checkout is not None and not (checkout / "sim" / "__init__.py").is_file():
            return _refuse(f"{flag}={checkout}", "a schoolsim checkout (holding sim/)")
    result = bench(modes, args.runs, args.n_jobs, args.repeats, args.override,
                   args.code.resolve(), args.before and args.before.resolve())
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        from sim.atomic import write_text

        write_text(args.json, text + "\n")
    return 0


def _refuse(value: str, allowed: str) -> int:
    print(f"bench_sweep: error: {value}; allowed: {allowed}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
