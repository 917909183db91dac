"""`schoolsim-collect` and `schoolsim-progress`: one tidy dataset from a sweep folder, the
sweep's plan in Hydra's job order, job counts, and one-line errors for a bad folder."""

from __future__ import annotations

import json

import duckdb
import pytest
import yaml

from experiments import collect, progress
from experiments.plan import load_jobs
from experiments.status import describe, sweep_status
from tests.experiments_helpers import job_dir, schoolsim


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    """A 2 x 2 sweep over a setting and a seed, serially, then job 3 removed (not started)."""
    root = tmp_path_factory.mktemp("collect")
    schoolsim(["-m", "region.n_schools=60", "years=1", "scheme=trios",
               "scheme.initial_trust=0.3,0.7", "seed=1,2", "output.print_summary=false",
               "hydra/launcher=basic", f"hydra.sweep.dir={root / 'sweep'}"], cwd=root)
    return root / "sweep"


def test_plan_matches_hydra_job_order(sweep_dir):
    jobs = load_jobs(sweep_dir)
    assert len(jobs) == 4 and (sweep_dir / "sweep_plan.json").is_file()
    for job in jobs:
        written = yaml.safe_load((sweep_dir / job.subdir / ".hydra" / "overrides.yaml").read_text())
        assert list(job.overrides) == written
    assert jobs[1].swept_values()["scheme.initial_trust"] == 0.3
    assert jobs[1].swept_values()["seed"] == 2
    # Folders named for the job's overrides, sorted by key (sim.overrides.folder_name).
    assert jobs[1].subdir == ("output.print_summary=False,region.n_schools=60,scheme=trios,"
                              "scheme.initial_trust=0.3,seed=2,years=1")
    assert (sweep_dir / jobs[1].subdir / "summary.json").is_file()


def test_a_sweep_planned_with_numbered_folders_still_loads(sweep_dir, tmp_path):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(sweep_dir, old)
    plan = json.loads((old / "sweep_plan.json").read_text())
    for job in plan["jobs"]:
        (old / job.pop("subdir")).rename(old / str(job["num"]))
    (old / "sweep_plan.json").write_text(json.dumps(plan))
    assert [j.subdir for j in load_jobs(old)] == ["0", "1", "2", "3"]
    assert [s.status for s in sweep_status(old)] == ["finished"] * 4


def test_collected_dataset_has_swept_columns_and_duckdb_views(sweep_dir, tmp_path):
    out = tmp_path / "out"
    assert collect.main([str(sweep_dir), "-o", str(out)]) == 0
    result = collect.collect(sweep_dir, write=False)
    metrics = result.metrics
    assert list(metrics.columns[:6]) == ["job", "region.n_schools", "years", "scheme",
                                         "scheme.initial_trust", "seed"]
    assert "output.print_summary" not in metrics.columns
    assert metrics.groupby("job").size().tolist() == [4, 4, 4, 4]  # week 0 and three terms
    assert metrics["scheme.initial_trust"].dtype == float and metrics["seed"].dtype == "int64"
    assert len(result.schools) == 4 * 2 * 60 and len(result.partnerships) > 0
    runs = result.runs
    assert list(runs["status"]) == ["finished"] * 4
    assert runs["last_gap_months"].notna().all()

    assert not list(out.glob("*.partial"))
    moved = tmp_path / "moved"
    out.rename(moved)  # the views name the files beside the database, not where they were
    con = duckdb.connect(str(moved / "sweep.duckdb"), read_only=True)
    con.execute(f"SET file_search_path = '{moved}'")  # as `cd moved && duckdb sweep.duckdb`
    rows = con.sql('select "scheme.initial_trust" t, count(*) n from metrics group by t '
                   "order by t").fetchall()
    assert rows == [(0.3, 8), (0.7, 8)]
    assert con.sql("select count(*) from runs where status = 'finished'").fetchall() == [(4,)]


def test_duckdb_file_opens_in_older_command_line_tools(sweep_dir, tmp_path):
    """DuckDB's file header holds its storage version at bytes 8-16 after the magic; the
    1.x command-line tools read versions 64 (1.0) to 68 only."""
    collect.collect(sweep_dir, tmp_path / "out")
    header = (tmp_path / "out" / "sweep.duckdb").read_bytes()[:24]
    assert header[8:12] == b"DUCK"
    assert 64 <= int.from_bytes(header[12:20], "little") <= 68


def test_missing_and_running_jobs_are_reported(sweep_dir, tmp_path):
    import shutil

    copy = tmp_path / "sweep"
    shutil.copytree(sweep_dir, copy)
    shutil.rmtree(job_dir(copy, 3))
    (job_dir(copy, 2) / "summary.json").unlink()
    (job_dir(copy, 2) / ".running.json").write_text(json.dumps({"pid": 1, "host": "elsewhere"}))
    statuses = sweep_status(copy)
    assert [s.status for s in statuses] == ["finished", "finished", "running", "missing"]
    assert sweep_status(copy, quick=True) == statuses  # the count after every job
    assert describe(statuses) == ("2 of 4 jobs finished, 0 failed, 2 remaining "
                                  "(1 running, 1 not started)")
    result = collect.collect(copy)
    assert sorted(result.metrics["job"].unique()) == [0, 1]
    assert "missing jobs: 3" in collect.report(result)


def test_progress_once(sweep_dir, capsys):
    assert progress.main([str(sweep_dir), "--once"]) == 0
    assert "4 of 4 jobs finished, 0 failed, 0 remaining" in capsys.readouterr().out


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "nowhere", "is not a folder; allowed: a sweep folder"),
    (lambda p: p, "has no multirun.yaml; allowed: a sweep folder"),
])
@pytest.mark.parametrize("command", [collect.main, progress.main])
def test_bad_sweep_dir_is_one_line(tmp_path, capsys, make, message, command):
    path = make(tmp_path)
    assert command([str(path), "--once"] if command is progress.main else [str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"SWEEP_DIR={path} " in err and message in err
    assert not (tmp_path / "collected").exists()
