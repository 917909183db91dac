"""`families`: Families of Schools (Greater Manchester Challenge, 2008-11).

Sources (seed document 002 and the Challenge's own Families of Schools data): groups of
12-20 schools with similar intakes, built from a weighted index (2011 weights: prior
attainment 66 %, deprivation 20 %, English as an additional language 10 %, mobility 4 %),
serving different neighbourhoods so that members are not in direct competition; the
family's comparative data act as a catalyst, pointing each school to a member that does
better in an area of practice.

Formation, per phase: schools are ranked by the weighted index of standardised features
(prior attainment counts for, the others against); each school in rank order joins the
first open family with room and no member within the competition radius, so families are
bands of similar intake. A short last family is shared out, each school to the family
nearest in intake with room and no competitor of it. If sizes between `min_size` and
`max_size` cannot be met, formation fails with a ConfigError.
Re-brokering (`Families.rebroker`): schools whose families lapsed are grouped again by
their intake index.

Meetings: attending members compare data; in each domain each member is pointed to the
attending member that does better by the least (`pointed_to: next_better`, the default) or
to the family's best (`best`); the best in a domain is pointed to nobody there. One-way
mode: members learn that domain from it. Mutual mode: each member and the school it is
pointed to learn from each other in every domain, and may create new practice together.

Why the next one up (session 7): the Families data set each school beside similar schools
that did better, "a catalyst for sharing ideas" (think piece 4), and a partner too far
ahead "cannot be understood" (Nooteboom 2000, the exchange kernel's inverted U,
`sim.diffusion`). Pointing every member to the family's best made that school a hub in a
mutual pair with every other member: on GM (seed 1, session-6 defaults) the 235 schools
best in some domain of their family created 20.7 practices each over ten years against
6.6 for the rest and gained 2.31 months a year of value added against 1.62, and the
members farthest from their family's best gained least (1.49 against 2.17 for the
nearest fifth), so families doubled the spread of schools' value added (sd 1.12 against
0.54 under no scheme) - the opposite of collaboration "between differently performing
schools" reducing polarisation "to the particular benefit of learners who have been
performing relatively poorly" (Briefing 2015, seed 002).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from sim.component import param, redefault, require
from sim.errors import ConfigError
from sim.geography import PHASE_NAMES
from sim.partnerships import rebroker_groups
from sim.schemes.base import GroupParams, MeetingPlan, Scheme

POINTED_TO = ("next_better", "best")
_WEIGHT = dict(min=0, max=1, why="a weight of the intake index", unit="weight")


@dataclass
class FamiliesParams(GroupParams):
    name: str = "families"
    meeting_interval_weeks: int = redefault(GroupParams, "meeting_interval_weeks", 6)
    meeting_cost_days: float = redefault(GroupParams, "meeting_cost_days", 1.0)
    initial_trust: float = redefault(GroupParams, "initial_trust", 0.4)
    min_size: int = param(12, min=2, max=200, why="a family is a group, not a region",
                          unit="schools", label="Smallest family", step=1)
    max_size: int = param(20, min=2, max=200, why="a family is a group, not a region",
                          unit="schools", label="Largest family", step=1)
    # Greater Manchester 2011 weights: prior attainment, deprivation, EAL, mobility.
    weight_prior_attainment: float = param(0.66, **_WEIGHT, label="Weight of prior attainment")
    weight_deprivation: float = param(0.20, **_WEIGHT, label="Weight of deprivation")
    weight_eal: float = param(0.10, **_WEIGHT,
                              label="Weight of English as an additional language")
    weight_mobility: float = param(0.04, **_WEIGHT, label="Weight of pupil mobility")
    pointed_to: str = param(
        "next_better", choices=POINTED_TO, label="Whom a member learns from",
        help="In each domain: the member doing better by the least (next_better) or the "
             "family's best (best).")


class Families(Scheme):
    name = "families"
    traits = frozenset({"programme"})
    Params = FamiliesParams

    @classmethod
    def validate(cls, params, prefix, cfg):
        require(params.min_size <= params.max_size,
                f"{prefix}.min_size={params.min_size}, {prefix}.max_size={params.max_size}; "
                "allowed: 2 <= min_size <= max_size")

    def form(self, model):
        region, rng = model.region, self.stream(model, "formation")
        joining = self.participants(model.n_schools, rng)
        index = self.intake_index(model)
        families = []
        for phase in (0, 1):
            schools = np.flatnonzero(joining & (region.phase == phase))
            radius = (model.cfg.school.competition_radius_km_primary if phase == 0
                      else model.cfg.school.competition_radius_km_secondary)
            families += self.band(schools, index, region.pos_km, radius, PHASE_NAMES[phase])
        return self.grouped(model, families, rng)

    def intake_index(self, model) -> np.ndarray:
        """Weighted index of standardised intake features (higher: more advantaged)."""
        cfg, region, state = self.params, model.region, model.state
        prior = model.school_mean_attainment()
        features = [(prior, cfg.weight_prior_attainment),
                    (-region.disadvantaged_share, cfg.weight_deprivation),
                    (-region.eal_share, cfg.weight_eal),
                    (-region.mobility, cfg.weight_mobility)]
        index = np.zeros(state.n_schools)
        for values, weight in features:
            for phase in (0, 1):
                m = region.phase == phase
                if m.sum() > 1 and values[m].std() > 0:
                    index[m] += weight * (values[m] - values[m].mean()) / values[m].std()
        return index

    def band(self, schools, index, pos, radius, phase_name) -> list[np.ndarray]:
        """Families of consecutive intake rank; more, smaller families if competitors clash."""
        n = len(schools)
        if n == 0:
            return []
        lo, hi = self.params.min_size, self.params.max_size
        fewest = max(int(round(n / ((lo + hi) / 2))), -(-n // hi), 1)
        most = n // lo
        if n < lo:
            raise ConfigError(
                f"scheme=families needs at least scheme.min_size={lo} participating "
                f"{phase_name} schools for one family; the region has {n}; allowed: "
                f"scheme.min_size <= {n}, or more schools taking part")
        if fewest > most:
            raise ConfigError(
                f"scheme=families cannot split {n} participating {phase_name} schools into "
                f"families of {lo} to {hi}: {most} families hold at most {most * hi}, "
                f"{most + 1} need at least {(most + 1) * lo}; allowed: sizes that fit {n}, "
                f"e.g. scheme.max_size >= {-(-n // most)}")
        ranked = schools[np.argsort(-index[schools], kind="stable")]
        # Families of ceil(n/k) filled in turn first (the last may come out short and be
        # shared out); then, for splits that leaves stuck, sizes as even as they go
        # (n = 30, k = 4: 8, 8, 7, 7 rather than 8, 8, 8, 6).
        splits = [(-(-n // k), 0) for k in range(fewest, most + 1)]
        splits += [(n // k, n % k) for k in range(fewest, most + 1) if n % k]
        for cap, larger in splits:
            families = _fill_in_rank_order(ranked, pos, radius, cap, larger)
            families = _share_out_short(families, index, pos, radius, lo, hi)
            if families is not None:
                return [np.array(f) for f in families]
        raise ConfigError(_why_no_split(n, schools, pos, radius, lo, hi, phase_name))

    def rebroker(self, model, pool):
        """The local authority groups schools whose families lapsed by today's intake
        index, per phase: consecutive in index order, `min_size` to a family (a smaller
        last one of at least two; a single school waits). Unlike formation it does not
        keep competitors apart: a broker matching a few schools has little choice."""
        rng, index = self.stream(model, "rebrokering"), self.intake_index(model)
        families = []
        for phase in (0, 1):
            mine = pool[model.region.phase[pool] == phase]
            families += rebroker_groups(mine, index, self.params.min_size, "similar", rng)
        return families

    def exchange_plan(self, model, groups, attending):
        learner, source, weights = self.pairs(model, groups, attending)
        links = self.partnerships_of(model).link_index(learner, source)
        return MeetingPlan(learner, source, weights, links, None, self.mutual)

    def pairs(self, model, groups, attending):
        """(learner, source, domain weights or None: all) of the families' data meetings."""
        members = self.partnerships_of(model).members[groups]  # (g, width)
        present = (members >= 0) & attending[np.maximum(members, 0)]
        expertise = model.state.expertise[np.maximum(members, 0)]  # (g, width, D)
        expertise = np.where(present[:, :, None], expertise, np.nan)
        # (g, learner, source, D): how much better each member does than each other
        ahead = expertise[:, None, :, :] - expertise[:, :, None, :]
        ahead = np.where(ahead > 0, ahead, np.inf)          # only members that do better
        if self.params.pointed_to == "best":                # the largest lead instead
            ahead = np.where(np.isfinite(ahead), -ahead, np.inf)
        nearest = ahead.argmin(axis=2)                      # (g, width, D)
        found = np.isfinite(np.take_along_axis(ahead, nearest[:, :, None, :], axis=2)[:, :, 0, :])
        n_domains = model.n_domains
        source = np.take_along_axis(members[:, :, None], nearest, axis=1)
        learner = np.repeat(members[:, :, None], n_domains, axis=2)
        domain = np.broadcast_to(np.arange(n_domains), learner.shape)
        keep = present[:, :, None] & found
        learner, source, domain = learner[keep], source[keep], domain[keep]
        if not self.mutual:
            return learner, source, np.eye(n_domains)[domain]
        n = np.int64(model.n_schools)
        key = np.unique(np.minimum(learner, source) * n + np.maximum(learner, source))
        lo, hi = key // n, key % n
        return np.concatenate([lo, hi]), np.concatenate([hi, lo]), None


def _why_no_split(n, schools, pos, radius, lo, hi, phase_name) -> str:
    """Why no families formed: a proof when one crowd of mutual competitors is larger than
    the number of families that fit, else the formation's limit (it depends on where this
    region's schools were drawn, so another seed may form)."""
    # Schools within radius/2 of one school are all within the radius of each other.
    crowd = int(cKDTree(pos[schools]).query_ball_point(
        pos[schools], r=radius / 2 * (1 - 1e-9), return_length=True).max())
    head = f"scheme=families cannot split {n} {phase_name} schools into families of {lo} to {hi}"
    allowed = (f"a smaller scheme.min_size (more, smaller families) or a smaller "
               f"school.competition_radius_km_{phase_name}")
    if crowd > n // lo:
        return (f"{head}: {crowd} of them lie within {radius:g} km of each other (competitors "
                f"all), so they need {crowd} families, and at most {n // lo} families of {lo} "
                f"fit; allowed: scheme.min_size <= {n // crowd} or {allowed}")
    return (f"{head} without two competitors in a family (first-fit in intake order found no "
            f"split for where this region's schools lie; another seed may); allowed: {allowed}")


def _competes(s: int, family: list[int], pos, radius: float) -> bool:
    d = pos[family] - pos[s]
    return bool(((d * d).sum(axis=1) < radius * radius).any())


def _first_fit(families, candidates, s, pos, radius, cap):
    for k in candidates:
        if len(families[k]) < cap and not _competes(s, families[k], pos, radius):
            return k
    return None


def _fill_in_rank_order(ranked, pos, radius, cap, larger=0) -> list[list[int]]:
    """Each school joins the oldest open family with room and no competitor, else a new one.
    A family holds `cap` schools, the first `larger` families one more."""
    families: list[list[int]] = []
    caps: list[int] = []
    open_ids: list[int] = []
    for s in ranked:
        home = next((k for k in open_ids if not _competes(s, families[k], pos, radius)), None)
        if home is None:
            home = len(families)
            families.append([])
            caps.append(cap + (home < larger))
            open_ids.append(home)
        families[home].append(s)
        if len(families[home]) >= caps[home]:
            open_ids.remove(home)
    return families


def _nearest_in_intake(families, s, index, skip=None) -> list[int]:
    """Families in order of how near their mean intake index lies to school s's."""
    gaps = {k: abs(float(np.mean(index[f])) - index[s])
            for k, f in enumerate(families) if k != skip}
    return sorted(gaps, key=gaps.get)


def _share_out_short(families, index, pos, radius, lo, hi):
    """Move members of families smaller than `lo` into others with room, each into the one
    nearest in intake that has no competitor of it; None if stuck. (Into the first with
    room, as before session 10, the last family's schools - the lowest intakes - joined
    the highest: on GM, seed 1, three primary families spanned ranks 0-953 of 954.)"""
    full = [f for f in families if len(f) >= lo]
    for family in (f for f in families if len(f) < lo):
        for s in family:
            home = _first_fit(full, _nearest_in_intake(full, s, index), s, pos, radius, hi)
            if home is None:
                home = _make_room(full, s, index, pos, radius, hi)
            if home is None:
                return None
            full[home].append(s)
    return full


def _make_room(families, s, index, pos, radius, hi):
    """A family s could join if its one competitor of s moved to another family; moves it.
    Families nearest in intake to s are tried first, and to the rival for its new home."""
    for k in _nearest_in_intake(families, s, index):
        family = families[k]
        if len(family) >= hi:
            continue
        d = pos[family] - pos[s]
        rivals = np.flatnonzero((d * d).sum(axis=1) < radius * radius)
        if len(rivals) != 1:
            continue
        rival = family[rivals[0]]
        others = _nearest_in_intake(families, rival, index, skip=k)
        new_home = _first_fit(families, others, rival, pos, radius, hi)
        if new_home is not None:
            family.remove(rival)
            families[new_home].append(rival)
            return k
    return None
