"""Comparison: the baseline and the current run side by side, in numbers.

Both runs are read at the same week (the later of the two may still be running), so a
difference is never a difference in how far the runs have got. With the same seed the two
runs share the region and every random draw the settings do not touch (common random
numbers), so the difference is the effect of the settings.
"""

from __future__ import annotations

import pandas as pd

from sim import calendar
from sim.dashboard.runner import Snapshot
from sim.headlines import HEADLINES

# For each headline: whether a higher value is better, and the smallest difference called
# a difference at all. One run of each setting carries cohort noise of a few tenths of a
# month, so smaller differences read as "about the same"; replicates (`schoolsim -m ...
# seed=1,2,3`) say how sure a difference is.
HIGHER_IS_BETTER = {
    "gap_months": False, "gap_months_primary": False, "gap_months_secondary": False,
    "attainment_disadvantaged": True, "attainment_other": True, "expertise_mean": True,
    "between_school_sd": False, "segregation": False,
}
TOLERANCE = {"expertise_mean": 0.01, "segregation": 0.01, "outstanding_share": 0.01}
TOLERANCE_MONTHS = 0.5
# Shown after the CLI's headlines when the run reports them (inspection grades).
EXTRA_HEADLINES = (("outstanding_share", "Schools graded outstanding (share)"),)
HIGHER_IS_BETTER["outstanding_share"] = True


def common_week(baseline: Snapshot, current: Snapshot) -> int | None:
    """The last week both runs have a metrics row for."""
    if baseline.metrics.empty or current.metrics.empty:
        return None
    weeks = set(baseline.metrics["week"]) & set(current.metrics["week"])
    return max(weeks) if weeks else None


def comparison_table(baseline: Snapshot, current: Snapshot) -> pd.DataFrame:
    """One row per headline metric: baseline, current, difference and which is better."""
    week = common_week(baseline, current)
    if week is None:
        return pd.DataFrame()
    b = baseline.metrics.set_index("week").loc[week]
    c = current.metrics.set_index("week").loc[week]
    rows = []
    for key, label in (*HEADLINES, *EXTRA_HEADLINES):
        if key not in b.index or key not in c.index:
            continue
        diff = float(c[key] - b[key])
        better = HIGHER_IS_BETTER.get(key)
        if better is None or abs(diff) < TOLERANCE.get(key, TOLERANCE_MONTHS):
            verdict = "about the same"
        else:
            verdict = "current better" if (diff > 0) == better else "baseline better"
        rows.append({"measure": label.strip(), f"{baseline.label} (baseline)": float(b[key]),
                     f"{current.label} (current)": float(c[key]), "difference": diff,
                     "which is better": verdict})
    table = pd.DataFrame(rows)
    table.attrs["year"] = week / calendar.WEEKS_PER_YEAR
    return table


def format_table(table: pd.DataFrame) -> pd.DataFrame:
    """Numbers rounded for reading, the difference signed."""
    out = table.copy()
    for col in out.columns[1:4]:
        if col == "difference":
            out[col] = out[col].map(lambda v: f"{v:+.2f}")
        else:
            out[col] = out[col].map(lambda v: f"{v:.2f}")
    return out
