"""Held-out predictions: written once, before the data they predict are read, then compared.

A predictions file (JSON, committed under `experiments/predictions/`) holds
    quantity      what is predicted, in one line
    written_at    when it was written (UTC, ISO 8601; set by `write_predictions`, not by hand)
    code_version  the model's code that made it (`sim.code_version`) and the git commit
    status        how far to trust it, e.g. "not yet calibrated"
    inputs        the settings that carry its assumptions (e.g. the learning-loss inputs)
    seeds         the model seeds it ran
    rows          one per (stage, school_year): `value` (mean over the seeds), `low` and `high`
                  (the range over the seeds: with a handful of runs, not an interval) and
                  `runs`
`write_predictions` refuses to overwrite a file: a new prediction is a new file.

An observed series is a CSV (`stage, school_year, value`) with a JSON beside it (same name,
`.json`) whose `read_at` records when the data were first read into the project and whose
`source` names them; the one a predictions file is compared with in the validation report
has the predictions file's name, in `experiments/evidence/observed/` (`observed_path`). `compare` refuses a prediction written at or after `read_at`: one made
after the answer was seen is not held out.

    python -m experiments.predictions compare PREDICTIONS.json OBSERVED.csv

prints one row per predicted value with the observed one beside it; bad input or a refused
comparison is one line `predictions: error: ...`, exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from sim.atomic import write_text

ROW_COLUMNS = ("stage", "school_year", "value", "low", "high", "runs")
OBSERVED_COLUMNS = ("stage", "school_year", "value")
KEYS = ("quantity", "written_at", "code_version", "status", "inputs", "seeds", "rows")


class PredictionError(ValueError):
    """A bad predictions or observed file, or a comparison that must not be made (one line)."""


@dataclass(frozen=True)
class Predictions:
    quantity: str
    written_at: datetime
    code_version: str
    status: str
    inputs: dict
    seeds: tuple[int, ...]
    rows: pd.DataFrame


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def write_predictions(path: str | Path, rows: pd.DataFrame, *, quantity: str,
                      code_version: str, status: str, inputs: dict, seeds,
                      written_at: datetime | None = None) -> Path:
    """Write a new predictions file, stamped now (UTC); refuses to overwrite one."""
    path = Path(path)
    if path.exists():
        raise PredictionError(f"predictions={path} exists; allowed: a new file (a prediction "
                              "is written once)")
    missing = [c for c in ROW_COLUMNS if c not in rows.columns]
    if missing:
        raise PredictionError(f"rows lack {missing}; allowed: columns {', '.join(ROW_COLUMNS)}")
    stamp = (written_at or now_utc()).astimezone(timezone.utc).isoformat()
    data = {"quantity": quantity, "written_at": stamp, "code_version": code_version,
            "status": status, "inputs": inputs, "seeds": [int(s) for s in seeds],
            "rows": rows.loc[:, list(ROW_COLUMNS)].to_dict(orient="records")}
    return write_text(path, json.dumps(data, indent=1) + "\n")


def read_predictions(path: str | Path) -> Predictions:
    data = _json(Path(path), "predictions")
    missing = [k for k in KEYS if k not in data]
    if missing:
        raise PredictionError(f"predictions={path} lacks '{missing[0]}'; required: "
                              f"{', '.join(KEYS)}")
    if not str(data["code_version"]).strip():
        raise PredictionError(f"predictions={path} has an empty code_version; allowed: the "
                              "code that made it")
    rows = pd.DataFrame(data["rows"], columns=list(ROW_COLUMNS))
    return Predictions(str(data["quantity"]), _time(data["written_at"], "written_at", path),
                       str(data["code_version"]), str(data["status"]), dict(data["inputs"]),
                       tuple(int(s) for s in data["seeds"]), rows)


def read_observed(path: str | Path) -> tuple[pd.DataFrame, datetime, str]:
    """The observed series, when it was first read into the project, and its source."""
    path = Path(path)
    if not path.is_file():
        raise PredictionError(f"observed={path} is not a file; allowed: a CSV with columns "
                              f"{', '.join(OBSERVED_COLUMNS)}")
    frame = pd.read_csv(path, dtype={"school_year": str, "stage": str})
    missing = [c for c in OBSERVED_COLUMNS if c not in frame.columns]
    if missing:
        raise PredictionError(f"observed={path} lacks column '{missing[0]}'; allowed: "
                              f"{', '.join(OBSERVED_COLUMNS)}")
    meta = _json(path.with_suffix(".json"), "observed provenance")
    if "read_at" not in meta or "source" not in meta:
        raise PredictionError(f"observed provenance={path.with_suffix('.json')} lacks "
                              "read_at or source; required: both")
    return frame, _time(meta["read_at"], "read_at", path.with_suffix(".json")), str(meta["source"])


def compare(predictions: Predictions, observed: pd.DataFrame, read_at: datetime
            ) -> pd.DataFrame:
    """Each predicted value beside the observed one; refuses a prediction written at or after
    the moment the observed data were read."""
    if predictions.written_at >= read_at:
        raise PredictionError(
            f"predictions written_at={predictions.written_at.isoformat()} is not before the "
            f"observed data's read_at={read_at.isoformat()}; allowed: a prediction written "
            "before the data it predicts were read")
    table = predictions.rows.merge(observed.loc[:, list(OBSERVED_COLUMNS)],
                                   on=["stage", "school_year"], how="left",
                                   suffixes=("", "_observed"))
    table = table.rename(columns={"value": "predicted"})
    table["observed_in_range"] = ((table["value_observed"] >= table["low"])
                                  & (table["value_observed"] <= table["high"]))
    return table


def observed_path(predictions_path: str | Path, observed_dir: str | Path) -> Path:
    """Where the observed series a predictions file is compared with lives: the file of the
    same name (.csv, with its .json) in `observed_dir`; it may not exist yet."""
    return Path(observed_dir) / f"{Path(predictions_path).stem}.csv"


def _json(path: Path, what: str) -> dict:
    if not path.is_file():
        raise PredictionError(f"{what}={path} is not a file; allowed: a JSON file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PredictionError(f"{what}={path} is not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise PredictionError(f"{what}={path} is not a JSON object")
    return data


def _time(text, key: str, path: Path) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        raise PredictionError(f"{key}={text!r} in {path}; allowed: an ISO 8601 time with its "
                              "time zone") from None
    if moment.tzinfo is None:
        raise PredictionError(f"{key}={text!r} in {path} has no time zone; allowed: an ISO "
                              "8601 time with its time zone (UTC)")
    return moment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.predictions",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    cmp = sub.add_parser("compare", help="a predictions file against an observed series")
    cmp.add_argument("predictions")
    cmp.add_argument("observed")
    args = parser.parse_args(argv)
    try:
        predictions = read_predictions(args.predictions)
        observed, read_at, source = read_observed(args.observed)
        table = compare(predictions, observed, read_at)
    except PredictionError as exc:
        print(f"predictions: error: {exc}", file=sys.stderr)
        return 2
    print(f"{predictions.quantity} ({predictions.status}; written {predictions.written_at:%Y-%m-%d}"
          f", code {predictions.code_version}) against {source} (read {read_at:%Y-%m-%d})")
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
