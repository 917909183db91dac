"""Resume: a killed or crashed job leaves the others intact and is listed as failed; the
same sweep run again into the same folder skips finished jobs and fills in the rest.
Sweep folders of two sweeps started together never collide."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import sim.code_version
from experiments.status import sweep_status
from tests.experiments_helpers import (TINY, assert_same_tables, collected, job_dir,  # noqa: F401
                                      schoolsim, serial, sweep)

# A Hydra callback that SIGKILLs the sweep's process in the middle of one job (after the job
# marked itself running, before it wrote anything), as the OOM killer or `kill -9` would.
KILLER = textwrap.dedent("""
    import os, signal
    from hydra.experimental.callback import Callback

    class KillDuringJob(Callback):
        def __init__(self, job):
            self.job = job

        def on_job_start(self, config, **kwargs):
            if config.hydra.job.num != self.job:
                return
            import sim.cli

            def killed(cfg, **kw):
                os.kill(os.getpid(), signal.SIGKILL)

            sim.cli.run_config = killed
""")


def killer_args(tmp_path: Path, job: int) -> tuple[list[str], dict]:
    (tmp_path / "killer.py").write_text(KILLER)
    return ([f"+hydra.callbacks.killer._target_=killer.KillDuringJob",
             f"+hydra.callbacks.killer.job={job}"],
            {"PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])})


def mtimes(sweep_dir: Path, jobs) -> dict:
    return {j: (job_dir(sweep_dir, j) / "metrics.parquet").stat().st_mtime_ns for j in jobs}


def test_killed_job_is_failed_and_resume_fills_in(tmp_path, serial):
    sweep_dir = tmp_path / "sweep"
    extra, env = killer_args(tmp_path, job=2)
    proc = sweep(sweep_dir, "basic", extra, env=env, check=False)
    assert proc.returncode != 0  # the whole sweep process was killed in job 2

    states = {s.job.num: s for s in sweep_status(sweep_dir)}
    assert [states[j].status for j in range(4)] == ["finished", "finished", "failed", "missing"]
    assert states[2].error.startswith("killed: process")
    before = mtimes(sweep_dir, [0, 1])

    again = sweep(sweep_dir, "basic")
    assert again.stdout.count("finished earlier with this config; skipped") == 2
    assert mtimes(sweep_dir, [0, 1]) == before  # finished jobs were not run again
    assert [s.status for s in sweep_status(sweep_dir)] == ["finished"] * 4

    assert_same_tables(collected(sweep_dir), serial)  # as if never interrupted


def test_crashed_job_writes_error_and_others_finish(tmp_path):
    sweep_dir = tmp_path / "sweep"
    # Families cannot be formed in so small a region: an error only the job itself can find
    # (values out of range stop the whole sweep before it starts: tests/test_bad_inputs.py).
    proc = schoolsim(["-m", "region.n_schools=40", "years=1", "scheme=none,families,trios",
                      "output.print_summary=false", "hydra/launcher=basic",
                      f"hydra.sweep.dir={sweep_dir}"],
                     cwd=tmp_path, check=False)
    assert proc.returncode != 0
    failed = job_dir(sweep_dir, 1)
    assert failed.name == ("output.print_summary=False,region.n_schools=40,scheme=families,"
                           "years=1")   # Hydra writes the job's false as False
    error = (failed / "error.txt").read_text().strip()
    # families' own one-line reason (which one depends on the drawn region)
    assert error.startswith("scheme=families ") and "allowed" in error and "\n" not in error
    assert not (failed / ".running.json").exists()

    from experiments.collect import collect, report

    result = collect(sweep_dir)
    assert list(result.runs["status"]) == ["finished", "failed", "finished"]
    assert result.runs.loc[1, "error"] == error
    assert sorted(result.metrics["job"].unique()) == [0, 2]
    text = report(result)
    assert "failed  job 1 (" in text and error in text


def test_changed_config_is_run_again(tmp_path):
    sweep_dir = tmp_path / "sweep"
    base = ["-m", "region.n_schools=80", "scheme=none", "seed=1", "output.print_summary=false",
            "hydra/launcher=basic", f"hydra.sweep.dir={sweep_dir}"]
    schoolsim([*base, "years=1"], cwd=tmp_path)
    second = schoolsim([*base, "years=2"], cwd=tmp_path)
    assert "skipped" not in second.stdout
    assert collected(sweep_dir).metrics["year"].max() == 2


def test_two_sweeps_started_together_get_their_own_folders(tmp_path):
    cmd = [sys.executable, "-m", "sim", "-m", *TINY[:3], "seed=1", "hydra/launcher=basic"]
    procs = [subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    for p in procs:
        assert p.wait(timeout=120) == 0, p.stderr.read().decode()[-2000:]
    dirs = sorted(tmp_path.glob("multirun/*/*"))
    assert len(dirs) == 2, dirs
    for d in dirs:
        assert [s.status for s in sweep_status(d)] == ["finished", "finished"]
    # Same second or not, the microseconds (%f) in the folder name keep them apart.
    assert all(len(d.name.split("-")) == 4 for d in dirs)


def test_sweep_dir_pattern_has_microseconds():
    import yaml

    cfg = yaml.safe_load((Path(__file__).parents[1] / "configs" / "config.yaml").read_text())
    assert "%f" in cfg["hydra"]["sweep"]["dir"]
    assert cfg["hydra"]["sweep"]["subdir"] == "${job_folder:${hydra.overrides.task}}"


def test_truncated_output_is_reported_collected_around_and_run_again(tmp_path, serial):
    sweep_dir = tmp_path / "sweep"
    sweep(sweep_dir, "basic")
    damaged = job_dir(sweep_dir, 1) / "metrics.parquet"
    damaged.write_bytes(damaged.read_bytes()[:200])

    states = sweep_status(sweep_dir)
    assert [s.status for s in states] == ["finished", "failed", "finished", "finished"]
    assert "metrics.parquet does not read back" in states[1].error

    from experiments.collect import collect

    result = collect(sweep_dir)  # writes everything it can read
    assert list(result.runs["status"]) == ["finished", "failed", "finished", "finished"]
    assert sorted(result.metrics["job"].unique()) == [0, 2, 3]
    assert (sweep_dir / "collected" / "metrics.parquet").is_file()

    again = sweep(sweep_dir, "basic")
    assert again.stdout.count("skipped") == 3
    assert "cannot be reused (metrics.parquet does not read back" in again.stdout
    assert_same_tables(collected(sweep_dir), serial)


def test_job_made_by_other_code_is_run_again(tmp_path):
    sweep_dir = tmp_path / "sweep"
    sweep(sweep_dir, "basic")
    summary_file = job_dir(sweep_dir, 0) / "summary.json"
    summary = json.loads(summary_file.read_text())
    assert summary["code_version"].startswith(sim.__version__ + "+src.")
    summary["code_version"] = "0.0.1+src.000000000000"
    summary_file.write_text(json.dumps(summary))

    again = sweep(sweep_dir, "basic")
    assert again.stdout.count("skipped") == 3
    assert "made by code 0.0.1+src.000000000000" in again.stdout
    assert json.loads(summary_file.read_text())["code_version"] == \
        sim.code_version.code_version()
