"""Shocks: the pandemic (school closure, learning loss, recovery).

Sources: "the experience of the pandemic has revealed the extent of injustice across our
school system. Those students who were most vulnerable were also those more likely to
experience the greatest deficit" (seed 000); schools showed "remarkable agility" and "much
of the best expertise regarding educational recovery now lies among practitioners
themselves", which collaboration moves around (000, 001); during the closures
practitioners "have held online meetings" (000). Learning loss: by autumn 2020 primary
pupils had lost about 3.7 months in maths, disadvantaged pupils about 4.3 (the issue's
figures, from the Education Policy Institute / Renaissance Learning assessments).

The pandemic (when `shocks.pandemic.enabled`), a SimPy process:
- from `start_year` for `closure_weeks` teaching weeks schools are closed: every week each
  pupil on roll loses loss_months_<group> / closure_weeks months of attainment
  (disadvantaged more; `sim.pupils`); leadership time shrinks by `leadership_time_cut`;
  meetings move online (if `meetings_online`); inspections pause;
- the loss travels with the pupils who lost the learning: into secondary, and out of the
  system when they leave at 16; each pupil also carries the part not yet made up;
- recovery, at each term end after the closure, by each pupil at their school: the part
  not yet made up shrinks by loss * (1 - exp(-k dt)), which is added back to attainment,
  where k = recovery_rate * q / reference_expertise and q is the school's expertise averaged
  with the pupil's group's value-added weights (`pupils.progress.weights_*`, scaled to sum
  to 1, so neither group recovers faster by construction): schools with
  better practice (inclusion counts most for the disadvantaged) catch up faster, so
  whatever raises practice — collaboration included — shortens the recovery;
- wider absence after reopening: disadvantaged pupils' absence rose more than their peers'
  and stayed higher (EPI from the DfE's absence statistics: 5.0 against 2.9 days absent in
  autumn 2019, a gap of 2.1 days a term; over 3 days a term by autumn 2023, after the
  closures; *Examining post-pandemic absences in England*, 2023 and 2024). From the
  reopening to the end of the run every disadvantaged pupil on roll misses
  `absence_gap_rise_days_per_term` more days a term than before, relative to other pupils,
  each day costing `progress_lost_per_day_missed` of a school day's expected progress (12
  months / 190 days): it acts through their value added (`LeverState`), like the Pupil
  Premium, and is not "recovered" (it is not lost learning waiting to be made up but
  learning never done). The EPI attributes all of the KS4 gap's growth 2019-23 to this
  absence (*Annual Report* 2025, 'drivers of the disadvantage gap').
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np
import pandas as pd

from sim import calendar
from sim.component import Component, param, registered
from sim.overrides import override
from sim.policies import Venue, week_of_year

# A school year's expected progress (12 months) over its 190 days of pupil attendance
# (Education (School Day and School Year) (England) Regulations 1999).
MONTHS_PER_SCHOOL_DAY = 12 / 190


@dataclass
class PandemicParams:
    """School closure and recovery."""

    enabled: bool = param(False, label="Pandemic school closure",
                          help="Learning lost while closed, more for disadvantaged pupils; "
                               "leadership time shrinks and meetings move online; then "
                               "recovery.")
    start_year: float = param(2.0, min=0, max=100,
                              why="a school year of the run (runs are at most 100 years)",
                              unit="school years", label="Closure starts in year", step=0.5)
    closure_weeks: int = param(24, min=1, max=78, why="at most two school years",
                               unit="teaching weeks", label="Weeks closed", step=1)
    # Learning lost by the end of the closure, months (primary maths, autumn 2020).
    loss_months_disadvantaged: float = param(
        4.3, min=0, max=24, why="at most two years of learning", unit="months",
        label="Learning lost, disadvantaged pupils")
    loss_months_other: float = param(3.7, min=0, max=24,
                                     why="at most two years of learning", unit="months",
                                     label="Learning lost, other pupils")
    leadership_time_cut: float = param(0.5, min=0, max=1, why="a share of leadership time",
                                       unit="share", label="Leadership time lost while closed")
    meetings_online: bool = param(True, label="Meetings move online while closed")
    # Yearly share of the loss recovered at reference expertise (scales with expertise).
    recovery_rate: float = param(0.4, min=0, max=5, why="at most five times the loss a year",
                                 unit="per year", label="Share of the loss recovered per year",
                                 step=0.05)
    # After reopening: the disadvantage gap in days absent a term grew from 2.1 (autumn 2019:
    # 5.0 against 2.9 days) to over 3 (autumn 2023): EPI, *Examining post-pandemic absences
    # in England* (2023, 2024), from the DfE's *Pupil absence in schools in England*.
    absence_gap_rise_days_per_term: float = param(
        1.0, min=0, max=65, why="at most every day of a term", unit="days a term",
        label="Extra days missed by disadvantaged pupils after reopening",
        help="How much the gap in days absent a term between disadvantaged pupils and their "
             "peers grew after the closures (EPI from DfE absence statistics: 2.1 days in "
             "autumn 2019, over 3 by autumn 2023); from reopening to the end of the run.")
    # An assumption, not a measured effect: the DfE's analyses of absence and attainment are
    # correlational and no causal cost of a day in months was found for England.
    progress_lost_per_day_missed: float = param(
        1.0, min=0, max=1, why="a share of a school day's progress", unit="share of a day",
        label="Progress lost per day missed (share of a day's)",
        help="Assumption: a day missed costs that share of a school day's expected progress "
             "(12 months / 190 days).")


class Shock(Component):
    """A shock: configured under `shocks.<name>`, built only when `enabled`."""

    kind: ClassVar[str] = "shock"

    def __init__(self, params=None, /, **values):
        super().__init__(params if params is not None else self.Params(enabled=True, **values))

    def __repr__(self) -> str:
        values = ", ".join(f"{f.name}={getattr(self.params, f.name)!r}"
                           for f in fields(self.params) if f.name != "enabled")
        return f"{type(self).__name__}({values})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.params == self.params

    def __hash__(self) -> int:
        return hash(repr(self))

    @classmethod
    def from_config(cls, node) -> Shock:
        return cls(**{f.name: node[f.name] for f in fields(cls.Params) if f.name != "enabled"})

    def overrides(self) -> list[str]:
        return [override(f"shocks.{self.name}.{f.name}", getattr(self.params, f.name))
                for f in fields(self.params)]


class Pandemic(Shock):
    """A school closure and its learning loss; the repr re-creates it."""

    name = "pandemic"
    Params = PandemicParams

    @property
    def start_week(self) -> int:
        return week_of_year(self.params.start_year)

    @property
    def end_week(self) -> int:
        """The last week of the closure."""
        return self.start_week + self.params.closure_weeks - 1

    def process(self, model):
        env = model.env
        if self.start_week > model.end_week:
            return
        yield env.timeout(max(self.start_week + calendar.AT_SHOCK - env.now, 0.0))
        self.window_start(model)
        for week in range(self.start_week, self.end_week + 1):
            if week > model.end_week:
                return
            yield env.timeout(week + calendar.AT_SHOCK - env.now)
            self.lose_a_week(model)
        self.window_stop(model)

    def window_start(self, model) -> None:
        """Schools close."""
        model.schools_closed = True
        model.levers.days_factors["pandemic"] = 1.0 - self.params.leadership_time_cut
        if self.params.meetings_online:
            model.levers.venues["pandemic"] = Venue.ONLINE
        model.refresh_levers()

    def lose_a_week(self, model) -> None:
        p = self.params
        model.pupil_system.lose(p.loss_months_disadvantaged / p.closure_weeks,
                                p.loss_months_other / p.closure_weeks)

    def window_stop(self, model) -> None:
        """Schools reopen; disadvantaged pupils' wider absence sets in for the rest of the
        run."""
        model.schools_closed = False
        model.levers.days_factors.pop("pandemic", None)
        model.levers.venues.pop("pandemic", None)
        model.levers.disadvantaged_value_added_by["pandemic_absence"] = self.absence_value_added()
        model.refresh_levers()

    def absence_value_added(self) -> tuple[float, float]:
        """Months a year disadvantaged pupils lose, against their peers, through the wider
        absence after reopening, (primary, secondary)."""
        p = self.params
        months = (p.absence_gap_rise_days_per_term * calendar.TERMS_PER_YEAR
                  * p.progress_lost_per_day_missed * MONTHS_PER_SCHOOL_DAY)
        return (-months, -months)

    def recovery_process(self, model):
        for week in calendar.term_ends(model.cfg.years):
            yield model.env.timeout(week + calendar.AT_SHOCK + 0.01 - model.env.now)
            if week > self.end_week:
                self.recover(model, 1 / calendar.TERMS_PER_YEAR)

    def recover(self, model, dt_years: float) -> None:
        """The pupils on roll make up part of their loss at their school's rate per group."""
        p = model.pupil_system.params.progress
        weights = np.column_stack([np.asarray(p.weights_other, float),
                                   np.asarray(p.weights_disadvantaged, float)])
        quality = model.state.expertise @ (weights / weights.sum(axis=0))
        rate = self.params.recovery_rate * np.maximum(quality, 0.0) / p.reference_expertise
        model.pupil_system.recover(rate, dt_years)

    def summary(self, model) -> dict:
        return {"pandemic_recovery_weeks": recovery_weeks(pd.DataFrame(model.metric_rows), self)}


def from_config(cfg) -> list[Shock]:
    """The enabled shocks, in registration order."""
    return [cls.from_config(cfg.shocks[name]) for name, cls in registered("shock").items()
            if cfg.shocks[name].enabled]


def recovery_weeks(metrics, pandemic: Pandemic, column: str = "learning_loss_disadvantaged",
                   remaining: float = 0.25) -> float | None:
    """Teaching weeks from the closure's end until the mean loss falls to `remaining` of its
    peak (log-linear between term rows); None if it never does within the run."""
    week = metrics["week"].to_numpy(float)
    loss = metrics[column].to_numpy(float)
    after = week >= pandemic.end_week
    if not after.any() or loss.max() <= 0:
        return None
    peak = loss.max()
    target = remaining * peak
    w, v = week[after], loss[after]
    below = np.flatnonzero(v <= target)
    if len(below) == 0:
        return None
    k = below[0]
    if k == 0:
        return float(w[0] - pandemic.end_week)
    w0, w1, v0, v1 = w[k - 1], w[k], v[k - 1], v[k]
    frac = (math.log(v0) - math.log(target)) / (math.log(v0) - math.log(v1)) if v1 > 0 else 1.0
    return float(w0 + frac * (w1 - w0) - pandemic.end_week)
