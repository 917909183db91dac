"""Benchmark: how long building a real region takes (issue 13: England in < 3 s warm).

    python -m experiments.bench_real_region                    # england_real and gm_real, 5 runs
    python -m experiments.bench_real_region --regions england_real --repeats 10

Each repeat is a fresh Python process (imports excluded from the timing) that builds the
region twice: *first* is what a run pays (reading the shipped Parquet files, selecting the
authorities, building the arrays); *again* reuses the tables already read in the process (the
dashboard's case). The files are in the operating system's cache after the first repeat, so
the median over repeats is the warm figure. The load average is printed with the results:
other jobs on the machine slow every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", nargs="+", default=["england_real", "gm_real"])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"load average: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    for region in args.regions:
        r = measure(region, args.repeats)
        print(f"{r['region']:14} {r['schools']:6d} schools  build {r['first_median_s']:.3f} s "
              f"(median of {args.repeats}, max {r['first_max_s']:.3f})  again "
              f"{r['again_median_s']:.3f} s")


if __name__ == "__main__":
    main()
