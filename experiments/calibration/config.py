"""The calibration config group: `configs/calibration/<name>.yaml` (`# @package _global_`).

`configs/config.yaml` lists `calibration: default` in its defaults, so every run uses the
calibrated values unless told otherwise (`calibration=none` gives the code defaults).
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from sim.atomic import write_text

CALIBRATION_DIR = Path(__file__).resolve().parents[2] / "configs" / "calibration"
DEFAULT = CALIBRATION_DIR / "default.yaml"


def flatten(node: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in (node or {}).items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, full + "."))
        else:
            out[full] = value
    return out


def nest(values: dict) -> dict:
    out: dict = {}
    for dotted, value in values.items():
        node = out
        *parents, leaf = dotted.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out


def calibrated_values(path: str | os.PathLike = DEFAULT) -> dict:
    """The dotted keys and values a calibration file sets ({} if none)."""
    path = Path(path)
    if not path.is_file():
        return {}
    return flatten(yaml.safe_load(path.read_text()) or {})


def write_calibration(values: dict, path: str | os.PathLike, header: str) -> Path:
    """Write a calibration group file (atomically): a comment header, then the values."""
    comments = "\n".join(f"# {line}".rstrip() for line in header.splitlines())
    body = yaml.safe_dump(nest({k: _plain(v) for k, v in values.items()}), sort_keys=True)
    return write_text(path, f"# @package _global_\n{comments}\n{body}")


def _plain(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return float(f"{value:.4g}")
    return value
