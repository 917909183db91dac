"""Reading a YAML spec file (sensitivity, calibration) with one-line errors."""

from __future__ import annotations

from pathlib import Path

import yaml


def read_mapping(path: Path, label: str, what: str, keys, error: type[Exception]) -> dict:
    """The YAML mapping in `path`; `error` (one line naming `label`=path) if there is none."""
    if not path.is_file():
        raise error(f"{label}={path} is not a file; allowed: a {what} YAML")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise error(f"{label}={path} is not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise error(f"{label}={path} is not a mapping; allowed: keys {', '.join(keys)}")
    return data
