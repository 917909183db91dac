"""Each check's measure: a number from the tidy tables of one seed's runs.

Every function takes `runs`, a mapping from a scenario's role in the check ("programme",
"comparison", ...) to that run's outputs (`RunResult`), and returns a float (NaN when the
quantity is not defined for this seed, e.g. no partnership outlived the funding; the report says so).
Comparisons between roles are paired by seed: the runs share the region, the starting
state and every random draw the scenarios do not change (common random numbers), so
school `i` is the same school in every role and cohort noise is the same in both.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from experiments.evidence import trend_change
from experiments.validation.tables import (YEARS_ON_ROLL, at_year, group_active,
                                           group_members, last_year, school_attainment,
                                           weighted_mean, yearly_results)
from sim.geography import PHASE_NAMES, PRIMARY, SECONDARY
from sim.outputs import RunResult
from sim.pupils.progress import ProgressParams, value_added

Runs = Mapping[str, RunResult]


def _need(runs: Runs, *roles: str) -> list[RunResult]:
    missing = [r for r in roles if r not in runs]
    if missing:
        raise KeyError(f"runs lack role(s) {missing}; have {sorted(runs)}")
    return [runs[r] for r in roles]


def _same_schools(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Paired measures need the same schools (same seed, same region) in both runs."""
    if not (a.index.equals(b.index)
            and np.allclose(a["disadvantaged_share"], b["disadvantaged_share"])):
        raise ValueError("the paired runs do not have the same schools; run both scenarios "
                         "with the same seed and region (common random numbers)")


# -------------------------------------------------------------------- fact 1: GM Challenge


def top_quintile(start: pd.DataFrame, quantile: float = 0.8) -> pd.Index:
    """Schools serving the most disadvantaged communities: the top fifth by disadvantaged
    share at the start (ties at the cut included)."""
    cut = start["disadvantaged_share"].quantile(quantile)
    return start.index[start["disadvantaged_share"] >= cut]


def improvement(run: RunResult, schools: pd.Index, year: int | None = None) -> float:
    """Change in mean attainment (months, pupil-weighted by starting roll) of `schools`
    from the start to `year` (default: the last year of the run)."""
    year = last_year(run.schools) if year is None else year
    start, end = at_year(run.schools, 0), at_year(run.schools, year)
    change = school_attainment(end).loc[schools] - school_attainment(start).loc[schools]
    return weighted_mean(change, start.loc[schools, "pupils"])


def disadvantaged_improvement_ratio(runs: Runs, quantile: float = 0.8) -> float:
    """Improvement of the most disadvantaged schools under the programme divided by the
    improvement of the same schools in the comparison run (NaN if that is not positive:
    a ratio to no improvement, or to a decline, says nothing)."""
    programme, comparison = _need(runs, "programme", "comparison")
    start_p, start_c = at_year(programme.schools, 0), at_year(comparison.schools, 0)
    _same_schools(start_p, start_c)
    top = top_quintile(start_p, quantile)
    denominator = improvement(comparison, top)
    if not denominator > 0:
        return float("nan")
    return improvement(programme, top) / denominator


# ------------------------------------------------------------ fact 2: outstanding shares


def outstanding_change_points(runs: Runs, phase: str) -> float:
    """Change in the share of schools of `phase` graded outstanding from the start to the
    end of the run, in percentage points."""
    (programme,) = _need(runs, "programme")
    col = programme.metrics[f"outstanding_share_{phase}"]
    return float(100 * (col.iloc[-1] - col.iloc[0]))


def outstanding_start_percent(runs: Runs, phase: str) -> float:
    (programme,) = _need(runs, "programme")
    return float(100 * programme.metrics[f"outstanding_share_{phase}"].iloc[0])


# --------------------------------------------------------------------- fact 3: start gap


def initial_gap(runs: Runs, phase: str) -> float:
    """Disadvantage gap (months) of `phase` at week 0."""
    (run,) = _need(runs, "run")
    metrics = run.metrics.sort_values("week")
    return float(metrics[f"gap_months_{phase}"].iloc[0])


# ---------------------------------------------------------------------- fact 4: pandemic


def peak_loss_ratio(runs: Runs) -> float:
    """Peak unrecovered learning loss of disadvantaged pupils over that of other pupils
    (the pupil-weighted means at term ends)."""
    (pandemic,) = _need(runs, "pandemic")
    m = pandemic.metrics
    other = m["learning_loss_other"].max()
    return float(m["learning_loss_disadvantaged"].max() / other) if other > 0 else float("nan")


def _first_results_after_closure(run: RunResult) -> int:
    """The week of the first yearly results after the closure ends."""
    start = float(run.setting("shocks.pandemic.start_year"))
    weeks = int(run.setting("shocks.pandemic.closure_weeks"))
    per_year = int(run.summary.get("weeks_per_year", 39))
    end_week = round(start * per_year) + weeks - 1
    return int(np.ceil((end_week + 1) / per_year) * per_year)


def gap_rise(runs: Runs, phase: str = "primary") -> float:
    """Relative rise of the disadvantage gap at the first results after the closure,
    against the same seed without the pandemic: gap_pandemic / gap_without - 1."""
    pandemic, without = _need(runs, "pandemic", "no_pandemic")
    week = _first_results_after_closure(pandemic)
    col = f"gap_months_{phase}"

    def at(run: RunResult) -> float:
        rows = run.metrics[run.metrics["week"] == week]
        if rows.empty:
            raise ValueError(f"no metrics row at week {week}; run at least "
                             f"{week // 39} years")
        return float(rows[col].iloc[0])

    return at(pandemic) / at(without) - 1


# ------------------------------------------------------------ facts 5, 6: end differences


def segregation_at_start(runs: Runs, phase: str) -> float:
    """Segregation of disadvantaged pupils across the schools of `phase` at week 0 (after
    the pupils' spin-up: who goes where is the model's, not the region's input)."""
    (run,) = _need(runs, "run")
    metrics = run.metrics.sort_values("week")
    return float(metrics[f"segregation_{phase}"].iloc[0])


def end_difference(runs: Runs, metric: str, a: str, b: str) -> float:
    """`metric` in the last metrics row of role `a` minus that of role `b`."""
    ta, tb = _need(runs, a, b)
    return float(ta.metrics[metric].iloc[-1] - tb.metrics[metric].iloc[-1])


# -------------------------------------------------------- fact 7: fade after the funding


def school_gains(runs: Runs, year: int) -> pd.Series:
    """Each school's attainment under the programme minus under the comparison, at
    `year` (months; paired by seed, so cohort noise cancels)."""
    programme, comparison = _need(runs, "programme", "comparison")
    p, c = at_year(programme.schools, year), at_year(comparison.schools, year)
    _same_schools(at_year(programme.schools, 0), at_year(comparison.schools, 0))
    return school_attainment(p) - school_attainment(c)


def _funded_years(run: RunResult) -> int:
    end = run.setting("policy.funding.end_year")
    if end is None:
        raise ValueError("the programme run has no funding end (policy.funding.end_year)")
    return int(round(float(end)))


def school_value_added(run: RunResult, year: int) -> pd.Series:
    """Months of progress a year each school adds beyond the national expectation from its
    practice in `year` (`sim.pupils.progress.value_added` at the expertise the schools table
    records, with the run's progress settings), pupil-weighted over its two groups, indexed
    by school_id. The persistent school effect is left out: a paired difference cancels it."""
    rows = at_year(run.schools, year)
    params = ProgressParams(**OmegaConf.to_container(run.setting("pupils.progress"),
                                                     resolve=True))
    expertise = rows[[f"expertise_{d}" for d in run.setting("school.domains")]].to_numpy(float)
    phase = np.where(rows["phase"].astype(str) == PHASE_NAMES[SECONDARY], SECONDARY, PRIMARY)
    dis, oth = value_added(expertise, phase, np.zeros(len(rows)), params)
    share = rows["disadvantaged_share"]
    return share * dis + (1 - share) * oth


def value_added_fade(runs: Runs) -> float:
    """Share of the programme's gain in value added at the end of the funding that is gone
    by the end of the run: 1 - gain(end) / gain(funding end), each gain the programme's
    value added minus the comparison's (same seed), pupil-weighted over all schools by
    their starting roll. NaN when the programme added nothing by the funding's end.

    Value added, not attainment: a school's mean attainment (or a results cohort's) sums
    the value added of every year its pupils have spent there, so it goes on rising for
    years after the value added itself starts to fall, and cannot show a fade."""
    programme, comparison = _need(runs, "programme", "comparison")
    _same_schools(at_year(programme.schools, 0), at_year(comparison.schools, 0))
    weights = at_year(programme.schools, 0)["pupils"]

    def gain(year: int) -> float:
        return weighted_mean(school_value_added(programme, year)
                             - school_value_added(comparison, year), weights)

    at_end = gain(_funded_years(programme))
    if not at_end > 0:
        return float("nan")
    return 1 - gain(last_year(programme.schools)) / at_end


def families_outliving_funding(runs: Runs, kinds: tuple[str, ...] = ("families",)) -> float:
    """Programme groups still meeting at the end of the run (years after the funding
    ended)."""
    (programme,) = _need(runs, "programme")
    return float(sum(group_active(_of_kinds(programme.partnerships, kinds)).values()))


def _of_kinds(partnerships: pd.DataFrame, kinds: tuple[str, ...]) -> pd.DataFrame:
    return partnerships[partnerships["kind"].astype(str).isin(kinds)]


def retention_where_partnerships_outlive(runs: Runs, kinds: tuple[str, ...] = ("families",)
                                         ) -> float:
    """Gain kept (gain at the end / gain when funding ended) by schools whose partnership
    was still meeting at the end, minus that kept by schools whose partnership stopped.
    NaN when every partnership stopped (or none did): there is nothing to compare."""
    programme = runs["programme"]
    funded = _funded_years(programme)
    members = group_members(programme.partnerships, kinds)
    active = group_active(programme.partnerships)
    alive = [s for g, m in members.items() if active.get(g) for s in m]
    stopped = [s for g, m in members.items() if not active.get(g) for s in m]
    stopped = sorted(set(stopped) - set(alive))
    if not alive or not stopped:
        return float("nan")
    weights = at_year(programme.schools, 0)["pupils"]
    g0, g1 = school_gains(runs, funded), school_gains(runs, last_year(programme.schools))

    def kept(ids) -> float:
        ids = sorted(set(ids))
        base = weighted_mean(g0.loc[ids], weights.loc[ids])
        return weighted_mean(g1.loc[ids], weights.loc[ids]) / base if base > 0 else float("nan")

    return kept(alive) - kept(stopped)


# ------------------------------------------------------------ fact 8: mixed partnerships

# The spread of one pupil's result within a school's cohort, months, by phase: what the
# pupils model gives in the year groups about to sit KS2 and KS4 (within-school sd, a
# 600-school region, seed 1: 14.8 and 26.7; it grows through secondary with the gap).
PUPIL_SD_MONTHS = {"primary": 15.0, "secondary": 27.0}


def cohort_results(results: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each school's results cohort in `year` (`results.parquet`): `cohort` (pupils who sat
    KS2 or KS4 there) and `result` (their mean attainment, months; NaN with no cohort),
    indexed by school_id."""
    rows = results[results["year"] == year].set_index("school_id").sort_index()
    if rows.empty:
        raise ValueError(f"year={year} is not in the results table; allowed: "
                         f"{sorted(results['year'].unique().tolist())}")
    cohort = rows["cohort_disadvantaged"] + rows["cohort_other"]
    total = (rows["cohort_disadvantaged"] * rows["attainment_disadvantaged"]
             + rows["cohort_other"] * rows["attainment_other"])
    return pd.DataFrame({"cohort": cohort, "result": total / cohort.where(cohort > 0),
                         "phase": rows["phase"].astype(str)})


def partnership_effects(runs: Runs, programmes: tuple[str, ...] = ("programme",),
                        kinds: tuple[str, ...] | None = None, z: float = 1.96) -> pd.DataFrame:
    """One row per partnership of the `programmes` roles' runs (of `kinds`, None: every
    kind): its members' effect on the results of the run's last year and whether an
    evaluator could measure it.

    effect: cohort-weighted mean over the members of (their KS2 or KS4 results in the last
    year under the programme) minus (the same schools' results that year under the
    comparison, same seed) -- the partnership's true effect on what is published, months.
    An evaluator sees it through cohort noise: the members' mean result moves between two
    cohorts with sd se = sqrt(2 sum_i cohort_i sd_i^2) / sum_i cohort_i, cohort_i member
    i's results cohort and sd_i the spread of one pupil's result in its phase
    (`PUPIL_SD_MONTHS`). The effect is *measurable* if |effect| >= z * se. Members with no
    results cohort that year (none sat the tests) carry no weight.
    """
    (comparison,) = _need(runs, "comparison")
    rows = []
    for role in programmes:
        (programme,) = _need(runs, role)
        year = int(programme.results["year"].max())
        _same_schools(at_year(programme.schools, 0), at_year(comparison.schools, 0))
        seen, alone = cohort_results(programme.results, year), cohort_results(
            comparison.results, year)
        difference = (seen["result"] - alone["result"]).fillna(0.0)
        variance = seen["cohort"] * seen["phase"].map(PUPIL_SD_MONTHS).astype(float) ** 2
        for group, ids in group_members(programme.partnerships, kinds).items():
            cohort = seen["cohort"].loc[ids]
            if not cohort.sum() > 0:
                continue
            effect = weighted_mean(difference.loc[ids], cohort)
            se = float(np.sqrt(2.0 * variance.loc[ids].sum()) / cohort.sum())
            kind = programme.partnerships.loc[programme.partnerships["group"] == group,
                                              "kind"].astype(str).iloc[0]
            rows.append({"role": role, "group": group, "kind": kind, "members": len(ids),
                         "effect": effect, "se": se, "measurable": abs(effect) >= z * se})
    return pd.DataFrame(rows, columns=["role", "group", "kind", "members", "effect", "se",
                                       "measurable"])


def share_without_measurable_effect(runs: Runs, programmes: tuple[str, ...] = ("programme",),
                                    kinds: tuple[str, ...] | None = None,
                                    z: float = 1.96) -> float:
    """Share of the partnerships of all `programmes` pooled (each counts once) whose effect
    an evaluator could not tell from cohort noise (`partnership_effects`)."""
    effects = partnership_effects(runs, programmes, kinds, z)
    if effects.empty:
        return float("nan")
    return float(1 - effects["measurable"].mean())


# --------------------------------------------------------------- fact 9: Families formed


def intake_index(start: pd.DataFrame, w_prior: float = 0.66, w_deprivation: float = 0.20
                 ) -> pd.Series:
    """The Families of Schools intake index on the features the tables hold: prior
    attainment (school mean attainment at the start) and deprivation (disadvantaged share),
    each standardised within phase, with the 2011 weights renormalised to these two."""
    out = pd.Series(0.0, index=start.index)
    att = school_attainment(start)
    for _, idx in start.groupby(start["phase"].astype(str)).groups.items():
        z_att = (att.loc[idx] - att.loc[idx].mean()) / att.loc[idx].std()
        share = start.loc[idx, "disadvantaged_share"]
        z_dep = (share - share.mean()) / share.std()
        out.loc[idx] = (w_prior * z_att - w_deprivation * z_dep) / (w_prior + w_deprivation)
    return out


def family_spread_ratio(runs: Runs) -> float:
    """Pooled within-family sd of the intake index over its sd within the phase — what a
    random group of any size would have on average (1: no better than random)."""
    (run,) = _need(runs, "families")
    start = at_year(run.schools, 0)
    index = intake_index(start)
    within, dof = 0.0, 0
    for ids in group_members(run.partnerships, ("families",)).values():
        if len(ids) > 1:
            within += float(index.loc[ids].var(ddof=1)) * (len(ids) - 1)
            dof += len(ids) - 1
    if dof == 0:
        return float("nan")
    phase = start["phase"].astype(str)
    population = sum(float(index[phase == p].var(ddof=1)) * ((phase == p).sum() - 1)
                     for p in phase.unique()) / (len(index) - phase.nunique())
    return float(np.sqrt((within / dof) / population))


def family_competitor_pairs(runs: Runs) -> float:
    """Pairs of members of one family that compete: same phase and closer than the
    phase's competition radius (`school.competition_radius_km_<phase>` of the run)."""
    (run,) = _need(runs, "families")
    start = at_year(run.schools, 0)
    radius = {p: float(run.setting(f"school.competition_radius_km_{p}", np.nan))
              for p in YEARS_ON_ROLL}
    links = run.partnerships
    links = links[links["kind"].astype(str) == "families"]
    a, b = start.loc[links["school_a"]], start.loc[links["school_b"]]
    distance = np.hypot(a["x_km"].to_numpy() - b["x_km"].to_numpy(),
                        a["y_km"].to_numpy() - b["y_km"].to_numpy())
    same = a["phase"].astype(str).to_numpy() == b["phase"].astype(str).to_numpy()
    limit = a["phase"].astype(str).map(radius).to_numpy()
    return float((same & (distance < limit)).sum())


# ------------------------------------------------------- fact 10: the decade's gap index


def gap_index_decade_change(runs: Runs, stage: str) -> float:
    """Relative change of the run's DfE gap index at `stage` (ks2, ks4) over its yearly
    results, read from the least-squares line as the DfE series is
    (`experiments.evidence.trend_change`)."""
    (history,) = _need(runs, "history")
    yearly = yearly_results(history.metrics)
    return trend_change(yearly[f"gap_index_{stage}"].to_numpy(float)).change



# ------------------------------------------------ fact 11: size of a programme's effect


def disadvantaged_results_effect(runs: Runs, phase: str) -> float:
    """What a programme did to its member schools' disadvantaged pupils' published results,
    months: their KS2 (phase primary) or KS4 (secondary) results in the programme run's last
    year minus the same schools' results that year under the comparison, same seed,
    averaged over the members of `phase` weighted by the programme run's disadvantaged
    cohorts (members with no disadvantaged pupil in the cohort carry no weight). Members:
    schools in any partnership group of the programme run. The comparison may run longer:
    it is read at the programme's last year (a run's first years do not depend on how long
    it goes on). NaN when no member of `phase` has a disadvantaged cohort that year."""
    programme, comparison = _need(runs, "programme", "comparison")
    _same_schools(at_year(programme.schools, 0), at_year(comparison.schools, 0))
    year = int(programme.results["year"].max())
    seen = programme.results[programme.results["year"] == year].set_index("school_id")
    alone = comparison.results[comparison.results["year"] == year].set_index("school_id")
    if alone.empty:
        raise ValueError(f"the comparison has no results in year {year}, the programme's "
                         f"last; run it for at least {year} years")
    members = np.unique(np.concatenate([np.zeros(0, int), *group_members(
        programme.partnerships).values()]))
    members = seen.index.intersection(members)
    members = members[seen.loc[members, "phase"].astype(str) == phase]
    cohort = seen.loc[members, "cohort_disadvantaged"]
    difference = (seen.loc[members, "attainment_disadvantaged"]
                  - alone.loc[members, "attainment_disadvantaged"])
    weights = cohort.where(difference.notna(), 0.0)
    return weighted_mean(difference.fillna(0.0), weights)
