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
