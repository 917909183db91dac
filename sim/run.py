"""Running the model: the Python API (`sim.run`) and the tidy outputs of a run.

A run's outputs are the contract with `experiments/` and `analysis/`:
- `metrics.parquet`: one row per term (plus the starting row, week 0);
- `schools.parquet`: one row per school per year (year 0 is the starting state);
- `partnerships.parquet`: one row per partnership link at the end (school_a, school_b,
  group, kind, trust, active);
- `summary.json`: scheme, seed, sizes, runtime, first and last value of each metric;
- the resolved config (`.hydra/` when run by the CLI, `config.yaml` when written by the API).
Files are written under temporary names and renamed into place only when all are ready.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim import calendar, metrics
from sim.compose import as_override_list, compose_config
from sim.config import as_plain
from sim.model import SchoolSystem

OUTPUT_FILES = ("metrics.parquet", "schools.parquet", "partnerships.parquet", "summary.json")


@dataclass
class RunResult:
    metrics: pd.DataFrame
    schools: pd.DataFrame
    summary: dict
    config: DictConfig
    partnerships: pd.DataFrame = field(default_factory=pd.DataFrame)
    model: SchoolSystem | None = field(default=None, repr=False)

    def write(self, out_dir: str | os.PathLike, *, with_config: bool = True) -> Path:
        """Write the outputs into `out_dir`; nothing appears there unless all succeed."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        staged = []
        try:
            for name, writer in self._writers(with_config).items():
                tmp = out / f".{name}.partial"
                writer(tmp)
                staged.append((tmp, out / name))
            for tmp, final in staged:
                os.replace(tmp, final)
        finally:
            for tmp, _ in staged:
                tmp.unlink(missing_ok=True)
        return out

    def _writers(self, with_config: bool):
        writers = {
            "metrics.parquet": lambda p: self.metrics.to_parquet(p, index=False),
            "schools.parquet": lambda p: self.schools.to_parquet(p, index=False),
            "partnerships.parquet": lambda p: self.partnerships.to_parquet(p, index=False),
            "summary.json": lambda p: p.write_text(json.dumps(self.summary, indent=2) + "\n"),
        }
        if with_config:
            writers["config.yaml"] = lambda p: p.write_text(OmegaConf.to_yaml(self.config))
        return writers


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


def result_from_model(model: SchoolSystem, *, setup: float = 0.0, simulate: float = 0.0,
                      keep_model: bool = False) -> RunResult:
    """The tables of a model run so far (to its end, or stopped part-way, as the dashboard)."""
    metrics_df = pd.DataFrame(model.metric_rows)
    schools_df = _schools_frame(model)
    summary = _summary(model, metrics_df, setup=setup, simulate=simulate)
    links = pd.DataFrame(metrics.partnership_rows(model))
    links["kind"] = links["kind"].astype("string")
    return RunResult(metrics_df, schools_df, summary, model.cfg, links,
                     model if keep_model else None)


def _schools_frame(model) -> pd.DataFrame:
    frame = pd.concat([pd.DataFrame(t) for t in model.school_tables], ignore_index=True)
    for col in ("local_authority", "phase", "grade"):
        if col in frame:
            frame[col] = frame[col].astype("string")
    return frame


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


def _summary(model, metrics_df: pd.DataFrame, setup: float, simulate: float) -> dict:
    from sim import __version__

    cfg = model.cfg
    numeric = metrics_df.drop(columns=["week", "year"]).columns
    return {
        "schoolsim_version": __version__,
        "scheme": cfg.scheme.name,
        "region": cfg.region.name,
        "seed": int(cfg.seed),
        "years": int(cfg.years),
        "n_schools": model.n_schools,
        "n_local_authorities": model.region.n_local_authorities,
        "n_partnerships": model.partnerships.n_groups,
        "meetings_held": int(model.meetings_held),
        "weeks": int(model.end_week),
        "weeks_per_year": calendar.WEEKS_PER_YEAR,
        "runtime_seconds": {"setup": round(setup, 4), "simulation": round(simulate, 4)},
        **model.scheme.summary(model),
        **_extra_summary(model, metrics_df),
        "first": {c: _json_number(metrics_df[c].iloc[0]) for c in numeric},
        "last": {c: _json_number(metrics_df[c].iloc[-1]) for c in numeric},
        "config": as_plain(cfg),
    }


def _extra_summary(model, metrics_df: pd.DataFrame) -> dict:
    """Scenario name, levers, shocks, inspections and region notes (when there are any)."""
    cfg = model.cfg
    out: dict = {}
    if cfg.get("scenario_name"):
        out["scenario"] = str(cfg.scenario_name)
    policies = getattr(model, "policies", [])
    if policies:
        out["policies"] = [repr(p) for p in policies]
    for key in ("funding_ended_groups", "unbrokered_failed_groups"):
        if hasattr(model, key):
            out[key] = int(getattr(model, key))
    if getattr(model, "inspection", None) is not None:
        out["inspections"] = int(model.inspection.inspections)
    dropped = getattr(model.region, "dropped", None)
    if dropped:
        out["region_rows_dropped"] = dict(dropped)
    for shock in getattr(model, "shocks", []):
        from sim.shocks import recovery_weeks

        out["shocks"] = [repr(s) for s in model.shocks]
        out["pandemic_recovery_weeks"] = recovery_weeks(metrics_df, shock)
    return out


def _json_number(value):
    value = float(value)
    return None if math.isnan(value) else value


HEADLINES = (
    ("gap_months", "Disadvantage gap (months)"),
    ("gap_months_primary", "  primary"),
    ("gap_months_secondary", "  secondary"),
    ("attainment_disadvantaged", "Disadvantaged pupils (months vs national)"),
    ("attainment_other", "Other pupils (months vs national)"),
    ("expertise_mean", "Mean expertise (0-1)"),
    ("between_school_sd", "Between-school spread (months, sd)"),
    ("segregation", "Segregation (dissimilarity, 0-1)"),
)


def headline_table(summary: dict) -> str:
    """The few numbers a reader wants first, start vs end."""
    years = summary["years"]
    scenario = f"scenario={summary['scenario']} " if summary.get("scenario") else ""
    lines = [f"schoolsim: {scenario}scheme={summary['scheme']} region={summary['region']} "
             f"schools={summary['n_schools']} seed={summary['seed']} years={years}",
             f"{'':44}{'start':>9}{'year ' + str(years):>10}{'change':>9}"]
    for key, label in HEADLINES:
        a, b = summary["first"][key], summary["last"][key]
        lines.append(f"{label:44}{a:9.2f}{b:10.2f}{b - a:+9.2f}")
    if summary.get("region_rows_dropped"):
        notes = ", ".join(f"{n} {why}" for why, n in summary["region_rows_dropped"].items())
        lines.append(f"school list: rows not used: {notes}")
    rt = summary["runtime_seconds"]
    lines.append(f"runtime: {rt['setup']:.2f} s setup, {rt['simulation']:.2f} s simulation")
    return "\n".join(lines)
