"""Many runs in persistent worker processes: `run_many`, for the calibration and anything
else that runs the model hundreds of times from Python.

    from sim.batch import JobError, run_many

    results = run_many([["seed=1"], ["seed=2", "scheme=families"]], n_jobs=2)
    results[0].metrics                       # a RunResult per job, in the jobs' order
    gaps = run_many(jobs, reduce=final_gap)  # only what `reduce(result)` returns comes back
    run_many(jobs, out_dir="runs")           # also writes runs/0/, runs/1/, ... (RunResult.write)
    [r.message for r in results if isinstance(r, JobError)]   # configs that cannot run

`jobs` is a list of override lists, each what `sim.run` takes (`["scheme=trios", "seed=3"]`).
`reduce`, if given, is a module-level function of a `RunResult` (it is sent to the workers
by reference); it runs in the worker, so a calibration gets back a few numbers per run
instead of every table. `n_jobs` counts processes as joblib does (-1: every core).

Why it is fast: starting a process, importing the model and composing a config with Hydra
take longer than a Greater Manchester run. Here the workers are joblib's loky processes,
which stay up and are reused by every later call from the same process (the trials of a
calibration share them), and each worker composes with one `sim.compose.Composer` (the
config of each choice of config groups once, each job's values applied to a copy). Runs go
to the workers in batches (joblib's automatic batching).

Same results whatever the process count: each job's result depends only on its overrides
(its seed names every random stream), so `run_many` gives what `sim.run(overrides,
progress=False)` gives, byte for byte in the written files, for any `n_jobs`
(tests/test_batch.py). A job whose config cannot run (`ConfigError`, e.g. Families too
large for the region) comes back as a `JobError` in its place and the other jobs still run;
any other exception stops the batch. Ctrl-C (or SIGTERM) stops the workers with it, and a
worker whose parent process is gone exits within a second.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.compose import Composer
from sim.errors import ConfigError
from sim.outputs import RunResult
from sim.run import run_config

# In each worker process: one composer for every job it runs (from any call of run_many).
_COMPOSER = Composer()
# In each worker process: the thread that ends it when its parent process is gone.
_WATCHDOG: list[threading.Thread] = []


@dataclass(frozen=True)
class JobError:
    """A job whose config cannot run, with the one-line `ConfigError` message."""

    overrides: tuple[str, ...]
    message: str


def run_many(jobs: Sequence[Sequence[str]], *, n_jobs: int = -1,
             reduce: Callable[[RunResult], Any] | None = None,
             out_dir: str | os.PathLike | None = None) -> list:
    """Run every job (a list of overrides); return, in order, each job's `RunResult` (or
    `reduce(result)`), or a `JobError` for a config that cannot run."""
    from joblib import Parallel, delayed

    target = None if out_dir is None else Path(out_dir)
    return Parallel(n_jobs=n_jobs, backend=worker_backend())(
        delayed(run_job)(tuple(job), reduce, None if target is None else target / str(k))
        for k, job in enumerate(jobs))


def run_job(overrides: tuple[str, ...], reduce: Callable[[RunResult], Any] | None = None,
            out_dir: Path | None = None):
    """One job in this process, composed with the process's `Composer`."""
    try:
        cfg = _COMPOSER.compose([*overrides, "output.progress=false"])
        result = run_config(cfg)
    except ConfigError as exc:
        return JobError(overrides, str(exc))
    if out_dir is not None:
        result.write(out_dir)
    return result if reduce is None else reduce(result)


def worker_backend(name: str = "loky"):
    """joblib's process backend `name` (loky or multiprocessing) whose worker processes end
    soon after this process is gone (SIGKILL, a crash): otherwise loky's workers outlive it
    for many minutes, holding memory (and, in a sweep, a job marked running). The watch
    starts as each worker starts, before it has imported anything for a job."""
    from joblib.parallel import BACKENDS

    return BACKENDS[name](initializer=exit_with_parent, initargs=(os.getpid(),))


def exit_with_parent(parent: int, poll_seconds: float = 1.0) -> None:
    """In a worker process: exit as soon as its parent is no longer process `parent`."""
    if _WATCHDOG:
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(1)  # no clean-up to run: an unfinished job's folder already says so

    _WATCHDOG.append(threading.Thread(target=watch, name="exit-with-parent", daemon=True))
    _WATCHDOG[0].start()
