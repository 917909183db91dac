"""Each validation check's measure on small hand-made tables with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from experiments.validation import checks, measures as m
from sim.outputs import RunResult


def outputs(metrics, schools, partnerships=None, summary=None) -> RunResult:
    """A run's outputs built by hand (the config from the summary, as a run records it)."""
    summary = summary or {}
    return RunResult(metrics, schools, summary, OmegaConf.create(summary.get("config", {})),
                     pd.DataFrame() if partnerships is None else partnerships)


def schools(rows_by_year: dict[int, list[dict]]) -> pd.DataFrame:
    """rows_by_year: year -> one dict per school (school_id implied by position)."""
    out = []
    for year, rows in rows_by_year.items():
        for i, r in enumerate(rows):
            base = {"year": year, "school_id": i, "phase": "primary", "x_km": float(i),
                    "y_km": 0.0, "pupils": 100.0, "disadvantaged_share": 0.5,
                    "attainment_disadvantaged": 0.0, "attainment_other": 0.0}
            base.update(r)
            out.append(base)
    return pd.DataFrame(out)


def flat(att: float, share: float = 0.5, **kw) -> dict:
    """A school whose two groups both have attainment `att`."""
    return {"attainment_disadvantaged": att, "attainment_other": att,
            "disadvantaged_share": share, **kw}


def links(groups: dict[int, list[int]], kind: str, active: dict[int, bool] | None = None):
    rows = []
    for g, members in groups.items():
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                rows.append({"school_a": members[a], "school_b": members[b], "group": g,
                             "kind": kind, "trust": 0.5,
                             "active": (active or {}).get(g, True)})
    return pd.DataFrame(rows)


SHARES = [0.1, 0.2, 0.3, 0.4, 0.9]   # school 4 is the top quintile


def test_fact1_ratio_of_top_quintile_improvements():
    start = [flat(0.0, s) for s in SHARES]
    prog = schools({0: start, 3: [flat(1.0, s) for s in SHARES[:4]] + [flat(3.0, 0.9)]})
    comp = schools({0: start, 3: [flat(5.0, s) for s in SHARES[:4]] + [flat(1.0, 0.9)]})
    runs = {"programme": outputs(pd.DataFrame(), prog), "comparison": outputs(pd.DataFrame(), comp)}
    assert m.disadvantaged_improvement_ratio(runs) == pytest.approx(3.0)
    # A comparison that does not improve gives no ratio.
    comp0 = schools({0: start, 3: start})
    runs["comparison"] = outputs(pd.DataFrame(), comp0)
    assert math.isnan(m.disadvantaged_improvement_ratio(runs))


def test_fact1_refuses_runs_with_different_schools():
    a = schools({0: [flat(0, s) for s in SHARES], 3: [flat(1, s) for s in SHARES]})
    b = schools({0: [flat(0, 0.5) for _ in SHARES], 3: [flat(1, 0.5) for _ in SHARES]})
    with pytest.raises(ValueError, match="same schools"):
        m.disadvantaged_improvement_ratio({"programme": outputs(pd.DataFrame(), a),
                                           "comparison": outputs(pd.DataFrame(), b)})


def test_fact2_outstanding_change_and_start():
    metrics = pd.DataFrame({"week": [0, 39, 117], "outstanding_share_primary": [0.17, 0.2, 0.22],
                            "outstanding_share_secondary": [0.12, 0.12, 0.18]})
    runs = {"programme": outputs(metrics, pd.DataFrame())}
    assert m.outstanding_change_points(runs, "primary") == pytest.approx(5.0)
    assert m.outstanding_change_points(runs, "secondary") == pytest.approx(6.0)
    assert m.outstanding_start_percent(runs, "primary") == pytest.approx(17.0)


def test_fact3_initial_gap_is_week_zero():
    metrics = pd.DataFrame({"week": [13, 0], "gap_months_primary": [1.0, 9.5],
                            "gap_months_secondary": [2.0, 18.5]})
    runs = {"run": outputs(metrics, pd.DataFrame())}
    assert m.initial_gap(runs, "primary") == 9.5
    assert m.initial_gap(runs, "secondary") == 18.5


def test_fact4_loss_ratio_and_gap_rise():
    metrics = pd.DataFrame({"week": [0, 39, 52, 65, 78],
                            "learning_loss_disadvantaged": [0, 0, 2.15, 4.3, 3.0],
                            "learning_loss_other": [0, 0, 1.85, 3.7, 2.5],
                            "gap_months_primary": [10, 10, 10, 10, 11.0]})
    summary = {"weeks_per_year": 39,
               "config": {"shocks": {"pandemic": {"start_year": 1.0, "closure_weeks": 24}}}}
    pandemic = outputs(metrics, pd.DataFrame(), summary=summary)
    without = outputs(metrics.assign(gap_months_primary=10.0), pd.DataFrame(), summary=summary)
    assert m.peak_loss_ratio({"pandemic": pandemic}) == pytest.approx(4.3 / 3.7)
    # Closure weeks 39-62: the first results after it are at week 78.
    assert m.gap_rise({"pandemic": pandemic, "no_pandemic": without}) == pytest.approx(0.1)


def test_facts5_6_end_difference():
    a = outputs(pd.DataFrame({"segregation": [0.3, 0.5]}), pd.DataFrame())
    b = outputs(pd.DataFrame({"segregation": [0.3, 0.4]}), pd.DataFrame())
    assert m.end_difference({"market": a, "families": b}, "segregation", "market",
                            "families") == pytest.approx(0.1)


def _fade_runs(active: dict[int, bool]):
    """4 schools, 2 families: {0,1} and {2,3}. Gains at year 3: 2 for all; at year 8:
    family 0 keeps 1.5, family 1 keeps 0.5."""
    start = [flat(0.0, 0.3) for _ in range(4)]
    prog = schools({0: start, 3: [flat(2.0, 0.3)] * 4,
                    8: [flat(1.5, 0.3)] * 2 + [flat(0.5, 0.3)] * 2})
    comp = schools({0: start, 3: start, 8: start})
    summary = {"config": {"policy": {"funding": {"end_year": 3.0}}}}
    parts = links({0: [0, 1], 1: [2, 3]}, "families", active)
    return {"programme": outputs(pd.DataFrame(), prog, parts, summary),
            "comparison": outputs(pd.DataFrame(), comp)}


def test_fact7_retention_where_partnerships_outlive():
    runs = _fade_runs({0: True, 1: False})
    assert m.retention_where_partnerships_outlive(runs) == pytest.approx(0.75 - 0.25)
    # Every family stopped: nothing to compare.
    assert math.isnan(m.retention_where_partnerships_outlive(_fade_runs({0: False, 1: False})))


# Two domains; the disadvantaged gain from the first, the others from the second;
# 10 months a year per unit of expertise above 0.5 in primary, 20 in secondary.
PROGRESS = {"months_per_expertise_primary": 10.0, "months_per_expertise_secondary": 20.0,
            "weights_disadvantaged": [1.0, 0.0], "weights_other": [0.0, 1.0],
            "reference_expertise": 0.5}
VALUE_ADDED_CONFIG = {"school": {"domains": ["teaching", "inclusion"]},
                      "pupils": {"progress": PROGRESS},
                      "policy": {"funding": {"end_year": 3.0}}}


def school(phase: str, share: float, pupils: float, teaching: float, inclusion: float,
           attainment: float = 0.0) -> dict:
    return {**flat(attainment, share), "phase": phase, "pupils": pupils,
            "expertise_teaching": teaching, "expertise_inclusion": inclusion}


def _value_added_runs(year3: list[tuple[float, float]], year8: list[tuple[float, float]]):
    """A primary (half disadvantaged, 100 pupils) and a secondary (a quarter, 300 pupils);
    the comparison stays at the reference expertise. The programme's attainment gain rises
    from 2 to 5 months whatever its value added does (it accumulates)."""
    def year(expertise, attainment):
        return [school("primary", 0.5, 100.0, *expertise[0], attainment),
                school("secondary", 0.25, 300.0, *expertise[1], attainment)]

    still = [(0.5, 0.5), (0.5, 0.5)]
    prog = schools({0: year(still, 0.0), 3: year(year3, 2.0), 8: year(year8, 5.0)})
    comp = schools({0: year(still, 0.0), 3: year(still, 0.0), 8: year(still, 0.0)})
    summary = {"config": VALUE_ADDED_CONFIG}
    return {"programme": outputs(pd.DataFrame(), prog, summary=summary),
            "comparison": outputs(pd.DataFrame(), comp, summary=summary)}


def test_fact7_value_added_of_a_school_by_hand():
    runs = _value_added_runs([(0.6, 0.6), (0.6, 0.5)], [(0.55, 0.55), (0.55, 0.5)])
    # Year 3. Primary: 10 x 0.1 = 1 month a year for both groups -> 1.0. Secondary: the
    # disadvantaged 20 x 0.1 = 2, the others 20 x 0 = 0 -> 0.25 x 2 = 0.5.
    va = m.school_value_added(runs["programme"], 3)
    assert va.tolist() == pytest.approx([1.0, 0.5])
    assert m.school_value_added(runs["comparison"], 3).tolist() == pytest.approx([0.0, 0.0])


def test_fact7_fade_reads_value_added_not_attainment():
    # Gain at year 3: (100 x 1.0 + 300 x 0.5) / 400 = 0.625 months a year; at year 8 half
    # the expertise above the reference is left: (100 x 0.5 + 300 x 0.25) / 400 = 0.3125.
    # Fade 1 - 0.3125 / 0.625 = 0.5, while the attainment gain still rose from 2 to 5.
    runs = _value_added_runs([(0.6, 0.6), (0.6, 0.5)], [(0.55, 0.55), (0.55, 0.5)])
    assert m.value_added_fade(runs) == pytest.approx(0.5)
    # Value added that grows after the funding is a negative fade: 1 - 1.25 / 0.625.
    grown = _value_added_runs([(0.6, 0.6), (0.6, 0.5)], [(0.7, 0.7), (0.7, 0.5)])
    assert m.value_added_fade(grown) == pytest.approx(-1.0)
    # Nothing added by the funding's end: no share of it can fade.
    none = _value_added_runs([(0.5, 0.5), (0.5, 0.5)], [(0.6, 0.6), (0.6, 0.5)])
    assert math.isnan(m.value_added_fade(none))


def test_fact7_counts_the_families_still_meeting_at_the_end():
    parts = pd.concat([links({0: [0, 1, 2], 1: [3, 4]}, "families", {0: True, 1: False}),
                       links({2: [5, 6]}, "leadership", {2: True})])
    runs = {"programme": outputs(pd.DataFrame(), schools({0: [flat(0.0)] * 7}), parts)}
    assert m.families_outliving_funding(runs) == 1.0       # group 0; leadership not counted
    none_left = links({0: [0, 1]}, "families", {0: False})
    assert m.families_outliving_funding(
        {"programme": outputs(pd.DataFrame(), schools({0: [flat(0.0)] * 2}), none_left)}) == 0.0


def test_fact10_gap_index_change_reads_the_year_end_rows():
    # Year-end rows at weeks 39, 78, 117 hold 3.0, 2.0, 1.0: a straight line, change
    # 2 * (-1) / 3; the term rows between them are not results and are left out.
    weeks = [0, 13, 39, 52, 78, 117]
    metrics = pd.DataFrame({"week": weeks, "gap_index_ks2": [9.0, 9.0, 3.0, 9.0, 2.0, 1.0]})
    runs = {"history": outputs(metrics, schools({0: [flat(0.0)]}))}
    assert m.gap_index_decade_change(runs, "ks2") == pytest.approx(-2 / 3)


def results(rows_by_year: dict[int, list[tuple]]) -> pd.DataFrame:
    """results.parquet by hand: year -> one (phase, cohort, attainment) per school, both
    pupil groups at that attainment and half the cohort each."""
    out = []
    for year, rows in rows_by_year.items():
        for i, (phase, cohort, att) in enumerate(rows):
            out.append({"year": year, "school_id": i, "phase": phase,
                        "key_stage": {"primary": "KS2", "secondary": "KS4"}[phase],
                        "cohort_disadvantaged": cohort / 2, "cohort_other": cohort / 2,
                        "attainment_disadvantaged": att, "attainment_other": att})
    return pd.DataFrame(out)


def test_fact8_share_of_partnerships_without_a_measurable_effect():
    """Two programmes' groups pooled, each against the comparison's year-5 results.

    Cohorts: school 0 20 pupils, schools 1-5 10, school 6 none (no results). Programme a
    (peer review), results above the comparison's by 10, 10, 1, 1, 1, 1 (school 5 a
    secondary):
    - {0, 1}: effect 10, se = sqrt(2 x 30 x 15^2) / 30 = 3.873, 1.96 se = 7.59: measurable;
    - {2, 3}: effect 1, se = sqrt(2 x 20 x 15^2) / 20 = 4.743: not;
    - {4, 5}: effect 1, se = sqrt(2 x (10 x 15^2 + 10 x 27^2)) / 20 = 6.907: not.
    Programme b (families), {0, 1, 2, 3, 6} above by 10, 1, 1, 1 (school 6 sat nothing):
    effect (20 x 10 + 3 x 10 x 1) / 50 = 4.6, se = sqrt(2 x 50 x 15^2) / 50 = 3.0, 1.96 se =
    5.88: not. Pooled: one of four groups measurable. Year 0's results are not read."""
    phases = ["primary"] * 5 + ["secondary", "primary"]
    cohorts = [20, 10, 10, 10, 10, 10, 0]
    start = [flat(0.0, 0.3, phase=p) for p in phases]

    def run(diffs, parts=None):
        rows = [(p, c, d if c else np.nan) for p, c, d in zip(phases, cohorts, diffs)]
        table = results({0: [(p, c, 100.0) for p, c, _ in rows], 5: rows})
        return RunResult(pd.DataFrame(), schools({0: start, 5: start}), {},
                         OmegaConf.create({}), pd.DataFrame() if parts is None else parts, table)

    runs = {"a": run([10, 10, 1, 1, 1, 1, 0], links({0: [0, 1], 1: [2, 3], 2: [4, 5]},
                                                     "peer_review")),
            "b": run([10, 1, 1, 1, 0, 0, 0], links({0: [0, 1, 2, 3, 6]}, "families")),
            "comparison": run([0] * 7)}
    effects = m.partnership_effects(runs, ("a", "b"))
    assert effects["role"].tolist() == ["a", "a", "a", "b"]
    assert effects["effect"].tolist() == pytest.approx([10.0, 1.0, 1.0, 4.6])
    assert effects["se"].tolist() == pytest.approx(
        [np.sqrt(2 * 30 * 225) / 30, np.sqrt(2 * 20 * 225) / 20,
         np.sqrt(2 * (10 * 225 + 10 * 729)) / 20, 3.0])
    assert effects["measurable"].tolist() == [True, False, False, False]
    assert m.share_without_measurable_effect(runs, ("a", "b")) == pytest.approx(3 / 4)
    assert m.share_without_measurable_effect(runs, ("a", "b"), ("families",)) == 1.0
    assert m.share_without_measurable_effect(runs, ("a",)) == pytest.approx(2 / 3)


def test_fact8_needs_the_comparison_and_each_programme_role():
    runs = {"a": outputs(pd.DataFrame(), schools({0: [flat(0.0)]}))}
    with pytest.raises(KeyError, match="comparison"):
        m.partnership_effects(runs, ("a",))


def _family_tables(groups, xs):
    shares = [0.1, 0.11, 0.5, 0.52, 0.12, 0.51]
    att = [5.0, 4.8, -5.0, -4.9, 5.1, -5.2]
    start = [flat(a, s, x_km=x) for a, s, x in zip(att, shares, xs)]
    summary = {"config": {"school": {"competition_radius_km_primary": 1.5,
                                     "competition_radius_km_secondary": 3.0}}}
    return {"families": outputs(pd.DataFrame(), schools({0: start}),
                               links(groups, "families"), summary)}


def test_fact9_similar_families_have_a_small_spread_and_random_ones_do_not():
    xs = [0, 10, 20, 30, 40, 50]
    similar = m.family_spread_ratio(_family_tables({0: [0, 1, 4], 1: [2, 3, 5]}, xs))
    mixed = m.family_spread_ratio(_family_tables({0: [0, 2, 4], 1: [1, 3, 5]}, xs))
    assert similar < 0.1 < 0.5 < mixed


def test_fact9_counts_member_pairs_within_the_competition_radius():
    runs = _family_tables({0: [0, 1, 4], 1: [2, 3, 5]}, [0, 1.0, 20, 30, 40, 50])
    assert m.family_competitor_pairs(runs) == 1.0   # schools 0 and 1 are 1 km apart
    far = _family_tables({0: [0, 1, 4], 1: [2, 3, 5]}, [0, 10, 20, 30, 40, 50])
    assert m.family_competitor_pairs(far) == 0.0


@pytest.mark.parametrize("rule, values, expected", [
    ("mean", [0.5, 2.0, 2.5], True), ("majority", [0.5, 2.0, 2.5], False),
    ("majority", [1.5, 1.5, 0.9], True), ("all", [1.5, 1.5, 0.9], False),
    ("all", [1.5, 1.5, 1.2], True), ("mean", [float("nan")] * 3, False),
    ("majority", [1.5, float("nan"), float("nan")], False)])
def test_pass_rules(rule, values, expected):
    check = checks.Check("x", 1, "t", "s", "t", (1.0, 2.0), m.end_difference, rule=rule)
    assert check.passes(values) is expected


def test_every_fact_of_the_issue_has_a_declared_check_with_a_source_and_band():
    assert {c.fact for c in checks.CHECKS} == set(range(1, 12))
    for c in checks.CHECKS:
        assert c.source and c.target and c.definition and c.band[0] <= c.band[1]
        # A calibration target has a centre, but for an upper bound (its band's top is all
        # the source gives: 11b, 11c).
        assert not c.calibrate or (c.centre is None) == (c.bound == checks.UPPER)


def test_select_by_fact_and_id_and_unknown_fact_is_one_line():
    assert [c.id for c in checks.select(["2"])] == ["2a", "2b", "2c", "2d"]
    assert [c.id for c in checks.select(["3b", "1"])] == ["3b", "1"]
    with pytest.raises(ValueError) as err:
        checks.select(["12"])
    assert "fact=12 is unknown; allowed: 1, 2" in str(err.value)
    assert "\n" not in str(err.value)


def test_fact5_segregation_at_the_start_is_the_week_zero_value():
    metrics = pd.DataFrame({"week": [13, 0], "segregation_secondary": [0.5, 0.25]})
    runs = {"run": outputs(metrics, schools({0: [flat(0.0)]}))}
    assert m.segregation_at_start(runs, "secondary") == 0.25


def _ks_results(rows_by_year: dict[int, list[tuple]]) -> pd.DataFrame:
    """results.parquet by hand: year -> one (phase, disadvantaged cohort, their attainment)
    per school; other pupils 10 at attainment 0 (the measure must not read them)."""
    return pd.DataFrame([
        {"year": year, "school_id": i, "phase": phase,
         "key_stage": {"primary": "KS2", "secondary": "KS4"}[phase],
         "cohort_disadvantaged": cohort, "cohort_other": 10.0,
         "attainment_disadvantaged": att, "attainment_other": 0.0}
        for year, rows in rows_by_year.items() for i, (phase, cohort, att) in enumerate(rows)])


def _fact11_runs(programme_rows, comparison_rows, comparison_years=(0, 2, 3)):
    """Six schools: primaries 0-2 in trio 0, secondaries 3-4 in pair 1, primary 5 in none.
    The programme ran two years; the comparison's years are `comparison_years` (its last
    year's rows are the year-2 rows minus 99: a reading of the wrong year shows)."""
    phases = ["primary"] * 3 + ["secondary"] * 2 + ["primary"]
    start = schools({0: [flat(0.0, phase=p) for p in phases]})
    zero = [(p, 10.0, 0.0) for p in phases]
    programme = RunResult(pd.DataFrame(), start, {}, OmegaConf.create({}),
                          links({0: [0, 1, 2], 1: [3, 4]}, "trios"),
                          _ks_results({0: zero, 2: list(zip(phases, *zip(*programme_rows)))}))
    by_year = {0: zero}
    for year in comparison_years[1:]:
        shift = -99.0 if year == max(comparison_years) and year != 2 else 0.0
        by_year[year] = [(p, c, a + shift) for p, (c, a) in zip(phases, comparison_rows)]
    comparison = RunResult(pd.DataFrame(), start, {}, OmegaConf.create({}), pd.DataFrame(),
                           _ks_results(by_year))
    return {"programme": programme, "comparison": comparison}


def test_fact11_effect_on_members_disadvantaged_results_in_the_programmes_last_year():
    """Year 2, disadvantaged cohorts and results (programme; comparison):
    primaries 0, 1, 2 (trio): 10 at 3 (1), 20 at 6 (2), none (their result empty);
    secondaries 3, 4 (pair): 10 at 50 (0), 10 at 40 (0); primary 5 (no partnership): 10 at
    100 (0), not a member, not read. Primary effect: (10 x 2 + 20 x 4) / 30 = 10/3;
    secondary: (50 + 40) / 2 = 45. The comparison's year 3 (all 99 lower) is not read."""
    programme = [(10.0, 3.0), (20.0, 6.0), (0.0, np.nan), (10.0, 50.0), (10.0, 40.0),
                 (10.0, 100.0)]
    comparison = [(10.0, 1.0), (20.0, 2.0), (5.0, 7.0), (10.0, 0.0), (10.0, 0.0), (10.0, 0.0)]
    runs = _fact11_runs(programme, comparison)
    assert m.disadvantaged_results_effect(runs, "primary") == pytest.approx(10 / 3)
    assert m.disadvantaged_results_effect(runs, "secondary") == pytest.approx(45.0)
    # A member whose comparison cohort has no disadvantaged pupil carries no weight.
    comparison[1] = (0.0, np.nan)
    runs = _fact11_runs(programme, comparison)
    assert m.disadvantaged_results_effect(runs, "primary") == pytest.approx(2.0)


def test_fact11_is_undefined_without_member_cohorts_and_refuses_a_shorter_comparison():
    empty = [(0.0, np.nan)] * 3 + [(10.0, 1.0)] * 3
    runs = _fact11_runs(empty, [(10.0, 0.0)] * 6)
    assert math.isnan(m.disadvantaged_results_effect(runs, "primary"))
    with pytest.raises(ValueError, match="comparison has no results in year 2"):
        m.disadvantaged_results_effect(_fact11_runs(empty, [(10.0, 0.0)] * 6, (0, 1)),
                                       "primary")
