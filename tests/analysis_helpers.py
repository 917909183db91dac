"""Helpers for the analysis tests: tiny runs written as run folders, built once per process."""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot: tests never open windows

import sim  # noqa: E402

# Small enough that a run takes a few hundredths of a second; trios still find three
# local authorities, and the market still has competitors.
TINY = ["region.n_schools=90", "years=2", "output.progress=false"]


@functools.lru_cache(maxsize=None)
def tiny_run(scheme: str, seed: int, *extra: str) -> sim.RunResult:
    return sim.run([f"scheme={scheme}", f"seed={seed}", *TINY, *extra])


def write_sweep(folder: Path, schemes=("none", "trios", "market"), seeds=(1, 2, 3),
                extra: tuple[str, ...] = ()) -> Path:
    """Run folders folder/<scheme>_<seed>/ as `sim.run(out_dir=...)` writes them."""
    for scheme in schemes:
        for seed in seeds:
            tiny_run(scheme, seed, *extra).write(folder / f"{scheme}_{seed}")
    return folder
