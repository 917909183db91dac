"""What a run reports: one row of system metrics per term, one row per school per year.

Definitions (all attainment in months of progress against the national mean):
- attainment_disadvantaged / _other: pupil-weighted means over each group's pupils;
- gap_months: other minus disadvantaged (also per phase);
- expertise_mean: mean over schools of each school's mean expertise across domains;
  expertise_sd_between: the standard deviation of that school mean across schools;
- between_school_sd: standard deviation across schools of school mean attainment;
- segregation: Duncan's dissimilarity index of disadvantaged pupils across schools,
  D = 1/2 sum_i |dis_i / DIS - other_i / OTHER| (0: even spread, 1: complete separation);
- outstanding_share, good_share, requires_improvement_share, inadequate_share: share of
  schools holding each inspection grade (`sim.inspection`); outstanding_share_primary /
  _secondary: the same for outstanding within each phase (NaN for a phase with no schools);
- learning_loss_disadvantaged / _other: pupil-weighted mean of the unrecovered learning loss
  of each group, months (0 without a pandemic, `sim.shocks`).
"""

from __future__ import annotations

import numpy as np

from sim.calendar import WEEKS_PER_YEAR
from sim.geography import PHASE_NAMES, PRIMARY


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    total = weights.sum()
    return float((values * weights).sum() / total) if total > 0 else float("nan")


def dissimilarity(group_a: np.ndarray, group_b: np.ndarray) -> float:
    """Duncan's dissimilarity index of two groups' counts across units."""
    return float(0.5 * np.abs(group_a / group_a.sum() - group_b / group_b.sum()).sum())


def gap(att_dis, att_oth, n_dis, n_oth) -> float:
    return weighted_mean(att_oth, n_oth) - weighted_mean(att_dis, n_dis)


# Model-level reporters (Mesa's DataCollector style: module-level functions of the model).
def expertise_mean(model) -> float:
    return float(model.state.expertise.mean(axis=1).mean())


def attainment_disadvantaged(model) -> float:
    s = model.state
    return weighted_mean(s.attainment_disadvantaged, s.pupils_disadvantaged)


def attainment_other(model) -> float:
    s = model.state
    return weighted_mean(s.attainment_other, s.pupils_other)


def gap_months(model) -> float:
    s = model.state
    return gap(s.attainment_disadvantaged, s.attainment_other, s.pupils_disadvantaged,
               s.pupils_other)


def between_school_sd(model) -> float:
    return float(model.school_mean_attainment().std())


def segregation(model) -> float:
    s = model.state
    return dissimilarity(s.pupils_disadvantaged, s.pupils_other)


def active_partnerships(model) -> int:
    return int(model.partnerships.active.sum())


# What `model.datacollector` records each term (the headline columns of `term_row`).
MODEL_REPORTERS = {f.__name__: f for f in (
    attainment_disadvantaged, attainment_other, gap_months, expertise_mean,
    between_school_sd, segregation, active_partnerships)}
# Metrics whose final value a run can return to Hydra (`output.objective`).
OBJECTIVES = (*MODEL_REPORTERS, "gap_months_primary", "gap_months_secondary", "mean_trust")


def term_row(model, week: int) -> dict:
    s, phase = model.state, model.region.phase
    school_expertise = s.expertise.mean(axis=1)
    row = {
        "week": week,
        "year": week / WEEKS_PER_YEAR,
        "expertise_mean": expertise_mean(model),
        "expertise_sd_between": float(school_expertise.std()),
        "attainment_disadvantaged": attainment_disadvantaged(model),
        "attainment_other": attainment_other(model),
        "gap_months": gap_months(model),
    }
    for p, name in enumerate(PHASE_NAMES):
        m = phase == p
        row[f"gap_months_{name}"] = gap(s.attainment_disadvantaged[m], s.attainment_other[m],
                                        s.pupils_disadvantaged[m], s.pupils_other[m])
    row["between_school_sd"] = between_school_sd(model)
    row["segregation"] = segregation(model)
    row["pupils"] = float(s.pupils.sum())
    p = model.partnerships
    live = p.active[p.link_group] if p.n_links else np.zeros(0, bool)
    row["active_partnerships"] = active_partnerships(model)
    row["mean_trust"] = float(p.trust[live].mean()) if live.any() else float("nan")
    for component in model.components:
        row.update(component.metric_columns(model))
    row["learning_loss_disadvantaged"] = weighted_mean(s.learning_loss_disadvantaged,
                                                       s.pupils_disadvantaged)
    row["learning_loss_other"] = weighted_mean(s.learning_loss_other, s.pupils_other)
    return row


def school_rows(model, year: int) -> dict:
    s, r = model.state, model.region
    rows = {
        "year": np.full(s.n_schools, year, np.int64),
        "school_id": np.arange(s.n_schools, dtype=np.int64),
        **({"urn": r.urn} if getattr(r, "urn", None) is not None else {}),
        "local_authority": np.asarray(r.la_names, dtype=object)[r.la],
        "phase": np.where(r.phase == PRIMARY, PHASE_NAMES[0], PHASE_NAMES[1]).astype(object),
        "x_km": r.pos_km[:, 0],
        "y_km": r.pos_km[:, 1],
        "pupils": s.pupils,
        "disadvantaged_share": s.disadvantaged_share,
        "expertise_mean": s.expertise.mean(axis=1),
    }
    for d, name in enumerate(model.cfg.school.domains):
        # A copy: a column view would follow later in-place updates of the expertise array.
        rows[f"expertise_{name}"] = s.expertise[:, d].copy()
    rows["attainment_disadvantaged"] = s.attainment_disadvantaged
    rows["attainment_other"] = s.attainment_other
    rows["partners"] = model.partnerships.partner_counts(s.n_schools)
    rows["grade"] = model.inspection.grade_names()
    return rows


def partnership_rows(model) -> dict:
    """One row per partnership link at the end of the run (for drawing the network)."""
    p = model.partnerships
    return {
        "school_a": p.link_a.astype(np.int64),
        "school_b": p.link_b.astype(np.int64),
        "group": p.link_group.astype(np.int64),
        "kind": p.link_kinds(),
        "trust": p.trust.copy(),
        "active": p.active[p.link_group].copy(),
    }
