"""Take-up of a practice, read from schools.parquet.

The model has no yes/no adoption flag: a school's practice in a domain is a level of
expertise (0-1). A school counts as having *taken up* a practice once its expertise in
that domain reaches a threshold. By default the threshold is the level the best
`quantile` of schools had at the start (year 0, pooled over every run given), so take-up
starts near 1 - quantile everywhere and the curves show how far each scheme spreads the
practice that was already in the best schools ("expertise exists but isn't moving around").
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

DEFAULT_DOMAIN = "inclusion"  # the domain that weighs most for disadvantaged learners
DEFAULT_QUANTILE = 0.8


@dataclass(frozen=True)
class TakeUp:
    table: pd.DataFrame   # run_id, scenario, seed, year, take_up (% of schools)
    domain: str
    threshold: float
    quantile: float | None  # None when the threshold was given explicitly

    def definition(self) -> str:
        """One sentence a reader needs beside the figure."""
        rule = f"expertise in {self.domain} at least {self.threshold:.2f}"
        if self.quantile is None:
            return f"Taken up = {rule}."
        top = round(100 * (1 - self.quantile))
        return f"Taken up = {rule} (the level of the top {top} % of schools at the start)."


def threshold_at_start(schools: pd.DataFrame, domain: str, quantile: float) -> float:
    column = f"expertise_{domain}"
    start = schools.loc[schools["year"] == schools["year"].min(), column]
    return float(start.quantile(quantile))


def take_up(schools: pd.DataFrame, domain: str = DEFAULT_DOMAIN, threshold: float | None = None,
            quantile: float = DEFAULT_QUANTILE) -> TakeUp:
    """Share of schools (%) at or above the threshold, per run and year."""
    column = f"expertise_{domain}"
    if column not in schools.columns:
        domains = sorted(c.removeprefix("expertise_") for c in schools.columns
                         if c.startswith("expertise_") and c != "expertise_mean")
        raise ValueError(f"domain={domain} is not in the schools table; allowed: "
                         f"{', '.join(domains)}")
    given = threshold is not None
    if not given:
        threshold = threshold_at_start(schools, domain, quantile)
    adopted = schools.assign(take_up=100.0 * (schools[column] >= threshold))
    table = (adopted.groupby(["run_id", "scenario", "seed", "year"], as_index=False)["take_up"]
             .mean())
    return TakeUp(table, domain, float(threshold), None if given else quantile)
