"""`sim.batch.run_many`: many runs in reused worker processes give, byte for byte, what one
run per process gives, for any number of workers; errors stay with their job; stopping
the caller stops the workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from experiments.plan import load_jobs
from sim.batch import JobError, run_many
from tests.experiments_helpers import TINY, ctrl_c_as_in_a_terminal, schoolsim

SMALL = ["region.n_schools=80", "years=1"]
JOBS = [[*SMALL, "scheme=none", "seed=1"], [*SMALL, "scheme=trios", "seed=1"],
        [*SMALL, "scheme=none", "seed=2"], [*SMALL, "scheme=trios", "seed=2"]]
TABLES = ("metrics.parquet", "schools.parquet", "partnerships.parquet")


def outputs(folder: Path) -> dict:
    """The tables' bytes and the summary without its timings (and the output section,
    which says how a run reported, not what it computed)."""
    summary = json.loads((folder / "summary.json").read_text())
    del summary["runtime_seconds"], summary["config"]["output"]
    return {**{name: (folder / name).read_bytes() for name in TABLES}, "summary": summary}


ONE_RUN = textwrap.dedent("""
    import sys, sim
    sim.run(sys.argv[2:], progress=False).write(sys.argv[1])
""")


@pytest.fixture(scope="module")
def one_per_process(tmp_path_factory) -> list[dict]:
    """Each job run alone in a fresh Python process with `sim.run` (the reference)."""
    root = tmp_path_factory.mktemp("alone")
    for k, job in enumerate(JOBS):
        subprocess.run([sys.executable, "-c", ONE_RUN, str(root / str(k)), *job], check=True,
                       cwd=Path(__file__).parents[1], timeout=300)
    return [outputs(root / str(k)) for k in range(len(JOBS))]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_batches_write_what_one_run_per_process_writes(tmp_path, one_per_process, n_jobs):
    results = run_many(JOBS, n_jobs=n_jobs, out_dir=tmp_path)
    assert [r.summary["seed"] for r in results] == [1, 1, 2, 2]
    assert [outputs(tmp_path / str(k)) for k in range(len(JOBS))] == one_per_process
    assert one_per_process[0]["metrics.parquet"] != one_per_process[2]["metrics.parquet"]


def test_a_sweep_job_writes_what_a_batch_job_writes(tmp_path, one_per_process):
    """The Hydra sweep (default launcher, 2 workers, configs from `SweepConfigs`) and the
    batch compose the same configs: the same bytes in every job's tables."""
    sweep_dir = tmp_path / "sweep"
    schoolsim(["-m", *TINY, f"hydra.sweep.dir={sweep_dir}", "hydra.launcher.n_jobs=2"],
              cwd=tmp_path)
    folders = {(f"scheme={v['scheme']}", f"seed={v['seed']}"): sweep_dir / job.subdir
               for job in load_jobs(sweep_dir) for v in [job.swept_values()]}
    assert set(folders) == {tuple(job[-2:]) for job in JOBS}  # (scheme=..., seed=...)
    for k, job in enumerate(JOBS):
        assert outputs(folders[tuple(job[-2:])]) == one_per_process[k], job


def final_gap(result) -> float:
    return float(result.metrics["gap_months"].iloc[-1])


def test_reduce_runs_in_the_worker_and_errors_stay_with_their_job():
    too_large = [*SMALL, "scheme=families", "seed=1"]  # families of 12-20 in 80 schools
    out = run_many([JOBS[0], too_large, JOBS[2]], n_jobs=2, reduce=final_gap)
    assert isinstance(out[1], JobError) and out[1].overrides == tuple(too_large)
    assert "families" in out[1].message and "\n" not in out[1].message
    assert out[0] == final_gap(run_many([JOBS[0]], n_jobs=1)[0]) != out[2]


SLOW_BATCH = textwrap.dedent("""
    import os, sys
    from sim.batch import run_many
    print(os.getpid(), flush=True)
    run_many([["region=gm", "years=50", f"seed={s}"] for s in range(8)], n_jobs=2)
""")


def start_slow_batch(tmp_path) -> tuple[subprocess.Popen, list]:
    proc = subprocess.Popen([sys.executable, "-c", SLOW_BATCH], cwd=Path(__file__).parents[1],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=ctrl_c_as_in_a_terminal)
    proc.stdout.readline()
    deadline = time.monotonic() + 300  # a loaded machine starts processes slowly
    workers: list = []
    while len(workers) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
        workers = [p for p in alive_children(proc.pid)
                   if "popen_loky" in " ".join(p.cmdline())]
    assert len(workers) == 2, proc.stderr.read() if proc.poll() is not None else ""
    return proc, alive_children(proc.pid)


def alive_children(pid: int) -> list:
    out = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            child.cmdline()
        except psutil.NoSuchProcess:  # ended (or a zombie) meanwhile
            continue
        out.append(child)
    return out


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_stopping_the_caller_stops_its_workers(tmp_path, how):
    """Ctrl-C ends the batch with KeyboardInterrupt and its workers; a caller killed outright
    leaves no worker running either (each exits within about a second)."""
    proc, children = start_slow_batch(tmp_path)
    stopped = time.monotonic()
    os.kill(proc.pid, how)
    proc.wait(timeout=60)
    if how == signal.SIGINT:
        assert "KeyboardInterrupt" in proc.stderr.read()
    _, alive = psutil.wait_procs(children, timeout=20)
    assert not alive, [p.cmdline() for p in alive]
    assert time.monotonic() - stopped < 30
