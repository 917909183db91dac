"""The calibration config group: `configs/calibration/<name>.yaml` (`# @package _global_`).

`configs/config.yaml` lists `calibration: default` in its defaults, so every run uses the
calibrated values unless told otherwise (`calibration=none` gives the code defaults).
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from sim.atomic import write_text
from sim.overrides import flatten, nest

CALIBRATION_DIR = Path(__file__).resolve().parents[2] / "configs" / "calibration"
DEFAULT = CALIBRATION_DIR / "default.yaml"


def calibrated_values(path: str | os.PathLike = DEFAULT) -> dict:
    """The dotted keys and values a calibration file sets ({} if none)."""
    path = Path(path)
    if not path.is_file():
        return {}
    return flatten(yaml.safe_load(path.read_text()) or {})


def write_calibration(values: dict, path: str | os.PathLike, header: str) -> Path:
    """Write a calibration group file (atomically): a comment header, then the values."""
    comments = "\n".join(f"# {line}".rstrip() for line in header.splitlines())
    body = yaml.safe_dump(nest({k: _four_digits(v) for k, v in values.items()}), sort_keys=True)
    return write_text(path, f"# @package _global_\n{comments}\n{body}")


def _four_digits(value):
    """A fitted value as the config file keeps it: a Python number, four significant digits."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return float(f"{value:.4g}")
    return value
