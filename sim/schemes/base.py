"""The scheme component: the interface every scheme implements, and what schemes share.

A scheme is a component (`sim.component`, kind "scheme"): one module with its `Params`
dataclass (extending `SchemeParams`, or `GroupParams` for schemes whose groups meet), its
`validate` for checks between fields, and its hooks. It decides *who partners whom*
(`form`, the scheme's set-up) and *what a meeting exchanges* (`exchange_plan`); the model's
calendar does the rest — when groups meet, attendance against leadership time, the exchange
kernel (`sim.meetings`), trust.

To write a scheme: one module in `sim/schemes/` with a `Scheme` subclass that sets `name`
and `Params` and implements `form`, plus `configs/scheme/<name>.yaml` naming
`<name>_schema`. The module registers itself when `sim.schemes` imports it.

Hooks beyond the lifecycle of `sim.component` (defaults in brackets):
- `form(model) -> Partnerships` — the set-up: the scheme's partnerships [none];
- `exchange_plan(model, groups, attending)` — the whole meeting: pairs, links, per-pair
  learning factor and whether each pair learns mutually [every attending member learns
  every domain from every other; one-way: the weaker from the stronger];
- `term_end(model)`, `year_end(model, year)` — as in `sim.component`;
- `on_inspection(model, schools, old, new)` — after inspections re-grade schools;
- `commitments(model)` — standing leadership days per term per school [None: none];
- `programme_groups(model)` — groups that a funded programme runs, so that they stop when
  funding stops unless trusted [all]; `on_funding_end(model)` — groups that stop with the
  funding whatever their trust [none]; `lapsable_groups(model)` — groups that may lapse [all];
- `rebroker(model, pool)` — new groups for schools whose groups lapsed, when a broker is
  at work (`SchoolSystem.rebroker`) [none: the scheme's groups are not re-brokered];
  `layer_schemes()` — the scheme of each layer [itself]; `regrouped(partnerships)` — the
  model's partnerships were rebuilt with re-brokered groups;
- `broadcasting(model)` — whether summaries of its meetings go to every school [no];
- `link_trust_growth(model, links)` — multiplier of trust growth [`trust_growth_factor`, 1];
- `outsider_openness_cut(model)` — per school, the openness lost to partners outside this
  scheme's groups when schemes are mixed [None: none];
- `extra_openness_cut` — openness lost where competition bites [0];
- `formation_levers(prefix)` — lever objects fixed at formation, for the summary [none];
- `eligible` — a mask of the schools the scheme may take (a mixed scheme's share) [all].
Class attributes: `combinable` (a mixed scheme may use it) and `partitionable` (it may take
a share of the schools; False for a scheme that spans the region, such as the market);
`traits`, what policy levers can act through (`sim.component.TRAITS`): "programme" for a
scheme whose groups a funded programme runs (`programme_groups` not empty), "broadcast"
for one that sends summaries to every school; "meetings" comes with `GroupParams`.

A scheme keeps the Partnerships it formed in `self.groups`; inside a mixed scheme that is a
view of one layer of the model's combined partnerships, and group ids passed to the
scheme's hooks are its own (layer-local) ids.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from omegaconf import MISSING

from sim.component import Component, param
from sim.distributions import beta_with_mean
from sim.partnerships import Partnerships, ordered_pairs
from sim.policies import Venue
from sim.rowsum import row_mean


class LearningMode(enum.Enum):
    """How partners learn in a scheme's meetings."""

    MUTUAL = "mutual"     # from each other; new practice can arise
    ONE_WAY = "one_way"   # the stronger school hosts and the weaker learns


@dataclass
class SchemeParams:
    """Settings every scheme has."""

    name: str = MISSING
    mode: str = param("mutual", choices=tuple(m.value for m in LearningMode),
                      label="How partners learn",
                      help="mutual: partners learn from each other and may create practice; "
                           "one_way: the stronger school hosts and the weaker learns")
    participation: float = param(1.0, min=0, max=1, why="a share of schools", unit="share",
                                 label="Share of schools taking part", step=0.05,
                                 help="Each school joins with this probability.")


@dataclass
class GroupParams(SchemeParams):
    """Settings of schemes whose groups meet."""

    meeting_interval_weeks: int = param(
        6, min=1, max=39, why="at least once a school year of 39 teaching weeks",
        unit="weeks", label="Weeks between meetings", help="Teaching weeks between meetings.")
    meeting_cost_days: float = param(
        1.0, min=0, max=10, why="a meeting takes at most two working weeks of a leader",
        unit="days", label="Leadership days per meeting", step=0.25,
        help="Leadership days each member spends on one meeting.")
    initial_trust: float = param(
        0.4, min=0, max=1, why="trust is a share", unit="0-1", label="Trust at the start",
        help="Mean starting trust on each link (brokered partnerships start higher).")
    initial_trust_sd: float = param(
        0.15, min=0, max=0.5, why="the widest spread of a share", unit="0-1",
        label="Spread of starting trust", help="Standard deviation of starting trust.")
    meeting_mode: str = param(
        "in_person", choices=tuple(v.value for v in Venue), label="Meetings held",
        help="How the scheme's groups meet; its costs and rates are for this mode.")


@dataclass
class MeetingPlan:
    """What this week's meetings exchange: one row per (learner, source) pair."""

    learner: np.ndarray
    source: np.ndarray
    weights: np.ndarray | None       # (pairs, domains) or None: every domain
    links: np.ndarray                # link of each pair in the model's partnerships
    factor: np.ndarray | None = None  # per-pair multiplier of learning (None: 1)
    mutual: bool | np.ndarray = True  # per pair (or all): mutual learning can create practice


class Scheme(Component):
    kind: ClassVar[str] = "scheme"
    Params: ClassVar[type] = SchemeParams
    combinable: ClassVar[bool] = True
    partitionable: ClassVar[bool] = True
    extra_openness_cut = 0.0
    trust_growth_factor = 1.0

    @classmethod
    def has(cls) -> frozenset[str]:
        meets = issubclass(cls.schema(), GroupParams)
        return cls.traits | {"meetings"} if meets else cls.traits

    def __init__(self, params):
        super().__init__(params)
        self.groups: Partnerships | None = None
        self.eligible: np.ndarray | None = None

    @property
    def mutual(self) -> bool:
        return LearningMode(self.params.mode) is LearningMode.MUTUAL

    @property
    def native_online(self) -> bool:
        return (isinstance(self.params, GroupParams)
                and Venue(self.params.meeting_mode) is Venue.ONLINE)

    def form(self, model) -> Partnerships:
        self.groups = Partnerships.empty(model.n_schools)
        return self.groups

    def partnerships_of(self, model) -> Partnerships:
        """This scheme's partnerships (its own layer inside a mixed scheme)."""
        return self.groups if self.groups is not None else model.partnerships

    def exchange_plan(self, model, groups: np.ndarray, attending: np.ndarray) -> MeetingPlan:
        """What this week's meetings of `groups` exchange (by default: `all_pairs`)."""
        p = self.partnerships_of(model)
        learner, source, kept = all_pairs(model, p.members.take(groups, axis=0), attending,
                                          self.mutual)
        links = p.pair_links().take(groups, axis=0).ravel().take(kept)
        return MeetingPlan(learner, source, None, links, None, self.mutual)

    def rebroker(self, model, pool: np.ndarray) -> list[np.ndarray]:
        """New groups for `pool`, schools whose groups of this scheme lapsed and that are in
        no active group of it, matched by the broker's rule [none: not re-brokered]."""
        return []

    def layer_schemes(self) -> list[Scheme]:
        """The scheme of each layer of the model's partnerships: itself, one layer."""
        return [self]

    def broadcasting(self, model) -> bool:
        """Whether the scheme sends summaries of its meetings to every school [no]."""
        return False

    def regrouped(self, partnerships: Partnerships) -> None:
        """The model's partnerships were rebuilt (re-brokered groups added)."""
        self.groups = partnerships

    def link_trust_growth(self, model, links: np.ndarray):
        """Multiplier of trust growth on each of these links (a scalar: all the same)."""
        return self.trust_growth_factor

    @property
    def native_online_layers(self) -> np.ndarray:
        """Whether each layer of the model's partnerships meets online by design."""
        return np.array([self.native_online], bool)

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

    @property
    def results_salience(self) -> float:
        """How many times the usual weight families give published results at 11 (a market
        raises it)."""
        return 1.0

    def outsider_openness_cut(self, model) -> np.ndarray | None:
        """Per school, openness lost to partners outside this scheme's groups (mixed)."""
        return None

    def formation_levers(self, prefix: str) -> list:
        """Lever objects this scheme's settings fix at formation (listed in the summary)."""
        return []

    # Helpers shared by schemes that form groups.
    def participants(self, n_schools: int, rng) -> np.ndarray:
        """Schools taking part (each with probability `participation`); one draw per school.

        Inside a mixed scheme only the schools assigned to this scheme are eligible."""
        joining = rng.random(n_schools) < self.params.participation
        return joining if self.eligible is None else joining & self.eligible

    def grouped(self, model, groups: list[np.ndarray], rng) -> Partnerships:
        """Partnerships from member lists, with random offsets and starting trust."""
        cfg = self.params
        offset = rng.integers(0, cfg.meeting_interval_weeks, len(groups))
        partnerships = Partnerships.from_groups(
            self.name, groups, model.n_schools, cfg.meeting_interval_weeks,
            cfg.meeting_cost_days, offset, 0.0)
        trust_rng = self.stream(model, "trust")
        partnerships.trust[:] = beta_with_mean(
            trust_rng, np.full(partnerships.n_links, cfg.initial_trust), cfg.initial_trust_sd)
        self.groups = partnerships
        return partnerships


def all_pairs(model, members: np.ndarray, attending: np.ndarray, mutual: bool):
    """Every attending member learns every domain from every other attending member.

    In one-way mode the stronger school of a pair hosts (acts as teacher) and only the
    weaker learns. Returns (learner, source, kept): `kept` the position of each pair among
    every ordered pair of member columns of each row (`ordered_pairs`), row after row."""
    i, j = ordered_pairs(members.shape[1])
    learner, source = members.take(i, axis=1).ravel(), members.take(j, axis=1).ravel()
    kept = ((learner >= 0) & (source >= 0)).nonzero()[0]
    learner, source = learner.take(kept), source.take(kept)
    keep = (attending.take(learner) & attending.take(source)).nonzero()[0]
    learner, source, kept = learner.take(keep), source.take(keep), kept.take(keep)
    if not mutual:
        level = row_mean(model.state.expertise)
        weaker = level[learner] < level[source]
        keep = np.flatnonzero(weaker)
        learner, source, kept = learner.take(keep), source.take(keep), kept.take(keep)
    return learner, source, kept


def leader_pairs(members: np.ndarray, attending: np.ndarray, lead_column: np.ndarray):
    """Each attending member learns from its group's lead (column `lead_column` of the row),
    if the lead attends. Returns (learner, source)."""
    lead = members.ravel().take(np.arange(len(members)) * members.shape[1] + lead_column)
    learner = members.ravel()
    source = np.repeat(lead, members.shape[1])
    keep = np.flatnonzero((learner >= 0) & (learner != source))
    learner, source = learner.take(keep), source.take(keep)
    keep = (attending.take(learner) & attending.take(source)).nonzero()[0]
    return learner.take(keep), source.take(keep)
