"""Fault injection for sweeps: a worker killed, the sweep stopped by SIGTERM, two sweeps
writing one folder. Each ends, after resuming, in the dataset an uninterrupted sweep makes
(`serial`); none leaves a worker process behind or a job shown as running for a dead
process. (A file cut short and an older code version: tests/test_experiments_resume.py.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil

from experiments.progress import done
from experiments.status import sweep_status
from tests.experiments_helpers import (TINY, assert_same_tables, collected, job_dir,  # noqa: F401
                                      serial, sweep)

# Callbacks run in the process that runs the job (a joblib worker): job `job` either kills
# its own process outright or sleeps, so that the sweep can be stopped while it runs.
# Callbacks run in the process that runs the job (a joblib worker): job `job`'s simulation
# either kills its own process outright or sleeps, so that the sweep can be stopped while
# it runs. (The model's class is patched: the task function reaches workers pickled by
# value, so patching a name in sim.cli would not reach it.)
FAULTS = textwrap.dedent("""
    import os, signal, time
    from hydra.experimental.callback import Callback

    class Fault(Callback):
        def __init__(self, job, action):
            self.job, self.action = job, action

        def on_job_start(self, config, **kwargs):
            if config.hydra.job.num != self.job:
                return
            from sim.model import SchoolSystem
            action = self.action

            def faulty(model, *args, **kw):
                if action == "kill":
                    os.kill(os.getpid(), signal.SIGKILL)
                time.sleep(300)

            SchoolSystem.run = faulty
""")


def fault_args(tmp_path: Path, job: int, action: str) -> tuple[list[str], dict]:
    (tmp_path / "faults.py").write_text(FAULTS)
    path = os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
    return ([f"+hydra.callbacks.fault._target_=faults.Fault",
             f"+hydra.callbacks.fault.job={job}", f"+hydra.callbacks.fault.action={action}",
             "hydra.launcher.n_jobs=2"], {"PYTHONPATH": path})


def resume_matches(sweep_dir: Path, serial) -> None:
    again = sweep(sweep_dir, "schoolsim_joblib")
    assert "skipped" in again.stdout
    assert [s.status for s in sweep_status(sweep_dir)] == ["finished"] * 4
    assert_same_tables(collected(sweep_dir), serial)


def test_killed_worker_fails_its_job_and_resume_completes(tmp_path, serial):
    sweep_dir = tmp_path / "sweep"
    extra, env = fault_args(tmp_path, job=2, action="kill")
    proc = sweep(sweep_dir, "schoolsim_joblib", extra, env=env, check=False)
    assert proc.returncode != 0  # loky reports the lost worker and the sweep stops

    states = {s.job.num: s for s in sweep_status(sweep_dir)}
    assert states[2].status == "failed", states[2]
    assert "running" not in [s.status for s in states.values()]
    assert done(list(states.values()), sweep_dir)  # schoolsim-progress would stop
    resume_matches(sweep_dir, serial)


def test_sigterm_stops_the_sweep_without_orphans_and_it_resumes(tmp_path, serial):
    sweep_dir = tmp_path / "sweep"
    extra, env = fault_args(tmp_path, job=2, action="sleep")
    cmd = [sys.executable, "-m", "sim", "-m", *TINY, "hydra/launcher=schoolsim_joblib",
           f"hydra.sweep.dir={sweep_dir}", *extra]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    plan = sweep_dir / "sweep_plan.json"
    deadline = time.monotonic() + 240
    while not (plan.exists() and (job_dir(sweep_dir, 2) / ".running.json").exists()) \
            and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (job_dir(sweep_dir, 2) / ".running.json").exists(), proc.communicate()[1][-2000:]
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers

    stopped = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err[-2000:]
    assert "schoolsim: stopped by SIGTERM" in err
    gone, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive, [p.pid for p in alive]
    assert time.monotonic() - stopped < 60

    states = sweep_status(sweep_dir)
    assert "running" not in [s.status for s in states]
    resume_matches(sweep_dir, serial)


def test_two_sweeps_writing_one_folder_leave_a_whole_dataset(tmp_path, serial):
    sweep_dir = tmp_path / "sweep"
    cmd = [sys.executable, "-m", "sim", "-m", *TINY, "hydra/launcher=basic",
           f"hydra.sweep.dir={sweep_dir}"]
    procs = [subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(2)]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read().decode()[-2000:]
    assert not list(sweep_dir.rglob("*.partial"))
    assert [s.status for s in sweep_status(sweep_dir)] == ["finished"] * 4
    assert_same_tables(collected(sweep_dir), serial)
