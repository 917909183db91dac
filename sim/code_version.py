"""Which code made a run: the package version plus a digest of the model's source and configs.

Recorded in every run's summary (`code_version`), so a sweep resumed after the code changed
runs its jobs again instead of mixing results of two versions of the model, and a collected
dataset can say which code made each job. The digest covers every `.py` file of `sim` and
every `.yaml` file of `configs` (what decides a run's numbers), read once per process.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import configs
import sim

DIGEST_CHARS = 12


@functools.cache
def code_version() -> str:
    """'0.1.0+src.1a2b3c4d5e6f': changes whenever a source or config file changes."""
    digest = hashlib.sha256()
    for root, pattern in ((Path(sim.__file__).parent, "*.py"),
                          (Path(configs.__file__).parent, "*.yaml")):
        for path in sorted(root.rglob(pattern)):
            digest.update(f"{path.relative_to(root.parent).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return f"{sim.__version__}+src.{digest.hexdigest()[:DIGEST_CHARS]}"
