"""The worker processes the dashboard's replicate seeds run in: one pool for the session.

A run over N seeds watches the first seed in the server and sends the other N-1 to these
workers (`sim.dashboard.runner`). Starting a worker (a fresh Python that imports the model)
takes seconds, longer than a small run, so the pool is started on the first run with
replicates and kept until the dashboard's process ends (`session_pool()`); every later run,
from any browser tab, reuses its workers. The workers are spawned (safe beside the server's
threads), leave one core to the watched run and the page, and exit with the server, even
when it is killed outright (`sim.batch.exit_with_parent`).

Stopping a run (Stop, a new run, a closed tab) must not end the workers, which are shared,
so each run gets a ticket and a stop flag in shared memory: a replicate checks its run's
flag before it starts and at every term, and returns None once the run is stopped. A
stopped run's replicates therefore free their worker within a term, and its queued ones
never start.
"""

from __future__ import annotations

import atexit
import itertools
import multiprocessing
import os
import threading

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim import calendar
from sim.batch import exit_with_parent
from sim.model import SchoolSystem

# Stop flags in shared memory, one per run ticket (modulo): far more than ever run at once.
FLAGS = 4096

# In each worker process: the pool's stop flags.
_STOP_FLAGS = None


def _start_worker(flags, parent: int) -> None:
    global _STOP_FLAGS
    _STOP_FLAGS = flags
    exit_with_parent(parent)


def _stopped(ticket: int) -> bool:
    return bool(_STOP_FLAGS[ticket % FLAGS])


def replicate(cfg: DictConfig, seed: int, ticket: int) -> pd.DataFrame | None:
    """One replicate seed run to the end in a worker, term by term: its metrics with a
    `seed` column, or None if its run was stopped first."""
    if _stopped(ticket):
        return None
    model = SchoolSystem(OmegaConf.merge(cfg, {"seed": seed}))
    while not model.finished:
        if _stopped(ticket):
            return None
        model.run(until_week=(model.week // calendar.WEEKS_PER_TERM + 1)
                  * calendar.WEEKS_PER_TERM)
    return pd.DataFrame(model.metric_rows).assign(seed=seed)


def worker_count() -> int:
    """Processes for the replicates: one core is left to the watched run and the page."""
    return max(1, (os.cpu_count() or 2) - 1)


class ReplicatePool:
    """Worker processes for replicate seeds, started on first use and reused by every run
    until `close()`; safe to use from several threads."""

    def __init__(self, processes: int | None = None):
        self.processes = processes or worker_count()
        self._context = multiprocessing.get_context("spawn")
        self._flags = self._context.Array("b", FLAGS, lock=False)
        self._tickets = itertools.count(1)
        self._lock = threading.Lock()
        self._pool = None

    def start_run(self) -> int:
        """A new run's ticket (its stop flag cleared)."""
        with self._lock:
            ticket = next(self._tickets)
            self._flags[ticket % FLAGS] = 0
            return ticket

    def submit(self, ticket: int, cfg: DictConfig, seed: int):
        """Run one replicate of run `ticket`; an AsyncResult of its metrics (None if the run
        is stopped before the replicate ends)."""
        return self._workers().apply_async(replicate, (cfg, seed, ticket))

    def stop_run(self, ticket: int) -> None:
        """Stop run `ticket`'s replicates: running ones at their next term, queued ones
        before they start. The workers stay for the next run."""
        self._flags[ticket % FLAGS] = 1

    def close(self) -> None:
        """End the workers (a later `submit` starts new ones)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()
            pool.join()

    def _workers(self):
        with self._lock:
            if self._pool is None:
                self._pool = self._context.Pool(self.processes, initializer=_start_worker,
                                                initargs=(self._flags, os.getpid()))
            return self._pool


_SESSION: list[ReplicatePool] = []
_SESSION_LOCK = threading.Lock()


def session_pool() -> ReplicatePool:
    """The dashboard process's one pool (its workers start with the first replicate and end
    when the process exits)."""
    with _SESSION_LOCK:
        if not _SESSION:
            _SESSION.append(ReplicatePool())
            atexit.register(_SESSION[0].close)
        return _SESSION[0]
