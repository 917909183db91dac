"""sim.effects: the statistics and the wording the report and the dashboard share,
against hand-worked numbers."""

from __future__ import annotations

import numpy as np
import pytest

from sim import effects
from sim.effects import BY_COLUMN, Estimate, paired_effect, spread, unpaired_effect

GAP = BY_COLUMN["gap_months"]


def test_three_seeds_give_a_range_and_never_a_clear_effect():
    # The case: a 0.03-month difference from 3 seeds, the same sign in all three.
    est = paired_effect([0.02, 0.03, 0.04])
    assert est.kind == effects.RANGE and (est.low, est.high) == (0.02, 0.04)
    assert est.mean == pytest.approx(0.03) and est.n == 3 and est.paired
    assert not est.clear and effects.verdict(GAP, est) == effects.UNCLEAR
    assert est.interval_name() == "range of the 3 paired differences"
    text = effects.difference_sentence(GAP, "trios", "no partnership", est, 2)
    assert "is unclear from 3 seeds" in text and "90 %" not in text
    assert "range 0.02 to 0.04 months higher" in text
    assert "needs at least 5 seeds" in text


def test_enough_seeds_give_a_t_interval_of_the_mean():
    # 1..5: mean 3, sd sqrt(2.5) = 1.5811, se 0.7071; t(0.95, 4 dof) = 2.1318 (tables).
    est = paired_effect([1, 2, 3, 4, 5])
    assert est.kind == effects.CONFIDENCE and est.n == 5
    assert (est.low, est.high) == pytest.approx((3 - 1.5074, 3 + 1.5074), abs=1e-3)
    assert est.clear and est.n_above == 5 and est.n_below == 0
    assert est.interval_name() == ("90 % confidence interval of the mean difference "
                                   "(Student's t over 5 seed pairs)")
    assert effects.verdict(GAP, est) == effects.WORSE   # a wider gap
    assert effects.seeds_in_favour(GAP, est) == "higher in 5 of 5 seeds"
    assert effects.share_better(GAP, est) == 0.0


def test_an_effect_smaller_than_its_uncertainty_is_unclear():
    # Mean -0.1, but the seeds disagree: the interval crosses zero.
    est = paired_effect([-1.0, 0.8, -0.5, 0.6, -0.4])
    assert est.kind == effects.CONFIDENCE and est.low < 0 < est.high
    assert abs(est.mean) < (est.high - est.low) / 2
    assert effects.verdict(GAP, est) == effects.UNCLEAR
    assert effects.share_better(GAP, est) == 3 / 5
    text = effects.difference_sentence(GAP, "trios", "none", est, 5)
    assert "made no clear difference" in text and "90 % confidence interval from" in text


def test_clear_narrowing_is_said_with_its_interval():
    est = paired_effect([-1.0, -1.2, -0.9, -1.1, -1.3, -0.8])
    text = effects.difference_sentence(GAP, "trios", "no partnership", est, 5)
    assert text.startswith("After five years, trios narrowed the disadvantage gap by 1.1 months")
    assert "(90 % confidence interval" in text and "months lower; 6 seed pairs)" in text
    assert effects.verdict(GAP, est) == effects.BETTER
    assert effects.share_better(GAP, est) == 1.0


def test_unpaired_effect_uses_welch():
    # means 3 and 1; variances of the means 2.5/5 = 0.5 and 1.5/5 = 0.3, se sqrt(0.8);
    # Welch dof 0.64 / (0.25/4 + 0.09/4) = 7.53, t(0.95, 7.53) = 1.875 (between the table's
    # 1.895 for 7 and 1.860 for 8).
    est = unpaired_effect([1, 2, 3, 4, 5], [0, 0, 1, 1, 3])
    assert not est.paired and est.kind == effects.CONFIDENCE and est.mean == 2
    half = 1.875 * np.sqrt(0.8)
    assert (est.low, est.high) == pytest.approx((2 - half, 2 + half), abs=2e-3)
    assert "Welch" in est.interval_name()
    few = unpaired_effect([1.0, 2.0], [10.0, 20.0])
    assert few.kind == effects.RANGE and (few.low, few.high) == (-19.0, -8.0)


def test_spread_of_runs_is_named_for_what_it_is():
    three = spread([3.0, 1.0, 2.0])
    assert (three.low, three.high, three.kind) == (1.0, 3.0, effects.SPREAD)
    assert three.interval_name() == "range of the 3 runs"
    twenty = spread(np.arange(1, 21))
    assert (twenty.low, twenty.high) == pytest.approx((1.95, 19.05))
    assert twenty.interval_name() == "middle 90 % of the 20 runs (5th to 95th percentile)"


def test_a_gap_that_narrows_because_others_fall_is_flagged():
    gap = paired_effect([-0.5] * 5)
    dis = paired_effect([0.1, 0.0, 0.1, 0.0, 0.0])
    falling = paired_effect([-0.4, -0.5, -0.4, -0.5, -0.4])
    assert effects.narrowed_by_falling(gap, dis, falling)
    note = effects.narrowed_by_falling_note(dis, falling)
    assert "other pupils' attainment fell (0.44 months lower)" in note
    rising = paired_effect([0.6] * 5)
    assert not effects.narrowed_by_falling(gap, rising, paired_effect([0.1] * 5))


def test_a_narrowing_within_its_uncertainty_is_not_flagged():
    # Mean -0.14 months, sd 0.36 over 5 seed pairs: the 90 % t interval (-0.48 to +0.20)
    # holds zero, so the gap's change is unclear, not a narrowing, however much others fell.
    unclear = paired_effect([-0.5, 0.3, -0.4, 0.2, -0.3])
    assert unclear.kind == effects.CONFIDENCE and not unclear.clear
    falling = paired_effect([-0.4, -0.5, -0.4, -0.5, -0.4])
    dis = paired_effect([0.0] * 5)
    assert not effects.narrowed_by_falling(unclear, dis, falling)
    # Three seeds give a range, no interval: read on average, as the sentence does.
    few = paired_effect([-0.5, 0.3, -0.4])
    assert few.kind == effects.RANGE
    assert effects.narrowed_by_falling(few, paired_effect([0.0] * 3),
                                       paired_effect([-0.4, -0.5, -0.4]))


def test_no_runs_and_identical_runs():
    empty = paired_effect([np.nan])
    assert empty.n == 0 and "no runs to compare" in effects.difference_sentence(
        GAP, "a", "b", empty, 1)
    same = Estimate(0.0, 0.0, 0.0, 5, True, effects.CONFIDENCE)
    assert effects.verdict(GAP, same) == effects.SAME
    assert GAP.number(float("nan")) == "n/a"


def test_chance_of_beating_the_baseline_with_its_jeffreys_interval():
    from scipy import stats

    # Disadvantaged pupils' attainment (higher is better): 8 of 10 paired differences > 0.
    h = effects.BY_COLUMN["attainment_disadvantaged"]
    diff = effects.paired_effect([1, 2, 3, -1, 4, 5, 6, -2, 7, 8])
    chance = effects.chance_better(h, diff)
    assert (chance.better, chance.n, chance.p) == (8, 10, 0.8)
    # Jeffreys: the 5th and 95th percentiles of Beta(8.5, 2.5).
    assert (chance.low, chance.high) == pytest.approx(stats.beta.ppf([0.05, 0.95], 8.5, 2.5))
    said = effects.chance_sentence(h, "trios", "no partnership", diff, 5)
    assert said.startswith("P(disadvantaged pupils' attainment is higher under trios than "
                           "under no partnership after five years) = 0.80 (8 of 10 seed pairs")
    # The gap (lower is better) counts the pairs below zero.
    gap = effects.chance_better(effects.BY_COLUMN["gap_months"], diff)
    assert gap.better == 2


def test_chance_from_few_pairs_is_a_count_not_a_probability():
    h = effects.BY_COLUMN["gap_months"]
    diff = effects.paired_effect([-0.5, 0.3, -0.2])
    said = effects.chance_sentence(h, "trios", "no partnership", diff, 5)
    assert said == ("The disadvantage gap was lower under trios than under no partnership "
                    "after five years in 2 of 3 seed pairs (too few to state a probability; "
                    "that needs at least 5).")
    assert "P(" not in said
    assert effects.chance_better(h, effects.unpaired_effect([1, 2, 3], [0, 1, 2])) is None


def test_the_uncertainty_note_says_which_uncertainty_is_carried():
    assert "both parameter and stochastic" in effects.uncertainty_note(effects.POSTERIOR)
    assert "stochastic uncertainty only" in effects.uncertainty_note(effects.FIXED)
    assert "mix" in effects.uncertainty_note(effects.MIXED)
