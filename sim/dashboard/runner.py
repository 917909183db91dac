"""Run control: one simulation run in a background thread, reported term by term.

`execute` builds a `SchoolSystem` from an already validated config, advances it one term
at a time on the SimPy clock (`model.run(until_week=...)`), and after each term hands an
immutable `Snapshot` (metrics so far, the partnership network, progress) to `publish`,
at most every `min_interval` seconds so a fast run does not flood the page. `stop()`
ends the run at the next term boundary; a stopped run keeps its tables, which can be
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
        return self.week / self.end_week if self.end_week else 0.0

    @property
    def active(self) -> bool:
        return self.status in (STARTING, RUNNING)

    @property
    def has_tables(self) -> bool:
        return self.result is not None

    def progress_text(self) -> str:
        where = f"year {self.years_done:.1f} of {self.years_total:g}"
        return {
            STARTING: "building the region and partnerships",
            RUNNING: f"running: {where}",
            FINISHED: f"finished: {self.years_total:g} years",
            STOPPED: f"stopped at {where}",
            FAILED: f"failed: {self.error}",
        }[self.status]


class RunController:
    """Runs one model; `stop()` may be called from any thread."""

    def __init__(self, number: int, description: str, overrides: list[str], cfg: DictConfig,
                 *, pace_seconds: float = 0.0, min_interval: float = 0.25):
        self.number = number
        self.description = description
        self.overrides = tuple(overrides)
        self.cfg = cfg
        self.pace_seconds = pace_seconds
        self.min_interval = min_interval
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def execute(self, publish: Callable[[Snapshot], None]) -> Snapshot:
        """Run to the end (or until stopped), publishing snapshots; returns the last one."""
        snap = Snapshot(self.number, self.description, self.overrides, STARTING)
        publish(snap)
        try:
            started = time.perf_counter()
            model = SchoolSystem(self.cfg)
            built = time.perf_counter()
            snap = self._snapshot(model, RUNNING, version=1)
            publish(snap)
            last_publish = time.monotonic()
            while not model.finished and not self._stop.is_set():
                week = (model.week // calendar.WEEKS_PER_TERM + 1) * calendar.WEEKS_PER_TERM
                model.run(until_week=week)
                if self.pace_seconds:
                    self._stop.wait(self.pace_seconds)
                if time.monotonic() - last_publish >= self.min_interval and not model.finished:
                    snap = self._snapshot(model, RUNNING, version=snap.version + 1)
                    publish(snap)
                    last_publish = time.monotonic()
            simulated = time.perf_counter() - built
            result = result_from_model(model, setup=built - started, simulate=simulated)
            result.summary["completed_weeks"] = model.week
            snap = self._snapshot(model, FINISHED if model.finished else STOPPED,
                                  version=snap.version + 1, result=result)
        except ConfigError as exc:
            snap = replace(snap, status=FAILED, error=str(exc), version=snap.version + 1)
        except Exception as exc:  # shown in the page; the server keeps serving
            message = " ".join(str(exc).split()) or type(exc).__name__
            snap = replace(snap, status=FAILED, error=f"{type(exc).__name__}: {message}",
                           version=snap.version + 1)
        publish(snap)
        return snap

    def _snapshot(self, model: SchoolSystem, status: str, *, version: int,
                  result: RunResult | None = None) -> Snapshot:
        edges = model.partnerships.edges()
        return Snapshot(
            number=self.number, description=self.description, overrides=self.overrides,
            status=status, week=model.week, end_week=model.end_week,
            metrics=pd.DataFrame(model.metric_rows),
            pos_km=model.region.pos_km, la=model.region.la,
            la_names=tuple(model.region.la_names),
            edges=np.asarray(edges, float).reshape(-1, 3),
            result=result, version=version,
        )
