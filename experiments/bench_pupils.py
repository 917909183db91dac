"""Benchmark of the model with its pupils (`sim.pupils`): England and GM x 10 years with every
mechanism on, the transition allocation at 11, and the ratio to a naive implementation.

    python -m experiments.bench_pupils                   # everything, 3 repeats
    python -m experiments.bench_pupils --parts gm ratio --repeats 5 --json bench_pupils.json
    python -m experiments.bench_pupils --parts england --before dd3527f   # and that commit's

Parts (each repeat in a fresh Python subprocess, so runs never share a heap, its allocator set
as the command line sets it, `sim.heap`; peak memory is the child's peak resident set size
from the kernel; times wall-clock and CPU):
- `england`: the whole model on England (`--england`: `england_real`, the census's 20,221
  schools and about 8.0 million pupils on roll, or the drawn `england`) for 10 years with
  every mechanism on (`EVERY_MECHANISM`: a mixed scheme of trusts and trios whose groups meet
  every week, a market over every school, so families weigh results more and funding follows
  pupils, and the pandemic, whose loss falls on the pupils and is recovered by them),
  reported as set-up (`SchoolSystem(cfg)`: region, starting state, the pupils' 13-year
  spin-up, partnerships) and simulation (`model.run()`: meetings, terms, 10 pupil year ends,
  inspections, collection); writing the outputs is left out;
- `gm`: the same on the default Greater Manchester-sized region;
- `allocation`: the transition at 11 of England's Year 6 cohort (families' rankings,
  deferred acceptance, the local authority's offers), timed alone;
- `ratio`: the vectorised pupil year end on the whole GM region and `experiments.naive_pupils`
  (Mesa school agents stepping every teaching week, one Python object per pupil stepping
  yearly) on a sample of it, one after the other in one process, each from its own spun-up
  roll: time per pupil-year, and the naive time extrapolated to England x 10 years.

The bars (issue 11, on this 2-core machine): England x 10 years < 10 s and < 2.5 GB for the
whole model, set-up included; GM x 10 years < 1 s; allocation of about 600,000 Year 6 pupils
< 1 s; at least 25x the naive implementation. Other jobs on the machine slow every
wall-clock figure (and, sharing the cores' caches, the CPU ones less): the load average is
printed beside the results, and the ratio is measured in one run. `--before COMMIT` also
times each part on that commit's files (`git archive`), its repeats alternating with the
working tree's so that both see the same load, and prints the CPU times' ratios: how much a
change gained, measurable on a busy machine.

Before its timed repeats each part runs once untimed in each checkout (`--warm-up`, on by
default): a checkout whose numba cache is missing or stale (a fresh clone, a changed
kernel, `--before`'s temporary folder) compiles its kernels then, ~2-3 s once, which would
otherwise land in the first repeat of England. `--quiet-load L` waits before each repeat
until the other processes keep at most L cores busy, on average over a few seconds' samples of
the kernel's count of runnable tasks (`busy_elsewhere`: the load average would count the
benchmark's own last repeat for a minute after it), waiting `--quiet-wait` seconds at most in
all, then timing the rest at once and saying so; for a measurement of the bars on a machine
others share (about 3 minutes on a quiet machine):

    python -m experiments.bench_pupils --repeats 5 --quiet-load 0.5 --json bench_pupils.json

The machine's speed also moves when nothing else runs on it: this is a virtual machine whose
host serves others (session 9, 15:17-15:20 UTC, no other runnable task in it: GM's run took
1.58 s, then 1.04 s, the same code). Each child therefore times a fixed reference workload
(`reference_cpu_s`: a Python loop and a numpy sort, ~134 ms of CPU when the host was quiet, up
to ~190 ms when it was not) just before its timed work; each part prints the reference's
median beside its results, and a time is only comparable with one taken at a like reference.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

from sim.heap import tune_memory

REPO = Path(__file__).resolve().parents[1]
GB = 1024**3
YEARS = 10
BARS = {"england_s": 10.0, "england_bytes": 2.5 * GB, "gm_s": 1.0, "allocation_s": 1.0,
        "ratio": 25.0}
QUIET_POLL_S = 5.0
QUIET_SAMPLES = 12


def build(region: str, seed: int, n_schools: int | None = None):
    """Places, catchments, schools' view and parameters for a region at its start."""
    from sim import compose_config
    from sim.pupils import progress, year_end
    from sim.pupils.places import places_of
    from sim.region import build_region
    from sim.state import initial_state
    from sim.streams import Streams

    overrides = [f"region={region}", f"seed={seed}"]
    if n_schools is not None:
        overrides.append(f"region.n_schools={n_schools}")
    cfg = compose_config(overrides)
    streams = Streams(seed)
    region_ = build_region(cfg.region, streams["region"])
    state = initial_state(region_, cfg, streams["initial"])
    params = year_end.PupilParams()
    places = places_of(region_, params.transition.capacity_headroom)
    va_dis, va_oth = progress.value_added(state.expertise, region_.phase, state.school_effect,
                                          params.progress)
    schools = year_end.SchoolsNow(va_dis, va_oth, np.zeros(region_.n_schools),
                                  region_.disadvantaged_share)
    return places, year_end.catchments(places, params), schools, params


def pupil_streams(seed: int) -> dict:
    from sim.pupils import year_end

    return {name: np.random.default_rng([seed, i]) for i, name in enumerate(year_end.STREAMS)}


def spun_up(places, areas, schools, params, seed):
    from sim.pupils import year_end
    from sim.pupils.roll import Pupils
    from sim.pupils.roll_buffer import RollBuffer
    from sim.pupils.system import SPIN_UP_YEARS

    roll, streams = RollBuffer(Pupils.empty()), pupil_streams(seed)
    for _ in range(SPIN_UP_YEARS):
        year_end.end_of_year(roll, places, areas, schools, params, streams)
    return roll, streams


# Every mechanism of the model at once (see the module docstring).
EVERY_MECHANISM = ("scheme=mixed", "scheme.overlay=[market]", "shocks.pandemic.enabled=true",
                   "output.progress=false")


REFERENCE_ARRAY = 2_000_000      # numbers sorted by the reference workload
REFERENCE_LOOP = 300_000         # steps of its Python loop


def reference_cpu_s(repeats: int = 3) -> float:
    """CPU seconds of a fixed workload (the least of `repeats`): a Python loop and a numpy
    sort, the two kinds of work the model does; how fast the machine is now."""
    values = np.random.default_rng(0).random(REFERENCE_ARRAY)
    times = []
    for _ in range(repeats):
        cpu = time.process_time()
        total = 0
        for step in range(REFERENCE_LOOP):
            total += step * step
        np.sort(values)
        times.append(time.process_time() - cpu)
    return min(times)


def child_model(region: str, seed: int) -> dict:
    """The whole model on `region` for YEARS years: set-up (`SchoolSystem(cfg)`: region,
    starting state, the pupils' spin-up, partnerships) and simulation (`model.run()`), each
    in wall-clock and CPU seconds."""
    from sim.compose import compose_config
    from sim.model import SchoolSystem

    cfg = compose_config([f"region={region}", f"seed={seed}", f"years={YEARS}",
                          *EVERY_MECHANISM])
    started, cpu = time.perf_counter(), time.process_time()
    model = SchoolSystem(cfg)
    built, cpu_built = time.perf_counter(), time.process_time()
    model.run()
    return {"setup_s": built - started, "setup_cpu_s": cpu_built - cpu,
            "years_s": time.perf_counter() - built, "years_cpu_s": time.process_time() - cpu_built,
            "pupils": model.pupil_system.on_roll, "schools": model.n_schools}


def child_allocation(region: str, seed: int) -> dict:
    """The transition at 11 of `region`'s Year 6 (a roll spun up as the model does), alone."""
    from sim.pupils import transition
    from sim.pupils.roll import LAST_PRIMARY_YEAR
    from sim.region import SECONDARY

    places, areas, schools, params = build(region, seed)
    pupils = spun_up(places, areas, schools, params, seed)[0].pupils
    y6 = np.flatnonzero(pupils.year == LAST_PRIMARY_YEAR)
    sec = places.schools_of(SECONDARY)
    rng = np.random.default_rng(seed)
    started, cpu = time.perf_counter(), time.process_time()
    transition.allocate(pupils.home[y6], pupils.home_km[y6], pupils.disadvantaged[y6],
                        areas.secondary_candidates, places.school_km[sec],
                        places.entry_places[sec], schools.published_results[sec],
                        schools.disadvantaged_share[sec], params.transition, rng)
    return {"allocation_s": time.perf_counter() - started,
            "allocation_cpu_s": time.process_time() - cpu, "year6_pupils": len(y6)}


def per_pupil_year(step, roll_size, years: int) -> tuple[float, float]:
    """Wall and CPU seconds per pupil-year of `years` calls of `step` (`roll_size()` pupils
    on roll before each)."""
    pupil_years, wall, cpu = 0, time.perf_counter(), time.process_time()
    for _ in range(years):
        pupil_years += roll_size()
        step()
    return ((time.perf_counter() - wall) / pupil_years,
            (time.process_time() - cpu) / pupil_years)


def child_ratio(seed: int, n_schools: int, years: int) -> dict:
    """The vectorised pupil year end on the whole GM region and the naive one on a sample
    of `n_schools` schools, in one process one after the other: time per pupil-year of each
    (the vectorised code's fixed costs per call are spread as in a real run)."""
    from experiments.naive_pupils import NaiveModel
    from sim.pupils import year_end

    places, areas, schools, params = build("gm", seed)
    roll, streams = spun_up(places, areas, schools, params, seed)

    def vectorised_year():
        year_end.end_of_year(roll, places, areas, schools, params, streams)

    fast_wall, fast_cpu = per_pupil_year(vectorised_year, lambda: len(roll.pupils), years)
    sample = build("gm", seed, n_schools=n_schools)
    start = spun_up(*sample, seed)[0].pupils
    naive = NaiveModel(start, *sample, seed)
    naive_wall, naive_cpu = per_pupil_year(naive.run_year, lambda: len(naive.pupils), years)
    return {"vectorised_ns_per_pupil_year": 1e9 * fast_wall,
            "vectorised_cpu_ns_per_pupil_year": 1e9 * fast_cpu,
            "naive_ns_per_pupil_year": 1e9 * naive_wall,
            "naive_cpu_ns_per_pupil_year": 1e9 * naive_cpu,
            "ratio": naive_wall / fast_wall, "ratio_cpu": naive_cpu / fast_cpu,
            "vectorised_pupils": len(roll.pupils), "vectorised_schools": places.n_schools,
            "sample_pupils": len(start), "sample_schools": n_schools}


def run_child(args: list[str], code: Path = REPO) -> dict:
    """One child run of the checkout at `code` (its `sim` is imported: `-m` puts the working
    folder first on the path)."""
    cmd = [sys.executable, "-m", "experiments.bench_pupils", "--child", *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=code, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"child {' '.join(args)} failed:\n{err.read().decode()[-2000:]}")
        result = json.loads(out.read().decode().strip().splitlines()[-1])
    result["peak_rss_bytes"] = int(usage.ru_maxrss * 1024)
    return result


def busy_elsewhere(samples: int = QUIET_SAMPLES, interval_s: float = 0.25) -> float:
    """Cores other processes keep busy: the mean, over `samples` readings `interval_s`
    apart, of the runnable tasks the kernel counts (/proc/loadavg's fourth field), less
    this process, which is running as it reads."""
    running = []
    for k in range(samples):
        if k:
            time.sleep(interval_s)
        with open("/proc/loadavg") as loadavg:
            running.append(int(loadavg.read().split()[3].split("/")[0]) - 1)
    return statistics.mean(running)


class Patience:
    """Waits for a quiet machine (`busy_elsewhere` at most `limit`), `seconds` in all over a
    benchmark's repeats."""

    def __init__(self, limit: float | None, seconds: float):
        self.limit, self.left = limit, seconds

    def wait(self) -> float:
        """Wait until other processes keep at most `limit` cores busy (None: no wait) or
        the patience is used up; returns the cores they kept busy then."""
        if self.limit is None:            # only reported: a shorter look
            return busy_elsewhere(samples=4)
        busy = busy_elsewhere()
        while busy > self.limit and self.left > 0:
            time.sleep(QUIET_POLL_S)
            self.left -= QUIET_POLL_S
            busy = busy_elsewhere()
        if busy > self.limit:
            print(f"  {busy:.1f} cores busy elsewhere, above {self.limit:g}, no patience "
                  f"left: timed anyway", flush=True)
        return busy


def median_of(runs: list[dict]) -> dict:
    out = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    out["peak_rss_bytes"] = max(r["peak_rss_bytes"] for r in runs)
    return out


PARTS = ("england", "gm", "allocation", "ratio")
# What `--before` compares: the times of a part, as (label, key) of its results.
COMPARED = {"england": ("set-up", "setup_cpu_s", "simulation", "years_cpu_s"),
            "gm": ("set-up", "setup_cpu_s", "simulation", "years_cpu_s"),
            "allocation": ("allocation", "allocation_cpu_s"),
            "ratio": ("vectorised year", "vectorised_cpu_ns_per_pupil_year")}


@contextlib.contextmanager
def checkout(commit: str):
    """The files of `commit` of this repository, in a temporary folder."""
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=REPO,
                             capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory(prefix="bench_before_") as folder:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        yield Path(folder)


def compare(part: str, before: dict, now: dict) -> str:
    """The CPU times of `--before`'s commit and of the working tree, and their ratio."""
    keys = COMPARED[part]
    return f"  {part}, CPU before -> now: " + "; ".join(
        f"{label} {before[key]:,.2f} -> {now[key]:,.2f} ({before[key] / now[key]:.2f}x)"
        for label, key in zip(keys[::2], keys[1::2]))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--england", default="england_real",
                        help="England's region: england_real (the census) or england (drawn)")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--ratio-schools", type=int, default=120)
    parser.add_argument("--ratio-years", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--before", metavar="COMMIT",
                        help="also time this commit's code, its repeats alternating with the "
                             "working tree's (so both see the same load), and print the ratios")
    parser.add_argument("--warm-up", action=argparse.BooleanOptionalAction, default=True,
                        help="run each part once untimed in each checkout first (numba "
                             "compiles a missing or stale cache then)")
    parser.add_argument("--quiet-load", type=float, metavar="L",
                        help="before each repeat wait until other processes keep at most L "
                             "cores busy (runnable tasks sampled over 3 s)")
    parser.add_argument("--quiet-wait", type=float, default=600.0, metavar="SECONDS",
                        help="the longest wait for --quiet-load, in all")
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args(argv)
    if args.child:
        tune_memory()    # as the command line does (`sim.heap`): what users get
        kind, *rest = args.child
        reference = reference_cpu_s()     # just before the timed work
        if kind == "years":
            out = child_model(rest[0], int(rest[1]))
        elif kind == "allocation":
            out = child_allocation(rest[0], int(rest[1]))
        else:
            out = child_ratio(int(rest[0]), int(rest[1]), int(rest[2]))
        print(json.dumps({**out, "reference_cpu_s": reference}))
        return
    seed = str(args.seed)
    child_args = {"england": ["years", args.england, seed], "gm": ["years", "gm", seed],
                  "allocation": ["allocation", args.england, seed],
                  "ratio": ["ratio", seed, str(args.ratio_schools), str(args.ratio_years)]}
    load_before = os.getloadavg()
    print(f"load average before {load_before[0]:.1f} ({os.cpu_count()} cores); medians of "
          f"{args.repeats}, wall-clock (CPU)", flush=True)
    results = {}
    patience = Patience(args.quiet_load, args.quiet_wait)
    with contextlib.ExitStack() as stack:
        before = stack.enter_context(checkout(args.before)) if args.before else None
        for part in args.parts:
            codes = [REPO] if before is None else [before, REPO]
            if args.warm_up:
                for code in codes:
                    run_child(child_args[part], code)
            runs, runs_before, busy = [], [], []
            for _ in range(args.repeats):
                if before is not None:
                    patience.wait()
                    runs_before.append(run_child(child_args[part], before))
                busy.append(patience.wait())
                runs.append(run_child(child_args[part]))
            results[part] = median_of(runs)
            results[f"{part}_runs"] = runs
            results[f"{part}_busy_elsewhere"] = busy
            references = ", ".join(f"{1e3 * run['reference_cpu_s']:.0f}" for run in runs)
            print(f"  cores busy elsewhere at each repeat's start: "
                  f"{', '.join(f'{cores:.1f}' for cores in busy)}; load average now "
                  f"{os.getloadavg()[0]:.1f}; reference workload at each repeat: "
                  f"{references} ms", flush=True)
            print(REPORT[part](results[part]), flush=True)
            if before is not None:
                results[f"{part}_before"] = median_of(runs_before)
                print(f"  {args.before}: {REPORT[part](results[f'{part}_before'])}")
                print(compare(part, results[f"{part}_before"], results[part]), flush=True)
    if {"england", "ratio"} <= set(results):
        e, r = results["england"], results["ratio"]
        naive_s = r["naive_cpu_ns_per_pupil_year"] * 1e-9 * e["pupils"] * YEARS
        results["naive_england_10_years_cpu_s"] = naive_s
        print(f"Naive England x {YEARS} years, extrapolated: ~{naive_s:,.0f} s CPU for the pupils "
              f"alone, {naive_s / (e['setup_cpu_s'] + e['years_cpu_s']):,.0f}x the whole "
              f"vectorised model's set-up and run")
    results["load_average"] = {"before": load_before, "after": os.getloadavg()}
    results["cpu_count"] = os.cpu_count()
    print(f"load average after {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def report_model(name: str):
    bar = f"; bars {BARS['england_s']:g} s, {BARS['england_bytes'] / GB:g} GB" \
        if name == "England" else f"; bar {BARS['gm_s']:g} s"

    def report(m: dict) -> str:
        total, cpu = m["setup_s"] + m["years_s"], m["setup_cpu_s"] + m["years_cpu_s"]
        return (f"{name}, whole model ({m['schools']} schools, {m['pupils']:,} pupils on roll), "
                f"every mechanism, {YEARS} years: {total:.2f} s ({cpu:.2f} s CPU) = set-up "
                f"{m['setup_s']:.2f} s ({m['setup_cpu_s']:.2f}) + simulation {m['years_s']:.2f} s "
                f"({m['years_cpu_s']:.2f}), peak {m['peak_rss_bytes'] / GB:.2f} GB{bar}")
    return report


REPORT = {
    "england": report_model("England"),
    "gm": report_model("GM"),
    "allocation": lambda a: (f"Allocation of {a['year6_pupils']:,} Year 6 pupils: "
                             f"{a['allocation_s']:.3f} s ({a['allocation_cpu_s']:.3f} s CPU); "
                             f"bar {BARS['allocation_s']:g} s"),
    "ratio": lambda r: (f"Pupils' year end, naive ({r['sample_schools']} schools, "
                        f"{r['sample_pupils']:,} pupils) vs vectorised ({r['vectorised_schools']} "
                        f"schools, {r['vectorised_pupils']:,} pupils): "
                        f"{r['naive_cpu_ns_per_pupil_year']:,.0f} vs "
                        f"{r['vectorised_cpu_ns_per_pupil_year']:,.0f} ns CPU per pupil-year = "
                        f"{r['ratio_cpu']:.0f}x ({r['ratio']:.0f}x wall-clock); bar "
                        f"{BARS['ratio']:g}x"),
}


if __name__ == "__main__":
    main()
