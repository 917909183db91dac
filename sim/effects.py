"""How sure an effect is, and how to say it: the wording the report and the dashboard share.

An *effect* is a setting's outcome minus the baseline's. With the same seed both runs share
the region and every random draw the setting does not touch, so the per-seed (paired)
difference isolates the setting; without common seeds every run is set against every
baseline run (unpaired).

Every interval is named for what it is:
- fewer than ENOUGH_SEEDS differences: the *range* (lowest to highest) of the differences.
  A range from so few runs is no interval: such an effect is never called clear, however
  far from zero it lies, and the wording says how many seeds a confidence interval needs.
- ENOUGH_SEEDS or more: the LEVEL *confidence interval of the mean difference*, Student's t
  over the seed pairs (paired) or Welch's t for two independent samples (unpaired).

An effect is *clear* only when that confidence interval excludes zero, i.e. when the mean
difference is larger than its uncertainty (the interval's half-width); otherwise it is
*unclear*, and the sentence gives the interval both ways rather than a direction.

The spread of one setting's own outcomes across runs is a different thing (where runs
fall, not how sure a mean is): `spread` names it the range of the runs, or with
SPREAD_RUNS or more the middle LEVEL of them (percentiles).

The *chance* that a setting beats the baseline (`chance_better`) is the share of seed pairs
in which it did better: with `calibration=posterior` each pair drew its own parameter set,
so the share estimates the probability over both parameter and stochastic uncertainty;
with fixed parameters it is over stochastic uncertainty only, and `uncertainty_note` says
which. From ENOUGH_SEEDS pairs on it comes with the LEVEL Jeffreys interval of that
probability (Beta(k + 1/2, n - k + 1/2)); from fewer, only as "k of n seed pairs".

This module is pure (numpy and scipy only) so `analysis` (the report) and `sim.dashboard`
both import it; `sim` never imports `analysis`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

LEVEL = 0.90
ENOUGH_SEEDS = 5    # differences needed before a t interval of their mean is given
SPREAD_RUNS = 10    # runs needed before percentiles of the runs say more than their range
EXACTLY_ZERO = 1e-12  # differences this small are the same number computed twice

RANGE, CONFIDENCE, SPREAD, PERCENTILES = "range", "confidence", "spread", "percentiles"
BETTER, WORSE, UNCLEAR, SAME = "better", "worse", "unclear", "same"

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                "nine", "ten")


@dataclass(frozen=True)
class Estimate:
    """A mean with the interval that goes with it (see the module docstring for `kind`)."""

    mean: float
    low: float
    high: float
    n: int                 # differences (seed pairs, or all pairs) or runs it rests on
    paired: bool = False
    kind: str = RANGE
    n_below: int = 0       # differences below zero (for "lower in 4 of 5 seeds")
    n_above: int = 0

    @property
    def few(self) -> bool:
        return self.kind in (RANGE, SPREAD)

    @property
    def exactly_zero(self) -> bool:
        return self.n > 0 and max(abs(self.low), abs(self.high)) < EXACTLY_ZERO

    @property
    def clear(self) -> bool:
        """Larger than its uncertainty: a confidence interval on one side of zero."""
        return (self.kind == CONFIDENCE and not self.exactly_zero
                and (self.low > 0 or self.high < 0))

    def interval_name(self) -> str:
        """What the interval is, e.g. 'range of the 3 paired differences'."""
        pct = round(100 * LEVEL)
        if self.kind == CONFIDENCE:
            how = (f"Student's t over {self.n} seed pairs" if self.paired
                   else "Welch's t, seeds differ")
            return f"{pct} % confidence interval of the mean difference ({how})"
        if self.kind == RANGE:
            what = "paired differences" if self.paired else "differences between all runs"
            return f"range of the {self.n} {what}"
        if self.kind == PERCENTILES:
            return f"middle {pct} % of the {self.n} runs (5th to 95th percentile)"
        return f"range of the {self.n} run{'s' if self.n != 1 else ''}"


def _clean(values) -> np.ndarray:
    values = np.asarray(values, float)
    return values[~np.isnan(values)]


def _counts(diffs: np.ndarray) -> dict:
    return {"n_below": int((diffs < -EXACTLY_ZERO).sum()),
            "n_above": int((diffs > EXACTLY_ZERO).sum())}


def _t_half_width(sd_of_mean: float, dof: float) -> float:
    return float(stats.t.ppf(0.5 + LEVEL / 2, dof) * sd_of_mean)


def paired_effect(diffs) -> Estimate:
    """The effect from per-seed differences (scenario minus baseline, same seed)."""
    d = _clean(diffs)
    n = len(d)
    if n == 0:
        return Estimate(np.nan, np.nan, np.nan, 0, paired=True)
    mean = float(d.mean())
    if n < ENOUGH_SEEDS:
        return Estimate(mean, float(d.min()), float(d.max()), n, True, RANGE, **_counts(d))
    half = _t_half_width(d.std(ddof=1) / np.sqrt(n), n - 1)
    return Estimate(mean, mean - half, mean + half, n, True, CONFIDENCE, **_counts(d))


def unpaired_effect(scenario, baseline) -> Estimate:
    """The effect when the two sides ran different seeds: the difference of the means with
    Welch's interval, or (too few runs) the range of every scenario run minus every
    baseline run."""
    a, b = _clean(scenario), _clean(baseline)
    if len(a) == 0 or len(b) == 0:
        return Estimate(np.nan, np.nan, np.nan, 0)
    every = np.subtract.outer(a, b).ravel()
    mean = float(a.mean() - b.mean())
    if min(len(a), len(b)) < ENOUGH_SEEDS:
        return Estimate(mean, float(every.min()), float(every.max()), len(every), False,
                        RANGE, **_counts(every))
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    dof = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1)) if va + vb else 1
    half = _t_half_width(np.sqrt(va + vb), dof)
    return Estimate(mean, mean - half, mean + half, len(a) + len(b), False, CONFIDENCE,
                    **_counts(every))


def spread(values) -> Estimate:
    """Where one setting's runs fell: their range, or with many runs the middle LEVEL."""
    v = _clean(values)
    if len(v) == 0:
        return Estimate(np.nan, np.nan, np.nan, 0, kind=SPREAD)
    if len(v) < SPREAD_RUNS:
        return Estimate(float(v.mean()), float(v.min()), float(v.max()), len(v), kind=SPREAD)
    tail = (1 - LEVEL) / 2
    low, high = np.quantile(v, [tail, 1 - tail])
    return Estimate(float(v.mean()), float(low), float(high), len(v), kind=PERCENTILES)


# ------------------------------------------------------------------ the measures


@dataclass(frozen=True)
class Headline:
    column: str
    name: str         # what the metric is, mid-sentence
    unit: str         # the unit after a number
    down: str         # verb when the scenario lowers it
    up: str           # verb when the scenario raises it
    decimals: int = 1
    lower_is_better: bool | None = None
    label: str = ""   # a table row's name

    def number(self, value: float, decimals: int | None = None) -> str:
        if np.isnan(value):  # e.g. mean trust once no partnership is left
            return "n/a"
        return f"{value:.{self.decimals if decimals is None else decimals}f}"

    def digits(self, value: float) -> int:
        """Decimals that show at least one significant digit of `value` (up to 3 more than
        usual), so a small difference is not printed as 0.000."""
        d = self.decimals
        while d < self.decimals + 3 and 0 < abs(value) < 10 ** -d:
            d += 1
        return d


HEADLINES = (
    Headline("gap_months", "the disadvantage gap", "months", "narrowed", "widened", 1, True,
             "Disadvantage gap (months)"),
    Headline("attainment_disadvantaged", "disadvantaged pupils' attainment", "months",
             "lowered", "raised", 1, False, "Disadvantaged pupils (months vs national)"),
    Headline("attainment_other", "other pupils' attainment", "months", "lowered", "raised", 1,
             False, "Other pupils (months vs national)"),
    # Each phase's gap (on its KS2 / KS4 cohort) with both groups' attainment beside it.
    Headline("gap_months_primary", "the disadvantage gap at the end of primary (KS2)",
             "months", "narrowed", "widened", 1, True, "Disadvantage gap, KS2 (months)"),
    Headline("attainment_disadvantaged_primary", "disadvantaged pupils' attainment at KS2",
             "months", "lowered", "raised", 1, False, "  disadvantaged pupils, KS2 (months)"),
    Headline("attainment_other_primary", "other pupils' attainment at KS2", "months",
             "lowered", "raised", 1, False, "  other pupils, KS2 (months)"),
    Headline("gap_months_secondary", "the disadvantage gap at the end of secondary (KS4)",
             "months", "narrowed", "widened", 1, True, "Disadvantage gap, KS4 (months)"),
    Headline("attainment_disadvantaged_secondary", "disadvantaged pupils' attainment at KS4",
             "months", "lowered", "raised", 1, False, "  disadvantaged pupils, KS4 (months)"),
    Headline("attainment_other_secondary", "other pupils' attainment at KS4", "months",
             "lowered", "raised", 1, False, "  other pupils, KS4 (months)"),
    Headline("expertise_mean", "schools' mean expertise", "points on the 0-1 index",
             "lowered", "raised", 3, False, "Mean expertise (0-1)"),
    Headline("between_school_sd", "the spread of attainment between schools", "months",
             "reduced", "increased", 2, True, "Between-school spread (months, sd)"),
    Headline("segregation", "the segregation of disadvantaged pupils",
             "points on the 0-1 dissimilarity index", "reduced", "increased", 3, True,
             "Segregation (dissimilarity, 0-1)"),
    # Partnerships, trust and inspection: what is left of the programme (no better/worse:
    # more partnerships are a means, not an outcome).
    Headline("active_partnerships", "the number of active partnerships", "partnerships",
             "lowered", "raised", 1, None, "Active partnerships"),
    Headline("mean_trust", "mean trust between partners", "points on the 0-1 scale",
             "lowered", "raised", 3, None, "Mean trust between partners (0-1)"),
    Headline("outstanding_share", "the share of schools graded outstanding",
             "points of share (0-1)", "lowered", "raised", 3, False,
             "Schools graded outstanding (share)"),
    Headline("good_share", "the share of schools graded good", "points of share (0-1)",
             "lowered", "raised", 3, None, "Schools graded good (share)"),
    Headline("requires_improvement_share", "the share of schools graded requires improvement",
             "points of share (0-1)", "lowered", "raised", 3, True,
             "Schools graded requires improvement (share)"),
    Headline("inadequate_share", "the share of schools graded inadequate",
             "points of share (0-1)", "lowered", "raised", 3, True,
             "Schools graded inadequate (share)"),
    # Only with the pandemic shock on (zero throughout otherwise).
    Headline("learning_loss_disadvantaged",
             "the pandemic learning loss disadvantaged pupils had still to recover", "months",
             "reduced", "increased", 2, True, "Learning loss still to recover (months)"),
)
BY_COLUMN = {h.column: h for h in HEADLINES}


# ------------------------------------------------------------------ wording


def when(years: int | None) -> str:
    if years is None:
        return "At the end of the runs"
    count = NUMBER_WORDS[years] if 0 <= years < len(NUMBER_WORDS) else str(years)
    return f"After {count} year{'s' if years != 1 else ''}"


def signed(h: Headline, value: float, decimals: int) -> str:
    """'0.4 months lower' / '0.4 months higher' / '0 months'."""
    if abs(value) < 0.5 * 10 ** -decimals:
        return f"{h.number(0, decimals)} {h.unit}"
    direction = "lower" if value < 0 else "higher"
    return f"{h.number(abs(value), decimals)} {h.unit} {direction}"


def span(h: Headline, low: float, high: float, decimals: int) -> str:
    """An interval in words: '0.1 to 0.4 months lower', 'from 0.2 months lower to 0.3
    months higher'."""
    if high < 0 or low > 0:
        word = "lower" if high < 0 else "higher"
        lo, hi = sorted([abs(low), abs(high)])
        return f"{h.number(lo, decimals)} to {h.number(hi, decimals)} {h.unit} {word}"
    return f"from {signed(h, low, decimals)} to {signed(h, high, decimals)}"


def decimals(h: Headline, diff: Estimate) -> int:
    """Decimals that show the mean, the width and the nearer end of an effect's interval."""
    near = min(abs(diff.low), abs(diff.high))
    return max(h.digits(diff.mean), h.digits(diff.high - diff.low), h.digits(near))


def plus(h: Headline, value: float, diff: Estimate) -> str:
    """A signed number at the effect's decimals; 0 without a sign, 'n/a' for no value."""
    if np.isnan(value):
        return "n/a"
    text = f"{value:+.{decimals(h, diff)}f}"
    return text[1:] if float(text) == 0 else text


def verdict(h: Headline, diff: Estimate) -> str:
    """better / worse / unclear / same, for colouring a cell or the dashboard's verdict."""
    if diff.exactly_zero:
        return SAME
    if not diff.clear or h.lower_is_better is None:
        return UNCLEAR
    return BETTER if (diff.mean < 0) == h.lower_is_better else WORSE


def seeds_in_favour(h: Headline, diff: Estimate) -> str:
    """'lower in 4 of 5 seeds' (only for paired differences)."""
    if not diff.paired or diff.n == 0:
        return ""
    k, word = ((diff.n_below, "lower") if diff.mean < 0 else (diff.n_above, "higher"))
    return f"{word} in {k} of {diff.n} seeds"


def share_better(h: Headline, diff: Estimate) -> float | None:
    """Share of seed pairs in which the scenario did better than the baseline: the chance
    that, for a region drawn like these, the setting beats the baseline."""
    if not diff.paired or diff.n == 0 or h.lower_is_better is None:
        return None
    return (diff.n_below if h.lower_is_better else diff.n_above) / diff.n


@dataclass(frozen=True)
class Chance:
    """How often a setting did better than the baseline over n seed pairs."""

    better: int
    n: int
    low: float = np.nan     # the Jeffreys interval of the probability (ENOUGH_SEEDS pairs on)
    high: float = np.nan

    @property
    def p(self) -> float:
        return self.better / self.n

    @property
    def few(self) -> bool:
        return self.n < ENOUGH_SEEDS


def chance_better(h: Headline, diff: Estimate) -> Chance | None:
    """The chance that the setting beats the baseline on this measure (paired runs only)."""
    share = share_better(h, diff)
    if share is None:
        return None
    k = round(share * diff.n)
    if diff.n < ENOUGH_SEEDS:
        return Chance(k, diff.n)
    tail = (1 - LEVEL) / 2
    low, high = stats.beta.ppf([tail, 1 - tail], k + 0.5, diff.n - k + 0.5)
    return Chance(k, diff.n, float(0.0 if k == 0 else low),
                  float(1.0 if k == diff.n else high))


POSTERIOR, FIXED, MIXED = "posterior", "fixed", "mixed"


def uncertainty_note(parameters: str) -> str:
    """Which uncertainty the intervals and chances carry: `parameters` is POSTERIOR (every
    run drew its parameter set from the calibration's posterior), FIXED or MIXED."""
    if parameters == POSTERIOR:
        return ("Every seed drew its parameter set from the calibration's posterior "
                "(calibration=posterior), and a setting and its baseline with the same seed "
                "drew the same set: the intervals and chances carry both parameter and "
                "stochastic uncertainty.")
    if parameters == FIXED:
        return ("Every run used the same parameter values: the intervals and chances carry "
                "stochastic uncertainty only, not the uncertainty of the calibrated parameters "
                "(run with calibration=posterior to include it).")
    return ("Some runs drew their parameters from the calibration's posterior and some did "
            "not: the intervals mix the two; compare runs made the same way.")


def chance_sentence(h: Headline, who: str, against: str, diff: Estimate,
                    years: int | None) -> str:
    """'P(disadvantaged pupils' attainment is higher under trios than under no partnership
    after five years) = 0.93 (28 of 30 seed pairs; 90 % interval of the probability 0.82 to
    0.98).' With fewer than ENOUGH_SEEDS pairs only the count is given."""
    chance = chance_better(h, diff)
    if chance is None or diff.exactly_zero:
        return ""
    word = "lower" if h.lower_is_better else "higher"
    at = when(years)
    at = at[0].lower() + at[1:]
    if chance.few:
        return (f"{h.name[0].upper()}{h.name[1:]} was {word} under {who} than under {against} "
                f"{at} in {chance.better} of {chance.n} seed pairs (too few to state a "
                f"probability; that needs at least {ENOUGH_SEEDS}).")
    pct = round(100 * LEVEL)
    return (f"P({h.name} is {word} under {who} than under {against} {at}) = {chance.p:.2f} "
            f"({chance.better} of {chance.n} seed pairs; {pct} % interval of the probability "
            f"{chance.low:.2f} to {chance.high:.2f}).")


def difference_sentence(h: Headline, who: str, against: str, diff: Estimate,
                        years: int | None) -> str:
    """One sentence on how `who` changed a measure compared with `against` (display names)."""
    start = when(years)
    if diff.n == 0:
        return f"{start}, there are no runs to compare {who} with {against}."
    if diff.exactly_zero:
        return (f"{start}, {who} made no difference to {h.name} compared with {against} "
                "(the same in every run).")
    d = decimals(h, diff)
    if diff.kind == RANGE and diff.n == 1:
        return (f"{start}, whether {who} changed {h.name} compared with {against} is "
                f"unclear from one pair of runs: {signed(h, diff.mean, d)} (one pair cannot "
                f"tell the setting from chance; a confidence interval needs at least "
                f"{ENOUGH_SEEDS} seeds of each).")
    if diff.kind == RANGE:
        basis = f"{diff.n} seeds" if diff.paired else "so few runs"
        return (f"{start}, whether {who} changed {h.name} compared with {against} is "
                f"unclear from {basis}: on average {signed(h, diff.mean, d)}, "
                f"the {diff.n} {'paired ' if diff.paired else ''}differences range "
                f"{span(h, diff.low, diff.high, d)} (a confidence interval needs at least "
                f"{ENOUGH_SEEDS} seeds of each).")
    pct = round(100 * LEVEL)
    basis = f"{diff.n} seed pairs" if diff.paired else "seeds differ"
    if not diff.clear:
        return (f"{start}, {who} made no clear difference to {h.name} compared with "
                f"{against}: on average {signed(h, diff.mean, d)}, {pct} % confidence "
                f"interval {span(h, diff.low, diff.high, d)} ({basis}).")
    verb = h.down if diff.mean < 0 else h.up
    return (f"{start}, {who} {verb} {h.name} by {h.number(abs(diff.mean), d)} {h.unit} "
            f"({pct} % confidence interval {span(h, diff.low, diff.high, d)}; {basis}) "
            f"compared with {against}.")


def level_sentence(h: Headline, who: str, level: Estimate, years: int | None) -> str:
    """Where a measure ended under a setting (no baseline to compare with)."""
    return (f"{when(years)}, under {who} {h.name} was {h.number(level.mean)} {h.unit} "
            f"on average ({level.interval_name()}: {h.number(level.low)} to "
            f"{h.number(level.high)}).")


def narrowed_by_falling(gap: Estimate, disadvantaged: Estimate, other: Estimate) -> bool:
    """On average the gap narrowed mostly because other pupils fell, not because
    disadvantaged pupils rose: other pupils' fall is larger than disadvantaged pupils' gain.

    A gap whose change has a confidence interval narrowed only if the change is clear (the
    interval below zero): one within its uncertainty is unclear, as `difference_sentence`
    calls it, not a narrowing. A range of too few seeds has no such interval and is read,
    like the sentence, on average."""
    if gap.kind == CONFIDENCE and not gap.clear:
        return False
    return (gap.n > 0 and gap.mean < 0 and not gap.exactly_zero and other.mean < 0
            and -other.mean > max(disadvantaged.mean, 0.0))


def narrowed_by_falling_note(disadvantaged: Estimate, other: Estimate, suffix: str = "") -> str:
    """The warning for `narrowed_by_falling`; `suffix` names the cohort ('', '_primary' for
    KS2, '_secondary' for KS4)."""
    h = BY_COLUMN["attainment_other"]
    d = max(h.digits(other.mean), h.digits(disadvantaged.mean))
    which = {"": "the gap", "_primary": "the KS2 gap", "_secondary": "the KS4 gap"}[suffix]
    return (f"Read with care: on average {which} narrowed mostly because other pupils' "
            f"attainment fell ({signed(h, other.mean, d)}), not because disadvantaged pupils' "
            f"rose ({signed(h, disadvantaged.mean, d)}).")
