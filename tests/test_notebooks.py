"""The teaching notebooks: a papermill `parameters` cell, exercises with hints and solutions,
and each runs with another region and seed (nbmake runs them as they are)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import papermill  # the dev extra
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "analysis" / "notebooks").glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _text(cell: dict) -> str:
    return "".join(cell["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_one_parameters_cell_sets_region_and_seed_before_any_run(path):
    cells = _cells(path)
    tagged = [i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    (at,) = tagged
    assert "REGION = " in _text(cells[at]) and "SEED = " in _text(cells[at])
    runs = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and "sim.run(" in _text(c)]
    assert runs and min(runs) > at
    # Nothing after the parameters cell pins a seed or a region of its own.
    later = "".join(_text(c) for c in cells[at + 1:] if c["cell_type"] == "code")
    assert not re.search(r"seed=\d|region=gm", later)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercises_with_hints_and_solutions(path):
    text = "".join(_text(c) for c in _cells(path))
    assert "## Exercises" in text
    assert text.count("<summary>Hint</summary>") >= 2
    assert text.count("<summary>Solution</summary>") == text.count("<summary>Hint</summary>")


def test_no_development_notes_or_stale_claims():
    text = {p.stem: "".join(_text(c) for c in _cells(p)) for p in NOTEBOOKS}
    assert not any("after the rest of this notebook was written" in t for t in text.values())
    assert "still missing" not in text["05_your_own_scheme"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_runs_with_another_region_and_seed(path, tmp_path):
    out = tmp_path / path.name
    papermill.execute_notebook(str(path), str(out), cwd=str(tmp_path), progress_bar=False,
                               parameters={"REGION": "england", "SEED": 7}, kernel_name="python3")
    outputs = "".join(o.get("text", "") for c in nbformat.read(out, as_version=4).cells
                      for o in c.get("outputs", []))
    assert "region=england" in outputs and "seeds from 7" in outputs
