"""Benchmark: how long building a real region takes (issue 13: England in < 3 s warm), and
the whole model run on it (issue 11's bars for England x 10 years: < 10 s, < 2.5 GB).

    python -m experiments.bench_real_region                    # england_real and gm_real, 5 runs
    python -m experiments.bench_real_region --regions england_real --repeats 10
    python -m experiments.bench_real_region --regions england_real --run-years 10 --repeats 3

Each repeat is a fresh Python process (imports excluded from the timing) that builds the
region twice: *first* is what a run pays (reading the shipped Parquet files, selecting the
authorities, building the arrays); *again* reuses the tables already read in the process (the
dashboard's case). The files are in the operating system's cache after the first repeat, so
the median over repeats is the warm figure. The load average is printed with the results:
other jobs on the machine slow every figure.

`--run-years N` also runs the whole model for N years on each region and scheme
(`--schemes`), each repeat in a fresh process as `experiments.benchmark` does: *total* is
the run's wall time (region, state, formation and the simulation; Python's imports and
Hydra's composition left out), *cpu* its CPU time, *peak* the process's peak resident set
size from the kernel. Times are medians over the repeats, memory the maximum.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from experiments.benchmark import GB, bench_model

CHILD = """
import json, time
import numpy as np
from sim.compose import compose_config
from sim.region import build_region
cfg = compose_config(["region={region}"]).region
t0 = time.perf_counter()
region = build_region(cfg, np.random.default_rng(0))
t1 = time.perf_counter()
build_region(cfg, np.random.default_rng(0))
t2 = time.perf_counter()
print(json.dumps({{"first": t1 - t0, "again": t2 - t1, "schools": region.n_schools}}))
"""


def measure(region: str, repeats: int) -> dict:
    runs = [json.loads(subprocess.run([sys.executable, "-c", CHILD.format(region=region)],
                                      capture_output=True, text=True, check=True).stdout)
            for _ in range(repeats)]
    return {"region": region, "schools": runs[0]["schools"],
            "first_median_s": statistics.median(r["first"] for r in runs),
            "first_max_s": max(r["first"] for r in runs),
            "again_median_s": statistics.median(r["again"] for r in runs)}


# Issue 11's bars for the whole model on England x 10 years (this 2-core machine).
RUN_BARS = {"total_s": 10.0, "peak_bytes": 2.5 * GB}


def report_run(row: dict, repeats: int) -> str:
    total = row["setup_s"] + row["simulation_s"]
    verdict = ("" if row["years"] != 10 else
               "  bars: " + ("pass" if total < RUN_BARS["total_s"]
                             and row["peak_rss_bytes"] < RUN_BARS["peak_bytes"] else "FAIL"))
    return (f"{row['region']:14} {row['scheme']:9} {row['years']} years  total {total:.2f} s "
            f"(setup {row['setup_s']:.2f} + simulation {row['simulation_s']:.2f}; median of "
            f"{repeats})  cpu {row['run_cpu_s']:.2f} s  peak "
            f"{row['peak_rss_bytes'] / GB:.2f} GB{verdict}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", nargs="+", default=["england_real", "gm_real"])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--run-years", type=int, default=0,
                        help="also run the whole model this many years (0: build only)")
    parser.add_argument("--schemes", nargs="+", default=["none", "trusts", "mixed"],
                        help="schemes of the whole runs")
    args = parser.parse_args(argv)
    print(f"load average: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    for region in args.regions:
        r = measure(region, args.repeats)
        print(f"{r['region']:14} {r['schools']:6d} schools  build {r['first_median_s']:.3f} s "
              f"(median of {args.repeats}, max {r['first_max_s']:.3f})  again "
              f"{r['again_median_s']:.3f} s")
        for scheme in args.schemes if args.run_years else ():
            row = bench_model(region, scheme, args.run_years, seed=42, repeats=args.repeats)
            print(report_run(row, args.repeats), flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
