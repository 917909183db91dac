"""The tidy outputs of a run, the contract with `experiments/` and `analysis/`:
- `metrics.parquet`: one row per term (plus the starting row, week 0);
- `schools.parquet`: one row per school per year (year 0 is the starting state);
- `partnerships.parquet`: one row per partnership link at the end (school_a, school_b,
  group, kind, trust, active);
- `diffusion.parquet`: one row per practice per year: adopters, holders, reach, time to
  10 % and 50 % of schools, chain length and network distance from its origin
  (`sim.diffusion_table`);
- `network.parquet`: the school-to-school edges of every network layer at each year end
  (year, layer, a, b, weight); `network_metrics.parquet`: at the start and the end, per
  layer (and "all"),
  edges, mean degree, clustering, components, largest component share, mean path length
  (`sim.network`); `network.graphml` on request (`output.graphml=true`): the final network,
  hub layers included;
- `results.parquet`: one row per school per year (year 0: the results at the start), like
  the performance tables: KS2 for primaries, KS4 for secondaries (year, school_id, phase,
  key_stage, cohort_disadvantaged, cohort_other, attainment_disadvantaged, attainment_other;
  attainment empty where a group has no pupil in the cohort);
- `summary.json`: scheme, seed, sizes, pupils on roll, runtime, first and last value of each
  metric, and `levelling_down`: a note for each gap that narrowed mostly because other
  pupils fell (`sim.headlines`, on `sim.effects.narrowed_by_falling`);
- the resolved config (`.hydra/` when run by the CLI, `config.yaml` when written by the API).
Files are written under temporary names and renamed into place only when all are ready.
"""

from __future__ import annotations

import io
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim import calendar, metrics
from sim.atomic import write_all
from sim.config import as_plain
from sim.headlines import levelling_down_notes
from sim.model import SchoolSystem
from sim.network import adjacency, edges_by_year

TABLES = ("metrics", "schools", "partnerships", "results", "diffusion", "network",
          "network_metrics")
TABLE_FORMATS = ("parquet", "csv")
OUTPUT_FILES = (*(f"{t}.parquet" for t in TABLES), "summary.json")


@dataclass
class RunResult:
    metrics: pd.DataFrame
    schools: pd.DataFrame
    summary: dict
    config: DictConfig
    partnerships: pd.DataFrame = field(default_factory=pd.DataFrame)
    results: pd.DataFrame = field(default_factory=pd.DataFrame)
    diffusion: pd.DataFrame = field(default_factory=pd.DataFrame)
    network: pd.DataFrame = field(default_factory=pd.DataFrame)
    network_metrics: pd.DataFrame = field(default_factory=pd.DataFrame)
    graphml: str | None = field(default=None, repr=False)   # written when asked for
    model: SchoolSystem | None = field(default=None, repr=False)

    def write(self, out_dir: str | os.PathLike, *, with_config: bool = True) -> Path:
        """Write the outputs into `out_dir`; nothing appears there unless all succeed."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        write_all({out / name: _bytes_writer(data)
                   for name, data in self.files(with_config=with_config).items()})
        return out

    def files(self, fmt: str = "parquet", *, with_config: bool = True) -> dict[str, bytes]:
        """Each output file's name and bytes, in writing order (summary.json after the
        tables: a job folder with a summary is complete): the tables as Parquet (or CSV),
        network.graphml when asked for, summary.json and, `with_config`, config.yaml."""
        if fmt not in TABLE_FORMATS:
            raise ValueError(f"fmt={fmt}; allowed: {', '.join(TABLE_FORMATS)}")
        files = {f"{name}.{fmt}": _table_bytes(getattr(self, name), fmt) for name in TABLES}
        if self.graphml is not None:
            files["network.graphml"] = self.graphml.encode()
        files["summary.json"] = (json.dumps(self.summary, indent=2) + "\n").encode()
        if with_config:
            files["config.yaml"] = OmegaConf.to_yaml(self.config).encode()
        return files

    def setting(self, dotted: str, default=None):
        """A value of the run's resolved config by dotted key (`default` if it has none)."""
        return OmegaConf.select(self.config, dotted, default=default)



def _table_bytes(table: pd.DataFrame, fmt: str) -> bytes:
    if fmt == "csv":
        return table.to_csv(index=False).encode()
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _bytes_writer(data: bytes):
    return lambda path: path.write_bytes(data)


def result_from_model(model: SchoolSystem, *, setup: float = 0.0, simulate: float = 0.0,
                      keep_model: bool = False) -> RunResult:
    """The tables of a model run so far (to its end, or stopped part-way, as the dashboard)."""
    metrics_df = pd.DataFrame(model.metric_rows)
    schools_df = _schools_frame(model)
    summary = _summary(model, metrics_df, setup=setup, simulate=simulate)
    links = pd.DataFrame(metrics.partnership_rows(model))
    links["kind"] = links["kind"].astype("string")
    edges = edges_by_year(model.network_edges)
    for col in ("layer", "a", "b"):
        edges[col] = edges[col].astype("string" if col == "layer" else "int64")
    # Distances travelled are measured in the union of the run's yearly networks.
    travelled = adjacency(edges["a"].to_numpy(), edges["b"].to_numpy(), model.n_schools)
    return RunResult(metrics_df, schools_df, summary, model.cfg, links, _results_frame(model),
                     model.knowledge.table(travelled, calendar.WEEKS_PER_YEAR),
                     edges, pd.concat(model.network_metrics, ignore_index=True),
                     _graphml(model.layered_network()) if model.cfg.output.graphml else None,
                     model if keep_model else None)


def _graphml(net) -> str:
    """The whole network (hub layers included) as GraphML text."""
    graph = net.graph(list(net.layers))
    for _, _, data in graph.edges(data=True):
        data.pop("layers", None)
    return "\n".join(nx.generate_graphml(graph)) + "\n"


def _results_frame(model) -> pd.DataFrame:
    frame = model.pupil_system.results_table()
    for col in ("phase", "key_stage"):
        frame[col] = frame[col].astype("string")
    return frame


def _schools_frame(model) -> pd.DataFrame:
    frame = pd.concat([pd.DataFrame(t) for t in model.school_tables], ignore_index=True)
    for col in ("local_authority", "phase", "grade"):
        if col in frame:
            frame[col] = frame[col].astype("string")
    return frame


def _summary(model, metrics_df: pd.DataFrame, setup: float, simulate: float) -> dict:
    from sim import __version__
    from sim.code_version import code_version

    cfg = model.cfg
    numeric = metrics_df.drop(columns=["week", "year"]).columns
    first = {c: _json_number(metrics_df[c].iloc[0]) for c in numeric}
    last = {c: _json_number(metrics_df[c].iloc[-1]) for c in numeric}
    return {
        "schoolsim_version": __version__,
        "code_version": code_version(),
        "scheme": cfg.scheme.name,
        "region": cfg.region.name,
        "seed": int(cfg.seed),
        "years": int(cfg.years),
        "n_schools": model.n_schools,
        "n_local_authorities": model.region.n_local_authorities,
        "n_partnerships": model.partnerships.n_groups,
        "pupils_on_roll": model.pupil_system.on_roll,
        "meetings_held": int(model.meetings_held),
        "weeks": int(model.end_week),
        "weeks_per_year": calendar.WEEKS_PER_YEAR,
        "runtime_seconds": {"setup": round(setup, 4), "simulation": round(simulate, 4)},
        **model.scheme.summary(model),
        **model.knowledge.summary(),
        **_extra_summary(model),
        "levelling_down": levelling_down_notes(first, last),
        "first": first,
        "last": last,
        "config": as_plain(cfg),
    }


def _extra_summary(model) -> dict:
    """Scenario name, levers, shocks, inspections and region notes (when there are any)."""
    cfg = model.cfg
    out: dict = {}
    if cfg.get("scenario_name"):
        out["scenario"] = str(cfg.scenario_name)
    if model.policies:
        out["policies"] = [repr(p) for p in model.policies]
    for policy in model.policies:
        out.update(policy.summary(model))
    out.update(model.inspection.summary(model))
    if model.pupil_system.left_at_11:
        out["pupils_left_region_at_11"] = model.pupil_system.left_at_11
    if model.pupil_system.left_to_neighbours:
        out["pupils_left_to_neighbouring_authorities_at_11"] = \
            model.pupil_system.left_to_neighbours
    if model.pupil_system.left_without_place:
        out["pupils_without_year7_place_left_region_at_11"] = \
            model.pupil_system.left_without_place
    if model.pupil_system.arrived_at_11:
        out["pupils_arrived_region_at_11"] = model.pupil_system.arrived_at_11
    if model.region.read_as:
        out["region_read_as"] = model.region.read_as
    if model.region.dropped:
        out["region_rows_dropped"] = dict(model.region.dropped)
    if model.shocks:
        out["shocks"] = [repr(s) for s in model.shocks]
    for shock in model.shocks:
        out.update(shock.summary(model))
    return out


def _json_number(value):
    value = float(value)
    return None if math.isnan(value) else value
