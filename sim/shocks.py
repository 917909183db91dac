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
  school's pupils lose loss_months_<group> / closure_weeks months (disadvantaged more);
  leadership time shrinks by `leadership_time_cut`; meetings move online (if
  `meetings_online`); inspections pause;
- the loss is a deficit held by each school's pupils and subtracted from both groups'
  attainment at every yearly result until recovered;
- recovery, at each term end after the closure: loss <- loss * exp(-k dt), where
  k = recovery_rate * q / reference_expertise and q is the school's expertise weighted as
  the group's attainment weights (`attainment.weights_*`): schools with better practice
  (inclusion counts most for the disadvantaged) catch up faster, so whatever raises
  practice — collaboration included — shortens the recovery.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from sim import calendar
from sim.overrides import override
from sim.config import PandemicConfig
from sim.policies import week_of_year

_CONFIG_DEFAULTS = PandemicConfig()


@dataclass(frozen=True)
class Pandemic:
    """A school closure and its learning loss; the repr re-creates it."""

    # Defaults are the config's (one place for the values and their sources).
    start_year: float = _CONFIG_DEFAULTS.start_year
    closure_weeks: int = _CONFIG_DEFAULTS.closure_weeks
    loss_months_disadvantaged: float = _CONFIG_DEFAULTS.loss_months_disadvantaged
    loss_months_other: float = _CONFIG_DEFAULTS.loss_months_other
    leadership_time_cut: float = _CONFIG_DEFAULTS.leadership_time_cut
    meetings_online: bool = _CONFIG_DEFAULTS.meetings_online
    recovery_rate: float = _CONFIG_DEFAULTS.recovery_rate

    @classmethod
    def from_config(cls, node) -> Pandemic:
        return cls(**{f.name: node[f.name] for f in fields(cls)})

    def overrides(self) -> list[str]:
        return [override("shocks.pandemic.enabled", True),
                *(override(f"shocks.pandemic.{f.name}", getattr(self, f.name))
                  for f in fields(self))]

    @property
    def start_week(self) -> int:
        return week_of_year(self.start_year)

    @property
    def end_week(self) -> int:
        """The last week of the closure."""
        return self.start_week + self.closure_weeks - 1

    def process(self, model):
        env = model.env
        if self.start_week > model.end_week:
            return
        yield env.timeout(max(self.start_week + calendar.AT_SHOCK - env.now, 0.0))
        self.close(model)
        for week in range(self.start_week, self.end_week + 1):
            if week > model.end_week:
                return
            yield env.timeout(week + calendar.AT_SHOCK - env.now)
            self.lose_a_week(model)
        self.reopen(model)

    def close(self, model) -> None:
        model.schools_closed = True
        model.levers.days_factors["pandemic"] = 1.0 - self.leadership_time_cut
        if self.meetings_online:
            model.levers.modes["pandemic"] = "online"
        model.refresh_levers()

    def lose_a_week(self, model) -> None:
        s = model.state
        s.learning_loss_disadvantaged += self.loss_months_disadvantaged / self.closure_weeks
        s.learning_loss_other += self.loss_months_other / self.closure_weeks

    def reopen(self, model) -> None:
        model.schools_closed = False
        model.levers.days_factors.pop("pandemic", None)
        model.levers.modes.pop("pandemic", None)
        model.refresh_levers()

    def recovery_process(self, model):
        for week in calendar.term_ends(model.cfg.years):
            yield model.env.timeout(week + calendar.AT_SHOCK + 0.01 - model.env.now)
            if week > self.end_week:
                self.recover(model, 1 / calendar.TERMS_PER_YEAR)

    def recover(self, model, dt_years: float) -> None:
        s, att = model.state, model.cfg.attainment
        ref = att.reference_expertise
        for group, weights in (("disadvantaged", att.weights_disadvantaged),
                               ("other", att.weights_other)):
            quality = s.expertise @ np.asarray(weights, float)
            k = self.recovery_rate * np.maximum(quality, 0.0) / ref
            loss = getattr(s, f"learning_loss_{group}")
            loss *= np.exp(-k * dt_years)


def from_config(cfg) -> list[Pandemic]:
    node = cfg.get("shocks") if hasattr(cfg, "get") else None
    if node is None or not node.pandemic.enabled:
        return []
    return [Pandemic.from_config(node.pandemic)]


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
