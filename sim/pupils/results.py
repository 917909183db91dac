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

from sim.pupils.roll import Pupils, compiled_kernels

KS2_YEAR, KS4_YEAR = 6, 11


def cohort_results(pupils: Pupils, year_group: int, n_schools: int) -> dict[str, np.ndarray]:
    """Per school: cohort sizes and mean attainment of disadvantaged and other pupils.
    One pass over the cohort's run of the roll, by (school, group) cell (`cell_sums`)."""
    cohort = pupils.cohort(year_group)
    size, total = cell_sums(pupils.school[cohort], pupils.disadvantaged[cohort],
                            pupils.attainment[cohort], n_schools,
                            compiled_kernels(len(pupils)))
    size, total = size.reshape(n_schools, 2), total.reshape(n_schools, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(size > 0, total / size, np.nan)
    return {"cohort_disadvantaged": size[:, 1].copy(),
            "attainment_disadvantaged": mean[:, 1].copy(),
            "cohort_other": size[:, 0].copy(), "attainment_other": mean[:, 0].copy()}


def cell_sums(school: np.ndarray, disadvantaged: np.ndarray, values: np.ndarray,
              n_schools: int, compiled=None) -> tuple[np.ndarray, np.ndarray]:
    """Pupils and the sum of `values` (float64) per (school, group) cell, cell
    2 school + group (1: disadvantaged). `compiled`: `sim.pupils.compiled_roll` (or None:
    numpy), the same sums."""
    if compiled is not None:
        return compiled.cell_sums(school, disadvantaged, values, n_schools)
    cell = school.astype(np.int64)
    cell *= 2
    cell += disadvantaged
    return (np.bincount(cell, minlength=2 * n_schools),
            np.bincount(cell, weights=values, minlength=2 * n_schools))


def cohort_gap(pupils: Pupils, year_group: int) -> dict[str, float]:
    """Region-wide means of each group in a year group, the gap between them (months), and
    the DfE disadvantage gap index of the same cohort (`gap_index`)."""
    cohort = pupils.cohort(year_group)
    attainment, dis = pupils.attainment[cohort], pupils.disadvantaged[cohort]
    compiled = compiled_kernels(len(pupils))
    of_dis, of_oth = (compiled.by_group(dis, attainment) if compiled is not None
                      else (attainment[dis], attainment[~dis]))
    # A group with nobody in the cohort has no mean, and then there is no gap; the other
    # group's mean stands (a small region's KS2 cohort can hold no disadvantaged pupil).
    mean_dis = float(of_dis.mean()) if len(of_dis) else float("nan")
    mean_oth = float(of_oth.mean()) if len(of_oth) else float("nan")
    both = len(of_dis) and len(of_oth)
    return {"attainment_disadvantaged": mean_dis, "attainment_other": mean_oth,
            "gap_months": mean_oth - mean_dis,
            "gap_index": _gap_index(of_dis, of_oth, compiled) if both else float("nan")}


def gap_index(attainment: np.ndarray, disadvantaged: np.ndarray) -> float:
    """The DfE disadvantage gap index: every pupil ranked by attainment (percentile ranks in
    (0, 1)), the mean rank of other pupils minus that of disadvantaged pupils, times 20 so
    that complete separation gives 10 and no gap 0 (DfE, *National curriculum assessments at
    key stage 2*, methodology). Independent of the months scale, so it checks the gap
    against the spread of attainment: England 2018/19 KS2 2.91, KS4 3.70."""
    return _gap_index(attainment[disadvantaged], attainment[~disadvantaged])


def _gap_index(of_dis: np.ndarray, of_oth: np.ndarray, compiled=None) -> float:
    """`gap_index` from each group's attainment (`compiled`: see `below_and_tied`, float32).

    Mid-ranks (ties share the mean of their positions) as percentiles (r + 0.5) / n. A
    disadvantaged pupil's mid-rank among everyone is its mid-rank among the disadvantaged
    plus the other pupils below it (half of those tied with it); the first part sums to
    n_dis (n_dis - 1) / 2 whatever the ties, so only the other pupils are searched, and the
    sum is exact in integers (no sort of the whole cohort)."""
    n_dis, n_oth = len(of_dis), len(of_oth)
    n = n_dis + n_oth
    below, tied = below_and_tied(of_dis, of_oth, compiled)
    twice_rank_sum = n_dis * (n_dis - 1) + 2 * below + tied
    mean_dis = (twice_rank_sum / 2 + 0.5 * n_dis) / (n * n_dis)
    mean_oth = (0.5 * n - mean_dis * n_dis) / (n - n_dis)   # all percentiles sum to n / 2
    return float(20.0 * (mean_oth - mean_dis))


def below_and_tied(of_dis: np.ndarray, of_oth: np.ndarray, compiled=None) -> tuple[int, int]:
    """The other pupils below each disadvantaged pupil, and those tied with one (rare),
    each summed over the disadvantaged pupils. `compiled`: `sim.pupils.compiled_roll` (or
    None: numpy's sort and searches), which sorts by radix and counts in one merge: the
    same integers."""
    if compiled is not None:
        below, tied = compiled.below_and_tied(compiled.sorted_values(of_dis),
                                              compiled.sorted_values(of_oth))
        return int(below), int(tied)
    dis, oth = np.sort(of_dis), np.sort(of_oth)     # sorted queries search fast
    below = np.searchsorted(oth, dis, "left")
    maybe = np.flatnonzero(below < len(oth))
    maybe = maybe[oth[below[maybe]] == dis[maybe]]
    tied = np.searchsorted(oth, dis[maybe], "right") - below[maybe]
    return int(below.sum()), int(tied.sum())
