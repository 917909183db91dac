"""Comparison: the baseline and the current setting side by side, over their seeds.

Both are read at the same week (the later of the two may still be running), so a
difference is never a difference in how far the runs have got. Seeds both ran are pairs:
each pair shares the region and every random draw the settings do not touch (common random
numbers), so the per-seed difference is the effect of the settings. How sure an effect is,
and the words for it, are `sim.effects`, the same as the report's: from fewer than
`ENOUGH_SEEDS` pairs the range of the differences and never a clear effect; from more, a
confidence interval of the mean difference. The share of pairs in which the current
setting did better is the chance that it beats the baseline in a region drawn like these.
"""

from __future__ import annotations

import pandas as pd

from sim import calendar, effects
from sim.dashboard.runner import Snapshot

# The measures compared, in the report's order; those a run does not report are skipped.
MEASURES = ("gap_months", "attainment_disadvantaged", "attainment_other",
            "gap_months_primary", "attainment_disadvantaged_primary", "attainment_other_primary",
            "gap_months_secondary", "attainment_disadvantaged_secondary",
            "attainment_other_secondary", "expertise_mean", "between_school_sd", "segregation",
            "active_partnerships", "mean_trust", "outstanding_share")
# Each gap with the two groups' attainment it is made of (KS2 and KS4 cohorts pooled, KS2,
# KS4): a narrower gap is flagged when other pupils' fall made it.
GAPS = ("", "_primary", "_secondary")
READING = {effects.BETTER: "current better", effects.WORSE: "baseline better",
           effects.UNCLEAR: "unclear", effects.SAME: "the same"}


def common_week(baseline: Snapshot, current: Snapshot) -> int | None:
    """The last week both runs have a metrics row for."""
    if baseline.metrics.empty or current.metrics.empty:
        return None
    weeks = set(baseline.all_metrics["week"]) & set(current.all_metrics["week"])
    return max(weeks) if weeks else None


def _at(run: Snapshot, week: int) -> pd.DataFrame:
    m = run.all_metrics
    return m[m["week"] == week].groupby("seed").last()


def comparison_table(baseline: Snapshot, current: Snapshot) -> pd.DataFrame:
    """One row per measure: baseline and current means over their seeds, the effect with
    its named interval, the reading, and in how many seed pairs the current did better."""
    week = common_week(baseline, current)
    if week is None:
        return pd.DataFrame()
    b, c = _at(baseline, week), _at(current, week)
    pairs = b.index.intersection(c.index)
    rows = []
    for key in MEASURES:
        if key not in b.columns or key not in c.columns:
            continue
        h = effects.BY_COLUMN[key]
        diff = (effects.paired_effect(c.loc[pairs, key] - b.loc[pairs, key]) if len(pairs)
                else effects.unpaired_effect(c[key], b[key]))
        share = effects.share_better(h, diff)
        rows.append({
            "measure": h.label, f"{baseline.label} (baseline)": float(b[key].mean()),
            f"{current.label} (current)": float(c[key].mean()), "difference": diff.mean,
            "interval": "" if diff.n == 0 else (f"{effects.plus(h, diff.low, diff)} to "
                                                f"{effects.plus(h, diff.high, diff)}"),
            "interval is": diff.interval_name() if diff.n else "no pairs to compare",
            "reading": READING[effects.verdict(h, diff)],
            "current better in": ("" if share is None or diff.exactly_zero else
                                  f"{round(share * diff.n)} of {diff.n} seeds"),
            "effect": diff, "headline": h})
    table = pd.DataFrame(rows)
    table.attrs["year"] = week / calendar.WEEKS_PER_YEAR
    table.attrs["pairs"] = len(pairs)
    return table


def format_table(table: pd.DataFrame) -> pd.DataFrame:
    """Numbers rounded for reading, the difference signed; the working columns dropped."""
    out = table.drop(columns=["effect", "headline"])
    for col in out.columns[1:3]:
        out[col] = [h.number(v) for h, v in zip(table["headline"], table[col])]
    out["difference"] = [effects.plus(h, d.mean, d) for h, d in
                         zip(table["headline"], table["effect"])]
    return out


def parameter_draws(*runs: Snapshot) -> str:
    """Whether the compared runs drew their parameters from the posterior ensemble."""
    drew = [run.posterior for run in runs]
    return effects.POSTERIOR if all(drew) else effects.FIXED if not any(drew) else \
        effects.MIXED


def sentences(table: pd.DataFrame, baseline: Snapshot, current: Snapshot) -> list[str]:
    """The report's sentences for the gap and disadvantaged pupils' attainment, and the
    warning when the gap narrowed because other pupils fell."""
    if table.empty:
        return []
    years = round(table.attrs["year"]) if float(table.attrs["year"]).is_integer() else None
    by = table.set_index("measure")
    said = []
    for _, row in by.iterrows():
        if row["headline"].column in ("gap_months", "attainment_disadvantaged"):
            who, against = f"{current.label} (current)", f"{baseline.label} (baseline)"
            said.append(effects.difference_sentence(row["headline"], who, against,
                                                    row["effect"], years))
            said.append(effects.chance_sentence(row["headline"], who, against, row["effect"],
                                                years))
    said = [s for s in said if s]
    said.append(effects.uncertainty_note(parameter_draws(baseline, current)))
    found = {row["headline"].column: row["effect"] for _, row in by.iterrows()}
    for suffix in GAPS:
        columns = [f"{c}{suffix}" for c in
                   ("gap_months", "attainment_disadvantaged", "attainment_other")]
        if set(columns) <= found.keys():
            gap, dis, oth = (found[c] for c in columns)
            if effects.narrowed_by_falling(gap, dis, oth):
                said.append(effects.narrowed_by_falling_note(dis, oth, suffix))
    return said
