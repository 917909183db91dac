"""Plain sentences a policy reader understands, from the numbers in `analysis.compare`.

    After five years, trios narrowed the disadvantage gap by 1.2 months (0.8 to 1.6)
    compared with no partnership.

The numbers in brackets are the 90 % interval of the difference across runs. When that
interval includes zero the sentence says the scenario made no clear difference, and gives
the range both ways, rather than reporting a direction the runs do not support.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.compare import Estimate
from analysis.style import SCENARIO_NAMES

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                "nine", "ten")


@dataclass(frozen=True)
class Headline:
    column: str
    name: str         # what the metric is, mid-sentence
    unit: str         # the unit after a number
    down: str         # verb when the scenario lowers it
    up: str           # verb when the scenario raises it
    decimals: int = 1
    lower_is_better: bool | None = None

    def number(self, value: float, decimals: int | None = None) -> str:
        return f"{value:.{self.decimals if decimals is None else decimals}f}"

    def digits(self, value: float) -> int:
        """Decimals that show at least one significant digit of `value` (up to 3 more than
        usual), so a small but clear difference is not printed as 0.000."""
        d = self.decimals
        while d < self.decimals + 3 and 0 < abs(value) < 10 ** -d:
            d += 1
        return d


HEADLINES = (
    Headline("gap_months", "the disadvantage gap", "months", "narrowed", "widened", 1, True),
    Headline("gap_months_primary", "the disadvantage gap in primary schools", "months",
             "narrowed", "widened", 1, True),
    Headline("gap_months_secondary", "the disadvantage gap in secondary schools", "months",
             "narrowed", "widened", 1, True),
    Headline("attainment_disadvantaged", "disadvantaged pupils' attainment", "months",
             "lowered", "raised", 1, False),
    Headline("attainment_other", "other pupils' attainment", "months", "lowered", "raised", 1,
             False),
    Headline("expertise_mean", "schools' mean expertise", "points on the 0-1 index",
             "lowered", "raised", 3, False),
    Headline("between_school_sd", "the spread of attainment between schools", "months",
             "reduced", "increased", 2, True),
    Headline("segregation", "the segregation of disadvantaged pupils",
             "points on the 0-1 dissimilarity index", "reduced", "increased", 3, True),
    # Only with the pandemic shock on (the report skips metrics that are zero throughout).
    Headline("learning_loss_disadvantaged",
             "the pandemic learning loss disadvantaged pupils had still to recover", "months",
             "reduced", "increased", 2, True),
)
BY_COLUMN = {h.column: h for h in HEADLINES}
# The plain sentences skip the per-phase gaps: they are in the report's table.
SENTENCE_COLUMNS = ("gap_months", "attainment_disadvantaged", "attainment_other",
                    "expertise_mean", "between_school_sd", "segregation",
                    "learning_loss_disadvantaged")
EXACTLY_ZERO = 1e-12  # differences this small are the same number computed twice


def scenario_name(scenario: str) -> str:
    """What a reader calls the scenario: 'no partnership' rather than 'none'."""
    return SCENARIO_NAMES.get(scenario, scenario)


def when(years: int | None) -> str:
    if years is None:
        return "At the end of the runs"
    count = NUMBER_WORDS[years] if 0 <= years < len(NUMBER_WORDS) else str(years)
    return f"After {count} year{'s' if years != 1 else ''}"


def difference_sentence(headline: Headline, scenario: str, baseline: str, diff: Estimate,
                        years: int | None) -> str:
    """One sentence on how the scenario changed a metric compared with the baseline."""
    who, against = scenario_name(scenario), scenario_name(baseline)
    h = headline
    if diff.n == 0:
        return f"{when(years)}, there are no runs to compare {who} with {against}."
    if max(abs(diff.low), abs(diff.high)) < EXACTLY_ZERO:
        return (f"{when(years)}, {who} made no difference to {h.name} compared with "
                f"{against} (the same in every run).")
    d = h.digits(diff.mean)
    if diff.low <= 0 <= diff.high:
        return (f"{when(years)}, {who} made no clear difference to {h.name} compared with "
                f"{against}: the runs range from {h.number(-diff.low, d)} {h.unit} lower to "
                f"{h.number(diff.high, d)} {h.unit} higher (average "
                f"{_signed(h, diff.mean, d)}).")
    verb = h.down if diff.mean < 0 else h.up
    # The interval lies on one side of zero, so its magnitudes keep their order.
    lo, hi = sorted([abs(diff.low), abs(diff.high)])
    return (f"{when(years)}, {who} {verb} {h.name} by {h.number(abs(diff.mean), d)} {h.unit} "
            f"({h.number(lo, d)} to {h.number(hi, d)}) compared with {against}.")


def level_sentence(headline: Headline, scenario: str, level: Estimate,
                   years: int | None) -> str:
    """One sentence on where a metric ended under a scenario (no baseline to compare)."""
    h = headline
    return (f"{when(years)}, under {scenario_name(scenario)} {h.name} was "
            f"{h.number(level.mean)} {h.unit} ({h.number(level.low)} to {h.number(level.high)}).")


def _signed(h: Headline, value: float, decimals: int) -> str:
    direction = "lower" if value < 0 else "higher"
    return f"{h.number(abs(value), decimals)} {h.unit} {direction}"


def judgement(headline: Headline, diff: Estimate) -> str:
    """'better', 'worse' or 'unclear', for colouring a table cell."""
    if (diff.n == 0 or diff.low <= 0 <= diff.high or headline.lower_is_better is None
            or max(abs(diff.low), abs(diff.high)) < EXACTLY_ZERO):
        return "unclear"
    improved = (diff.mean < 0) == headline.lower_is_better
    return "better" if improved else "worse"
