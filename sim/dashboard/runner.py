"""Run control: one setting run over N seeds, the first watched term by term.

`execute` builds a `SchoolSystem` from an already validated config, advances it one term
at a time on the SimPy clock (`model.run(until_week=...)`), and after each term hands an
immutable `Snapshot` (metrics so far, the partnership network, why partnerships ended,
progress) to `publish`, at most every `min_interval` seconds so a fast run does not flood
the page. The other seeds (replicates: the same setting, seeds seed+1 ... seed+N-1) run at
the same time in the session's worker processes (`sim.dashboard.replicates`: one pool kept
for every run) and only their metrics come back; with the same seeds as a pinned baseline,
each seed is a pair (`sim.effects`). `stop()` ends the watched run at the next term boundary
(during the model's build, at once: `sim.dashboard.interrupt`) and the run's replicates at
theirs (the workers stay for the next run); a stopped run keeps its tables, which can be
downloaded like a finished one's. Nothing here knows about Solara.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim import calendar
from sim.dashboard import endings
from sim.dashboard.interrupt import Stopped, stoppable
from sim.dashboard.replicates import ReplicatePool, session_pool
from sim.diffusion_table import first_adoptions
from sim.errors import ConfigError
from sim.model import SchoolSystem
from sim.outputs import RunResult, result_from_model

STARTING, RUNNING, FINISHED, STOPPED, FAILED = "starting", "running", "finished", "stopped", "failed"


@dataclass(frozen=True)
class Snapshot:
    """What the page shows of one run at one moment."""

    number: int
    description: str
    overrides: tuple[str, ...]
    status: str
    week: int = 0
    end_week: int = 0
    metrics: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    pos_km: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)), repr=False)
    la: np.ndarray = field(default_factory=lambda: np.zeros(0, int), repr=False)
    la_names: tuple[str, ...] = ()
    edges: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)), repr=False)
    error: str | None = None
    result: RunResult | None = field(default=None, repr=False)
    version: int = 0
    seeds: tuple[int, ...] = ()
    # Metrics of the replicate seeds that have finished (with a `seed` column).
    replicates: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    ended: tuple[endings.Ending, ...] = ()  # partnership groups that ended, and why
    groups: int = 0          # partnership groups formed
    active_groups: int = 0
    rules: endings.Rules | None = None
    # Its seeds drew their parameter sets from the posterior ensemble (calibration=posterior).
    posterior: bool = False
    # Once the run has ended: each school's first take-up of each practice (practice,
    # school, week), for the network view's spread of one practice.
    adoptions: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), np.int64),
                                  repr=False)

    @property
    def n_seeds(self) -> int:
        return max(1, len(self.seeds))

    @property
    def seeds_done(self) -> int:
        """Replicate seeds finished (the watched seed not counted)."""
        return 0 if self.replicates.empty else self.replicates["seed"].nunique()

    @property
    def all_metrics(self) -> pd.DataFrame:
        """The watched seed's metrics and the finished replicates', with a `seed` column."""
        watched = self.metrics.assign(seed=self.seeds[0] if self.seeds else 0)
        return pd.concat([watched, self.replicates], ignore_index=True)

    def partnership_story(self) -> str:
        """Why partnerships ended when they did (the watched seed)."""
        if self.rules is None:
            return ""
        return endings.story(self.ended, self.rules, self.groups, self.active_groups,
                             self.status == FINISHED)

    @property
    def label(self) -> str:
        return f"Run {self.number}"

    @property
    def years_done(self) -> float:
        return self.week / calendar.WEEKS_PER_YEAR

    @property
    def years_total(self) -> float:
        return self.end_week / calendar.WEEKS_PER_YEAR

    @property
    def fraction(self) -> float:
        """Share of the work done: the watched seed's weeks and the finished replicates."""
        watched = self.week / self.end_week if self.end_week else 0.0
        return (watched + self.seeds_done) / self.n_seeds

    @property
    def percent(self) -> float:
        """Progress on the 0-100 scale a progress bar takes."""
        return 100.0 * self.fraction

    @property
    def active(self) -> bool:
        return self.status in (STARTING, RUNNING)

    @property
    def has_tables(self) -> bool:
        return self.result is not None

    def progress_text(self) -> str:
        where = f"year {self.years_done:.1f} of {self.years_total:g}"
        if self.n_seeds > 1:
            done = self.seeds_done + (self.week >= self.end_week)
            where += f", {done} of {self.n_seeds} seeds done"
        seeds = f" x {self.n_seeds} seeds" if self.n_seeds > 1 else ""
        return {
            STARTING: "building the region and partnerships",
            RUNNING: f"running: {where}",
            FINISHED: f"finished: {self.years_total:g} years{seeds}",
            STOPPED: (f"stopped at {where}" if self.end_week
                      else "stopped while building the region"),
            FAILED: f"failed: {self.error}",
        }[self.status]


class RunController:
    """Runs one setting over `n_seeds` seeds; `stop()` may be called from any thread."""

    def __init__(self, number: int, description: str, overrides: list[str], cfg: DictConfig,
                 *, n_seeds: int = 1, pace_seconds: float = 0.0, min_interval: float = 0.25,
                 pool: ReplicatePool | None = None):
        self.number = number
        self.description = description
        self.overrides = tuple(overrides)
        self.cfg = cfg
        self.seeds = tuple(int(cfg.seed) + k for k in range(n_seeds))
        self.pace_seconds = pace_seconds
        self.min_interval = min_interval
        self.pool = pool or session_pool()
        self._stop = threading.Event()
        self._done: list[pd.DataFrame] = []
        self._events: list[endings.Ending] = []

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def execute(self, publish: Callable[[Snapshot], None]) -> Snapshot:
        """Run to the end (or until stopped), publishing snapshots; returns the last one."""
        snap = Snapshot(self.number, self.description, self.overrides, STARTING,
                        seeds=self.seeds, posterior=bool(self.cfg.posterior.ensemble))
        publish(snap)
        ticket = self.pool.start_run()
        pending = []
        try:
            pending += [self.pool.submit(ticket, self.cfg, seed) for seed in self.seeds[1:]]
            started = time.perf_counter()
            with stoppable(self._stop):   # Stop acts during the build too
                model = SchoolSystem(self.cfg)
            built = time.perf_counter()
            snap = self._snapshot(model, RUNNING, version=1)
            publish(snap)
            snap = self._watch(model, snap, pending, publish)
            simulated = time.perf_counter() - built
            snap = self._wait(model, snap, pending, publish)
            result = result_from_model(model, setup=built - started, simulate=simulated)
            result.summary["completed_weeks"] = model.week
            done = model.finished and not pending
            snap = self._snapshot(model, FINISHED if done else STOPPED,
                                  version=snap.version + 1, result=result)
        except Stopped:
            snap = replace(snap, status=STOPPED, version=snap.version + 1)
        except ConfigError as exc:
            snap = replace(snap, status=FAILED, error=str(exc), version=snap.version + 1)
        except Exception as exc:  # shown in the page; the server keeps serving
            message = " ".join(str(exc).split()) or type(exc).__name__
            snap = replace(snap, status=FAILED, error=f"{type(exc).__name__}: {message}",
                           version=snap.version + 1)
        finally:
            if pending:
                self.pool.stop_run(ticket)  # a stopped or failed run's replicates end here
        publish(snap)
        return snap

    def _watch(self, model: SchoolSystem, snap: Snapshot, pending: list,
               publish: Callable[[Snapshot], None]) -> Snapshot:
        """The watched seed, term by term, noting the partnerships that end each term."""
        rules, p = endings.Rules.of(self.cfg), model.partnerships
        last_publish = time.monotonic()
        while not model.finished and not self._stop.is_set():
            week = (model.week // calendar.WEEKS_PER_TERM + 1) * calendar.WEEKS_PER_TERM
            before, prev = p.active.copy(), model.week
            model.run(until_week=week)
            self._events += endings.endings(before, p.active, p.mean_trust_by_group(), prev,
                                            model.week, rules)
            self._collect(pending)
            if self.pace_seconds:
                self._stop.wait(self.pace_seconds)
            if time.monotonic() - last_publish >= self.min_interval and not model.finished:
                snap = self._snapshot(model, RUNNING, version=snap.version + 1)
                publish(snap)
                last_publish = time.monotonic()
        return snap

    def _wait(self, model: SchoolSystem, snap: Snapshot, pending: list,
              publish: Callable[[Snapshot], None]) -> Snapshot:
        """After the watched seed: the replicates still running, each reported as it ends."""
        while pending and not self._stop.is_set():
            if self._collect(pending):
                snap = self._snapshot(model, RUNNING, version=snap.version + 1)
                publish(snap)
            self._stop.wait(0.1)
        return snap

    def _collect(self, pending: list) -> bool:
        """Move finished replicates from `pending` to the results; True if any finished."""
        ready = [job for job in pending if job.ready()]
        for job in ready:
            pending.remove(job)
            self._done.append(job.get())  # a replicate's error is raised here
        return bool(ready)

    def _snapshot(self, model: SchoolSystem, status: str, *, version: int,
                  result: RunResult | None = None) -> Snapshot:
        edges = model.partnerships.edges()
        p = model.partnerships
        return Snapshot(
            number=self.number, description=self.description, overrides=self.overrides,
            status=status, week=model.week, end_week=model.end_week,
            metrics=pd.DataFrame(model.metric_rows),
            pos_km=model.region.pos_km, la=model.region.la,
            la_names=tuple(model.region.la_names),
            edges=np.asarray(edges, float).reshape(-1, 3),
            result=result, version=version, seeds=self.seeds,
            replicates=(pd.concat(self._done, ignore_index=True) if self._done
                        else pd.DataFrame()),
            ended=tuple(self._events), groups=int(p.n_groups),
            active_groups=int(p.active.sum()), rules=endings.Rules.of(self.cfg),
            posterior=bool(self.cfg.posterior.ensemble),
            adoptions=(np.zeros((0, 3), np.int64) if result is None
                       else np.column_stack(first_adoptions(model.knowledge.log.table()))),
        )
