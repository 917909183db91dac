"""Where the disadvantage gap comes from: inside schools, or between them.

From schools.parquet alone (pupils, disadvantaged_share and each group's attainment), the
system-wide gap splits exactly into two parts. With n_d, n_o a school's disadvantaged and
other pupils, w_d = n_d / sum(n_d) and w_o = n_o / sum(n_o):

    gap = sum w_o a_o - sum w_d a_d
        = sum w_d (a_o - a_d)          within: the gap inside the schools disadvantaged
                                       pupils attend
        + sum (w_o - w_d) a_o          between: other pupils sit in schools where results
                                       are higher (sorting, segregation)

A scheme that spreads inclusion practice works on the first part; a market that sorts
pupils works on the second.
"""

from __future__ import annotations

import pandas as pd

KEYS = ["run_id", "scenario", "seed", "year"]


def components(schools: pd.DataFrame) -> pd.DataFrame:
    """Per run and year: gap, within-school and between-school parts (months)."""
    n_d = schools["pupils"] * schools["disadvantaged_share"]
    n_o = schools["pupils"] - n_d
    frame = schools[KEYS].assign(
        n_d=n_d, n_o=n_o, d_att=n_d * schools["attainment_disadvantaged"],
        o_att=n_o * schools["attainment_other"],
        within=n_d * (schools["attainment_other"] - schools["attainment_disadvantaged"]),
        a_o=schools["attainment_other"])
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
