"""Where the disadvantage gap comes from: inside schools, or between them.

From results.parquet alone (each school's KS2 or KS4 cohort: each group's size and mean
attainment), the gap on those cohorts — the headline `gap_months` of metrics.parquet —
splits exactly into two parts. With n_d, n_o a school's disadvantaged and other pupils in
the cohort, w_d = n_d / sum(n_d) and w_o = n_o / sum(n_o):

    gap = sum w_o a_o - sum w_d a_d
        = sum w_d (a_o - a_d)          within: the gap inside the schools disadvantaged
                                       pupils attend
        + sum (w_o - w_d) a_o          between: other pupils sit in schools where results
                                       are higher (sorting, segregation)

A school with no other pupil in its cohort has no a_o; it is taken as 0 (the national
expectation), which leaves the sum exact (its terms cancel) and gives that school's
disadvantaged pupils a within-school gap against the national expectation.
A scheme that spreads inclusion practice works on the first part; a market that sorts
pupils works on the second.
"""

from __future__ import annotations

import pandas as pd

KEYS = ["run_id", "scenario", "seed", "year"]


def components(results: pd.DataFrame) -> pd.DataFrame:
    """Per run and year: gap, within-school and between-school parts (months)."""
    n_d, n_o = results["cohort_disadvantaged"], results["cohort_other"]
    a_d = results["attainment_disadvantaged"].fillna(0.0)   # weighs nothing where n_d = 0
    a_o = results["attainment_other"].fillna(0.0)           # see the module docstring
    frame = results[KEYS].assign(n_d=n_d, n_o=n_o, d_att=n_d * a_d, o_att=n_o * a_o,
                                 within=n_d * (a_o - a_d), a_o=a_o)
    totals = frame.groupby(KEYS)[["n_d", "n_o", "d_att", "o_att", "within"]].transform("sum")
    frame["between"] = (frame["n_o"] / totals["n_o"] - frame["n_d"] / totals["n_d"]) * frame["a_o"]
    sums = frame.groupby(KEYS, as_index=False).agg(
        n_d=("n_d", "sum"), n_o=("n_o", "sum"), d_att=("d_att", "sum"), o_att=("o_att", "sum"),
        within=("within", "sum"), between=("between", "sum"))
    return pd.DataFrame({
        **{k: sums[k] for k in KEYS},
        "gap_months": sums["o_att"] / sums["n_o"] - sums["d_att"] / sums["n_d"],
        "within_school": sums["within"] / sums["n_d"],
        "between_school": sums["between"]})
