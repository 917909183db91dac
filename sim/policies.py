"""Policy levers: objects with a time window whose repr re-creates them.

Sources (seed documents 000-004):
- *Programme funding* — the Greater Manchester Challenge ran for three funded years
  (2008-11, £50m) and its evaluation judged that too short; what lasts is what schools keep
  doing when the money stops, which depends on "a relationship of trust" and "long-term
  commitment in terms of both leadership and resources" (policy briefing, 002). When funding
  ends, a programme group goes on meeting only if its mean trust has reached
  `sustain_trust`; while funded, `backfill` of the meeting days is paid back (supply cover).
- *Local-authority brokering* — "new collaborations need to be carefully brokered, and
  coordinated and monitored sensitively"; "careful outside facilitation of collaborative
  school partnerships can increase their eventual chances of success" (002). Without a
  broker a share `1 - formation_success` of groups never starts, starting trust is cut by
  `trust_cut`, and groups lapse `lapse_factor` times as often while the broker is absent.
- *Cross-border requirement* for trios — "pursuing cross-border collaboration" (002), the
  Pathways to Success design (000, 001); the key is `scheme.cross_border` and acts at
  formation.
- *Accountability pressure* — "policy contexts that put pressure on schools to compete"
  make sharing harder (003); a poor inspection grade puts a school on the defensive, so
  during the window an inadequate grade cuts openness by `grade_openness_cut` and
  requires-improvement by half of it; `interval_years` changes how often schools are
  inspected.
- *Leadership time* — collaboration "requires strong collective commitment from senior
  school staff" (003) and costs leaders' days; `days_factor` scales every school's
  leadership days, `collaboration_cap_days` caps days per term in partnership meetings.
- *Meeting mode* — Pathways to Success met online (000); online meetings cost less time
  (no travel) but move less tacit practice and build trust more slowly (`meetings.*`
  factors); `interval_factor` changes how often every group meets.
- *Broadcast* — summaries of the trios' discussions "have been shared with all Greater
  Manchester schools" (000); the lever forces them on or off.

Each lever is a frozen dataclass: `repr(lever)` is a call that re-creates it, `overrides()`
the Hydra overrides that put it in a config. Its `process` is a SimPy process that applies
it at the start of its window and undoes it at the end (both at `calendar.AT_POLICY`, after
the year's results and before the next week's meetings). Runtime effects live in the
model's `LeverState`, which the model and the schemes read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import ClassVar

import numpy as np

from sim import calendar
from sim.overrides import override


def week_of_year(year: float) -> int:
    """The teaching week at which a window edge given in school years falls."""
    return int(round(year * calendar.WEEKS_PER_YEAR))


@dataclass
class LeverState:
    """What the active levers currently say; the model and schemes read it."""

    programme: str = "pending"        # pending (before funding starts), funded, ended
    backfill: float = 0.0
    lapse_factor: float = 1.0
    days_factors: dict[str, float] = field(default_factory=dict)   # by source
    collaboration_cap: float = math.inf
    modes: dict[str, str] = field(default_factory=dict)            # by source
    interval_factor: float = 1.0
    broadcast: bool | None = None
    grade_openness_cut: float = 0.0
    inspection_interval_years: float | None = None

    @property
    def days_factor(self) -> float:
        return float(np.prod(list(self.days_factors.values()))) if self.days_factors else 1.0

    @property
    def meeting_mode(self) -> str | None:
        """The forced meeting mode: a shock's beats a policy's; None: each scheme's own."""
        return self.modes.get("pandemic") or self.modes.get("policy")


@dataclass(frozen=True)
class Policy:
    """A lever with a window [start_year, end_year) in school years (None: to the end)."""

    start_year: float = 0.0
    end_year: float | None = None
    key: ClassVar[str] = ""

    def active_at(self, year: float) -> bool:
        return self.start_year <= year and (self.end_year is None or year < self.end_year)

    def overrides(self) -> list[str]:
        """Hydra overrides that put this lever in a config."""
        return [override(f"policy.{self.key}.{f.name}", getattr(self, f.name))
                for f in fields(self)]

    @classmethod
    def from_config(cls, node) -> Policy:
        return cls(**{f.name: node[f.name] for f in fields(cls)})

    # ---- lifecycle
    def at_formation(self, model) -> None:
        """Called once, after the scheme formed its partnerships."""

    def start(self, model) -> None:
        """The window opens."""

    def stop(self, model) -> None:
        """The window closes."""

    def process(self, model):
        """SimPy process: `start` at the window's start, `stop` at its end."""
        env = model.env
        begin = week_of_year(self.start_year)
        if begin > model.end_week:
            return
        yield env.timeout(max(begin + calendar.AT_POLICY - env.now, 0.0))
        self.start(model)
        model.refresh_levers()
        if self.end_year is None:
            return
        end = week_of_year(self.end_year)
        if end > model.end_week:
            return
        yield env.timeout(max(end + calendar.AT_POLICY - env.now, 0.0))
        self.stop(model)
        model.refresh_levers()


@dataclass(frozen=True)
class ProgrammeFunding(Policy):
    """Partnership programme funded in the window; afterwards only trusted groups go on."""

    sustain_trust: float = 0.5
    backfill: float = 0.0
    key: ClassVar[str] = "funding"

    def start(self, model) -> None:
        model.levers.programme = "funded"
        model.levers.backfill = self.backfill

    def stop(self, model) -> None:
        model.levers.programme = "ended"
        model.levers.backfill = 0.0
        p = model.partnerships
        if p.n_groups:
            weak = p.mean_trust_by_group() < self.sustain_trust
            ending = p.active & model.scheme.programme_groups(model) & (
                weak | model.scheme.on_funding_end(model))
            p.active &= ~ending
            model.funding_ended_groups = int(ending.sum())
        model.refresh_commitments()


@dataclass(frozen=True)
class Brokering(Policy):
    """Local-authority brokering on (the baseline) or off during the window."""

    enabled: bool = True
    formation_success: float = 0.6
    trust_cut: float = 0.4
    lapse_factor: float = 2.0
    key: ClassVar[str] = "brokering"

    def at_formation(self, model) -> None:
        """Formation is brokered unless the window with `enabled=False` covers year 0."""
        p = model.partnerships
        rng = model.streams["brokering"]
        u = rng.random(p.n_groups)   # one draw per group whatever the setting
        if self.enabled or not self.active_at(0.0) or p.n_groups == 0:
            return
        programme = model.scheme.programme_groups(model)
        failed = programme & (u >= self.formation_success)
        p.active &= ~failed
        p.trust[programme[p.link_group]] *= 1 - self.trust_cut
        model.unbrokered_failed_groups = int(failed.sum())

    def start(self, model) -> None:
        model.levers.lapse_factor = 1.0 if self.enabled else self.lapse_factor

    def stop(self, model) -> None:
        model.levers.lapse_factor = 1.0


@dataclass(frozen=True)
class CrossBorder(Policy):
    """Trios must join three local authorities (`scheme.cross_border`; acts at formation)."""

    required: bool = True
    scheme_key: str = "scheme.cross_border"
    key: ClassVar[str] = "cross_border"

    def overrides(self) -> list[str]:
        return [override(self.scheme_key, self.required)]


@dataclass(frozen=True)
class Accountability(Policy):
    """Inspection frequency and the openness a poor grade costs, during the window."""

    interval_years: float | None = None
    grade_openness_cut: float = 0.0
    key: ClassVar[str] = "accountability"

    def start(self, model) -> None:
        model.levers.grade_openness_cut = self.grade_openness_cut
        model.levers.inspection_interval_years = self.interval_years
        model.inspection.reschedule(model)

    def stop(self, model) -> None:
        model.levers.grade_openness_cut = 0.0
        model.levers.inspection_interval_years = None


@dataclass(frozen=True)
class LeadershipTime(Policy):
    """Leadership days scaled, and days in partnership meetings capped, during the window."""

    days_factor: float = 1.0
    collaboration_cap_days: float | None = None
    key: ClassVar[str] = "leadership_time"

    def start(self, model) -> None:
        model.levers.days_factors["policy"] = self.days_factor
        if self.collaboration_cap_days is not None:
            model.levers.collaboration_cap = self.collaboration_cap_days

    def stop(self, model) -> None:
        model.levers.days_factors.pop("policy", None)
        model.levers.collaboration_cap = math.inf


@dataclass(frozen=True)
class MeetingMode(Policy):
    """Every group meets online or in person, and more or less often, during the window."""

    mode: str = "scheme"
    interval_factor: float = 1.0
    key: ClassVar[str] = "meetings"

    def start(self, model) -> None:
        if self.mode != "scheme":
            model.levers.modes["policy"] = self.mode
        model.levers.interval_factor = self.interval_factor

    def stop(self, model) -> None:
        model.levers.modes.pop("policy", None)
        model.levers.interval_factor = 1.0


@dataclass(frozen=True)
class Broadcast(Policy):
    """Summaries of partnership discussions sent to every school: forced on or off."""

    enabled: bool | None = None
    key: ClassVar[str] = "broadcast"

    def start(self, model) -> None:
        model.levers.broadcast = self.enabled

    def stop(self, model) -> None:
        model.levers.broadcast = None


LEVERS: tuple[type[Policy], ...] = (ProgrammeFunding, Brokering, Accountability, LeadershipTime,
                                    MeetingMode, Broadcast)


def from_config(cfg) -> list[Policy]:
    """Every lever the config sets (defaults included: they change nothing)."""
    node = cfg.get("policy") if hasattr(cfg, "get") else None
    policies: list[Policy] = []
    if node is not None:
        policies = [cls.from_config(node[cls.key]) for cls in LEVERS]
    scheme = cfg.scheme
    if scheme.name == "trios":
        policies.append(CrossBorder(required=bool(scheme.cross_border)))
    elif scheme.name == "mixed" and _uses(scheme, "trios"):
        policies.append(CrossBorder(required=bool(scheme.trios.cross_border),
                                    scheme_key="scheme.trios.cross_border"))
    return policies


def _uses(mixed, name: str) -> bool:
    return name in mixed.overlay or name in mixed.partition


def overrides(policies: list[Policy]) -> list[str]:
    """Hydra overrides for a list of levers (for `sim.run(..., policies=[...])`)."""
    return [o for p in policies for o in p.overrides()]
