"""schoolsim with Hydra's tools: objective for optimising sweepers, schema entries not choices."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

import sim
import sim.cli

ROOT = Path(__file__).resolve().parent.parent
SWEEPER = "hydra.sweeper._target_=hydra_plugins.schoolsim_test_sweeper.MinimisingSweeper"


def _sweep(tmp_path, *args, sweeper=(SWEEPER,)):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "plugins"), str(ROOT)])}
    return subprocess.run(
        [sys.executable, "-m", "sim", "-m", *sweeper, f"hydra.sweep.dir={tmp_path / 'sweep'}",
         "hydra/launcher=basic", "years=1", "region.n_schools=100", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def job_folders(sweep: Path) -> list[Path]:
    """A sweep's job folders (named for their overrides) in job order: each job's
    .hydra/hydra.yaml records its number."""
    folders = {OmegaConf.load(p).hydra.job.num: p.parents[1]
               for p in sweep.glob("*/.hydra/hydra.yaml")}
    return [folders[k] for k in sorted(folders)]


@pytest.mark.parametrize("objective", ["gap_months", "attainment_disadvantaged"])
def test_an_optimising_sweeper_gets_each_jobs_objective(tmp_path, objective):
    done = _sweep(tmp_path, "scheme=none,trios", "seed=1,2", f"output.objective={objective}")
    assert done.returncode == 0, done.stderr[-2000:]
    sweep = tmp_path / "sweep"
    results = OmegaConf.load(sweep / "optimization_results.yaml")
    finals = [json.loads((folder / "summary.json").read_text())["last"][objective]
              for folder in job_folders(sweep)]
    assert list(results["values"]) == finals
    assert results["best_value"] == min(finals)
    assert len(set(finals)) == 4   # the objective follows each job, not a constant


def test_unknown_objective_is_one_line_error():
    with pytest.raises(sim.ConfigError,
                       match=r"^output.objective=gap is unknown; allowed: .*gap_months"):
        sim.compose_config(["output.objective=gap"])


@pytest.mark.parametrize("group, schema", [("scheme", "trios_schema"), ("region", "region_schema")])
def test_schema_entries_are_not_choices(group, schema):
    allowed = ", ".join(sorted(p.stem for p in (ROOT / "configs" / group).glob("*.yaml")))
    with pytest.raises(sim.ConfigError, match=f"^{group}={schema} is unknown; allowed: {allowed}$"):
        sim.compose_config([f"{group}={schema}"])


def test_a_sweep_over_a_schema_entry_stops_before_any_job(tmp_path):
    done = _sweep(tmp_path, "scheme=none,trios_schema", sweeper=())
    assert done.returncode != 0
    assert "scheme=trios_schema is unknown" in done.stderr
    assert not list((tmp_path / "sweep").glob("*/summary.json"))


def _schoolsim(cwd, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("args, suffix", [
    (["+scenario=pandemic_recovery_alone"], "_pandemic_recovery_alone"),
    (["scheme=none"], "_none"),
])
def test_a_run_folder_is_named_for_its_scenario_else_its_scheme(tmp_path, args, suffix):
    done = _schoolsim(tmp_path, *args, "years=1", "region.n_schools=100")
    assert done.returncode == 0, done.stderr[-2000:]
    (folder,) = (tmp_path / "outputs").glob("*/*")
    assert folder.name.endswith(suffix) and (folder / "summary.json").is_file()
    assert "Callback" not in done.stderr   # the sweep's callback stays quiet in a single run


SCENARIOS = sorted(p.stem for p in (ROOT / "configs" / "scenario").glob("*.yaml"))


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_named_baseline_is_a_scenario_on_the_same_region_and_years(name):
    cfg = sim.compose_config([f"+scenario={name}"])
    if not cfg.scenario_baseline:
        return
    base = sim.compose_config([f"+scenario={cfg.scenario_baseline}"])
    assert base.scenario_name == cfg.scenario_baseline != name
    assert (base.region, base.years, base.shocks) == (cfg.region, cfg.years, cfg.shocks)
    assert base.scheme.name == "none" or name.startswith("pandemic")


def test_the_scenarios_without_a_baseline_are_the_baselines():
    named = {n: sim.compose_config([f"+scenario={n}"]).scenario_baseline for n in SCENARIOS}
    assert {n for n, b in named.items() if not b} == {b for b in named.values() if b}


def test_with_baseline_runs_the_scenario_and_its_baseline_on_the_same_seeds(tmp_path):
    sweep = tmp_path / "sweep"
    done = _schoolsim(tmp_path, "-m", "+scenario=pandemic_recovery_with_trios", "--with-baseline",
                      "seed=3,4", "years=1", "region.n_schools=100", "hydra/launcher=basic",
                      f"hydra.sweep.dir={sweep}")
    assert done.returncode == 0, done.stderr[-2000:]
    runs = sorted((s["scenario"], s["seed"]) for s in
                  (json.loads(p.read_text()) for p in sweep.glob("*/summary.json")))
    assert runs == [("pandemic_recovery_alone", 3), ("pandemic_recovery_alone", 4),
                    ("pandemic_recovery_with_trios", 3), ("pandemic_recovery_with_trios", 4)]


def test_with_baseline_expands_glob_as_hydra_does():
    """`glob(pa*)` is the scenarios whose names start with pa (Hydra sorts them); the one
    without a baseline is the baseline of another, so it runs as that."""
    argv = sim.cli.add_baselines(["-m", "+scenario=glob(pa*)", "seed=1,2", "--with-baseline"])
    assert argv == ["-m", "+scenario=pandemic_recovery_alone,pandemic_recovery_with_trios,"
                    "pathways_trios,gm_no_partnerships", "seed=1,2"]
    argv = sim.cli.add_baselines(["-m", "+scenario=glob([m*,s*])", "--with-baseline"])
    assert argv == ["-m", "+scenario=market_academies,spp_peer_review,gm_no_partnerships"]


@pytest.mark.parametrize("args, message", [
    (["+scenario=gm_challenge", "--with-baseline"], "--with-baseline runs a sweep; allowed: with -m"),
    (["-m", "seed=1,2", "--with-baseline"], "--with-baseline needs a scenario"),
    (["-m", "+scenario=pandemic_recovery_alone", "--with-baseline"],
     "+scenario=pandemic_recovery_alone names no baseline"),
])
def test_with_baseline_misuse_is_a_one_line_error(tmp_path, args, message):
    done = _schoolsim(tmp_path, *args)
    assert done.returncode == 2
    assert done.stderr.startswith(f"schoolsim: error: {message}") and done.stderr.count("\n") == 1
    assert not any(tmp_path.iterdir())


def test_a_sweep_prints_one_line_per_job_and_the_table_once(tmp_path):
    sweep = tmp_path / "sweep"
    done = _schoolsim(tmp_path, "-m", "scheme=none,trios", "seed=1,2", "years=1",
                      "region.n_schools=100", "hydra.launcher.n_jobs=2",
                      f"hydra.sweep.dir={sweep}")
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    job_lines = [line for line in lines if line.startswith("[sweep] #")]
    assert len(job_lines) == 4 and len(lines) == 2 + 4 + 2 + 4   # launch, jobs, table
    assert "Disadvantage gap (months)" not in done.stdout       # no per-job headline tables
    rows = lines[-4:]
    for i, (row, folder) in enumerate(zip(rows, job_folders(sweep), strict=True)):
        last = json.loads((folder / "summary.json").read_text())["last"]
        num, *_, gap, disadvantaged = row.split()
        assert (int(num), float(gap), float(disadvantaged)) == (
            i, round(last["gap_months"], 2), round(last["attainment_disadvantaged"], 2))
        assert f"gap {last['gap_months']:.2f} months" in next(
            line for line in job_lines if line.startswith(f"[sweep] #{i} "))


def test_help_lists_no_schema_entries(tmp_path):
    done = _schoolsim(tmp_path, "--help")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "scheme=" in done.stdout and "_schema" not in done.stdout
