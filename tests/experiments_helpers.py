"""Helpers for the experiments tests: run tiny sweeps with the real `schoolsim` command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

# A tiny sweep: 2 schemes x 2 seeds of a 80-school region for one year (about 0.1 s a job).
TINY = ["region.n_schools=80", "years=1", "scheme=none,trios", "seed=1,2",
        "output.print_summary=false"]
TABLES = ("metrics", "schools", "partnerships")


def ctrl_c_as_in_a_terminal() -> None:
    """`preexec_fn` for a child that a test stops with SIGINT: Python installs its Ctrl-C
    handler only if SIGINT is not ignored when it starts, and a test process may have
    inherited it ignored; a user's terminal never starts a command that way."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def schoolsim(args: list[str], cwd: Path, *, check: bool = True, timeout: float = 300,
              env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m sim ARGS` (this interpreter, so it works in any venv)."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"schoolsim {' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def sweep(sweep_dir: Path, launcher: str, extra: list[str] = (), **kwargs):
    return schoolsim(["-m", *TINY, f"hydra/launcher={launcher}", f"hydra.sweep.dir={sweep_dir}",
                      *extra], cwd=sweep_dir.parent, **kwargs)


@pytest.fixture(scope="session")
def serial(tmp_path_factory):
    """The tiny sweep run serially (Hydra's basic launcher), collected: the reference."""
    sweep_dir = tmp_path_factory.mktemp("serial") / "sweep"
    sweep(sweep_dir, "basic")
    return collected(sweep_dir)


def job_dir(sweep_dir: Path, num: int) -> Path:
    """Job `num`'s folder, named for its overrides (read from the sweep's plan)."""
    from experiments.plan import load_jobs

    return sweep_dir / load_jobs(sweep_dir)[num].subdir


def collected(sweep_dir: Path):
    from experiments.collect import collect

    return collect(sweep_dir, write=False)


def assert_same_tables(a, b) -> None:
    """Identical collected tables (same jobs, same values, same dtypes)."""
    for name in TABLES:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True)
    assert list(a.runs["status"]) == list(b.runs["status"])
