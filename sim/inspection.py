"""Inspection grades: outstanding, good, requires improvement, inadequate.

Sources: the Greater Manchester Challenge is reported in inspection grades ("the proportion
of primary schools rated 'outstanding' in Ofsted inspections grew from 17 to 22 per cent,
with an increase from 12 to 18 per cent among secondary schools", seed 002); system
leadership has "'strong' schools and 'system leaders' ... taking responsibility for
'failing' schools" (seed 001), so grades decide who leads and who is supported;
accountability pressure is one of the "policy contexts that put pressure on schools" (003).

Grades follow from performance with noise. At an inspection a school's *judged* attainment
is its latest published results (`PupilSystem.published_results`: the mean attainment of
its last KS2 cohort for a primary, KS4 for a secondary, months against the national
expectation; 0 for a school without results) plus inspectors' noise ~ Normal(0,
noise_months). Inspectors judge pupils' achievement from the school's test and examination
results (Ofsted's section 5 inspections of 2005-09 graded "achievement and standards",
drawing on the school's performance data), not from every pupil on roll: so a school's improvement reaches its grade as it reaches its
results, one cohort at a time (issue 11's lags). Per phase a school is outstanding at or
above `outstanding_months_<phase>`, good at or above `good_months_<phase>`, inadequate below
`inadequate_months_<phase>`, else requires improvement. The thresholds are fixed in months,
so a system whose schools improve gains outstanding schools; the defaults give roughly the
shares of 2008 at the start in a Greater Manchester-sized region (primary about 17 %
outstanding, secondary about 12 %).

On real regions (`region=england_real`) a school starts with its published grade (GIAS,
April 2024) where there is one; the model's judgement above grades only the rest.

Timing: every school is graded at the start (its last inspection spread uniformly over the
interval before), then re-inspected `interval_years` after its last inspection, or
`interval_years_weak` after a requires-improvement or inadequate grade; inspections fall at
term ends (`calendar.AT_INSPECTION`). Every term the `inspection` stream draws one normal per
school whatever is due, so scenarios keep common random numbers. Inspections pause while
schools are closed (a pandemic). The accountability lever (`sim.policies.Accountability`)
can change the interval and make a poor grade cut openness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import calendar
from sim.component import Component, param, require
from sim.geography import PHASE_NAMES, PRIMARY

GRADES = ("outstanding", "good", "requires_improvement", "inadequate")
OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE = range(4)


def judge(judged_months: np.ndarray, phase: np.ndarray, cfg) -> np.ndarray:
    """Grade (0 outstanding ... 3 inadequate) of each judged attainment, by phase."""
    primary = phase == PRIMARY
    o = np.where(primary, cfg.outstanding_months_primary, cfg.outstanding_months_secondary)
    g = np.where(primary, cfg.good_months_primary, cfg.good_months_secondary)
    i = np.where(primary, cfg.inadequate_months_primary, cfg.inadequate_months_secondary)
    grade = np.full(len(judged_months), REQUIRES_IMPROVEMENT, np.int8)
    grade[judged_months >= g] = GOOD
    grade[judged_months >= o] = OUTSTANDING
    grade[judged_months < i] = INADEQUATE
    return grade


def grade_codes(names) -> np.ndarray:
    """Grade names (config spelling) to codes."""
    return np.array([GRADES.index(n) for n in names], np.int8)


_THRESHOLD = dict(min=-30, max=30, why="within about a school year and a half of the "
                  "national mean", unit="months")


@dataclass
class InspectionParams:
    """Inspection grades judged from the school's latest KS2 / KS4 results (months)."""

    interval_years: float = param(4.0, min=0.25, max=20, why="from a term to twenty years",
                                  unit="years", label="Years between inspections")
    interval_years_weak: float = param(
        2.0, min=0.25, max=20, why="from a term to twenty years", unit="years",
        label="Years between inspections after a weak grade",
        help="Schools graded requires improvement or inadequate are re-inspected sooner.")
    noise_months: float = param(2.0, min=0, max=24, why="at most two years of progress",
                                unit="months", label="Inspectors' judgement noise (sd)")
    # Judged attainment (months vs national) at or above which a school is outstanding /
    # good; below `inadequate_months` it is inadequate, else requires improvement.
    # Outstanding: calibrated since session 6 (schoolsim-calibrate, targets 2c / 2d, the
    # 2008-09 starting shares, fitted jointly with the rise 2a / 2b; the defaults are
    # configs/calibration/default.yaml's posterior medians); the code values here are the
    # issue-14 ones, used only with calibration=none.
    # Good and inadequate: fitted on the gm region at the start (seeds 1-10) to about 2008-09
    # shares: primary 52 % good, 27 % requires improvement (then "satisfactory"), 4 %
    # inadequate; secondary 44 / 34 / 10 % (experiments/data/fit_inspection_thresholds.py),
    # re-fitted at each refit's defaults, whose months per unit of expertise spread schools'
    # results (session 10: 3.4 / 5.9; session 9, at 2.6 / 8.4: -3.0 / -9.8 and -1.6 / -10.6;
    # session 8, at 1.9 / 6.3: -2.9 / -9.5 and -1.8 / -9.3;
    # session 7, at 5.9 / 7.9: -3.6 / -12.1 and -2.1 / -11.3;
    # session 6, at 7.0 / 7.7: -3.9 / -13.1 and -2.1 / -11.4; -3.3 / -10.8 and -2.1 / -10.5
    # before, at 4.2 / 6.1).
    outstanding_months_primary: float = param(4.9, **_THRESHOLD,
                                              label="Outstanding from (primary)")
    good_months_primary: float = param(-3.1, **_THRESHOLD, label="Good from (primary)")
    inadequate_months_primary: float = param(-10.3, **_THRESHOLD,
                                             label="Inadequate below (primary)")
    outstanding_months_secondary: float = param(6.3, **_THRESHOLD,
                                                label="Outstanding from (secondary)")
    good_months_secondary: float = param(-1.5, **_THRESHOLD, label="Good from (secondary)")
    inadequate_months_secondary: float = param(-10.0, **_THRESHOLD,
                                               label="Inadequate below (secondary)")


class Inspectorate(Component):
    """Every school's current grade and inspection timetable (the `inspection` section)."""

    kind = "inspection"
    name = "graded"
    Params = InspectionParams

    @classmethod
    def validate(cls, params, prefix, cfg):
        for phase in ("primary", "secondary"):
            o, g, i = (params[f"{k}_months_{phase}"] for k in ("outstanding", "good",
                                                                "inadequate"))
            require(o > g > i, f"{prefix} thresholds for {phase}: outstanding={o}, good={g}, "
                    f"inadequate={i}; allowed: outstanding > good > inadequate")

    def setup(self, model) -> None:
        """Every school graded at the start, its last inspection spread over the interval."""
        n = model.n_schools
        self.rng = model.streams["inspection"]
        self.phase = model.region.phase
        z = self.rng.standard_normal(n)
        self.grade = judge(model.pupil_system.published_results()
                           + self.params.noise_months * z, self.phase, self.params)
        known = model.region.ofsted
        if known is not None:   # a real region: its schools' last grades where published
            self.grade = np.where(known >= 0, known, self.grade).astype(np.int8)
        interval = self._interval_weeks(model, self.grade)
        since = np.floor(self.rng.random(n) * interval)
        self.last_week = -since
        self.next_due = self.last_week + interval
        self.inspections = 0

    def _interval_weeks(self, model, grade) -> np.ndarray:
        years = model.levers.inspection_interval_years or self.params.interval_years
        weak = np.minimum(self.params.interval_years_weak, years)
        return np.where(grade >= REQUIRES_IMPROVEMENT, weak, years) * calendar.WEEKS_PER_YEAR

    def reschedule(self, model) -> None:
        """After the interval changes: nobody waits longer than the new interval."""
        self.next_due = np.minimum(self.next_due,
                                   self.last_week + self._interval_weeks(model, self.grade))

    def process(self, model):
        for week in calendar.term_ends(model.cfg.years):
            yield model.env.timeout(week + calendar.AT_INSPECTION - model.env.now)
            self.inspect(model, week)

    def inspect(self, model, week: int) -> np.ndarray:
        """Inspect the schools due by `week`; returns their ids."""
        z = self.rng.standard_normal(model.n_schools)   # always n draws
        if model.schools_closed:
            return np.zeros(0, np.int64)
        due = np.flatnonzero(self.next_due <= week)
        if len(due) == 0:
            return due
        judged = model.pupil_system.published_results()[due] + self.params.noise_months * z[due]
        old = self.grade[due].copy()
        new = judge(judged, self.phase[due], self.params)
        self.grade[due] = new
        self.last_week[due] = week
        self.next_due[due] = week + self._interval_weeks(model, new)
        self.inspections += len(due)
        model.scheme.on_inspection(model, due, old, new)
        return due

    def openness_factor(self, levers) -> np.ndarray | None:
        """What a poor grade leaves of each school's openness (None: no cut)."""
        cut = levers.grade_openness_cut
        if cut == 0:
            return None
        return 1.0 - cut * (self.grade == INADEQUATE) - 0.5 * cut * (
            self.grade == REQUIRES_IMPROVEMENT)

    def metric_columns(self, model) -> dict:
        return self.shares()

    def summary(self, model) -> dict:
        return {"inspections": int(self.inspections)}

    def shares(self) -> dict[str, float]:
        """Share of schools in each grade, overall and outstanding by phase."""
        counts = np.bincount(self.grade, minlength=4) / len(self.grade)
        row = {f"{name}_share": float(c) for name, c in zip(GRADES, counts)}
        for p, name in enumerate(PHASE_NAMES):
            m = self.phase == p
            row[f"outstanding_share_{name}"] = (float((self.grade[m] == OUTSTANDING).mean())
                                                if m.any() else float("nan"))
        return row

    def grade_names(self) -> np.ndarray:
        return np.asarray(GRADES, dtype=object)[self.grade]
