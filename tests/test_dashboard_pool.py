"""The dashboard's replicate seeds run in one pool of workers for the session
(`sim.dashboard.replicates`): every run reuses the same processes, stopping a run stops its
replicates but not the workers, and closing the pool ends them. Driven like
tests/test_dashboard.py, without a browser."""

from __future__ import annotations

import os
import time

import psutil
import pytest

if not os.environ.get("CI"):
    pytest.importorskip("solara", reason="the dashboard extra is not installed")

import sim  # noqa: E402
from sim.dashboard.controls import compose  # noqa: E402
from sim.dashboard.replicates import ReplicatePool, session_pool  # noqa: E402
from sim.dashboard.runner import FINISHED, STOPPED, RunController  # noqa: E402

SMALL = ["region=gm", "scheme=trios", "region.n_schools=60", "years=2"]
LONG = ["region=gm", "scheme=trios", "years=60"]


def workers() -> set[psutil.Process]:
    """This process's spawned worker processes (multiprocessing's spawn children)."""
    out = set()
    for child in psutil.Process().children():
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                out.add(child)
        except psutil.NoSuchProcess:  # another test's child that ended (or a zombie)
            continue
    return out


def run(number: int, overrides: list[str], n_seeds: int, **kwargs):
    kwargs.setdefault("min_interval", 60)
    return RunController(number, str(number), overrides, compose(overrides), n_seeds=n_seeds,
                         **kwargs)


def test_runs_reuse_the_sessions_workers():
    first = run(1, SMALL, 3)
    assert first.pool is session_pool() is run(2, SMALL, 2).pool
    a = first.execute(lambda s: None)
    after_first = workers()
    b_over = [*SMALL, "scheme.participation=0.5"]
    b = run(2, b_over, 3).execute(lambda s: None)
    assert a.status == b.status == FINISHED and a.seeds_done == b.seeds_done == 2
    assert after_first and workers() == after_first  # the same processes, none new
    # A replicate from the reused workers is the run of that seed alone.
    alone = sim.run([*b_over, "seed=44", "output.progress=false"]).metrics
    mine = b.all_metrics.query("seed == 44").drop(columns="seed").reset_index(drop=True)
    assert mine.equals(alone[mine.columns].astype(mine.dtypes.to_dict()))


def test_a_stopped_runs_replicates_stop_and_the_workers_stay():
    pool = ReplicatePool(processes=1)
    others = workers()  # the session pool's, if another test started it
    try:
        warm = pool.start_run()
        assert pool.submit(warm, compose(SMALL), 1).get(timeout=300) is not None
        started = workers() - others
        assert len(started) == 1
        ticket = pool.start_run()
        running = pool.submit(ticket, compose(LONG), 1)  # 60 GM years: minutes if not stopped
        queued = pool.submit(ticket, compose(LONG), 2)
        time.sleep(2)
        pool.stop_run(ticket)
        assert running.get(timeout=120) is None and queued.get(timeout=120) is None
        again = pool.start_run()
        assert pool.submit(again, compose(SMALL), 3).get(timeout=300) is not None
        assert workers() - others == started
    finally:
        pool.close()
    _, alive = psutil.wait_procs(started, timeout=30)
    assert not alive


def test_stopping_a_run_leaves_the_pool_for_the_next():
    pool = ReplicatePool(processes=1)
    try:
        stopper = run(1, LONG, 4, pool=pool, min_interval=0)

        def publish(snap):
            if snap.week >= 13:
                stopper.stop()

        stopped = stopper.execute(publish)
        assert stopped.status == STOPPED and stopped.seeds_done == 0
        following = run(2, SMALL, 2, pool=pool).execute(lambda s: None)
        assert following.status == FINISHED and following.seeds_done == 1
    finally:
        pool.close()
