"""Small helpers the validation measures share over a run's tidy tables.

A measure never sees the model: it gets, for one seed, a mapping from the *role* of each
scenario in its check ("programme", "comparison", ...) to that run's outputs
(`sim.outputs.RunResult` without its model: the `metrics`, `schools`, `partnerships`,
`summary` and config a run writes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calendar import WEEKS_PER_YEAR

# Year groups on roll (Reception-Year 6; Years 7-11): cohort size = pupils / years on roll.
YEARS_ON_ROLL = {"primary": 7, "secondary": 5}


def school_attainment(schools: pd.DataFrame) -> pd.Series:
    """Each school's pupil-weighted mean attainment over its two learner groups (months)."""
    share = schools["disadvantaged_share"]
    return share * schools["attainment_disadvantaged"] + (1 - share) * schools["attainment_other"]


def at_year(schools: pd.DataFrame, year: int) -> pd.DataFrame:
    """One year's rows, indexed by school_id."""
    rows = schools[schools["year"] == year]
    if rows.empty:
        raise ValueError(f"year={year} is not in the schools table; allowed: "
                         f"{sorted(schools['year'].unique().tolist())}")
    return rows.set_index("school_id").sort_index()


def last_year(schools: pd.DataFrame) -> int:
    return int(schools["year"].max())


def group_members(partnerships: pd.DataFrame, kinds: tuple[str, ...] | None = None
                  ) -> dict[int, np.ndarray]:
    """Members of each partnership group (from its links), optionally of some kinds only."""
    links = partnerships
    if kinds is not None and len(links):
        links = links[links["kind"].astype(str).isin(kinds)]
    out: dict[int, np.ndarray] = {}
    for group, rows in links.groupby("group"):
        out[int(group)] = np.unique(np.concatenate([rows["school_a"].to_numpy(),
                                                    rows["school_b"].to_numpy()]))
    return out


def group_active(partnerships: pd.DataFrame) -> dict[int, bool]:
    """Whether each group was still active at the end of the run."""
    if partnerships.empty:
        return {}
    return {int(g): bool(a) for g, a in partnerships.groupby("group")["active"].first().items()}


def weighted_mean(values, weights) -> float:
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    total = weights.sum()
    return float((values * weights).sum() / total) if total > 0 else float("nan")


def yearly_results(metrics: pd.DataFrame) -> pd.DataFrame:
    """The metrics rows collected right after each year end (week a positive multiple of
    the school year), with the run's `year` (1: the first year's results), by year."""
    at_year_end = metrics[(metrics["week"] > 0) & (metrics["week"] % WEEKS_PER_YEAR == 0)]
    rows = at_year_end.assign(year=(at_year_end["week"] // WEEKS_PER_YEAR).astype(int))
    return rows.sort_values("year").reset_index(drop=True)
