"""Root of the test tree (tests/ and the notebooks, which nbmake runs in Jupyter kernels).

The kernels are separate processes; with the project installed in editable mode they would
import whichever checkout the venv was installed from. Putting this checkout first on their
PYTHONPATH makes every notebook test the code beside it (a git worktree, a fresh clone).
"""

import os
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent)
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (_ROOT, os.environ.get("PYTHONPATH", "")) if p)
