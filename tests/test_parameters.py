"""Every setting's description comes from its metadata: --help and the ODD table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.parameters import END, START, catalogue, odd_table

ROOT = Path(__file__).resolve().parents[1]


def test_the_odd_table_in_the_docs_is_the_generated_one():
    text = (ROOT / "docs" / "ODD.md").read_text()
    between = text.partition(START)[2].partition(END)[0].strip()
    assert between == odd_table(), "run: python -m sim.parameters --write docs/ODD.md"


def test_every_numeric_setting_is_bounded_with_a_reason_and_every_setting_labelled():
    for entry in catalogue():
        s = entry.setting
        assert s.label, entry.key
        kind = str(s.type)
        if ("int" in kind or "float" in kind) and "str" not in kind:
            assert s.min is not None and s.max is not None and s.why, entry.key


def test_help_lists_each_setting_with_its_range_and_description():
    done = subprocess.run([sys.executable, "-m", "sim", "--help"], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0
    out = done.stdout
    assert "  scheme.meeting_interval_weeks=3  [1 to 39 (at least once a school year of 39 " \
           "teaching weeks); weeks]" in out
    assert "      Weeks between meetings. Teaching weeks between meetings." in out
    assert "policy.funding.sustain_trust=0.5" in out and "shocks.pandemic.closure_weeks=24" in out
    keys = {e.key for e in catalogue()}
    assert {"seed", "trust.growth", "inspection.noise_months", "scheme.cross_border",
            "policy.brokering.lapse_factor"} <= keys


def test_a_calibrated_setting_states_its_posterior_median_and_interval(tmp_path):
    import pandas as pd

    from sim.parameters import _posterior_note, posterior_intervals
    from sim.posterior import load_ensemble

    path = tmp_path / "ensemble.csv"
    pd.DataFrame({"trust.growth": [float(v) for v in range(1, 22)]}).to_csv(path, index=False)
    load_ensemble.cache_clear()
    # 1..21: median 11, 5th percentile 2, 95th 20 (linear interpolation on 20 steps).
    assert posterior_intervals(str(path))["trust.growth"] == pytest.approx((11.0, 2.0, 20.0))
    assert _posterior_note((11.0, 2.0, 20.0)) == (
        "**Calibrated**: posterior median 11, 90 % interval 2 to 20 "
        "(`configs/calibration/posterior.csv`).")
    assert posterior_intervals(str(tmp_path / "none.csv")) == {}


def test_a_description_and_its_posterior_note_join_with_one_period():
    from sim.parameters import _sentences

    # The note once followed a help text ending in a period as "yet.. **Calibrated**".
    assert _sentences("no independent source yet.", "**Calibrated**: x.") == (
        "no independent source yet. **Calibrated**: x.")
    assert _sentences("Learning rate per meeting", "**Calibrated**: x.") == (
        "Learning rate per meeting. **Calibrated**: x.")
    assert _sentences(None, "help") == "help"
    assert _sentences("label", "") == "label"
