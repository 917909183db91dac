"""Plain sentences a policy reader understands, from the numbers in `analysis.compare`.

    After five years, trios narrowed the disadvantage gap by 1.2 months (90 % confidence
    interval 0.8 to 1.6 months lower; 20 seed pairs) compared with no partnership.

The wording, the measures and what makes an effect clear are `sim.effects`, shared with
the dashboard so that both say the same about the same numbers; this module only names
scenarios as a reader would ("no partnership" rather than `none`).
"""

from __future__ import annotations

from sim import effects
from sim.effects import BY_COLUMN, HEADLINES, Estimate, Headline, verdict  # noqa: F401
from analysis.style import SCENARIO_NAMES

# The plain sentences skip the per-phase gaps and the grade shares: they are in the
# report's tables. Disadvantaged pupils' attainment always follows the gap.
SENTENCE_COLUMNS = ("gap_months", "attainment_disadvantaged", "attainment_other",
                    "expertise_mean", "between_school_sd", "segregation",
                    "learning_loss_disadvantaged")


def scenario_name(scenario: str) -> str:
    """What a reader calls the scenario: 'no partnership' rather than 'none'; a swept
    variant keeps its settings ('no partnership years=4')."""
    base, _, rest = scenario.partition(" ")
    return " ".join([SCENARIO_NAMES.get(base, base), rest]).strip()


def difference_sentence(headline: Headline, scenario: str, baseline: str, diff: Estimate,
                        years: int | None) -> str:
    """One sentence on how the scenario changed a metric compared with the baseline."""
    return effects.difference_sentence(headline, scenario_name(scenario),
                                       scenario_name(baseline), diff, years)


def level_sentence(headline: Headline, scenario: str, level: Estimate,
                   years: int | None) -> str:
    """One sentence on where a metric ended under a scenario (no baseline to compare)."""
    return effects.level_sentence(headline, scenario_name(scenario), level, years)
