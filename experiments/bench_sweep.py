"""Benchmark: the same sweep run serially and with the joblib launcher; the speed-up.

    python -m experiments.bench_sweep                    # 200 GM runs: 4 schemes x 50 seeds
    python -m experiments.bench_sweep --seeds 5 --years 2 --json bench.json   # a quick look

Each launcher runs the whole `schoolsim -m` command (Python start, Hydra, every job, the
job folders), timed on the wall clock; both sweeps must collect to identical tables. The
parallel launcher is the default one (`schoolsim_joblib`; `--launcher joblib` for
hydra-joblib-launcher's own). The machine's load average before and after each, and the
CPU seconds each used (its processes and theirs), are reported, since other work on the
machine takes cores away from the parallel run. On 2 cores the target is a speed-up >= 1.7.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCHEMES = "none,trios,families,market"


def sweep_args(seeds: int, years: int) -> list[str]:
    return ["-m", f"scheme={SCHEMES}", f"seed=range(1,{seeds + 1})", f"years={years}",
            "region=gm", "output.print_summary=false", "output.progress=false"]


def cpu_seconds() -> float:
    """CPU time of this process's finished children (a sweep and its workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_sweep(args: list[str], sweep_dir: Path) -> dict:
    load_before = os.getloadavg()[0]
    cpu_before = cpu_seconds()
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "sim", *args, f"hydra.sweep.dir={sweep_dir}"],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    from experiments.status import counts, sweep_status

    jobs = counts(sweep_status(sweep_dir))  # a job that fails is timed and counted, not fatal
    if jobs["finished"] == 0:
        raise SystemExit(f"bench_sweep: error: no job finished:\n{proc.stderr[-2000:]}")
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds() - cpu_before, 2),
            "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2), "finished": jobs["finished"],
            "failed": jobs["failed"]}


def same_tables(a: Path, b: Path) -> bool:
    import pandas as pd

    from experiments.collect import collect

    ca, cb = collect(a, write=False), collect(b, write=False)
    for name in ("metrics", "schools", "partnerships"):
        pd.testing.assert_frame_equal(ca.tables[name], cb.tables[name], check_exact=True)
    return len(ca.metrics) > 0


def model_seconds(sweep_dir: Path) -> float:
    """Time spent inside the model (setup + simulation), summed over the jobs."""
    total = 0.0
    for summary in sweep_dir.glob("*/summary.json"):
        total += sum(json.loads(summary.read_text())["runtime_seconds"].values())
    return round(total, 2)


def bench(seeds: int, years: int, n_jobs: int, launcher: str = "schoolsim_joblib",
          extra: list[str] = ()) -> dict:
    args = sweep_args(seeds, years)
    with tempfile.TemporaryDirectory(prefix="bench_sweep-") as tmp:
        serial_dir, joblib_dir = Path(tmp) / "serial", Path(tmp) / "joblib"
        serial = timed_sweep([*args, "hydra/launcher=basic"], serial_dir)
        parallel = timed_sweep([*args, f"hydra/launcher={launcher}",
                                f"hydra.launcher.n_jobs={n_jobs}", *extra], joblib_dir)
        identical = same_tables(serial_dir, joblib_dir)
        inside_model = model_seconds(serial_dir)
    return {"runs": 4 * seeds, "years": years, "region": "gm", "cpus": os.cpu_count(),
            "n_jobs": n_jobs, "launcher": " ".join([launcher, *extra]), "serial": serial,
            "joblib": parallel,
            "model_seconds_serial": inside_model,
            "speedup": round(serial["seconds"] / parallel["seconds"], 2),
            "identical_tables": identical}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_sweep", description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=50, help="seeds per scheme (default 50)")
    parser.add_argument("--years", type=int, default=10, help="years per run (default 10)")
    parser.add_argument("--n-jobs", type=int, default=os.cpu_count() or 1,
                        help="joblib processes (default: every core)")
    parser.add_argument("--launcher", default="schoolsim_joblib",
                        choices=["schoolsim_joblib", "joblib"], help="the parallel launcher")
    parser.add_argument("--override", action="append", default=[],
                        help="an override for the parallel sweep only, e.g. "
                             "hydra.launcher.backend=multiprocessing (repeatable)")
    parser.add_argument("--json", help="also write the result to this JSON file")
    args = parser.parse_args(argv)
    for key in ("seeds", "years", "n_jobs"):
        if getattr(args, key) < 1:
            print(f"bench_sweep: error: --{key.replace('_', '-')}={getattr(args, key)}; "
                  "allowed: an integer >= 1", file=sys.stderr)
            return 2
    result = bench(args.seeds, args.years, args.n_jobs, args.launcher, args.override)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        from sim.atomic import write_text

        write_text(args.json, text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
