"""What a run reports: one row of system metrics per term, one row per school per year.

Definitions (all attainment in months against the national expectation for age, measured on
the latest results, as the EPI measures the gap; they change at each year end):
- attainment_disadvantaged_primary / _other_primary: each group's mean at KS2 (end of Year
  6), over every pupil of the region's cohort; _secondary: the same at KS4 (end of Year 11);
- gap_months_primary / _secondary: other minus disadvantaged at KS2 / KS4;
- attainment_disadvantaged / _other and gap_months: the same over the KS2 and KS4 cohorts
  together (pupil-weighted);
- gap_index_ks2 / _ks4: the DfE disadvantage gap index of the same cohorts (0-10, rank based,
  independent of the months scale; `sim.pupils.results.gap_index`);
- expertise_mean: mean over schools of each school's mean expertise across domains;
  expertise_sd_between: the standard deviation of that school mean across schools;
- between_school_sd: standard deviation of school mean attainment across the schools with
  pupils, each school's mean taken about its own phase's mean (the pooled within-phase sd):
  league tables compare a primary's KS2 results with other primaries and a secondary's KS4
  results with other secondaries, never with each other;
- segregation: Duncan's dissimilarity index of disadvantaged pupils on roll across schools,
  D = 1/2 sum_i |dis_i / DIS - other_i / OTHER| (0: even spread, 1: complete separation);
  segregation_primary / _secondary: the same within each phase. Pupils move only by intake,
  transition at 11 and mobility (`sim.pupils`), so segregation is an outcome;
- pupils: pupils on roll;
- outstanding_share, good_share, requires_improvement_share, inadequate_share: share of
  schools holding each inspection grade (`sim.inspection`); outstanding_share_primary /
  _secondary: the same for outstanding within each phase (NaN for a phase with no schools);
- learning_loss_disadvantaged / _other: mean learning loss not yet made up over each
  group's pupils on roll, months (0 without a pandemic, `sim.shocks`).
"""

from __future__ import annotations

import numpy as np

from sim.calendar import WEEKS_PER_YEAR
from sim.geography import PHASE_NAMES, PRIMARY


def dissimilarity(group_a: np.ndarray, group_b: np.ndarray) -> float:
    """Duncan's dissimilarity index of two groups' counts across units (NaN where a group
    has nobody: a phase with no school, or no disadvantaged pupil)."""
    total_a, total_b = group_a.sum(), group_b.sum()
    if total_a == 0 or total_b == 0:
        return float("nan")
    return float(0.5 * np.abs(group_a / total_a - group_b / total_b).sum())


# Model-level reporters (Mesa's DataCollector style: module-level functions of the model).
def expertise_mean(model) -> float:
    return float(model.state.expertise.mean(axis=1).mean())


def attainment_disadvantaged(model) -> float:
    return model.pupil_system.headline()["attainment_disadvantaged"]


def attainment_other(model) -> float:
    return model.pupil_system.headline()["attainment_other"]


def gap_months(model) -> float:
    return model.pupil_system.headline()["gap_months"]


def between_school_sd(model) -> float:
    """Spread of the schools' mean attainment about their phase's mean, pooled over the
    schools with pupils (a school without pupils has no mean); NaN only if no school has any.

    Why about each phase's mean: a secondary's pupils have had more years of every school's
    value added than a primary's, so anything that raises progress everywhere moves the
    secondaries' mean away from the primaries'. Over both phases together that difference
    counted as spread between schools: at the session-6 defaults (GM, year 10, seeds 1-20)
    trios put the secondaries' mean 4.46 months above the primaries' (no scheme: -0.27) and
    so "widened" the spread to 3.03 months while narrowing it within each phase (primaries
    2.29 against 2.52 under no scheme, secondaries 3.41 against 3.99)."""
    means, phase = model.school_mean_attainment(), model.region.phase
    has_pupils = model.state.has_pupils
    if not has_pupils.any():
        return float("nan")
    deviations = [m - m.mean() for m in (means[has_pupils & (phase == p)]
                                         for p in range(len(PHASE_NAMES))) if len(m)]
    return float(np.sqrt(np.mean(np.concatenate(deviations) ** 2)))


def segregation(model) -> float:
    s = model.state
    return dissimilarity(s.pupils_disadvantaged, s.pupils_other)


def segregation_by_phase(model) -> dict[str, float]:
    s, phase = model.state, model.region.phase
    return {f"segregation_{name}": dissimilarity(s.pupils_disadvantaged[phase == p],
                                                 s.pupils_other[phase == p])
            for p, name in enumerate(PHASE_NAMES)}


def active_partnerships(model) -> int:
    return int(model.partnerships.active.sum())


# The headline attainment columns of a term row (`sim.pupils.system.PupilSystem.headline`):
# every gap with each group's attainment beside it.
HEADLINE_COLUMNS = (
    "attainment_disadvantaged", "attainment_other", "gap_months",
    "attainment_disadvantaged_primary", "attainment_other_primary", "gap_months_primary",
    "attainment_disadvantaged_secondary", "attainment_other_secondary", "gap_months_secondary",
    "gap_index_ks2", "gap_index_ks4")

# What `model.datacollector` records each term (the headline columns of `term_row`).
MODEL_REPORTERS = {f.__name__: f for f in (
    attainment_disadvantaged, attainment_other, gap_months, expertise_mean,
    between_school_sd, segregation, active_partnerships)}
# Metrics whose final value a run can return to Hydra (`output.objective`).
OBJECTIVES = (*MODEL_REPORTERS, "gap_months_primary", "gap_months_secondary", "mean_trust")


def term_row(model, week: int) -> dict:
    s = model.state
    school_expertise = s.expertise.mean(axis=1)
    row = {
        "week": week,
        "year": week / WEEKS_PER_YEAR,
        "expertise_mean": expertise_mean(model),
        "expertise_sd_between": float(school_expertise.std()),
    }
    headline = model.pupil_system.headline()
    row.update({key: headline[key] for key in HEADLINE_COLUMNS})
    row["between_school_sd"] = between_school_sd(model)
    row["segregation"] = segregation(model)
    row.update(segregation_by_phase(model))
    row["pupils"] = float(model.pupil_system.on_roll)
    p = model.partnerships
    live = p.active[p.link_group] if p.n_links else np.zeros(0, bool)
    row["active_partnerships"] = active_partnerships(model)
    row["mean_trust"] = float(p.trust[live].mean()) if live.any() else float("nan")
    for component in model.components:
        row.update(component.metric_columns(model))
    row.update(model.pupil_system.loss_by_group())
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
