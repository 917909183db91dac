"""`SchoolSystem`: the Mesa model, with SimPy as its only clock.

Building a model draws the region, the schools' starting state and the scheme's
partnerships, then registers the calendar's processes on one `simpy.Environment`:

- meetings: every teaching week with groups due, all of them in one vectorised call
  (`sim.meetings`, the kernel);
- term end (every 13 weeks): improvement, forgetting, turnover, scheme hook (e.g. the
  trios' broadcast), trust fading;
- year end (every 39 weeks): attainment results, partnerships lapsing, scheme hook;
- collection: a metrics row each term, school rows each year;
- inspections (each term end), policy windows (`sim.policies`) and shocks (`sim.shocks`),
  each its own process at its own slot of the week (see `sim.calendar`).

The model only orchestrates its components (`sim.component`: the scheme, the inspectorate,
the policy levers and shocks; `self.components`), calling their lifecycle hooks. The levers
in force (`self.levers`, a `sim.policies.LeverState`) shape the meetings: a meeting's cost,
learning and trust growth depend on its venue (each scheme has its own; a lever or the
pandemic can force one, `Meetings.refresh`), leadership days are
scaled by `levers.days_factor` and reduced by standing commitments (system leaders' support,
trusts' central roles, peer-review champions), and meeting days may be capped or partly
paid back while a programme is funded.

Mesa's own event scheduler is stopped; `step()` advances the SimPy clock by one week so
Mesa tools that call `step` (SolaraViz) still work, and `model.time` mirrors the week.
"""

from __future__ import annotations

from types import SimpleNamespace

import mesa
import networkx as nx
import numpy as np
import pandas as pd
import simpy
from omegaconf import OmegaConf

from sim import calendar, exchange, improvement, metrics, policies, shocks, trust
from sim.agents import School
from sim.compose import compose_config
from sim.config import as_plain
from sim.distributions import gamma_with_mean
from sim.errors import ConfigError
from sim.inspection import Inspectorate
from sim.knowledge import Knowledge
from sim.meetings import Meetings
from sim.network import Network, layered_network, partnership_graph, year_metrics
from sim.partnerships import add_groups, new_matches, waiting
from sim.policies import Programme
from sim.posterior import with_draw
from sim.pupils.system import PupilSystem
from sim.region import build_region
from sim.schemes import make_scheme
from sim.state import initial_state
from sim.streams import Streams

TERM_YEARS = 1 / calendar.TERMS_PER_YEAR


class SchoolSystem(mesa.Model):
    """A school system; build it from a composed config or from settings as keywords.

        SchoolSystem(sim.compose_config(["scheme=families", "seed=3"]))
        SchoolSystem(rng=3, scheme="families", **{"region.n_schools": 200})

    Keywords are the command line's settings (`key=value`, dotted keys through `**{...}`),
    so `mesa.batch_run(SchoolSystem, {"scheme": ["none", "trios"]}, rng=[1, 2])` works.
    `rng` is the run's seed (an integer); without it the config's `seed` is used, so every
    run is reproducible.
    """

    def __init__(self, cfg=None, *, rng=None, **settings):
        cfg = with_draw(_config(cfg, rng, settings))
        super().__init__(rng=int(cfg.seed))
        # Mesa 3.5 routes step() through its own event scheduler; SimPy is the only clock
        # here, so stop Mesa's default schedule and let step() advance SimPy directly.
        self._default_schedule.stop()
        self.step = self._advance_week
        self.cfg = cfg
        self.streams = Streams(cfg.seed)
        self.region = build_region(cfg.region, self.streams["region"])
        self.state = initial_state(self.region, cfg, self.streams["initial"])
        self._exchange_cfg = _namespace(cfg.exchange)
        self.knowledge = Knowledge(self, self._exchange_cfg)
        self.pupil_system = PupilSystem(self.region, self.state,
                                        OmegaConf.to_object(cfg.pupils), self.streams)
        self.schools = School.create_agents(self, self.region.n_schools,
                                            index=list(range(self.region.n_schools)))
        self._school_list = self.schools.to_list()   # by index (AgentSet indexing is deprecated)
        # Plain copies of the sections the weekly kernels read (OmegaConf access is slow).
        self._meetings_cfg = _namespace(cfg.meetings)
        self._trust_cfg = _namespace(cfg.trust)
        self._days_mean = float(cfg.school.leadership_days_mean)
        self.levers = policies.LeverState()
        self.schools_closed = False
        self.scheme = make_scheme(OmegaConf.to_object(cfg.scheme))
        self.policies = policies.from_config(cfg) + self.scheme.formation_levers("scheme")
        self.shocks = shocks.from_config(cfg)
        self.inspection = Inspectorate(OmegaConf.to_object(cfg.inspection))
        self.inspection.setup(self)
        self.partnerships = self.scheme.form(self)
        p = self.partnerships
        # Each partnership has its own chemistry, shared by its links (one draw per group).
        p.affinity[:] = gamma_with_mean(self.streams["affinity"], np.ones(p.n_groups),
                                        cfg.trust.affinity_sd)[p.link_group]
        for policy in self.policies:
            policy.setup(self)
        self._programme = np.asarray(self.scheme.programme_groups(self), bool)
        self.meetings = Meetings(self)
        self._finish_called = False
        self.metric_rows: list[dict] = []
        self.school_tables: list[dict] = []
        self.network_edges: list = []      # (year, Network) at each year end (sim.network)
        self.network_metrics: list = []    # metrics tables at the start and the end
        self.env = simpy.Environment()
        self.end_week = cfg.years * calendar.WEEKS_PER_YEAR
        self.refresh_levers()
        self.refresh_commitments()
        self.datacollector = mesa.DataCollector(model_reporters=metrics.MODEL_REPORTERS)
        self.collect(week=0)
        for process in (self._meeting_weeks(), self._terms(), self._years(), self._collection(),
                        self.inspection.process(self)):
            self.env.process(process)
        for policy in self.policies:
            self.env.process(policy.process(self))
        for shock in self.shocks:
            self.env.process(shock.process(self))
            self.env.process(shock.recovery_process(self))

    # ------------------------------------------------------------------ views
    @property
    def components(self) -> list:
        """Every component of the run (`sim.component`): the lifecycle's and outputs' order."""
        return [self.inspection, self.scheme, *self.policies, *self.shocks]

    @property
    def n_schools(self) -> int:
        return self.region.n_schools

    @property
    def n_domains(self) -> int:
        return self.state.expertise.shape[1]

    @property
    def week(self) -> int:
        return int(self.env.now)

    @property
    def pupils(self) -> pd.DataFrame:
        """Every pupil on roll, one row each: a read-only copy for teaching and analysis
        (the arrays themselves are `pupil_system.roll`)."""
        return self.pupil_system.table()

    def school(self, index: int) -> School:
        return self._school_list[index]

    def network(self, layers=None) -> nx.MultiGraph:
        """Schools and their active partnerships (or the chosen layers: partnership kinds,
        `staff_moves`, `authority`) as a networkx graph (`sim.network`)."""
        return partnership_graph(self, layers)

    def layered_network(self) -> Network:
        """Every layer of the network now, as arrays (`sim.network.Network`)."""
        return layered_network(self)

    def absorptive_capacity(self) -> np.ndarray:
        s = self.state
        openness = s.openness
        factor = self.inspection.openness_factor(self.levers)
        if factor is not None:
            openness = openness * factor
        return exchange.absorptive_capacity(s.expertise, openness, s.competition,
                                            self._exchange_cfg, self.scheme.extra_openness_cut)

    def available_days(self) -> np.ndarray:
        """Leadership days per term for improvement work after levers and commitments."""
        s = self.state
        factor = self.levers.days_factor
        days = s.leadership_days if factor == 1.0 else s.leadership_days * factor
        if self._committing:
            days = np.maximum(days - s.days_committed, 0.0)
        return days

    # ------------------------------------------------------------------ levers
    def refresh_levers(self) -> None:
        """After a lever or shock changed: what it means for each group's meetings."""
        self.meetings.refresh(self)

    def refresh_commitments(self) -> None:
        """Standing leadership-day commitments of the scheme (after any change in groups)."""
        c = self.scheme.commitments(self)
        s = self.state
        if c is None:
            s.days_committed[:] = 0.0
        else:
            s.days_committed[:] = c
        self._committing = bool(s.days_committed.any())

    def school_mean_attainment(self) -> np.ndarray:
        """Each school's pupil-weighted attainment: what a league table shows. A school
        without pupils shows 0, the national expectation: nothing to prefer or avoid (as
        `PupilSystem.published_results` shows a school without results)."""
        s = self.state
        total = (s.attainment_disadvantaged * s.pupils_disadvantaged
                 + s.attainment_other * s.pupils_other)
        return np.divide(total, s.pupils, out=np.zeros(s.n_schools), where=s.has_pupils)

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

    def _advance_week(self) -> None:
        """One teaching week (`step`, for Mesa tools that call it); nothing once finished."""
        if self.finished:
            return
        self._advance_to(min(self.week + 1, self.end_week))

    def _advance_to(self, week: int) -> None:
        # Mesa's clock shows the week being run, so the DataCollector keys its rows by week.
        self.steps = week
        self.time = float(week)
        # Run past the week's fractional slots (meetings .0 ... collection .9).
        self.env.run(until=week + 0.95)
        self.running = not self.finished
        if not self.running and not self._finish_called:
            self._finish_called = True
            for component in self.components:
                component.finish(self)

    @property
    def finished(self) -> bool:
        return self.env.now >= self.end_week

    # ------------------------------------------------------------------ processes
    @property
    def meetings_held(self) -> int:
        return self.meetings.held

    def _meeting_weeks(self):
        if self.partnerships.n_groups == 0:
            return
        week = 1
        while week <= self.end_week:
            yield self.env.timeout(week + calendar.AT_MEETINGS - self.env.now)
            groups = self.partnerships.due(week)   # re-brokering may have rebuilt them
            if len(groups) and self.levers.programme is Programme.PENDING:
                groups = groups[~self._programme[groups]]   # the programme has not started
            if len(groups):
                self.meetings.hold(self, groups)
            week += 1

    def time_left(self) -> np.ndarray:
        """Leadership days left this term relative to the average school's days."""
        left = np.maximum(self.available_days() - self.state.days_used, 0.0)
        return left / self._days_mean

    def _terms(self):
        for week in calendar.term_ends(self.cfg.years):
            yield self.env.timeout(week + calendar.AT_TERM_END - self.env.now)
            self.end_term()

    def end_term(self) -> None:
        s = self.state
        resource = improvement.improvement_resource(self.available_days(), s.days_used,
                                                    s.funding, self._days_mean)
        self.knowledge.end_term(self, resource, TERM_YEARS)
        self.scheme.term_end(self)
        self.knowledge.absorb(s.expertise)
        p = self.partnerships
        trust.fade_without_contact(p.trust, p.met_this_term, self._trust_cfg.decay_per_term)
        p.met_this_term[:] = False
        s.days_used[:] = 0.0

    def _years(self):
        for year in range(1, self.cfg.years + 1):
            yield self.env.timeout(year * calendar.WEEKS_PER_YEAR + calendar.AT_YEAR_END
                                   - self.env.now)
            self.end_year(year)

    def end_year(self, year: int) -> None:
        self.pupil_system.year_end(self.state, year, self.scheme.results_salience,
                                   self.levers.disadvantaged_value_added)
        p = self.partnerships
        if p.n_groups:
            self.hard_decisions()
        self.scheme.year_end(self, year)
        self.knowledge.absorb(self.state.expertise)
        self.knowledge.end_year()
        self.refresh_commitments()

    def hard_decisions(self) -> None:
        """The year's priority setting: mature groups come out stronger, others may break up
        (more often while the local-authority broker is absent: the lapse factor)."""
        p, cfg = self.partnerships, self._trust_cfg
        rules = SimpleNamespace(
            hard_decision_rate=cfg.hard_decision_rate, maturity_threshold=cfg.lapse_threshold,
            lapse_probability=min(1.0, cfg.lapse_probability * self.levers.lapse_factor))
        held, lapsed = trust.hard_decisions(p.mean_trust_by_group(), p.active, rules,
                                            self.streams["lapse"])
        trust.strengthen(p.trust, np.flatnonzero(held[p.link_group]), cfg.strengthen_gain)
        lapsed &= self.scheme.lapsable_groups(self)
        p.active &= ~lapsed
        if lapsed.any() and self.levers.brokering and self.levers.programme is not Programme.ENDED:
            self.rebroker(lapsed)

    def rebroker(self, lapsed: np.ndarray) -> None:
        """The broker matches the schools of each layer that lost their group into new
        groups by the layer's scheme's rule (`Scheme.rebroker`); a pair matched again
        resumes its relationship, a new one starts at the scheme's starting trust with a
        chemistry of its own (`partnerships.add_groups`)."""
        p = self.partnerships
        p.interval_weeks = self.meetings.base_interval   # new groups copy the unscaled one
        for layer, scheme in enumerate(self.scheme.layer_schemes()):
            g0, g1, _, _ = p.layer_bounds(layer)
            pool = waiting(p, layer) if lapsed[g0:g1].any() else np.zeros(0, np.int64)
            groups = new_matches(p, layer, scheme.rebroker(self, pool)) if len(pool) else []
            if not groups:
                continue
            offset = scheme.stream(self, "rebrokering").integers(
                0, scheme.params.meeting_interval_weeks, len(groups))
            p = add_groups(p, layer, groups, offset, scheme.params.initial_trust,
                           lambda m: gamma_with_mean(self.streams["affinity"], np.ones(m),
                                                     self.cfg.trust.affinity_sd))
            lapsed = np.insert(lapsed, g1, np.zeros(len(groups), bool))
        self.partnerships = p
        self.scheme.regrouped(p)
        self._programme = np.asarray(self.scheme.programme_groups(self), bool)
        self.meetings.regroup(self)

    def _collection(self):
        for week in calendar.term_ends(self.cfg.years):
            yield self.env.timeout(week + calendar.AT_COLLECT - self.env.now)
            self.collect(week)

    def collect(self, week: int) -> None:
        self.metric_rows.append(metrics.term_row(self, week))
        self.datacollector.collect(self)
        if week % calendar.WEEKS_PER_YEAR == 0:
            year = week // calendar.WEEKS_PER_YEAR
            self.school_tables.append(metrics.school_rows(self, year))
            net = self.layered_network()
            self.network_edges.append((year, net))
            if year in (0, self.cfg.years):   # metrics at the start and the end (cost)
                self.network_metrics.append(year_metrics(net, year, self.streams["network"],
                                                         self.cfg.output.path_samples))


def _config(cfg, rng, settings: dict):
    """The config from a composed one or from keyword settings, with `rng` as its seed."""
    if "seed" in settings and rng is not None:
        raise ConfigError(f"rng={rng} and seed={settings['seed']} both given; allowed: one of them")
    if rng is not None and not isinstance(rng, (int, np.integer)):
        raise ConfigError(f"rng={rng!r} is not allowed; allowed: an integer seed")
    if cfg is None:
        return compose_config({**settings, **({} if rng is None else {"seed": int(rng)})})
    if settings:
        raise ConfigError(f"settings {', '.join(settings)} given with a composed config; "
                          "allowed: a config or settings, not both")
    if rng is not None and int(rng) != int(cfg.seed):
        raise ConfigError(f"rng={rng} differs from the config's seed={cfg.seed}; "
                          "allowed: the same seed or no rng")
    return cfg


def _namespace(node) -> SimpleNamespace:
    """A config section as a plain namespace (fast attribute access in kernels)."""
    return SimpleNamespace(**as_plain(node))
