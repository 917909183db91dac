"""experiments.fade_after_funding on hand-made tables with hand-worked answers."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from omegaconf import OmegaConf

from experiments.fade_after_funding import fade_by_group, school_status
from sim.outputs import RunResult

# Two domains: disadvantaged pupils gain from the first, the others from the second, 10 months
# a year per unit of expertise above 0.5 in primary. Half of each school is disadvantaged, so
# a school at expertise (t, i) adds 5 (t - 0.5) + 5 (i - 0.5) months a year.
CONFIG = {"school": {"domains": ["teaching", "inclusion"]},
          "pupils": {"progress": {"months_per_expertise_primary": 10.0,
                                  "months_per_expertise_secondary": 20.0,
                                  "weights_disadvantaged": [1.0, 0.0],
                                  "weights_other": [0.0, 1.0], "reference_expertise": 0.5}},
          "policy": {"funding": {"end_year": 3.0}}}
PUPILS = [100.0, 100.0, 100.0, 300.0, 100.0]


def run(expertise_by_year: dict[int, list[tuple[float, float]]],
        partnerships: pd.DataFrame | None = None) -> RunResult:
    rows = [{"year": year, "school_id": i, "phase": "primary", "pupils": PUPILS[i],
             "disadvantaged_share": 0.5, "expertise_teaching": t, "expertise_inclusion": e}
            for year, expertise in expertise_by_year.items()
            for i, (t, e) in enumerate(expertise)]
    summary = {"config": CONFIG}
    return RunResult(pd.DataFrame(), pd.DataFrame(rows), summary, OmegaConf.create(CONFIG),
                     pd.DataFrame() if partnerships is None else partnerships)


def families(groups: dict[int, tuple[list[int], bool]]) -> pd.DataFrame:
    """group -> (members, still active at the end): one link per pair of members."""
    return pd.DataFrame([{"school_a": m[a], "school_b": m[b], "group": g, "kind": "families",
                          "trust": 0.5, "active": active}
                         for g, (m, active) in groups.items()
                         for a in range(len(m)) for b in range(a + 1, len(m))])


def test_a_school_in_a_family_still_meeting_counts_as_still_meeting():
    programme = run({0: [(0.5, 0.5)] * 5}, families({0: ([0, 1], True), 1: ([1, 2], False)}))
    assert school_status(programme).tolist() == ["still meeting", "still meeting", "stopped",
                                                 "no family", "no family"]


def test_gains_kept_and_schools_whose_gain_fell_by_hand():
    still = [(0.5, 0.5)] * 5
    # Value added over no scheme at year 3 (funding end): 1, 1, 1, 0.1, 0; at year 8: 2, 1
    # (schools 0, 1: still meeting), 0.5, 0.2 (schools 2, 3: stopped), 0 (no family).
    programme = run({0: still,
                     3: [(0.6, 0.6), (0.6, 0.6), (0.6, 0.6), (0.52, 0.5), (0.5, 0.5)],
                     8: [(0.7, 0.7), (0.6, 0.6), (0.55, 0.55), (0.54, 0.5), (0.5, 0.5)]},
                    families({0: ([0, 1], True), 1: ([2, 3], False)}))
    comparison = run({0: still, 3: still, 8: still})
    table = fade_by_group({"programme": programme, "comparison": comparison}).set_index("group")
    assert table.index.tolist() == ["still meeting", "stopped", "no family"]
    assert table["schools"].tolist() == [2, 2, 1]
    meeting, stopped, none = (table.loc[g] for g in table.index)
    # Still meeting: 1 -> (2 + 1) / 2 = 1.5, kept 1.5; neither school's gain fell.
    assert (meeting["gain_funding_end"], meeting["gain_end"], meeting["kept"]) == \
        pytest.approx((1.0, 1.5, 1.5))
    assert (meeting["fell"], meeting["lost_quarter"]) == (0.0, 0.0)
    # Stopped, weighted by roll (100, 300): (100 x 1 + 300 x 0.1) / 400 = 0.325 ->
    # (100 x 0.5 + 300 x 0.2) / 400 = 0.275, kept 0.275 / 0.325; school 2 lost half its gain
    # (fell, and by more than a quarter), school 3's rose.
    assert (stopped["gain_funding_end"], stopped["gain_end"], stopped["kept"]) == \
        pytest.approx((0.325, 0.275, 0.275 / 0.325))
    assert (stopped["fell"], stopped["lost_quarter"]) == (0.5, 0.5)
    # No gain at the funding's end: nothing to keep, no school that had gained.
    assert none["gain_funding_end"] == pytest.approx(0.0)
    assert math.isnan(none["kept"]) and math.isnan(none["fell"])
