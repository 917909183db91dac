"""`SchoolSystem`: the Mesa model, with SimPy as its only clock.

Building a model draws the region, the schools' starting state and the scheme's
partnerships, then registers the calendar's processes on one `simpy.Environment`:

- meetings: every teaching week with groups due, all of them in one vectorised call;
- term end (every 13 weeks): improvement, forgetting, turnover, trust decay, scheme hook;
- year end (every 39 weeks): attainment results, partnerships lapsing, scheme hook;
- collection: a metrics row each term, school rows each year.

Mesa's own event scheduler is not used; `step()` advances the SimPy clock by one week so
Mesa tools that call `step` (SolaraViz) still work, and `model.time` mirrors the week.
"""

from __future__ import annotations

import mesa
import numpy as np
import simpy

from sim import attainment, calendar, exchange, improvement, metrics, trust
from sim.agents import School
from sim.region import build_region
from sim.schemes import make_scheme
from sim.state import initial_state, years_on_roll
from sim.streams import Streams

TERM_YEARS = 1 / calendar.TERMS_PER_YEAR


class SchoolSystem(mesa.Model):
    def __init__(self, cfg):
        super().__init__(rng=int(cfg.seed))
        self.cfg = cfg
        self.streams = Streams(cfg.seed)
        self.region = build_region(cfg.region, self.streams["region"])
        self.state = initial_state(self.region, cfg, self.streams["initial"])
        self.schools = School.create_agents(self, self.region.n_schools,
                                            index=list(range(self.region.n_schools)))
        self._years_on_roll = years_on_roll(self.region.phase)
        self.update_attainment()
        self.scheme = make_scheme(cfg.scheme)
        self.partnerships = self.scheme.form(self)
        self.metric_rows: list[dict] = []
        self.school_tables: list[dict] = []
        self.meetings_held = 0
        self.env = simpy.Environment()
        self.end_week = cfg.years * calendar.WEEKS_PER_YEAR
        self.collect(week=0)
        for process in (self._meetings(), self._terms(), self._years(), self._collection()):
            self.env.process(process)

    # ------------------------------------------------------------------ views
    @property
    def n_schools(self) -> int:
        return self.region.n_schools

    @property
    def n_domains(self) -> int:
        return self.state.expertise.shape[1]

    @property
    def week(self) -> int:
        return int(self.env.now)

    def school(self, index: int) -> School:
        return self.schools[index]

    def absorptive_capacity(self) -> np.ndarray:
        s = self.state
        return exchange.absorptive_capacity(s.expertise, s.openness, s.competition,
                                            self.cfg.exchange, self.scheme.extra_openness_cut)

    def school_mean_attainment(self) -> np.ndarray:
        """Each school's pupil-weighted attainment: what a league table shows."""
        s = self.state
        return ((s.attainment_disadvantaged * s.pupils_disadvantaged
                 + s.attainment_other * s.pupils_other) / s.pupils)

    # ------------------------------------------------------------------ running
    def run(self, until_week: int | None = None, progress=None) -> None:
        """Run to `until_week` (default: the end), reporting each term to `progress`."""
        target = self.end_week if until_week is None else min(until_week, self.end_week)
        while self.env.now < target:
            nxt = min(target, (int(self.env.now) // calendar.WEEKS_PER_TERM + 1)
                      * calendar.WEEKS_PER_TERM)
            self._advance_to(nxt)
            if progress is not None:
                progress(nxt)

    def step(self) -> None:
        """One teaching week (for Mesa tools that call `step`); nothing once finished."""
        if self.finished:
            return
        self._advance_to(min(self.week + 1, self.end_week))

    def _advance_to(self, week: float) -> None:
        # Run past the week's fractional slots (meetings .0 ... collection .9).
        self.env.run(until=week + 0.95)
        self.time = float(week)

    @property
    def finished(self) -> bool:
        return self.env.now >= self.end_week

    # ------------------------------------------------------------------ processes
    def _meetings(self):
        p = self.partnerships
        if p.n_groups == 0:
            return
        week = 1
        while week <= self.end_week:
            yield self.env.timeout(week + calendar.AT_MEETINGS - self.env.now)
            groups = p.due(week)
            if len(groups):
                self.hold_meetings(groups)
            week += 1

    def hold_meetings(self, groups: np.ndarray) -> None:
        """Every meeting of the week in one call: attendance, exchange, creation, trust."""
        p, s = self.partnerships, self.state
        members = p.members[groups]
        members = members[members >= 0]
        can_attend = s.leadership_days[members] - s.days_used[members] >= p.cost_days
        attending = np.zeros(self.n_schools, bool)
        attending[members[can_attend]] = True
        s.days_used[members[can_attend]] += p.cost_days

        learner, source, weights = self.scheme.meeting_pairs(self, groups, attending)
        if len(learner) == 0:
            return
        links = p.link_index(learner, source)
        absorptive = self.absorptive_capacity()
        s.expertise += exchange.learning_gains(s.expertise, learner, source, weights,
                                               p.trust[links], absorptive, self.cfg.exchange)
        met_mask = np.zeros(p.n_links, bool)
        met_mask[links] = True
        met = np.flatnonzero(met_mask)
        if self.scheme.mutual:
            exchange.create_practice(s.expertise, p.link_a[met], p.link_b[met], p.trust[met],
                                     self.cfg.exchange, self.streams["creation"])
        trust.grow(p.trust, met, self.cfg.trust.growth)
        p.met_this_term[met] = True
        self.meetings_held += len(groups)

    def _terms(self):
        for week in calendar.term_ends(self.cfg.years):
            yield self.env.timeout(week + calendar.AT_TERM_END - self.env.now)
            self.end_term()

    def end_term(self) -> None:
        s, cfg = self.state, self.cfg
        resource = improvement.improvement_resource(s.leadership_days, s.days_used, s.funding,
                                                    cfg.school.leadership_days_mean)
        share = s.disadvantaged_share
        s.expertise = improvement.improve_and_forget(s.expertise, resource, share,
                                                     cfg.improvement, TERM_YEARS)
        s.expertise, _ = improvement.turnover_shocks(s.expertise, share, cfg.improvement,
                                                     TERM_YEARS, self.streams["turnover"])
        self.scheme.on_term_end(self)
        p = self.partnerships
        trust.decay_unmet(p.trust, p.met_this_term, cfg.trust.decay_per_term)
        p.met_this_term[:] = False
        s.days_used[:] = 0.0

    def _years(self):
        for year in range(1, self.cfg.years + 1):
            yield self.env.timeout(year * calendar.WEEKS_PER_YEAR + calendar.AT_YEAR_END
                                   - self.env.now)
            self.end_year(year)

    def end_year(self, year: int) -> None:
        self.update_attainment()
        p = self.partnerships
        if p.n_groups:
            lapsed = trust.lapsing_groups(p.mean_trust_by_group(), p.active, self.cfg.trust,
                                          self.streams["lapse"])
            p.active &= ~lapsed
        self.scheme.on_year_end(self, year)

    def update_attainment(self) -> None:
        s, r = self.state, self.region
        dis, oth = attainment.expected_attainment(s.expertise, r.phase, s.disadvantaged_share,
                                                  s.school_effect, self.cfg.attainment)
        noise_dis, noise_oth = attainment.cohort_noise(
            s.pupils_disadvantaged, s.pupils_other, self._years_on_roll, self.cfg.attainment,
            self.streams["cohort"])
        s.attainment_disadvantaged = dis + noise_dis
        s.attainment_other = oth + noise_oth

    def _collection(self):
        for week in calendar.term_ends(self.cfg.years):
            yield self.env.timeout(week + calendar.AT_COLLECT - self.env.now)
            self.collect(week)

    def collect(self, week: int) -> None:
        self.metric_rows.append(metrics.term_row(self, week))
        if week % calendar.WEEKS_PER_YEAR == 0:
            self.school_tables.append(metrics.school_rows(self, week // calendar.WEEKS_PER_YEAR))
