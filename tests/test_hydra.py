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

ROOT = Path(__file__).resolve().parent.parent
SWEEPER = "hydra.sweeper._target_=hydra_plugins.schoolsim_test_sweeper.MinimisingSweeper"


def _sweep(tmp_path, *args, sweeper=(SWEEPER,)):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "plugins"), str(ROOT)])}
    return subprocess.run(
        [sys.executable, "-m", "sim", "-m", *sweeper, f"hydra.sweep.dir={tmp_path / 'sweep'}",
         "hydra/launcher=basic", "years=1", "region.n_schools=100", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("objective", ["gap_months", "attainment_disadvantaged"])
def test_an_optimising_sweeper_gets_each_jobs_objective(tmp_path, objective):
    done = _sweep(tmp_path, "scheme=none,trios", "seed=1,2", f"output.objective={objective}")
    assert done.returncode == 0, done.stderr[-2000:]
    sweep = tmp_path / "sweep"
    results = OmegaConf.load(sweep / "optimization_results.yaml")
    finals = [json.loads((sweep / str(i) / "summary.json").read_text())["last"][objective]
              for i in range(4)]
    assert list(results["values"]) == finals
    assert results["best_value"] == min(finals)
    assert len(set(finals)) == 4   # the objective follows each job, not a constant


def test_unknown_objective_is_one_line_error():
    with pytest.raises(sim.ConfigError,
                       match=r"^output.objective=gap is unknown; allowed: .*gap_months"):
        sim.compose_config(["output.objective=gap"])


@pytest.mark.parametrize("override, allowed", [
    ("scheme=trios_schema", "families, leadership, market, mixed, none, peer_review, trios, trusts"),
    ("region=region_schema", "csv, england, gm"),
])
def test_schema_entries_are_not_choices(override, allowed):
    with pytest.raises(sim.ConfigError, match=f"^{override} is unknown; allowed: {allowed}$"):
        sim.compose_config([override])


def test_a_sweep_over_a_schema_entry_stops_before_any_job(tmp_path):
    done = _sweep(tmp_path, "scheme=none,trios_schema", sweeper=())
    assert done.returncode != 0
    assert "scheme=trios_schema is unknown" in done.stderr
    assert not list((tmp_path / "sweep").glob("*/summary.json"))
