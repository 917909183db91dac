"""`market`: a competitive quasi-market (league tables, parental choice, funding per pupil).

Sources (seeds 001-003): competition discourages sharing ("policy contexts that put
pressure on schools to compete"), sorts pupils between schools and widens disparities;
schools imitate what is visible in league tables rather than the practice behind it.

- No partnerships are formed; competition exposure cuts openness by
  `market_openness_cut` more than it does elsewhere.
- Each year after results: admissions (`sim.admissions`) move pupils by league-table
  attainment and distance; rolls age by a year; funding = (roll / starting roll) ^
  funding_elasticity scales each school's improvement resource.
- Each year each school looks at the best-performing school in its choice set and, if it
  is better, moves `imitation_rate * absorptive capacity` of the way towards it in the
  visible domains only.
"""

from __future__ import annotations

import numpy as np

from sim import admissions
from sim.schemes.base import Scheme
from sim.state import years_on_roll


class Market(Scheme):
    name = "market"

    @property
    def extra_openness_cut(self) -> float:
        return self.cfg.market_openness_cut

    def form(self, model):
        state, region = model.state, model.region
        self.choices, self.dist = admissions.choice_sets(region.pos_km, region.phase,
                                                         self.cfg.choice_set)
        self.years = years_on_roll(region.phase)
        self.demand_dis = state.pupils_disadvantaged / self.years
        self.demand_oth = state.pupils_other / self.years
        self.capacity = (1 + self.cfg.capacity_headroom) * state.initial_pupils / self.years
        self.visible = np.array([model.cfg.school.domains.index(d)
                                 for d in self.cfg.visible_domains], np.int64)
        return super().form(model)

    def on_year_end(self, model, year):
        state = model.state
        league_table = model.school_mean_attainment()
        intake = admissions.allocate(self.demand_dis, self.demand_oth, self.choices, self.dist,
                                     league_table, self.capacity, self.cfg,
                                     state.disadvantaged_share)
        state.pupils_disadvantaged, state.pupils_other = admissions.age_rolls(
            state.pupils_disadvantaged, state.pupils_other, *intake, self.years)
        state.funding = (state.pupils / state.initial_pupils) ** self.cfg.funding_elasticity
        self.imitate(model, league_table)

    def imitate(self, model, league_table):
        state = model.state
        best = self.choices[np.arange(len(self.choices)),
                            league_table[self.choices].argmax(axis=1)]
        better = league_table[best] > league_table
        pull = self.cfg.imitation_rate * model.absorptive_capacity() * better
        v = self.visible
        gap = np.maximum(state.expertise[best][:, v] - state.expertise[:, v], 0.0)
        state.expertise[:, v] += pull[:, None] * gap
