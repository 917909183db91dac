"""`trusts`: structural change — multi-academy trusts.

Sources: seed 001 — "successive governments in England ... have favoured two main and
overlapping strategies for school improvement. The first is structural change, most notably
through the establishment of academies and school trusts ... such macro- and meso-level
interventions may lead to short-term gains in outcomes, those improvements are not always
sustained. At the same time such policy reforms are fragmenting the education system";
seed 002 — "moving towards centrally-funded academies ... risks creating local fragmentation
and greater disparities", emerging "small and large multi-academy trusts", and "collaboration
in this environment is challenging, given the need to surrender a degree of independent
control"; seed 003 — "policy contexts that put pressure on schools to compete".

Formation: participating schools (both phases; trusts mix them) are ordered along a
space-filling (Morton) curve of their positions, so trusts are regional, and cut into
consecutive trusts whose sizes are drawn from a lognormal around `size_median` (clipped to
`min_size`..`max_size`; a short remainder joins the last trust). The member with the highest
mean expertise at formation is the lead (sponsor) school; its practice is the trust's
*central model*.

Each term every member moves `standardisation_rate` x dt of the way towards the central
model in every domain — up where the model is better, down where the school was better: the
trust standardises rather than learns. Trust meetings (`meeting_interval_weeks`) are one-way:
members learn from the lead school through the exchange kernel. No new practice is created
inside a trust. The lead commits `lead_days` per term to running the trust. Trusts do not
lapse and are not a funded programme. Trusts compete: inside a mixed scheme, members take
`cross_trust_openness_cut` less from partnerships outside their trust.
"""

from __future__ import annotations

import numpy as np

from sim import calendar
from sim.schemes.base import MeetingPlan, Scheme, leader_pairs
from sim.schemes.peer_review import morton_code


class Trusts(Scheme):
    name = "trusts"

    def form(self, model):
        rng = model.streams["formation"]
        joining = self.participants(model.n_schools, rng)
        schools = np.flatnonzero(joining)
        ordered = schools[np.argsort(morton_code(model.region.pos_km[schools]), kind="stable")]
        sizes = trust_sizes(rng, len(ordered), self.cfg)
        bounds = np.r_[0, np.cumsum(sizes)]
        trusts = [ordered[bounds[k]:bounds[k + 1]] for k in range(len(sizes))]
        partnerships = self.grouped(model, trusts, rng)
        level = model.state.expertise.mean(axis=1)
        members = partnerships.members
        score = np.where(members >= 0, level[np.maximum(members, 0)], -np.inf)
        self.lead_column = score.argmax(axis=1) if len(members) else np.zeros(0, np.int64)
        self.lead = (members[np.arange(len(members)), self.lead_column] if len(members)
                     else np.zeros(0, np.int64))
        self.trust_of = np.full(model.n_schools, -1, np.int64)
        for g, row in enumerate(members):
            self.trust_of[row[row >= 0]] = g
        return partnerships

    def exchange_plan(self, model, groups, attending):
        p = self.partnerships_of(model)
        learner, source = leader_pairs(p.members[groups], attending, self.lead_column[groups])
        links = p.link_index(learner, source)
        return MeetingPlan(learner, source, None, links, None, False)

    def meeting_pairs(self, model, groups, attending):
        plan = self.exchange_plan(model, groups, attending)
        return plan.learner, plan.source, None

    def on_term_end(self, model):
        """Standardisation towards each trust's central model (its lead school)."""
        if len(self.lead) == 0:
            return
        inside = np.flatnonzero(self.trust_of >= 0)
        model_school = self.lead[self.trust_of[inside]]
        e = model.state.expertise
        rate = self.cfg.standardisation_rate / calendar.TERMS_PER_YEAR
        e[inside] += rate * (e[model_school] - e[inside])

    def commitments(self, model):
        if len(self.lead) == 0:
            return None
        days = np.zeros(model.n_schools)
        days[self.lead] = self.cfg.lead_days
        return days

    def members_mask(self, n_schools: int) -> np.ndarray:
        return self.trust_of >= 0

    def programme_groups(self, model):
        return np.zeros(self.partnerships_of(model).n_groups, bool)

    def lapsable_groups(self, model):
        return np.zeros(self.partnerships_of(model).n_groups, bool)

    def summary(self, model):
        sizes = (self.partnerships_of(model).members >= 0).sum(axis=1)
        return {"trusts": int(len(sizes)),
                "trust_size_median": float(np.median(sizes)) if len(sizes) else None,
                "trust_size_max": int(sizes.max()) if len(sizes) else 0}


def trust_sizes(rng, n: int, cfg) -> np.ndarray:
    """Sizes adding up to n: lognormal draws clipped to [min_size, max_size]; the remainder
    shorter than min_size joins the last trust. Draws a fixed block of sizes."""
    if n == 0:
        return np.zeros(0, np.int64)
    block = max(1, int(np.ceil(n / cfg.min_size)))
    draws = np.clip(np.round(rng.lognormal(np.log(cfg.size_median), cfg.size_sigma, block)),
                    cfg.min_size, cfg.max_size).astype(np.int64)
    total = np.cumsum(draws)
    k = int(np.searchsorted(total, n))           # first trust reaching n
    sizes = draws[:k + 1].copy()
    sizes[-1] -= total[k] - n                   # trim the last to fit exactly
    if sizes[-1] < cfg.min_size and len(sizes) > 1:
        sizes[-2] += sizes[-1]
        sizes = sizes[:-1]
    return sizes
