"""The calibration config group: `configs/calibration/<name>.yaml` (`# @package _global_`).

`configs/config.yaml` lists `calibration: default` in its defaults, so every run uses the
calibrated point values unless told otherwise (`calibration=none` gives the code defaults;
`calibration=posterior_median` the posterior medians of the last calibration). `calibration=posterior` names the posterior
ensemble instead (`configs/calibration/posterior.csv`): each run draws its parameter set
from it by its seed (`sim.posterior`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import yaml

from sim.atomic import write_all, write_text
from sim.overrides import flatten, nest

CALIBRATION_DIR = Path(__file__).resolve().parents[2] / "configs" / "calibration"
DEFAULT = CALIBRATION_DIR / "default.yaml"
MEDIAN = CALIBRATION_DIR / "posterior_median.yaml"
ENSEMBLE = CALIBRATION_DIR / "posterior.csv"


def calibrated_values(path: str | os.PathLike = DEFAULT) -> dict:
    """The dotted keys and values a calibration file sets ({} if none)."""
    path = Path(path)
    if not path.is_file():
        return {}
    return flatten(yaml.safe_load(path.read_text()) or {})


def _comments(header: str) -> str:
    return "\n".join(f"# {line}".rstrip() for line in header.splitlines())


def write_calibration(values: dict, path: str | os.PathLike, header: str) -> Path:
    """Write a calibration group file (atomically): a comment header, then the values."""
    body = yaml.safe_dump(nest({k: _four_digits(v) for k, v in values.items()}), sort_keys=True)
    return write_text(path, f"# @package _global_\n{_comments(header)}\n{body}")


def write_posterior(ensemble: pd.DataFrame, csv_path: str | os.PathLike, header: str) -> Path:
    """Write the ensemble (CSV) and its group file `<csv stem>.yaml` beside it, which names
    the CSV relative to the configs package when it lies inside it."""
    csv_path = Path(csv_path).resolve()
    configs = CALIBRATION_DIR.parent
    name = (csv_path.relative_to(configs).as_posix() if csv_path.is_relative_to(configs)
            else str(csv_path))
    group = (f"# @package _global_\n{_comments(header)}\n"
             + yaml.safe_dump({"posterior": {"ensemble": name}}))
    yaml_path = csv_path.with_suffix(".yaml")
    write_all({csv_path: lambda p: ensemble.to_csv(p, index=False, float_format="%.6g"),
               yaml_path: lambda p: p.write_text(group, encoding="utf-8")})
    return yaml_path


def _four_digits(value):
    """A fitted value as the config file keeps it: a Python number, four significant digits."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return float(f"{value:.4g}")
    return value
