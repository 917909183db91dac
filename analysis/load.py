"""Reading run outputs into combined tidy tables with `run_id`, `scenario`, `scheme`, `seed`.

    from analysis.load import load
    t = load("outputs/2025-01-01/10-00-00-000000_trios")      # one run folder
    t = load("multirun/2025-01-01/10-00-00-000000")           # every run below a folder
    t = load("multirun/.../collected")                        # a dataset schoolsim-collect made
    t = from_results(sim.run([...]), sim.run([...]))          # runs held in memory
    t.metrics, t.schools, t.partnerships, t.results, t.runs

A run folder is any folder holding `summary.json` and `metrics.parquet` (schools and
partnerships tables are read when present). A sweep folder is read from its job folders;
when it has none, from the dataset `schoolsim-collect` wrote (SWEEP_DIR/collected, or that
folder, or a Parquet file in it). Only the tidy outputs are read, never the model.

The `scenario` of a run is its named scenario if the config has one, else its scheme;
when runs of the same scheme differ in other settings (a sweep), those settings are
appended ("trios exchange.learning_rate=0.2") and each gets its own column, so a 2-D
sweep can be drawn as a heatmap straight from the tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.outputs import TABLES
from sim.overrides import flatten

REQUIRED = ("summary.json", "metrics.parquet")
ID_COLUMNS = ["run_id", "scenario", "scheme", "seed"]
# Settings that never define a scenario: the replicate and how the run was displayed.
NOT_SCENARIO = ("seed", "output.", "scheme.name", "scenario", "posterior.")


class NoRunsError(ValueError):
    """No run outputs were found where the user pointed."""


@dataclass
class Tables:
    runs: pd.DataFrame          # one row per run: run_id, scenario, scheme, seed, path, ...
    metrics: pd.DataFrame       # one row per run per term
    schools: pd.DataFrame       # one row per run per school per year
    partnerships: pd.DataFrame  # one row per run per partnership link
    results: pd.DataFrame = field(default_factory=pd.DataFrame)  # run, school, year: KS2/KS4
    # The practices and network tables (issue 12).
    diffusion: pd.DataFrame = field(default_factory=pd.DataFrame)  # run, practice, year
    network: pd.DataFrame = field(default_factory=pd.DataFrame)    # run, edge, year
    network_metrics: pd.DataFrame = field(default_factory=pd.DataFrame)  # run, layer, year

    # Job folders found without complete outputs (failed or unfinished sweep jobs).
    incomplete: tuple[str, ...] = ()
    # Settings (dotted keys) that differ between runs of the same base scenario.
    varied: tuple[str, ...] = ()

    @property
    def scenarios(self) -> list[str]:
        return sorted(self.runs["scenario"].unique())

    def runs_per_scenario(self) -> pd.Series:
        return self.runs.groupby("scenario")["run_id"].nunique()


def load(*paths: str | Path) -> Tables:
    """Combined tables of every run found under `paths` (folders or collected Parquet)."""
    parts = []
    for path in map(Path, paths):
        folders = find_runs(path)
        collected = None if folders else _collected_dir(path)
        if collected is not None:
            parts.append(load_collected(collected))
        parts.extend(_load_folder(d) for d in folders)
    if not parts:
        shown = ", ".join(str(p) for p in paths) or "(no paths given)"
        raise NoRunsError(f"no runs found in {shown}")
    tables = label_scenarios(_concat(parts))
    tables.incomplete = tuple(str(d) for p in paths for d in find_incomplete(Path(p)))
    return tables


def from_results(*results) -> Tables:
    """Combined tables of `sim.run` results held in memory (notebooks): the same tables a
    run writes, so nothing here looks inside the model. Pass results or lists of them."""
    flat = [r for item in results for r in (item if isinstance(item, (list, tuple)) else [item])]
    if not flat:
        raise NoRunsError("no runs given")
    parts = []
    for k, result in enumerate(flat):
        run_id = f"run{k}"
        tables = {name: getattr(result, name).assign(run_id=run_id) for name in TABLES}
        parts.append(Tables(runs=pd.DataFrame([_run_row(result.summary, run_id, None)]),
                            **tables))
    return label_scenarios(_concat(parts))


def find_runs(path: Path) -> list[Path]:
    """Run folders at or below `path`, in a stable order."""
    path = Path(path)
    if _is_run(path):
        return [path]
    if not path.is_dir():
        return []
    return sorted({p.parent for p in path.rglob("summary.json") if _is_run(p.parent)})


def find_incomplete(path: Path) -> list[Path]:
    """Job folders (Hydra wrote `.hydra/` there) at or below `path` that lack outputs."""
    if not path.is_dir():
        return []
    jobs = {p.parent for p in path.rglob(".hydra") if p.is_dir()}
    return sorted(j for j in jobs if not _is_run(j))


def _is_run(folder: Path) -> bool:
    return all((folder / name).is_file() for name in REQUIRED)


def _load_folder(folder: Path) -> Tables:
    summary = json.loads((folder / "summary.json").read_text())
    run_id = str(folder)
    runs = pd.DataFrame([_run_row(summary, run_id, folder)])
    tables = {}
    for name in TABLES:
        file = folder / f"{name}.parquet"
        frame = pd.read_parquet(file) if file.is_file() else pd.DataFrame()
        tables[name] = frame.assign(run_id=run_id)
    return Tables(runs=runs, **tables)


def _run_row(summary: dict, run_id: str, path) -> dict:
    config = summary.get("config", {})
    row = {"run_id": run_id, "scheme": summary.get("scheme", config.get("scheme", {}).get("name")),
           "seed": int(summary.get("seed", config.get("seed", -1))),
           "base_scenario": _named_scenario(summary, config), "path": str(path),
           "years": summary.get("years", config.get("years")),
           "n_schools": summary.get("n_schools"), "region": summary.get("region")}
    # Lists are compared as text so that they can sit in one column.
    row.update({f"config.{k}": json.dumps(v) if isinstance(v, list) else v
                for k, v in flatten(config).items()})
    return row


def _named_scenario(summary: dict, config: dict) -> str | None:
    """A scenario name recorded by the run itself (named scenario configs), if any."""
    for source in (summary.get("scenario"), config.get("scenario")):
        if isinstance(source, str):
            return source
        if isinstance(source, dict) and source.get("name"):
            return str(source["name"])
    return None


def _concat(parts: list[Tables]) -> Tables:
    frames = {name: pd.concat([getattr(p, name) for p in parts], ignore_index=True)
              for name in ("runs", *TABLES)}
    return Tables(**frames)


# ------------------------------------------------------------------ scenarios


def label_scenarios(tables: Tables) -> Tables:
    """Give every run a `scenario` (see the module docstring) and copy the id columns,
    plus any setting that distinguishes scenarios, onto every table."""
    runs = tables.runs.copy()
    runs["base_scenario"] = runs["base_scenario"].fillna(runs["scheme"])
    by_base = varied_settings(runs)
    varied = sorted(set().union(*by_base.values()))
    runs["scenario"] = runs.apply(lambda r: _scenario_label(r, by_base[r["base_scenario"]]),
                                  axis=1)
    # A swept `years` is also a fact every run reports: keep one column of that name.
    runs = runs.drop(columns=[k for k in varied if k in runs.columns])
    runs = runs.rename(columns={f"config.{k}": k for k in varied})
    keep = ID_COLUMNS + varied
    out = {name: _with_ids(getattr(tables, name), runs[keep]) for name in TABLES}
    front = ID_COLUMNS + varied + [c for c in ("years", "n_schools", "region", "path")
                                   if c not in varied]
    runs = runs[front + [c for c in runs.columns if c not in front]]
    return Tables(runs=runs, **out, varied=tuple(varied))


def varied_settings(runs: pd.DataFrame) -> dict[str, list[str]]:
    """For each base scenario, the settings (dotted keys) that differ between its runs."""
    drawn = drawn_settings(runs)
    config_cols = [c for c in runs.columns if c.startswith("config.")
                   and not c.removeprefix("config.").startswith(NOT_SCENARIO)
                   and c.removeprefix("config.") not in drawn]
    return {base: [c.removeprefix("config.") for c in config_cols
                   if group[c].astype(str).nunique() > 1]
            for base, group in runs.groupby("base_scenario")}


def drawn_settings(runs: pd.DataFrame) -> set[str]:
    """Settings some run drew from a posterior ensemble (calibration=posterior): they vary
    with the seed, not with the scenario."""
    column = "config.posterior.drawn"
    if column not in runs.columns:
        return set()
    return {key for value in runs[column].dropna() for key in json.loads(value)}


def parameter_draws(runs: pd.DataFrame) -> str:
    """POSTERIOR if every run drew its parameters from a posterior ensemble, FIXED if none
    did, MIXED otherwise (`sim.effects.uncertainty_note`)."""
    from sim.effects import FIXED, MIXED, POSTERIOR

    column = "config.posterior.ensemble"
    drew = runs[column].fillna("").astype(str) != "" if column in runs.columns else \
        pd.Series(False, index=runs.index)
    return POSTERIOR if drew.all() else FIXED if not drew.any() else MIXED


def _scenario_label(run: pd.Series, varied: list[str]) -> str:
    extras = [f"{k}={_short(run[f'config.{k}'])}" for k in varied
              if pd.notna(run.get(f"config.{k}"))]
    return " ".join([str(run["base_scenario"]), *extras])


def _short(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _with_ids(frame: pd.DataFrame, ids: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=list(ids.columns))
    body = frame.drop(columns=[c for c in ids.columns if c != "run_id" and c in frame.columns])
    merged = body.merge(ids, on="run_id", how="left")
    return merged[list(ids.columns) + [c for c in body.columns if c != "run_id"]]


# ------------------------------------------------------------------ collected sweeps
# `schoolsim-collect SWEEP_DIR` (experiments/collect.py) writes SWEEP_DIR/collected/ with
# runs.parquet (one row per job: swept settings, status) and the three tables stacked, each
# row labelled with `job` and the swept settings (named as on the command line).

COLLECTED_INFO = ("job", "status", "error", "overrides", "n_schools", "runtime_seconds")


def _collected_dir(path: Path) -> Path | None:
    """The collected dataset folder `path` names (the folder, a file in it, or its sweep)."""
    for folder in (path, path.parent, path / "collected"):
        if (folder.is_dir() and (folder / "runs.parquet").is_file()
                and (folder / "metrics.parquet").is_file() and not _is_run(folder)):
            return folder
    return None


def load_collected(folder: Path) -> Tables:
    """Tables from a collected sweep dataset (finished jobs only)."""
    jobs = pd.read_parquet(folder / "runs.parquet")
    jobs = jobs[jobs["status"] == "finished"] if "status" in jobs else jobs
    swept = [c for c in jobs.columns if c not in COLLECTED_INFO and not c.startswith("last_")]
    run_ids = {job: f"{folder}#job{job}" for job in jobs["job"]}
    runs = pd.DataFrame({
        "run_id": jobs["job"].map(run_ids), "scheme": jobs["scheme"].astype(str),
        "seed": jobs["seed"].astype(int), "base_scenario": _collected_scenario(jobs),
        "path": str(folder), "years": None,
        "n_schools": jobs.get("n_schools"), "region": None})
    for col in swept:
        runs[f"config.{col.lstrip('+')}"] = jobs[col].to_numpy()
    tables = {name: _collected_table(folder, name, run_ids, swept) for name in TABLES}
    if not tables["metrics"].empty:
        years = tables["metrics"].groupby("run_id")["year"].max().round().astype(int)
        runs["years"] = runs["run_id"].map(years)
    return Tables(runs=runs.reset_index(drop=True), **tables)


def _collected_scenario(jobs: pd.DataFrame) -> pd.Series:
    for col in ("scenario", "+scenario", "scenario.name"):
        if col in jobs:
            return jobs[col].astype(str)
    return pd.Series([None] * len(jobs), index=jobs.index, dtype=object)


def _collected_table(folder: Path, name: str, run_ids: dict, swept: list[str]) -> pd.DataFrame:
    file = folder / f"{name}.parquet"
    if not file.is_file():
        return pd.DataFrame(columns=["run_id"])
    frame = pd.read_parquet(file)
    if frame.empty:
        return pd.DataFrame(columns=["run_id"])
    frame = frame[frame["job"].isin(run_ids)]
    labels = [c for c in ["job", *swept] if c in frame.columns]
    return frame.drop(columns=labels).assign(run_id=frame["job"].map(run_ids).to_numpy())
