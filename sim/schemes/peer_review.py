"""`peer_review`: the Schools Partnership Programme (Education Development Trust).

Sources: seed 004 — clusters of schools run a cycle of self-review, peer review and an
improvement champion ("Are you an improvement champion or peer reviewer? Book your place"),
"being willing to hold themselves, and each other, to account for improvement, by being ready
to make their best practice available to each other"; "schools who embed the collaborative
framework of SPP are investing in the 'how' ... and the evidence suggests they are right to
do so"; trust "only tested when the going gets tough"; and "the effectiveness of school
collaborations is mixed. Some have been shown to make a difference to student outcomes; many
have not." Seed 002 describes the same cycle among three heads: "learning walks, looking at
policy documents, and talking to staff and students ... exploring differences within a
trusting partnership can encourage new thinking".

Formation: participating schools of each phase, ordered by local authority and then along
a space-filling (Morton) curve of their positions, are cut into clusters of `cluster_size`
neighbours (a short last cluster is shared out, or stands if it has `min_size`; never more
than `max_size`). Each cluster runs the cycle with a *fidelity* drawn once from a beta with
mean `fidelity_mean` (stream `fidelity`).

The yearly cycle:
- self-review and agreement on one *focus domain* per school, at the start and after every
  year's results: the domain where the school is furthest below the cluster's best member;
- review visits: the cluster meets every `meeting_interval_weeks` (a visit of
  `meeting_cost_days`); every attending member learns from every other in its own focus
  domain only, mutual mode (so new practice can arise), scaled by the cluster's fidelity;
- the improvement champion: each term every member of an active cluster closes
  champion_rate x fidelity x (cluster mean trust) x dt of its focus domain's headroom,
  committing `champion_days_per_term` of leadership time;
- training: `training_days` per school in the first year, committed over its three terms.
Low fidelity and trust with the same costs is how a cluster can cost more than it gives.
When hard decisions come (the yearly lapse test, `sim.trust`), a cluster is exposed to
lapsing only with probability 1 - fidelity: the framework brings "the tricky issues of
priorities and resource allocation ... into the open in a transparent process" (004).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import calendar
from sim.component import param, require
from sim.schemes.base import GroupParams, MeetingPlan, Scheme

_SIZE = dict(min=3, max=7, why="SPP clusters have three to seven schools", unit="schools",
             step=1)


@dataclass
class PeerReviewParams(GroupParams):
    """Schools Partnership Programme."""

    name: str = "peer_review"
    min_size: int = param(3, **_SIZE, label="Smallest cluster")
    max_size: int = param(7, **_SIZE, label="Largest cluster")
    cluster_size: int = param(4, **_SIZE, label="Schools per peer-review cluster")
    # Cluster meetings: a school's own review visit and the visits it makes as a reviewer
    # (1-2 days each), with the champions' workshops, about every six weeks, a day each.
    training_days: float = param(3.0, min=0, max=30, why="days of a school year's training",
                                 unit="days", label="Training days in the first year",
                                 help="Training for reviewers and champions (days per school).")
    champion_days_per_term: float = param(
        1.0, min=0, max=30, why="days in a term of 65 working days, less the leader's own",
        unit="days per term", label="Improvement champion's days per term", step=0.5)
    champion_rate: float = param(
        0.3, min=0, max=3, why="a term closes at most rate / 3 of the headroom", unit="per year",
        label="Champion's yearly share of the focus headroom",
        help="Yearly share of the focus domain's headroom the champion closes "
             "(x fidelity x trust).")
    fidelity_mean: float = param(0.7, min=0, max=1, why="a share", unit="0-1",
                                 label="How faithfully clusters run the review cycle")
    fidelity_sd: float = param(0.2, min=0, max=0.5, why="the widest spread of a share",
                               unit="0-1", label="Spread of fidelity between clusters")


class PeerReview(Scheme):
    name = "peer_review"
    traits = frozenset({"programme"})
    Params = PeerReviewParams

    @classmethod
    def validate(cls, params, prefix, cfg):
        require(params.min_size <= params.cluster_size <= params.max_size,
                f"{prefix}.cluster_size={params.cluster_size} (min_size={params.min_size}, "
                f"max_size={params.max_size}); allowed: 3 <= min_size <= cluster_size <= "
                "max_size <= 7")

    def form(self, model):
        region, rng = model.region, self.stream(model, "formation")
        joining = self.participants(model.n_schools, rng)
        clusters = []
        for phase in (0, 1):
            schools = np.flatnonzero(joining & (region.phase == phase))
            order = np.lexsort((morton_code(region.pos_km[schools]), region.la[schools]))
            clusters += chunk(schools[order], self.params.cluster_size, self.params.min_size,
                              self.params.max_size)
        self.unclustered = int(joining.sum()) - sum(len(c) for c in clusters)
        partnerships = self.grouped(model, clusters, rng)
        self.fidelity = _beta(self.stream(model, "fidelity"), self.params.fidelity_mean,
                              self.params.fidelity_sd, partnerships.n_groups)
        # Cluster of each school (-1: none).
        self.cluster_of = np.full(model.n_schools, -1, np.int64)
        for g, members in enumerate(partnerships.members):
            self.cluster_of[members[members >= 0]] = g
        self.year = 0
        self.focus = self.agree_focus(model)
        return partnerships

    def agree_focus(self, model) -> np.ndarray:
        """Each school's focus domain: its largest shortfall against its cluster's best."""
        p = self.partnerships_of(model)
        focus = np.zeros(model.n_schools, np.int64)
        if p.n_groups == 0:
            return focus
        members = p.members
        e = model.state.expertise
        best = np.where((members >= 0)[:, :, None], e[np.maximum(members, 0)], -np.inf
                        ).max(axis=1)                                    # (clusters, D)
        inside = self.cluster_of >= 0
        shortfall = best[self.cluster_of[inside]] - e[inside]
        focus[inside] = shortfall.argmax(axis=1)
        return focus

    def exchange_plan(self, model, groups, attending):
        p = self.partnerships_of(model)
        members = p.members[groups]
        width = members.shape[1]
        i, j = np.where(~np.eye(width, dtype=bool))
        learner, source = members[:, i], members[:, j]
        group = np.broadcast_to(groups[:, None], learner.shape)
        keep = (learner >= 0) & (source >= 0)
        learner, source, group = learner[keep], source[keep], group[keep]
        keep = attending[learner] & attending[source]
        learner, source, group = learner[keep], source[keep], group[keep]
        weights = np.zeros((len(learner), model.n_domains))
        weights[np.arange(len(learner)), self.focus[learner]] = 1.0
        links = p.link_index(learner, source)
        return MeetingPlan(learner, source, weights, links, self.fidelity[group], self.mutual)

    def term_end(self, model):
        """The improvement champions' term of work on each school's focus domain."""
        p = self.partnerships_of(model)
        if p.n_groups == 0:
            return
        inside = np.flatnonzero(self.cluster_of >= 0)
        g = self.cluster_of[inside]
        live = p.active[g]
        inside, g = inside[live], g[live]
        rate = (self.params.champion_rate * self.fidelity[g] * p.mean_trust_by_group()[g]
                / calendar.TERMS_PER_YEAR)
        d = self.focus[inside]
        e = model.state.expertise
        e[inside, d] += rate * (1.0 - e[inside, d])

    def year_end(self, model, year):
        self.year = year
        self.focus = self.agree_focus(model)
        model.refresh_commitments()

    def lapsable_groups(self, model):
        """Clusters exposed to lapsing this year: each holds together with probability equal
        to its fidelity, because the SPP framework brings "the tricky issues of priorities and
        resource allocation ... into the open in a transparent process" (seed 004). One draw
        per cluster per year from the `fidelity` stream."""
        u = self.stream(model, "fidelity").random(len(self.fidelity))
        return u >= self.fidelity

    def commitments(self, model):
        p = self.partnerships_of(model)
        if p.n_groups == 0:
            return None
        days = np.zeros(model.n_schools)
        inside = self.cluster_of >= 0
        live = np.zeros(model.n_schools, bool)
        live[inside] = p.active[self.cluster_of[inside]]
        days[live] = self.params.champion_days_per_term
        if self.year == 0:
            days[live] += self.params.training_days / calendar.TERMS_PER_YEAR
        return days

    def summary(self, model):
        return {"clusters": int(self.partnerships_of(model).n_groups),
                "unclustered_schools": int(self.unclustered),
                "mean_fidelity": float(self.fidelity.mean()) if len(self.fidelity) else None}


def morton_code(pos_km: np.ndarray, bits: int = 16) -> np.ndarray:
    """Z-order (Morton) code of positions: nearby schools get nearby codes."""
    if len(pos_km) == 0:
        return np.zeros(0, np.int64)
    lo, hi = pos_km.min(axis=0), pos_km.max(axis=0)
    scaled = (pos_km - lo) / np.where(hi > lo, hi - lo, 1.0)
    q = np.minimum((scaled * (2 ** bits - 1)).astype(np.int64), 2 ** bits - 1)
    code = np.zeros(len(pos_km), np.int64)
    for b in range(bits):
        code |= ((q[:, 0] >> b) & 1) << (2 * b)
        code |= ((q[:, 1] >> b) & 1) << (2 * b + 1)
    return code


def chunk(ordered: np.ndarray, size: int, min_size: int, max_size: int) -> list[np.ndarray]:
    """Consecutive groups of `size`; a short last group joins earlier ones with room (one
    school each) or stands alone if it has `min_size`; otherwise its schools stay out."""
    n = len(ordered)
    if n < min_size:
        return []
    full = n // size
    groups = [list(ordered[k * size:(k + 1) * size]) for k in range(full)]
    rest = list(ordered[full * size:])
    if len(rest) >= min_size or not groups:
        if len(rest) >= min_size:
            groups.append(rest)
        return [np.array(g, np.int64) for g in groups]
    k = len(groups) - 1
    while rest and k >= 0:
        if len(groups[k]) < max_size:
            groups[k].append(rest.pop())
        k -= 1
        if k < 0 and rest and any(len(g) < max_size for g in groups):
            k = len(groups) - 1
    return [np.array(g, np.int64) for g in groups]


def _beta(rng, mean: float, sd: float, n: int) -> np.ndarray:
    from sim.distributions import beta_with_mean
    return beta_with_mean(rng, np.full(n, mean), sd)
