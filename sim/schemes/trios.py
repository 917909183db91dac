"""`trios`: Pathways to Success (Greater Manchester's recovery strategy, 2020-).

Sources (seed documents 000, 001): trios of three schools from three different local
authorities ("cross-border cooperation between schools from different communities"),
brokered by a steering group of local-authority and university partners, meeting online;
practitioner-led mutual enquiry; summaries of the discussions shared with every school.

Formation: participating schools of the same phase are shuffled; each trio takes one school
from each of the three local authorities with most schools still unplaced (this never
strands a school that could have been placed). Schools left over (fewer than three, or
fewer than three authorities left) stay unpartnered and are counted in the summary.
Re-brokering (`Trios.rebroker`): schools whose trios lapsed are matched by the same rule.
Broadcast: at each term's end every school drifts, at `exchange.broadcast_rate`, towards
the mean of the best practice in each trio that met that term.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from sim.component import param, redefault
from sim.errors import ConfigError
from sim.exchange import broadcast
from sim.policies import CrossBorder
from sim.schemes.base import GroupParams, Scheme


@dataclass
class TriosParams(GroupParams):
    name: str = "trios"
    meeting_interval_weeks: int = redefault(GroupParams, "meeting_interval_weeks", 3)
    meeting_cost_days: float = redefault(GroupParams, "meeting_cost_days", 0.5)
    initial_trust: float = redefault(GroupParams, "initial_trust", 0.5)
    # Pathways to Success met online; the scheme's costs and rates are for this mode.
    meeting_mode: str = redefault(GroupParams, "meeting_mode", "online")
    cross_border: bool = param(True, label="Trios across local-authority borders",
                               help="Each trio takes schools from three local authorities.")
    broadcast: bool = param(True, label="Summaries go to every school",
                            help="Each term every school drifts towards the best practice "
                                 "of the trios that met.")


class Trios(Scheme):
    name = "trios"
    traits = frozenset({"programme", "broadcast"})
    Params = TriosParams

    def form(self, model):
        region, rng = model.region, self.stream(model, "formation")
        if self.params.cross_border and region.n_local_authorities < 3:
            raise ConfigError(
                f"scheme=trios with cross_border=true needs at least 3 local authorities; "
                f"region has {region.n_local_authorities}; allowed: cross_border=false "
                "(scheme.cross_border, or scheme.trios.cross_border in a mixed scheme) or a "
                "region of 3 or more authorities")
        joining = self.participants(model.n_schools, rng)
        trios = self.match(np.flatnonzero(joining), region, rng)
        self.unpartnered = int(joining.sum()) - 3 * len(trios)
        return self.grouped(model, trios, rng)

    def match(self, schools: np.ndarray, region, rng) -> list[np.ndarray]:
        """Trios of one phase each from `schools` (ascending ids) in a random order: from
        three local authorities with `cross_border`, else consecutive schools."""
        trios = []
        for phase in (0, 1):
            pool = rng.permutation(schools[region.phase[schools] == phase])
            trios += (cross_border_trios(pool, region.la[pool]) if self.params.cross_border
                      else [pool[k:k + 3] for k in range(0, len(pool) - 2, 3)])
        return trios

    def rebroker(self, model, pool):
        """The steering group matches schools whose trios lapsed by the formation rule;
        schools it cannot place wait for the next lapse."""
        return self.match(pool, model.region, self.stream(model, "rebrokering"))

    def broadcasting(self, model) -> bool:
        """The scheme's own setting unless the broadcast lever forces it."""
        forced = model.levers.broadcast
        return bool(self.params.broadcast) if forced is None else bool(forced)

    def formation_levers(self, prefix: str) -> list:
        return [CrossBorder(required=bool(self.params.cross_border),
                            scheme_key=f"{prefix}.cross_border")]

    def term_end(self, model):
        p = self.partnerships_of(model)
        if not self.broadcasting(model) or p.n_groups == 0:
            return
        met = np.zeros(p.n_groups, bool)
        met[p.link_group[p.met_this_term]] = True
        if not met.any():
            return
        members = p.members[met]
        best = np.where((members >= 0)[:, :, None], model.state.expertise[members],
                        -np.inf).max(axis=1)  # (trios, domains); padding ignored
        state = model.state
        state.expertise = broadcast(state.expertise, best.mean(axis=0),
                                    model.absorptive_capacity(), model._exchange_cfg.broadcast_rate)

    def summary(self, model):
        return {"unpartnered_schools": self.unpartnered}


def cross_border_trios(pool: np.ndarray, la_of_pool: np.ndarray) -> list[np.ndarray]:
    """Trios with members from three different local authorities, taken in pool order: each
    trio from the three authorities with most unplaced schools (ties: lower index first)."""
    queues: dict[int, list[int]] = {}
    for school, la in zip(pool.tolist(), la_of_pool.tolist()):
        queues.setdefault(la, []).append(school)
    # (-unplaced, authority, its next school): the heap's top three make the next trio.
    heap = [(-len(queue), la, 0) for la, queue in queues.items()]
    heapq.heapify(heap)
    trios = []
    while len(heap) >= 3:
        top = [heapq.heappop(heap) for _ in range(3)]
        trios.append(np.array([queues[la][head] for _, la, head in top]))
        for minus_unplaced, la, head in top:
            if minus_unplaced < -1:
                heapq.heappush(heap, (minus_unplaced + 1, la, head + 1))
    return trios
