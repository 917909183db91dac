"""Benchmark: time and peak memory of the model for the GM and England regions.

    python -m experiments.benchmark                      # gm + england, every scheme, 3 repeats
    python -m experiments.benchmark --regions gm --schemes trios market --repeats 5
    python -m experiments.benchmark --json bench.json    # also write the results
    make bench ARGS="--repeats 5"

Every (region, scheme, repeat) runs in a fresh Python subprocess, so runs never share a
heap, caches or imported state; its allocator is set as the command line sets it
(`sim.heap`). Inside the child, `sim.run` times its two phases itself
(`summary["runtime_seconds"]`: *setup* = region, initial state and partnership formation;
*simulation* = the SimPy calendar over all weeks), both wall-clock; the child also reports
the CPU time of the whole run, which other jobs on the machine disturb less. Peak memory is
the child's peak resident set size as the kernel reports it to the parent (`os.wait4` ->
`ru_maxrss`; not tracemalloc): the whole process, Python, numpy, pandas and Hydra included, not just the model's arrays. The
child also reports its peak RSS just before building the model, so the model's own share
is visible. Times are medians over the repeats; memory is the maximum over the repeats.

The bars (issue 2; this 2-core machine): GM x 10 years < 0.5 s of simulation; England x
10 years < 5 s of simulation and < 1 GB peak. They are judged on every scheme, so the
slowest scheme decides.

For reference, an agent-by-agent Mesa model of a much simpler exchange rule (each school
agent, each week, moves its expertise a fraction of the way towards one random partner's)
is run for one school year (`--mesa-weeks`) at the GM size and reported in microseconds per school-week, next
to the vectorised model's figure for the same region. Timings depend on what else runs on
the machine: the load average is printed with the results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mesa
import numpy as np

from sim.heap import tune_memory

REPO = Path(__file__).resolve().parents[1]
REGIONS = ("gm", "england")
GB = 1024**3

# The bars from issue 2, in seconds of simulation and bytes of peak memory (10 years).
BAR_YEARS = 10
BARS = {
    "gm": {"simulation_s": 0.5},
    "england": {"simulation_s": 5.0, "peak_bytes": 1 * GB},
}


def scheme_names() -> list[str]:
    """Every registered scheme, so a new scheme is benchmarked without editing this file."""
    from sim.schemes import SCHEMES

    return list(SCHEMES)


# --------------------------------------------------------------------------- child side


def _rss_peak_bytes() -> int:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024  # Linux: KiB


def child_model(region: str, scheme: str, years: int, seed: int) -> dict:
    """One model run (in a fresh process): the summary's timings and sizes."""
    from sim.compose import compose_config
    from sim.run import run_config

    cfg = compose_config([f"region={region}", f"scheme={scheme}", f"years={years}",
                          f"seed={seed}", "output.progress=false"])
    before = _rss_peak_bytes()
    started, cpu_started = time.perf_counter(), time.process_time()
    result = run_config(cfg)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    s = result.summary
    return {
        "setup_s": s["runtime_seconds"]["setup"],
        "simulation_s": s["runtime_seconds"]["simulation"],
        "run_wall_s": wall,
        "run_cpu_s": cpu,
        "n_schools": s["n_schools"],
        "weeks": s["weeks"],
        "n_partnerships": s["n_partnerships"],
        "meetings_held": s["meetings_held"],
        "rss_before_model_bytes": before,
    }


class ExchangeAgent(mesa.Agent):
    """A school that holds its own expertise (a list of floats, one per domain)."""

    def __init__(self, model, expertise):
        super().__init__(model)
        self.expertise = expertise

    def partner(self) -> ExchangeAgent:
        partner = self.random.choice(self.model.school_list)
        while partner is self:
            partner = self.random.choice(self.model.school_list)
        return partner

    def step(self) -> None:
        rate, mine, theirs = self.model.rate, self.expertise, self.partner().expertise
        for d in range(len(mine)):
            mine[d] += rate * (theirs[d] - mine[d])


class NumpyExchangeAgent(ExchangeAgent):
    """The same rule with the expertise held as a small numpy array per agent."""

    def step(self) -> None:
        self.expertise += self.model.rate * (self.partner().expertise - self.expertise)


MESA_VARIANTS = {"floats": ExchangeAgent, "numpy": NumpyExchangeAgent}


class ExchangeModel(mesa.Model):
    """Agents hold their own attributes; one `step` is one week, agents in random order."""

    def __init__(self, n_schools: int, variant: str = "floats", n_domains: int = 4,
                 rate: float = 0.1, seed: int = 42):
        super().__init__(rng=seed)
        self.rate = rate
        agent_class = MESA_VARIANTS[variant]
        for _ in range(n_schools):
            expertise = [self.random.random() for _ in range(n_domains)]
            agent_class(self, expertise if variant == "floats" else np.array(expertise))
        self.school_list = list(self.agents)

    def step(self) -> None:
        self.agents.shuffle_do("step")


def child_mesa(variant: str, n_schools: int, weeks: int, seed: int) -> dict:
    """The agent-by-agent reference: `weeks` Mesa steps over `n_schools` agents."""
    started = time.perf_counter()
    model = ExchangeModel(n_schools, variant, seed=seed)
    built = time.perf_counter()
    for _ in range(weeks):
        model.step()
    finished = time.perf_counter()
    return {
        "setup_s": built - started,
        "simulation_s": finished - built,
        "n_schools": n_schools,
        "weeks": weeks,
        "us_per_school_week": 1e6 * (finished - built) / (n_schools * weeks),
    }


def child_main(argv: list[str]) -> None:
    tune_memory()    # as the command line does (`sim.heap`): what users get
    kind, *rest = argv
    if kind == "model":
        region, scheme, years, seed = rest
        out = child_model(region, scheme, int(years), int(seed))
    else:
        variant, n_schools, weeks, seed = rest
        out = child_mesa(variant, int(n_schools), int(weeks), int(seed))
    print(json.dumps(out))


# --------------------------------------------------------------------------- parent side


def run_child(args: list[str]) -> dict:
    """Run a child; its JSON result plus its peak RSS from the kernel (`wait4`)."""
    cmd = [sys.executable, "-m", "experiments.benchmark", "--child", *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"benchmark child {' '.join(args)} failed "
                               f"(exit {proc.returncode}):\n{err.read().decode()[-2000:]}")
        result = json.loads(out.read().decode().strip().splitlines()[-1])
    peak = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    result["peak_rss_bytes"] = int(peak)
    return result


def region_size(region: str) -> int:
    from sim import compose_config

    return int(compose_config([f"region={region}"]).region.n_schools)


def bench_model(region: str, scheme: str, years: int, seed: int, repeats: int) -> dict:
    runs = [run_child(["model", region, scheme, str(years), str(seed)]) for _ in range(repeats)]
    med = {k: statistics.median(r[k] for r in runs)
           for k in ("setup_s", "simulation_s", "run_wall_s", "run_cpu_s")}
    first = runs[0]
    school_weeks = first["n_schools"] * first["weeks"]
    return {
        "region": region,
        "scheme": scheme,
        "years": years,
        "n_schools": first["n_schools"],
        "weeks": first["weeks"],
        "n_partnerships": first["n_partnerships"],
        "meetings_held": first["meetings_held"],
        "setup_s": med["setup_s"],
        "simulation_s": med["simulation_s"],
        "total_s": med["setup_s"] + med["simulation_s"],
        "run_wall_s": med["run_wall_s"],
        "run_cpu_s": med["run_cpu_s"],
        "us_per_school_week": 1e6 * med["simulation_s"] / school_weeks,
        "peak_rss_bytes": max(r["peak_rss_bytes"] for r in runs),
        "rss_before_model_bytes": max(r["rss_before_model_bytes"] for r in runs),
        "repeats": [{k: r[k] for k in ("setup_s", "simulation_s", "run_cpu_s", "peak_rss_bytes")}
                    for r in runs],
    }


def bench_mesa(variant: str, n_schools: int, weeks: int, seed: int, repeats: int) -> dict:
    runs = [run_child(["mesa", variant, str(n_schools), str(weeks), str(seed)])
            for _ in range(repeats)]
    return {
        "variant": variant,
        "n_schools": n_schools,
        "weeks": weeks,
        "simulation_s": statistics.median(r["simulation_s"] for r in runs),
        "us_per_school_week": statistics.median(r["us_per_school_week"] for r in runs),
        "peak_rss_bytes": max(r["peak_rss_bytes"] for r in runs),
        "repeats": [r["us_per_school_week"] for r in runs],
    }


def judge(rows: list[dict], years: int) -> list[dict]:
    """PASS/FAIL of each bar on the slowest (largest) scheme of each region."""
    verdicts = []
    if years != BAR_YEARS:
        return verdicts
    for region, bars in BARS.items():
        mine = [r for r in rows if r["region"] == region]
        if not mine:
            continue
        slowest = max(mine, key=lambda r: r["simulation_s"])
        if "simulation_s" in bars:
            verdicts.append({
                "region": region, "bar": f"simulation < {bars['simulation_s']:g} s",
                "worst_scheme": slowest["scheme"], "value": slowest["simulation_s"],
                "limit": bars["simulation_s"],
                "pass": all(r["simulation_s"] < bars["simulation_s"] for r in mine)})
        if "peak_bytes" in bars:
            largest = max(mine, key=lambda r: r["peak_rss_bytes"])
            verdicts.append({
                "region": region, "bar": f"peak memory < {bars['peak_bytes'] / GB:g} GB",
                "worst_scheme": largest["scheme"], "value": largest["peak_rss_bytes"],
                "limit": bars["peak_bytes"],
                "pass": all(r["peak_rss_bytes"] < bars["peak_bytes"] for r in mine)})
    return verdicts


def machine() -> dict:
    try:
        load = os.getloadavg()
    except OSError:
        load = (float("nan"),) * 3
    return {
        "cpus": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in load],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "git_commit": _git_commit(),
    }


def _git_commit() -> str | None:
    """The short commit, with '+dirty' if sim/ or configs/ differ from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()
    try:
        dirty = git("status", "--porcelain", "--", "sim", "configs")
        return git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return None


# --------------------------------------------------------------------------- report


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:,.0f}"


def format_report(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"schoolsim benchmark: {results['years']} years, seed {results['seed']}, median of "
        f"{results['repeats']} runs each in a fresh subprocess (peak = max ru_maxrss of the child)",
        f"machine: {m['cpus']} CPUs, Python {m['python']}, commit {m['git_commit']}, "
        f"load average {m['load_average_1_5_15']} at start, "
        f"{results['load_average_end']} at end (other jobs share the machine)",
        "",
        f"{'region':8}{'scheme':10}{'schools':>8}{'groups':>7}{'setup s':>9}{'sim s':>8}"
        f"{'total s':>9}{'cpu s':>8}{'us/school-wk':>13}{'peak MB':>9}{'model MB':>9}",
    ]
    for r in results["runs"]:
        lines.append(
            f"{r['region']:8}{r['scheme']:10}{r['n_schools']:>8,}{r['n_partnerships']:>7,}"
            f"{r['setup_s']:>9.3f}{r['simulation_s']:>8.3f}{r['total_s']:>9.3f}"
            f"{r['run_cpu_s']:>8.3f}"
            f"{r['us_per_school_week']:>13.3f}{_mb(r['peak_rss_bytes']):>9}"
            f"{_mb(r['peak_rss_bytes'] - r['rss_before_model_bytes']):>9}")
    lines.append("(setup, sim: wall seconds from summary['runtime_seconds']; cpu s: CPU time "
                 "of the whole run, less sensitive to other jobs;\n us/school-wk: sim s per "
                 "school per week; peak MB: whole child process; model MB: peak growth after "
                 "imports and config)")
    if results["verdicts"]:
        lines.append("")
        lines.append("Bars (issue 2):")
        for v in results["verdicts"]:
            value = (f"{v['value']:.3f} s" if v["bar"].startswith("simulation")
                     else f"{_mb(v['value'])} MB")
            lines.append(f"  {v['region']:8} x {results['years']} years  {v['bar']:22} "
                         f"{'PASS' if v['pass'] else 'FAIL'}   worst: {v['worst_scheme']} "
                         f"{value}")
    else:
        lines.append(f"\nBars apply to {BAR_YEARS} years; not judged for {results['years']}.")
    for region in dict.fromkeys(r["region"] for r in results["runs"]):
        mine = [r for r in results["runs"] if r["region"] == region]
        slow = max(mine, key=lambda r: r["simulation_s"])
        lines.append(f"  slowest scheme, {region}: {slow['scheme']} "
                     f"({slow['simulation_s']:.3f} s simulation, {slow['total_s']:.3f} s total)")
    refs = results.get("mesa_reference") or []
    if refs:
        lines.append("")
        lines.append(f"Reference: agent-by-agent Mesa loop of a much simpler rule (each school, "
                     f"each week, moves its expertise 0.1 of the way towards one random "
                     f"partner's; model.agents.shuffle_do), {refs[0]['n_schools']:,} schools x "
                     f"{refs[0]['weeks']} weeks:")
        for ref in refs:
            lines.append(f"  expertise as {ref['variant']:6}: {ref['us_per_school_week']:.2f} us "
                         f"per school-week (repeats "
                         f"{', '.join(f'{x:.2f}' for x in ref['repeats'])})")
        fast = min(ref["us_per_school_week"] for ref in refs)
        slow = max(ref["us_per_school_week"] for ref in refs)
        for region in dict.fromkeys(r["region"] for r in results["runs"]):
            mine = [r for r in results["runs"] if r["region"] == region]
            lo = min(r["us_per_school_week"] for r in mine)
            hi = max(r["us_per_school_week"] for r in mine)
            n, weeks = mine[0]["n_schools"], mine[0]["weeks"]
            lines.append(
                f"  {region}: vectorised model {lo:.3f}-{hi:.3f} us per school-week (all of a "
                f"scheme's mechanisms); the Mesa loop takes {fast / hi:,.1f}-{slow / lo:,.0f}x as long "
                f"and would take about {fast * n * weeks / 1e6:,.1f}-{slow * n * weeks / 1e6:,.1f}"
                f" s for {region} x {weeks // 39} years")
    return "\n".join(lines)


# --------------------------------------------------------------------------- entry point


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m experiments.benchmark",
        description="Time and peak memory of schoolsim per region and scheme (each run in a "
                    "fresh subprocess).")
    parser.add_argument("--regions", nargs="+", default=list(REGIONS),
                        help="regions (config group `region`); default: %(default)s")
    parser.add_argument("--schemes", nargs="+", default=None,
                        help="schemes; default: every scheme in sim.schemes.SCHEMES")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs per (region, scheme); times are medians (default 3)")
    parser.add_argument("--years", type=int, default=BAR_YEARS,
                        help="simulated years (the bars apply to 10; default 10)")
    parser.add_argument("--seed", type=int, default=42, help="seed of every run (default 42)")
    parser.add_argument("--mesa-weeks", type=int, default=39,
                        help="weeks of the Mesa reference loop at the GM size; 0 skips it "
                             "(default 39, one school year)")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument("--check", action="store_true",
                        help="exit with status 1 if a bar fails")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child_main(argv[1:])
        return 0
    args = parse_args(argv)
    known = scheme_names()
    schemes = args.schemes or known
    unknown = [s for s in schemes if s not in known]
    if unknown or args.repeats < 1 or args.years < 1 or args.mesa_weeks < 0:
        bad = (f"--schemes {' '.join(unknown)} is unknown; allowed: {', '.join(known)}"
               if unknown else "--repeats and --years must be >= 1, --mesa-weeks >= 0")
        print(f"benchmark: error: {bad}", file=sys.stderr)
        return 2
    results = {"years": args.years, "seed": args.seed, "repeats": args.repeats,
               "machine": machine(), "runs": []}
    for region in args.regions:
        for scheme in schemes:
            print(f"  {region} / {scheme} ...", file=sys.stderr, flush=True)
            results["runs"].append(
                bench_model(region, scheme, args.years, args.seed, args.repeats))
    if args.mesa_weeks:
        print("  Mesa reference ...", file=sys.stderr, flush=True)
        results["mesa_reference"] = [
            bench_mesa(variant, region_size("gm"), args.mesa_weeks, args.seed, args.repeats)
            for variant in MESA_VARIANTS]
    results["verdicts"] = judge(results["runs"], args.years)
    results["load_average_end"] = machine()["load_average_1_5_15"]
    print(format_report(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"results: {args.json}")
    failed = any(not v["pass"] for v in results["verdicts"])
    return 1 if (args.check and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
