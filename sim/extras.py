"""Optional parts of schoolsim and the pip extra that installs each (pyproject.toml).

`pip install schoolsim` installs what running the model needs; a command that needs more
checks for its extra first and, without it, ends with one line naming the extra to install
(exit status 2) instead of a traceback.
"""

from __future__ import annotations

import importlib
import sys

# extra -> modules its commands import (the packages are listed in pyproject.toml).
EXTRAS = {
    "analysis": ("matplotlib", "seaborn"),
    "experiments": ("duckdb", "SALib", "markdown", "matplotlib", "seaborn"),
    "calibration": ("sklearn", "markdown", "matplotlib", "seaborn"),
}


def missing(extra: str) -> list[str]:
    """The modules of `extra` that cannot be imported here."""
    gone = []
    for module in EXTRAS[extra]:
        try:
            importlib.import_module(module)
        except ImportError:
            gone.append(module)
    return gone


def require(command: str, extra: str) -> None:
    """End `command` with one line if its extra is not installed."""
    gone = missing(extra)
    if gone:
        print(f"{command}: error: needs {', '.join(gone)}, not installed; allowed: install the "
              f"'{extra}' extra: pip install 'schoolsim[{extra}]'", file=sys.stderr)
        sys.exit(2)
