"""The interface every scheme implements, and what schemes share.

A scheme decides *who partners whom* (`form`) and *what a meeting exchanges*
(`meeting_pairs`: learner, source and the domains discussed); the model's calendar does the rest — when
groups meet, attendance against leadership time, the exchange kernel, trust. Schemes may
also act at the end of a term or a year (the market's admissions) and may cut openness
further where competition bites (`extra_openness_cut`).

To write a scheme: subclass `Scheme`, set `name`, implement `form`, and register it in
`sim.schemes.SCHEMES` with a config dataclass in `sim.config.SCHEME_SCHEMAS`.

Optional hooks and attributes (defaults in brackets), added with the schemes, levers and
shocks of the second round:
- `exchange_plan` — the whole meeting: pairs, links, per-pair learning factor and whether
  each pair learns mutually (built from `meeting_pairs`; a scheme with its own kind of
  meeting overrides it);
- `on_inspection(model, schools, old, new)` — after inspections re-grade schools;
- `commitments(model)` — standing leadership days per term per school [None: none];
- `programme_groups(model)` — groups that a funded programme runs, so that they stop when
  funding stops unless trusted [all]; `on_funding_end(model)` — groups that stop with the
  funding whatever their trust [none]; `lapsable_groups(model)` — groups that may lapse [all];
- `trust_growth_factor` [1.0]; `native_online` (the scheme's meetings are online) [from
  `meeting_mode`];
- `eligible` — a mask of the schools the scheme may take (a mixed scheme's share) [all].

A scheme keeps the Partnerships it formed in `self.groups`; inside a mixed scheme that is a
view of one layer of the model's combined partnerships, and group ids passed to the
scheme's hooks are its own (layer-local) ids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.distributions import beta_with_mean
from sim.partnerships import Partnerships


@dataclass
class MeetingPlan:
    """What this week's meetings exchange: one row per (learner, source) pair."""

    learner: np.ndarray
    source: np.ndarray
    weights: np.ndarray | None       # (pairs, domains) or None: every domain
    links: np.ndarray                # link of each pair in the model's partnerships
    factor: np.ndarray | None = None  # per-pair multiplier of learning (None: 1)
    mutual: bool | np.ndarray = True  # per pair (or all): mutual learning can create practice


class Scheme:
    name = "base"
    extra_openness_cut = 0.0
    trust_growth_factor = 1.0

    def __init__(self, cfg):
        self.cfg = cfg
        self.groups: Partnerships | None = None
        self.eligible: np.ndarray | None = None

    @property
    def mutual(self) -> bool:
        return self.cfg.mode == "mutual"

    @property
    def native_online(self) -> bool:
        return getattr(self.cfg, "meeting_mode", "in_person") == "online"

    def form(self, model) -> Partnerships:
        self.groups = Partnerships.empty(model.n_schools)
        return self.groups

    def partnerships_of(self, model) -> Partnerships:
        """This scheme's partnerships (its own layer inside a mixed scheme)."""
        return self.groups if self.groups is not None else model.partnerships

    def meeting_pairs(self, model, groups: np.ndarray, attending: np.ndarray):
        """(learner, source, domain weights or None for all) for this week's meetings."""
        return all_pairs(model, self.partnerships_of(model).members[groups], attending,
                         self.mutual)

    def exchange_plan(self, model, groups: np.ndarray, attending: np.ndarray) -> MeetingPlan:
        learner, source, weights = self.meeting_pairs(model, groups, attending)
        links = self.partnerships_of(model).link_index(learner, source)
        return MeetingPlan(learner, source, weights, links, None, self.mutual)

    def link_trust_growth(self, model, links: np.ndarray):
        """Multiplier of trust growth on each of these links (a scalar: all the same)."""
        return self.trust_growth_factor

    @property
    def native_online_layers(self) -> np.ndarray:
        """Whether each layer of the model's partnerships meets online by design."""
        return np.array([self.native_online], bool)

    def on_term_end(self, model) -> None:
        """Called after the term's improvement and forgetting."""

    def on_year_end(self, model, year: int) -> None:
        """Called after the year's attainment results."""

    def on_inspection(self, model, schools: np.ndarray, old: np.ndarray,
                      new: np.ndarray) -> None:
        """Called after inspections re-graded `schools` (grade codes, 0 outstanding)."""

    def commitments(self, model) -> np.ndarray | None:
        """Leadership days per term each school has committed to the scheme."""
        return None

    def programme_groups(self, model) -> np.ndarray:
        p = self.partnerships_of(model)
        return np.ones(p.n_groups, bool)

    def on_funding_end(self, model) -> np.ndarray:
        """Groups that stop when programme funding stops whatever their trust [none]."""
        return np.zeros(self.partnerships_of(model).n_groups, bool)

    def lapsable_groups(self, model) -> np.ndarray:
        p = self.partnerships_of(model)
        return np.ones(p.n_groups, bool)

    def summary(self, model) -> dict:
        return {}

    # Helpers shared by schemes that form groups.
    def participants(self, n_schools: int, rng) -> np.ndarray:
        """Schools taking part (each with probability `participation`); one draw per school.

        Inside a mixed scheme only the schools assigned to this scheme are eligible."""
        joining = rng.random(n_schools) < self.cfg.participation
        return joining if self.eligible is None else joining & self.eligible

    def grouped(self, model, groups: list[np.ndarray], rng) -> Partnerships:
        """Partnerships from member lists, with random offsets and starting trust."""
        cfg = self.cfg
        offset = rng.integers(0, cfg.meeting_interval_weeks, len(groups))
        partnerships = Partnerships.from_groups(
            self.name, groups, model.n_schools, cfg.meeting_interval_weeks,
            cfg.meeting_cost_days, offset, 0.0)
        trust_rng = model.streams["trust"]
        partnerships.trust[:] = beta_with_mean(
            trust_rng, np.full(partnerships.n_links, cfg.initial_trust), cfg.initial_trust_sd)
        self.groups = partnerships
        return partnerships


def all_pairs(model, members: np.ndarray, attending: np.ndarray, mutual: bool):
    """Every attending member learns every domain from every other attending member.

    In one-way mode the stronger school of a pair hosts (acts as teacher) and only the
    weaker learns."""
    width = members.shape[1]
    i, j = np.where(~np.eye(width, dtype=bool))
    learner, source = members[:, i].ravel(), members[:, j].ravel()
    keep = (learner >= 0) & (source >= 0)
    learner, source = learner[keep], source[keep]
    keep = attending[learner] & attending[source]
    learner, source = learner[keep], source[keep]
    if not mutual:
        level = model.state.expertise.mean(axis=1)
        weaker = level[learner] < level[source]
        learner, source = learner[weaker], source[weaker]
    return learner, source, None


def leader_pairs(members: np.ndarray, attending: np.ndarray, lead_column: np.ndarray):
    """Each attending member learns from its group's lead (column `lead_column` of the row),
    if the lead attends. Returns (learner, source)."""
    lead = members[np.arange(len(members)), lead_column]
    learner = members.ravel()
    source = np.repeat(lead, members.shape[1])
    keep = (learner >= 0) & (learner != source)
    learner, source = learner[keep], source[keep]
    keep = attending[learner] & attending[source]
    return learner[keep], source[keep]
