"""Baseline regression: short runs of every scheme, lever and shock give the pinned outputs.

A failure means the model's behaviour changed. If the change was meant, regenerate the
baseline on purpose (`python -m tests.baseline.regenerate [run ...]`) and say in the commit
which runs changed and why; if not, the message names the run and the outputs that moved.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.baseline.runs import RUNS, canonical_bytes, fingerprint, load_baseline

BASELINE = load_baseline()


def test_the_baseline_file_holds_exactly_the_defined_runs():
    assert list(BASELINE) == list(RUNS), "regenerate: python -m tests.baseline.regenerate"
    for name, overrides in RUNS.items():
        assert BASELINE[name]["overrides"] == overrides, (
            f"run {name!r} was redefined; regenerate it: python -m tests.baseline.regenerate {name}")


@pytest.mark.parametrize("name", list(RUNS))
def test_run_reproduces_its_baseline(name):
    expected = BASELINE[name]
    got = fingerprint(RUNS[name])
    changed = [f"{output} (sha256 {expected['sha256'][output][:12]} -> {digest[:12]})"
               for output, digest in got["sha256"].items() if digest != expected["sha256"][output]]
    moved = [f"{key}: {expected['headlines'][key]!r} -> {value!r}"
             for key, value in got["headlines"].items() if value != expected["headlines"][key]]
    rows = [f"{t} rows: {expected['rows'][t]} -> {n}"
            for t, n in got["rows"].items() if n != expected["rows"][t]]
    assert not (changed or moved or rows), (
        f"baseline run {name!r} changed: {'; '.join(changed + rows + moved)}. If meant: "
        f"python -m tests.baseline.regenerate {name}")


def test_canonical_bytes_keep_every_float_digit_and_the_dtypes():
    table = pd.DataFrame({"x": [0.1], "n": [3], "s": pd.array(["a"], dtype="string")})
    assert canonical_bytes(table) == (
        b'[["x", "float64"], ["n", "int64"], ["s", "string"]]\n'
        b"x,n,s\n0.10000000000000001,3,a\n")
    nudged = table.assign(x=[0.1 + 2**-56])
    assert canonical_bytes(nudged) != canonical_bytes(table)
    assert canonical_bytes(table.astype({"n": "float64"})) != canonical_bytes(table)
