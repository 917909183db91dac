"""The school calendar on SimPy's clock.

Time is counted in teaching weeks: a school year is 39 teaching weeks in three terms of
13 (holidays are not simulated, nothing happens in them). Things due in the same week run
in a fixed order, expressed as fractional offsets within the week so SimPy orders them:
meetings first, then the end-of-term updates, shocks (closure weeks, recovery), the
end-of-year updates, policy windows opening or closing, inspections, and data collection.
"""

WEEKS_PER_TERM = 13
TERMS_PER_YEAR = 3
WEEKS_PER_YEAR = WEEKS_PER_TERM * TERMS_PER_YEAR
# Working days of a school leader in a term (five a week), the unit of deployments.
WORKING_DAYS_PER_TERM = 5 * WEEKS_PER_TERM

AT_MEETINGS = 0.0
AT_TERM_END = 0.5
AT_SHOCK = 0.6
AT_YEAR_END = 0.7
AT_POLICY = 0.75
AT_INSPECTION = 0.8
AT_COLLECT = 0.9


def term_ends(years: int) -> list[int]:
    """The teaching weeks that close a term, over `years` years."""
    return [t * WEEKS_PER_TERM for t in range(1, years * TERMS_PER_YEAR + 1)]
