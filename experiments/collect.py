"""`schoolsim-collect SWEEP_DIR`: every job's outputs in one tidy dataset.

    schoolsim-collect multirun/2026-11-25/10-40-00-123456
    schoolsim-collect SWEEP_DIR -o results/     # somewhere else than SWEEP_DIR/collected

Writes, into SWEEP_DIR/collected/ unless told otherwise:
- `metrics.parquet`, `schools.parquet`, `partnerships.parquet`, `results.parquet`: the jobs'
  tables stacked, with
  `job` and one column per swept setting (named as on the command line: `seed`,
  `scheme`, `scheme.initial_trust`, ...) in front; `scheme` and `seed` are always there;
- `runs.parquet`: one row per planned job: its status (finished, failed, running, missing),
  its error, its swept settings and, when finished, the last value of every metric;
- `sweep.duckdb`: a DuckDB database with one view per table over the files beside it, by
  their bare names (`cd SWEEP_DIR/collected && duckdb sweep.duckdb "select scheme,
  avg(gap_months) from metrics ..."`), so a moved or copied folder reads its own files.
Each file is written under a temporary name and renamed into place. It reports how many jobs
finished, failed, are running or missing, and names each failure with its error; a
"finished" job whose outputs do not read back counts as failed and the rest is collected.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from experiments.plan import SweepDirError, check_sweep_dir
from experiments.status import JobStatus, describe, sweep_status
from sim import sweep_job
from sim.atomic import write_with
from sim.outputs import TABLES

ALWAYS = ("scheme", "seed")
DUCKDB_FILE = "sweep.duckdb"


@dataclass
class Collected:
    runs: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    statuses: list[JobStatus]
    out_dir: Path | None = None
    files: list[Path] = field(default_factory=list)

    def __getattr__(self, name):  # collected.metrics, collected.schools, ...
        if name in TABLES:
            return self.tables[name]
        raise AttributeError(name)


def collect(sweep_dir: str | Path, out_dir: str | Path | None = None, *,
            write: bool = True) -> Collected:
    """Gather the sweep in `sweep_dir`; write the dataset to `out_dir` (default: collected/)."""
    sweep_dir = check_sweep_dir(sweep_dir)
    statuses, outputs = _read_finished(sweep_dir, sweep_status(sweep_dir))
    summaries = {num: out.summary for num, out in outputs.items()}
    labels = {s.job.num: _labels(s, summaries.get(s.job.num)) for s in statuses}
    tables = {name: _stack(name, outputs, labels) for name in TABLES}
    result = Collected(_runs(statuses, summaries, labels), tables, statuses)
    if write:
        result.out_dir = Path(out_dir) if out_dir else sweep_dir / "collected"
        result.files = _write(result)
    return result


def _read_finished(sweep_dir: Path, statuses: list[JobStatus]):
    """Every finished job's outputs, read whole; a job whose outputs do not read back is
    counted as failed (with the reason) and left out, and the others still collected."""
    outputs, checked = {}, []
    for s in statuses:
        if s.status == "finished":
            try:
                outputs[s.job.num] = sweep_job.read_outputs(sweep_dir / s.job.subdir)
            except sweep_job.BrokenJob as why:
                s = JobStatus(s.job, "failed", f"outputs unusable: {why}")
        checked.append(s)
    return checked, outputs


def _labels(status: JobStatus, summary: dict | None) -> dict[str, object]:
    """The columns that say which job a row came from: job, swept settings, scheme, seed."""
    swept = {k: v for k, v in status.job.swept_values().items()
             if k.split(".")[0] not in sweep_job.IGNORED_SECTIONS}
    labels: dict[str, object] = {"job": status.job.num, **swept}
    for key in ALWAYS:
        if key not in labels:
            labels[key] = summary[key] if summary else None
    return labels


def _stack(name: str, outputs: dict, labels: dict) -> pd.DataFrame:
    frames = []
    for num in sorted(outputs):
        frame = outputs[num].tables[name]
        front = pd.DataFrame({k: [v] * len(frame) for k, v in labels[num].items()})
        frames.append(pd.concat([front, frame.drop(columns=list(front.columns), errors="ignore")],
                                axis=1))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _runs(statuses: list[JobStatus], summaries: dict, labels: dict) -> pd.DataFrame:
    rows = []
    for s in statuses:
        summary = summaries.get(s.job.num) or {}
        last = {f"last_{k}": v for k, v in summary.get("last", {}).items()}
        rows.append({**labels[s.job.num], "status": s.status, "error": s.error,
                     "overrides": " ".join(s.job.overrides),
                     "n_schools": summary.get("n_schools"),
                     "code_version": summary.get("code_version"),
                     "runtime_seconds": sum(summary.get("runtime_seconds", {}).values()) or None,
                     **last})
    return pd.DataFrame(rows)


def _write(result: Collected) -> list[Path]:
    out = result.out_dir
    frames = {"runs": result.runs, **result.tables}
    files = [write_with(out / f"{name}.parquet", lambda p, f=frame: f.to_parquet(p, index=False))
             for name, frame in frames.items()]
    files.append(write_with(out / DUCKDB_FILE, lambda p: _duckdb_views(p, frames, out)))
    return files


def _duckdb_views(path: Path, frames: dict[str, pd.DataFrame], out: Path) -> None:
    """Views over the Parquet files by their bare names, which DuckDB looks up from its
    working directory: opened from the collected folder, the database reads the files
    beside it, wherever that folder was moved or copied to. Written in the oldest storage
    format that holds views (DuckDB 1.0's), so command-line tools from 1.0 on open it."""
    import duckdb

    path.unlink(missing_ok=True)  # DuckDB makes the file itself
    with duckdb.connect(str(path), config={"storage_compatibility_version": "v1.0.0"}) as con:
        con.execute(f"SET file_search_path = '{_sql_text(out.resolve().as_posix())}'")
        for name, frame in frames.items():
            if len(frame.columns):
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{name}.parquet')")


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def report(result: Collected, limit: int = 20) -> str:
    lines = [describe(result.statuses)]
    for s in result.statuses:
        if s.status == "failed" and limit > 0:
            lines.append(f"  failed  job {s.job.num} ({' '.join(s.job.overrides)}): {s.error}")
            limit -= 1
    missing = [str(s.job.num) for s in result.statuses if s.status == "missing"]
    if missing:
        shown = ", ".join(missing[:20]) + (", ..." if len(missing) > 20 else "")
        lines.append(f"  missing jobs: {shown}")
    for path in result.files:
        lines.append(f"wrote {path}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="schoolsim-collect", description=__doc__.split("\n")[0])
    parser.add_argument("sweep_dir", metavar="SWEEP_DIR", help="a folder made by `schoolsim -m`")
    parser.add_argument("-o", "--out", help="output folder (default: SWEEP_DIR/collected)")
    parser.add_argument("--json", action="store_true", help="print the job counts as JSON")
    args = parser.parse_args(argv)
    try:
        result = collect(args.sweep_dir, args.out)
    except SweepDirError as exc:
        print(f"schoolsim-collect: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        from experiments.status import counts

        print(json.dumps({"jobs": len(result.statuses), **counts(result.statuses)}))
    else:
        print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
