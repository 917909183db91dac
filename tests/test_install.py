"""What `pip install schoolsim` brings, what each extra adds, and commands without their extra."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from sim.extras import EXTRAS

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# Tools no plain run imports: each belongs in an extra, not in the core.
TOOLS = ("matplotlib", "seaborn", "duckdb", "salib", "scikit-learn", "markdown", "solara",
         "jupyterlab", "papermill", "playwright", "pytest", "numba")
BLOCK = ("import sys\nfor m in ('matplotlib', 'seaborn', 'duckdb', 'SALib', 'sklearn', "
         "'markdown', 'solara', 'jupyterlab', 'papermill', 'numba'):\n    sys.modules[m] = None\n")


# Modules whose distribution on PyPI has another name.
DISTRIBUTION = {"sklearn": "scikit-learn"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!\[ ;]", requirement, maxsplit=1)[0].lower()


def _closure(extra: str) -> set[str]:
    """Package names an extra installs, following `schoolsim[...]` references."""
    names = set()
    for req in PROJECT["optional-dependencies"][extra]:
        nested = re.fullmatch(r"schoolsim\[(.+)\]", req)
        names |= set().union(*(_closure(e) for e in nested.group(1).split(","))) if nested \
            else {_name(req)}
    return names


def test_the_core_has_no_experiment_or_analysis_tools():
    core = {_name(r) for r in PROJECT["dependencies"]}
    assert not core & set(TOOLS)


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_each_checked_extra_installs_the_modules_its_commands_need(extra):
    assert {DISTRIBUTION.get(m.lower(), m.lower()) for m in EXTRAS[extra]} <= _closure(extra)


def test_every_extra_is_named_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for extra in PROJECT["optional-dependencies"]:
        assert f"[{extra}]" in readme, extra


def test_python_3_13_is_allowed():
    assert PROJECT["requires-python"] == ">=3.12"


def _python(code: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", BLOCK + code], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_a_run_needs_none_of_the_extras(tmp_path):
    done = _python("sys.argv = ['schoolsim', 'years=1', 'region.n_schools=100']\n"
                   "from sim.cli import main\nmain()", tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Disadvantage gap, KS2 and KS4 cohorts (months)" in done.stdout
    assert list(tmp_path.glob("outputs/*/*/summary.json"))


@pytest.mark.parametrize("command, module, extra", [
    ("report", "analysis.commands", "analysis"),
    ("collect", "experiments.commands", "experiments"),
    ("sensitivity", "experiments.commands", "experiments"),
    ("validate", "experiments.commands", "experiments"),
    ("calibrate", "experiments.commands", "calibration"),
])
def test_a_command_without_its_extra_names_the_extra_in_one_line(tmp_path, command, module,
                                                                 extra):
    done = _python(f"from {module} import {command}\nsys.exit({command}())", tmp_path)
    assert done.returncode == 2
    assert done.stderr.endswith(f"allowed: install the '{extra}' extra: "
                                f"pip install 'schoolsim[{extra}]'\n")
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"schoolsim-{command}: error: ")
