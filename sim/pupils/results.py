"""Results like the performance tables: KS2 at the end of Year 6, KS4 at the end of Year 11.

For a year group at the end of the school year, per school: the number of disadvantaged and
other pupils in the cohort and each group's mean attainment (months against the national
expectation; NaN for a group with no pupils at that school). The gap is measured on those
cohorts as the Education Policy Institute measures it: the mean of other pupils minus the
mean of disadvantaged pupils, over every pupil of the cohort in the region; beside it the DfE
disadvantage gap index of the same pupils (`gap_index`).
"""

from __future__ import annotations

import numpy as np

from sim.pupils.roll import Pupils

KS2_YEAR, KS4_YEAR = 6, 11


def cohort_results(pupils: Pupils, year_group: int, n_schools: int) -> dict[str, np.ndarray]:
    """Per school: cohort sizes and mean attainment of disadvantaged and other pupils.
    One pass over the cohort's run of the roll, by (school, group) cell."""
    cohort = pupils.cohort(year_group)
    cell = pupils.school[cohort].astype(np.int64)
    cell *= 2
    cell += pupils.disadvantaged[cohort]
    size = np.bincount(cell, minlength=2 * n_schools).reshape(n_schools, 2)
    total = np.bincount(cell, weights=pupils.attainment[cohort],
                        minlength=2 * n_schools).reshape(n_schools, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(size > 0, total / size, np.nan)
    return {"cohort_disadvantaged": size[:, 1].copy(),
            "attainment_disadvantaged": mean[:, 1].copy(),
            "cohort_other": size[:, 0].copy(), "attainment_other": mean[:, 0].copy()}


def cohort_gap(pupils: Pupils, year_group: int) -> dict[str, float]:
    """Region-wide means of each group in a year group, the gap between them (months), and
    the DfE disadvantage gap index of the same cohort (`gap_index`)."""
    cohort = pupils.cohort(year_group)
    attainment, dis = pupils.attainment[cohort], pupils.disadvantaged[cohort]
    if dis.all() or not dis.any():
        return {"attainment_disadvantaged": float("nan"), "attainment_other": float("nan"),
                "gap_months": float("nan"), "gap_index": float("nan")}
    mean_dis, mean_oth = float(attainment[dis].mean()), float(attainment[~dis].mean())
    return {"attainment_disadvantaged": mean_dis, "attainment_other": mean_oth,
            "gap_months": mean_oth - mean_dis, "gap_index": gap_index(attainment, dis)}


def gap_index(attainment: np.ndarray, disadvantaged: np.ndarray) -> float:
    """The DfE disadvantage gap index: every pupil ranked by attainment (percentile ranks in
    (0, 1)), the mean rank of other pupils minus that of disadvantaged pupils, times 20 so
    that complete separation gives 10 and no gap 0 (DfE, *National curriculum assessments at
    key stage 2*, methodology). Independent of the months scale, so it checks the gap
    against the spread of attainment: England 2018/19 KS2 2.91, KS4 3.70."""
    values = np.sort(attainment)
    dis = np.sort(attainment[disadvantaged])      # sorted queries search fast
    # Mid-ranks (ties share the mean of their positions), as percentiles (r + 0.5) / n.
    n, n_dis = len(values), len(dis)
    left = np.searchsorted(values, dis, "left")
    # Each value is among `values`, so it ends one place on unless it is tied (rare).
    right = left + 1
    tied = np.flatnonzero(values[np.minimum(right, n - 1)] == dis)
    tied = tied[right[tied] < n]
    right[tied] = np.searchsorted(values, dis[tied], "right")
    rank = 0.5 * (left + right - 1)
    mean_dis = (rank.sum() + 0.5 * n_dis) / (n * n_dis)
    mean_oth = (0.5 * n - mean_dis * n_dis) / (n - n_dis)   # all percentiles sum to n / 2
    return float(20.0 * (mean_oth - mean_dis))
