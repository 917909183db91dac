"""sim.headlines: every gap beside each group's attainment; levelling down flagged with the
comparisons' own test (`sim.effects.narrowed_by_falling`)."""

from __future__ import annotations

from sim import headlines


def test_every_gap_has_both_groups_beside_it():
    keys = [key for key, _ in headlines.HEADLINES]
    for suffix in ("", "_primary", "_secondary"):
        at = keys.index(f"gap_months{suffix}")
        assert keys[at + 1:at + 3] == [f"attainment_disadvantaged{suffix}",
                                       f"attainment_other{suffix}"]


def test_a_gap_narrowed_by_others_falling_is_flagged():
    # KS4: gap 18 -> 17 (narrower) while disadvantaged pupils go -14 -> -15 and the others
    # 4 -> 2: flagged. KS2: gap 9 -> 8 with disadvantaged pupils rising 1 and the others
    # still: not flagged.
    first = {"gap_months_secondary": 18.0, "attainment_disadvantaged_secondary": -14.0,
             "attainment_other_secondary": 4.0, "gap_months_primary": 9.0,
             "attainment_disadvantaged_primary": -7.0, "attainment_other_primary": 2.0}
    last = {"gap_months_secondary": 17.0, "attainment_disadvantaged_secondary": -15.0,
            "attainment_other_secondary": 2.0, "gap_months_primary": 8.0,
            "attainment_disadvantaged_primary": -6.0, "attainment_other_primary": 2.0}
    notes = headlines.levelling_down_notes(first, last)
    assert notes == ["levelling down: gap at ks4, end of secondary narrowed by 1.00 months "
                     "mostly because other pupils fell 2.00; disadvantaged pupils changed "
                     "-1.00"]


def test_a_gap_narrowed_by_both_rising_less_than_others_fall_is_flagged():
    # Gap 9 -> 8: disadvantaged +0.5, others -0.5. The others' fall (0.5) is not larger than
    # the disadvantaged gain (0.5): not flagged. With others -0.8 and disadvantaged +0.2 it is.
    first = {"gap_months_primary": 9.0, "attainment_disadvantaged_primary": -7.0,
             "attainment_other_primary": 2.0}
    even = {"gap_months_primary": 8.0, "attainment_disadvantaged_primary": -6.5,
            "attainment_other_primary": 1.5}
    mostly_falling = {"gap_months_primary": 8.0, "attainment_disadvantaged_primary": -6.8,
                      "attainment_other_primary": 1.2}
    assert headlines.levelling_down_notes(first, even) == []
    assert len(headlines.levelling_down_notes(first, mostly_falling)) == 1


def test_no_flag_when_the_gap_widens_or_values_are_missing():
    first = {"gap_months": 13.0, "attainment_disadvantaged": -10.0, "attainment_other": 3.0}
    wider = {"gap_months": 14.0, "attainment_disadvantaged": -12.0, "attainment_other": 2.0}
    assert headlines.levelling_down_notes(first, wider) == []
    missing = dict(first, attainment_other=None)
    assert headlines.levelling_down_notes(missing, wider) == []
    assert headlines.levelling_down_notes({}, {}) == []


def test_changes_that_print_as_zero_are_no_narrowing():
    # One run, no uncertainty: the test reads the changes as the table prints them (two
    # decimals). Gap 9 -> 8.996 (-0.004) with other pupils 2 -> 1.996 (-0.004) and the
    # disadvantaged still: both round to 0.00, so no "narrowed by 0.00 months".
    first = {"gap_months_primary": 9.0, "attainment_disadvantaged_primary": -7.0,
             "attainment_other_primary": 2.0}
    tiny = {"gap_months_primary": 8.996, "attainment_disadvantaged_primary": -7.0,
            "attainment_other_primary": 1.996}
    assert headlines.levelling_down_notes(first, tiny) == []
    # The same pattern at a size the table shows (-0.02) is flagged, with the printed numbers.
    seen = {"gap_months_primary": 8.98, "attainment_disadvantaged_primary": -7.0,
            "attainment_other_primary": 1.98}
    assert headlines.levelling_down_notes(first, seen) == [
        "levelling down: gap at ks2, end of primary narrowed by 0.02 months mostly because "
        "other pupils fell 0.02; disadvantaged pupils changed +0.00"]


def test_the_table_prints_a_change_that_rounds_to_zero_without_a_sign():
    values = {key: None for key, _ in headlines.HEADLINES}
    first = dict(values, gap_months=9.0, pupils=1000)
    last = dict(values, gap_months=8.996, pupils=1003)
    summary = {"years": 1, "scheme": "none", "region": "gm", "n_schools": 3, "seed": 1,
               "first": first, "last": last, "levelling_down": [],
               "runtime_seconds": {"setup": 0.0, "simulation": 0.0}}
    lines = headlines.headline_table(summary).splitlines()

    def cells(label: str) -> list[str]:
        (line,) = [line for line in lines if line.startswith(label)]
        return line[len(label):].split()

    assert cells("Disadvantage gap, KS2 and KS4 cohorts (months)") == ["9.00", "9.00", "0.00"]
    assert cells("Pupils on roll") == ["1000", "1003", "+3"]
    assert cells("Mean expertise (0-1)") == ["n/a", "n/a", "n/a"]
