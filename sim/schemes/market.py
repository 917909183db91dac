"""`market`: a competitive quasi-market (league tables, parental choice, funding per pupil).

Sources (seeds 001-003): competition discourages sharing ("policy contexts that put
pressure on schools to compete"), sorts pupils between schools and widens disparities;
schools imitate what is visible in league tables rather than the practice behind it.

- No partnerships are formed; competition exposure cuts openness by
  `market_openness_cut` more than it does elsewhere.
- Pupils go where families choose, as under every scheme (`sim.pupils.transition`); a
  market makes published results `results_salience` times as salient in families' choices
  at 11. Funding follows pupils: funding = (roll / starting roll) ^ funding_elasticity
  scales each school's improvement resource.
- Each year each school looks at the best-performing school in its choice set and, if it
  is better, moves `imitation_rate * absorptive capacity` of the way towards it in the
  visible domains only. The default rate is 0 (session 7): the evidence finds no effect of
  competition on classroom practice or on pupils' attainment - "no direct causal
  relationship between leveraging quasi-market mechanisms of choice and competition in
  education and inducing educational innovation in the classroom" (Lubienski 2009, *Do
  quasi-markets foster innovation in education?*, OECD Education Working Paper 25, p. 45);
  no link between competition and pupils' achievement in England's primaries (Gibbons,
  Machin & Silva 2008, JEEA 6(4)) - and the seeds say schools copy "what is visible in
  league tables rather than the practice behind it", while this pull moves the practice
  (expertise) itself. At the former 0.05 it narrowed the spread a little: on GM at the
  session-6 defaults (year 10, seeds 1-10) the spread of school means within phases was
  2.86 months with it and 2.88 without (no scheme 2.81; segregation 0.298 either way). A
  rate above 0 explores the hypothesis that competition spreads classroom practice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import admissions
from sim.component import param, redefault, require
from sim.schemes.base import Scheme, SchemeParams



@dataclass
class MarketParams(SchemeParams):
    name: str = "market"
    mode: str = redefault(SchemeParams, "mode", "one_way")
    choice_set: int = param(8, min=2, max=50, why="a school watches a few nearby rivals",
                            unit="schools", label="Rivals a school watches",
                            help="The nearest this many schools of the same phase.")
    results_salience: float = param(
        3.0, min=0, max=20, why="a multiple of the weight families give results anyway",
        unit="times", label="Salience of league tables",
        help="How many times more published results weigh in families' choices at 11.")
    funding_elasticity: float = param(
        0.8, min=0, max=1, why="a share of the resource", unit="share",
        label="Funding follows pupils", step=0.05,
        help="Share of a school's improvement resource that follows its roll.")
    imitation_rate: float = param(
        0.0, min=0, max=1, why="a share of the gap per year", unit="per year",
        label="Imitation of league-table leaders", step=0.01,
        help="Yearly pull towards the best nearby competitor in visible domains only.")
    visible_domains: list[str] = param(["teaching", "curriculum"],
                                       label="Domains visible in league tables")
    market_openness_cut: float = param(
        0.5, min=0, max=1, why="a share of openness", unit="share",
        label="Openness lost to competition", step=0.05,
        help="Competition exposure cuts openness by this much more under a market.")


class Market(Scheme):
    name = "market"
    Params = MarketParams
    # The market spans the region: a mixed scheme may only lay it over every school.
    partitionable = False

    @classmethod
    def validate(cls, params, prefix, cfg):
        domains = list(cfg.school.domains)
        for d in params.visible_domains:
            require(d in domains,
                    f"{prefix}.visible_domains has '{d}'; allowed: {', '.join(domains)}")

    @property
    def extra_openness_cut(self) -> float:
        return self.params.market_openness_cut

    @property
    def results_salience(self) -> float:
        return self.params.results_salience

    def form(self, model):
        region = model.region
        self.choices, _ = admissions.choice_sets(region.pos_km, region.phase,
                                                 self.params.choice_set)
        self.visible = np.array([model.cfg.school.domains.index(d)
                                 for d in self.params.visible_domains], np.int64)
        return super().form(model)

    def year_end(self, model, year):
        state = model.state
        league_table = model.school_mean_attainment()
        # Funding follows pupils relative to the start; a school that started without
        # pupils has no start to follow and keeps its funding.
        ratio = np.divide(state.pupils, state.initial_pupils, out=np.ones(state.n_schools),
                          where=state.initial_pupils > 0)
        state.funding = ratio ** self.params.funding_elasticity
        self.imitate(model, league_table)

    def imitate(self, model, league_table):
        state = model.state
        best = self.choices[np.arange(len(self.choices)),
                            league_table[self.choices].argmax(axis=1)]
        better = league_table[best] > league_table
        pull = self.params.imitation_rate * model.absorptive_capacity() * better
        v = self.visible
        gap = np.maximum(state.expertise[best][:, v] - state.expertise[:, v], 0.0)
        state.expertise[:, v] += pull[:, None] * gap
