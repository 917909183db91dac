"""Benchmark of the model with its pupils (`sim.pupils`): England and GM x 10 years with every
mechanism on, the transition allocation at 11, and the ratio to a naive implementation.

    python -m experiments.bench_pupils                   # everything, 3 repeats
    python -m experiments.bench_pupils --repeats 5 --json bench_pupils.json

Parts (each in a fresh Python subprocess, so runs never share a heap; peak memory is the
child's peak resident set size from the kernel):
- `england`: the whole model (`sim.run`) on the synthetic England region (about 20,000
  schools, about 7.9 million pupils on roll) for 10 years with every mechanism on
  (`EVERY_MECHANISM`: a mixed scheme of trusts and trios whose groups meet every week, a
  market over every school, so families weigh results more and funding follows pupils, and
  the pandemic, whose loss falls on the pupils and is recovered by them), reported as the
  run's setup (region, starting state, the pupils' 13-year spin-up, partnerships) and
  simulation (the SimPy calendar: meetings, terms, 10 pupil year ends, inspections,
  collection), both wall-clock from `summary["runtime_seconds"]`;
- `gm`: the same on the Greater Manchester-sized region;
- `allocation`: the transition at 11 of England's Year 6 cohort (families' rankings,
  deferred acceptance, the local authority's offers), timed alone;
- `ratio`: the vectorised pupil year end and `experiments.naive_pupils` (Mesa school agents
  stepping every teaching week, one Python object per pupil stepping yearly) on the same
  small region from the same pupils, time per pupil-year; the naive time is extrapolated to
  England x 10 years.

The bars (issue 11, on this 2-core machine): England x 10 years < 10 s and < 2.5 GB for the
whole model (judged here on the simulation, as issue 2's bars are; the setup is printed
beside it); GM x 10 years < 1 s; allocation of about 600,000 Year 6 pupils < 1 s; at least
25x the naive implementation. Other jobs on the machine slow everything: the load average is
printed beside the results, and the ratio is measured in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
GB = 1024**3
YEARS = 10
BARS = {"england_s": 10.0, "england_bytes": 2.5 * GB, "gm_s": 1.0, "allocation_s": 1.0,
        "ratio": 25.0}


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
    from sim.pupils.system import SPIN_UP_YEARS

    pupils, streams = Pupils.empty(), pupil_streams(seed)
    for _ in range(SPIN_UP_YEARS):
        pupils, _ = year_end.end_of_year(pupils, places, areas, schools, params, streams)
    return pupils, streams


# Every mechanism of the model at once (see the module docstring).
EVERY_MECHANISM = ("scheme=mixed", "scheme.overlay=[market]", "shocks.pandemic.enabled=true",
                   "output.progress=false")


def child_model(region: str, seed: int) -> dict:
    import sim

    result = sim.run([f"region={region}", f"seed={seed}", f"years={YEARS}", *EVERY_MECHANISM])
    s = result.summary
    return {"setup_s": s["runtime_seconds"]["setup"],
            "years_s": s["runtime_seconds"]["simulation"],
            "pupils": s["pupils_on_roll"], "schools": s["n_schools"]}


def child_allocation(seed: int) -> dict:
    from sim.pupils import transition
    from sim.pupils.roll import LAST_PRIMARY_YEAR
    from sim.region import SECONDARY

    places, areas, schools, params = build("england", seed)
    pupils, _ = spun_up(places, areas, schools, params, seed)
    y6 = np.flatnonzero(pupils.year == LAST_PRIMARY_YEAR)
    sec = places.schools_of(SECONDARY)
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    transition.allocate(pupils.home[y6], pupils.home_km[y6], pupils.disadvantaged[y6],
                        areas.secondary_candidates, places.school_km[sec],
                        places.entry_places[sec], schools.published_results[sec],
                        schools.disadvantaged_share[sec], params.transition, rng)
    return {"allocation_s": time.perf_counter() - started, "year6_pupils": len(y6)}


def child_ratio(seed: int, n_schools: int, years: int) -> dict:
    from experiments.naive_pupils import NaiveModel
    from sim.pupils import year_end

    places, areas, schools, params = build("gm", seed, n_schools=n_schools)
    start, streams = spun_up(places, areas, schools, params, seed)
    pupils, pupil_years = start, 0
    started = time.perf_counter()
    for _ in range(years):
        pupil_years += len(pupils)
        pupils, _ = year_end.end_of_year(pupils, places, areas, schools, params, streams)
    vectorised = (time.perf_counter() - started) / pupil_years
    naive_model = NaiveModel(start, places, areas, schools, params, seed)
    naive_years = 0
    started = time.perf_counter()
    for _ in range(years):
        naive_years += len(naive_model.pupils)
        naive_model.run_year()
    naive = (time.perf_counter() - started) / naive_years
    return {"vectorised_ns_per_pupil_year": 1e9 * vectorised,
            "naive_ns_per_pupil_year": 1e9 * naive, "ratio": naive / vectorised,
            "sample_pupils": len(start), "sample_schools": places.n_schools}


def run_child(args: list[str]) -> dict:
    cmd = [sys.executable, "-m", "experiments.bench_pupils", "--child", *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"child {' '.join(args)} failed:\n{err.read().decode()[-2000:]}")
        result = json.loads(out.read().decode().strip().splitlines()[-1])
    result["peak_rss_bytes"] = int(usage.ru_maxrss * 1024)
    return result


def median_of(runs: list[dict]) -> dict:
    out = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    out["peak_rss_bytes"] = max(r["peak_rss_bytes"] for r in runs)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ratio-schools", type=int, default=120)
    parser.add_argument("--ratio-years", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "years":
            out = child_model(rest[0], int(rest[1]))
        elif kind == "allocation":
            out = child_allocation(int(rest[0]))
        else:
            out = child_ratio(int(rest[0]), int(rest[1]), int(rest[2]))
        print(json.dumps(out))
        return
    seed = str(args.seed)
    load_before = os.getloadavg()
    results = {
        "england": median_of([run_child(["years", "england", seed]) for _ in range(args.repeats)]),
        "gm": median_of([run_child(["years", "gm", seed]) for _ in range(args.repeats)]),
        "allocation": median_of([run_child(["allocation", seed]) for _ in range(args.repeats)]),
        "ratio": median_of([run_child(["ratio", seed, str(args.ratio_schools),
                                       str(args.ratio_years)]) for _ in range(args.repeats)]),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "cpu_count": os.cpu_count(),
    }
    e, g, a, r = (results[k] for k in ("england", "gm", "allocation", "ratio"))
    naive_england_s = r["naive_ns_per_pupil_year"] * 1e-9 * e["pupils"] * YEARS
    results["naive_england_10_years_s"] = naive_england_s
    print(f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f} "
          f"({os.cpu_count()} cores); medians of {args.repeats}")
    print(f"England, whole model ({e['schools']} schools, {e['pupils']:,} pupils on roll): "
          f"{YEARS} years simulated in {e['years_s']:.2f} s (setup {e['setup_s']:.2f} s), "
          f"peak {e['peak_rss_bytes'] / GB:.2f} GB")
    print(f"GM, whole model ({g['schools']} schools, {g['pupils']:,} pupils on roll): "
          f"{YEARS} years simulated in {g['years_s']:.2f} s (setup {g['setup_s']:.2f} s)")
    print(f"Allocation of {a['year6_pupils']:,} Year 6 pupils: {a['allocation_s']:.2f} s")
    print(f"Naive vs vectorised ({r['sample_schools']} schools, {r['sample_pupils']:,} pupils): "
          f"{r['naive_ns_per_pupil_year']:.0f} vs {r['vectorised_ns_per_pupil_year']:.0f} ns per "
          f"pupil-year = {r['ratio']:.0f}x; naive England x {YEARS} years ~ {naive_england_s:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
