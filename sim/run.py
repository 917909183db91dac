"""Running the model from Python: `sim.run` composes a config from overrides, runs it and
returns its tables (`sim.outputs.RunResult`); `run_config` runs a composed config."""

from __future__ import annotations

import os
import time

from omegaconf import DictConfig

from sim.compose import as_override_list, compose_config
from sim.model import SchoolSystem
from sim.outputs import RunResult, result_from_model


def run(overrides: list[str] | dict | None = None, *, out_dir: str | os.PathLike | None = None,
        progress: bool | str | None = None, keep_model: bool = False,
        policies: list | None = None) -> RunResult:
    """Compose the config from overrides, run the model, and return its tables.

    Nothing is written unless `out_dir` is given. `policies` takes lever objects
    (`sim.policies`) or shocks (`sim.shocks.Pandemic`), added to the config as overrides, so
    the resolved config records them. Example::

        result = sim.run(["scheme=families", "years=5", "seed=3"])
        result.metrics[["year", "gap_months"]]
        sim.run(["scheme=trios"], policies=[sim.policies.ProgrammeFunding(end_year=3.0)])
    """
    if policies:
        overrides = as_override_list(overrides) + [o for p in policies for o in p.overrides()]
    cfg = compose_config(overrides)
    if progress is not None:
        cfg.output.progress = str(progress).lower()
    result = run_config(cfg, keep_model=keep_model)
    if out_dir is not None:
        result.write(out_dir)
    return result


def run_config(cfg: DictConfig, *, keep_model: bool = False) -> RunResult:
    """Run an already composed and validated config."""
    started = time.perf_counter()
    model = SchoolSystem(cfg)
    built = time.perf_counter()
    with _progress_bar(cfg, model.end_week) as advance:
        model.run(progress=advance)
    finished = time.perf_counter()
    return result_from_model(model, setup=built - started, simulate=finished - built,
                             keep_model=keep_model)


class _progress_bar:
    """A tqdm bar in weeks, shown once the run has taken two seconds ('auto')."""

    def __init__(self, cfg, total_weeks: int):
        self.mode = str(cfg.output.progress).lower()
        self.total = total_weeks
        self.bar = None

    def __enter__(self):
        if self.mode == "false":
            return None
        from tqdm.auto import tqdm

        self.bar = tqdm(total=self.total, unit="week", delay=0 if self.mode == "true" else 2,
                        desc="schoolsim", leave=False)

        def advance(week: int) -> None:
            self.bar.update(week - self.bar.n)

        return advance

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False
