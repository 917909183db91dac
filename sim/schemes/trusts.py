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

On real regions (`region=england_real`, `gm_real`) the trusts are the real ones: every
multi-academy trust with at least `min_size` schools in the region, with its members of the
January 2023 census (`sim.region_real`); participation and the size draws are then not
used, and single-academy trusts stay alone. As a part of a mixed scheme the trusts are the
real ones' members among the schools assigned to the part (the schools of one trust are
assigned together under `split: share`; `split: la` keeps a trust's schools in the chosen
authorities). With `history_from_year` (e.g. 2010: the `history_academies` scenario; inside
a mixed scheme `scheme.trusts.history_from_year`) academisation is replayed: the run starts
with the schools that had joined their trust by that year, and each year end adds those
whose real join year has come (GIAS join dates, else the academy's opening date). A trust's lead is the highest-expertise
school among its earliest members; a trust with no member yet neither meets nor costs days.

Each term every member moves `standardisation_rate` x dt of the way towards the central
model in every domain — up where the model is better, down where the school was better: the
trust standardises rather than learns. Trust meetings (`meeting_interval_weeks`) are one-way:
members learn from the lead school through the exchange kernel. No new practice is created
inside a trust. The lead commits `lead_days` per term to running the trust. Trusts do not
lapse and are not a funded programme. Trusts compete: inside a mixed scheme, members take
`cross_trust_openness_cut` less from partnerships outside their trust.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import calendar
from sim.component import param, redefault, require
from sim.schemes.base import GroupParams, MeetingPlan, Scheme, leader_pairs
from sim.schemes.peer_review import morton_code


@dataclass
class TrustsParams(GroupParams):
    """Multi-academy trusts."""

    name: str = "trusts"
    mode: str = redefault(GroupParams, "mode", "one_way")
    meeting_cost_days: float = redefault(GroupParams, "meeting_cost_days", 0.5)
    initial_trust: float = redefault(GroupParams, "initial_trust", 0.6)
    initial_trust_sd: float = redefault(GroupParams, "initial_trust_sd", 0.1)
    # Trust sizes: lognormal around the median, clipped to [min_size, max_size].
    size_median: float = param(5.0, min=1, max=200, min_open=True,
                               why="a trust has more than one school", unit="schools",
                               label="Typical trust size (schools)", step=1)
    size_sigma: float = param(0.8, min=0, max=3, why="sd of a log size", unit="log",
                              label="Spread of trust sizes")
    min_size: int = param(2, min=2, max=500, why="a trust has two schools or more",
                          unit="schools", label="Smallest trust", step=1)
    max_size: int = param(40, min=2, max=500, why="the largest English trusts have about 500 "
                          "schools (hence at most that)", unit="schools", label="Largest trust",
                          step=1)
    standardisation_rate: float = param(
        0.3, min=0, max=1, why="a share of the distance per year", unit="per year",
        label="Yearly pull towards the trust's central model")
    lead_days: float = param(2.0, min=0, max=30,
                             why="days in a term of 65 working days, less the leader's own",
                             unit="days per term", label="Lead school's days running the trust")
    cross_trust_openness_cut: float = param(
        0.5, min=0, max=1, why="a share of openness", unit="share",
        label="Openness lost to schools outside the trust",
        help="Members take less from partnerships outside their trust (mixed schemes).")
    history_from_year: int = param(
        0, min=0, max=2023, why="0 is off; else a calendar year of the real join dates "
        "(2003-2023)", unit="year", label="Replay real academisation from (0: off)",
        help="Real regions only: the run starts in this year with the schools that had "
             "joined their trust by then; the others join at the year end of their real "
             "join year.")


class Trusts(Scheme):
    name = "trusts"
    Params = TrustsParams

    @classmethod
    def validate(cls, params, prefix, cfg):
        require(params.min_size <= params.max_size,
                f"{prefix}.min_size={params.min_size}, {prefix}.max_size={params.max_size}; "
                "allowed: 2 <= min_size <= max_size")
        if params.history_from_year:
            key = f"{prefix}.history_from_year={params.history_from_year}"
            require("local_authorities" in cfg.region, f"{key} on region={cfg.region.name}; "
                    "allowed: 0, or a real region (region=england_real, gm_real) whose "
                    "trusts have join dates")

    def form(self, model):
        rng = self.stream(model, "formation")
        if model.region.trust is not None:
            trusts = real_trusts(self.eligible_trust_labels(model), self.params.min_size)
        else:
            trusts = self.drawn_trusts(model, rng)
        partnerships = self.grouped(model, trusts, rng)
        members = partnerships.members
        self.join_year = self._join_years(model, members)
        self.full_members = members.copy()
        self.pending = self.join_year > self.params.history_from_year
        members[self.pending] = -1
        self.lead_column = self._lead_columns(model, self.full_members)
        self.lead = (self.full_members[np.arange(len(members)), self.lead_column]
                     if len(members) else np.zeros(0, np.int64))
        self._refresh_membership(model, members)
        return partnerships

    def eligible_trust_labels(self, model) -> np.ndarray:
        """The real trust of each school this scheme may take (-1 for the others)."""
        if self.eligible is None:
            return model.region.trust
        return np.where(self.eligible, model.region.trust, -1)

    def _join_years(self, model, members: np.ndarray) -> np.ndarray:
        """Year each member joined its trust (history replay), else 0 for every member."""
        if not self.params.history_from_year:
            return np.zeros(members.shape, np.int64)
        return np.where(members >= 0, model.region.trust_joined_year[np.maximum(members, 0)], 0)

    def _lead_columns(self, model, members: np.ndarray) -> np.ndarray:
        """The lead of each trust: among its earliest members, the highest mean expertise."""
        if len(members) == 0:
            return np.zeros(0, np.int64)
        level = model.state.expertise.mean(axis=1)
        valid = members >= 0
        year = np.where(valid, self.join_year, np.iinfo(np.int64).max)
        first = valid & (year == year.min(axis=1, keepdims=True))
        return np.where(first, level[np.maximum(members, 0)], -np.inf).argmax(axis=1)

    def _refresh_membership(self, model, members: np.ndarray) -> None:
        self.trust_of = np.full(model.n_schools, -1, np.int64)
        rows, cols = np.nonzero(members >= 0)
        self.trust_of[members[rows, cols]] = rows

    def year_end(self, model, year: int) -> None:
        """History replay: the schools whose real join year has come join their trust."""
        if not self.pending.any():
            return
        joining = self.pending & (self.join_year <= self.params.history_from_year + year)
        members = self.partnerships_of(model).members
        members[joining] = self.full_members[joining]
        self.pending &= ~joining
        self._refresh_membership(model, members)

    def drawn_trusts(self, model, rng) -> list[np.ndarray]:
        """Participants cut along the Morton curve into trusts of drawn sizes."""
        schools = np.flatnonzero(self.participants(model.n_schools, rng))
        ordered = schools[np.argsort(morton_code(model.region.pos_km[schools]), kind="stable")]
        sizes = trust_sizes(rng, len(ordered), self.params)
        bounds = np.r_[0, np.cumsum(sizes)]
        return [ordered[bounds[k]:bounds[k + 1]] for k in range(len(sizes))]

    def exchange_plan(self, model, groups, attending):
        p = self.partnerships_of(model)
        learner, source = leader_pairs(p.members.take(groups, axis=0), attending,
                                       self.lead_column[groups])
        links = p.link_index(learner, source)
        return MeetingPlan(learner, source, None, links, None, False)

    def term_end(self, model):
        """Standardisation towards each trust's central model (its lead school)."""
        if len(self.lead) == 0:
            return
        inside = np.flatnonzero(self.trust_of >= 0)
        model_school = self.lead[self.trust_of[inside]]
        e = model.state.expertise
        rate = self.params.standardisation_rate / calendar.TERMS_PER_YEAR
        e[inside] += rate * (e[model_school] - e[inside])

    def commitments(self, model):
        if len(self.lead) == 0:
            return None
        days = np.zeros(model.n_schools)
        running = (self.partnerships_of(model).members >= 0).any(axis=1)  # (history: begun)
        days[self.lead[running]] = self.params.lead_days
        return days

    def outsider_openness_cut(self, model) -> np.ndarray | None:
        cut = np.zeros(model.n_schools)
        cut[self.trust_of >= 0] = self.params.cross_trust_openness_cut
        return cut

    def programme_groups(self, model):
        return np.zeros(self.partnerships_of(model).n_groups, bool)

    def lapsable_groups(self, model):
        return np.zeros(self.partnerships_of(model).n_groups, bool)

    def summary(self, model):
        sizes = (self.partnerships_of(model).members >= 0).sum(axis=1)
        out = {"trusts": int(len(sizes)),
               "trust_size_median": float(np.median(sizes)) if len(sizes) else None,
               "trust_size_max": int(sizes.max()) if len(sizes) else 0}
        if self.params.history_from_year:
            joined_in_run = (self.join_year > self.params.history_from_year) & ~self.pending
            out.update(trust_joins_replayed=int((joined_in_run & (self.full_members >= 0)).sum()),
                       trust_joins_still_to_come=int(self.pending.sum()))
        return out


def real_trusts(trust: np.ndarray, min_size: int) -> list[np.ndarray]:
    """The schools of each real trust with at least `min_size` of them in the region (a
    single-academy trust is no partnership), in trust order."""
    members = np.flatnonzero(trust >= 0)
    members = members[np.argsort(trust[members], kind="stable")]
    groups = np.split(members, np.flatnonzero(np.diff(trust[members])) + 1)
    return [g for g in groups if len(g) >= min_size]


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
