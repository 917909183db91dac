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
  While the broker is at work and a programme runs (not after its funding ended), the
  schools whose groups lapsed are re-brokered into new groups at the year's end
  (`SchoolSystem.rebroker`, by each scheme's own rule: `Scheme.rebroker`).
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
- *Pupil Premium* — from April 2011 every school in England has received a grant per
  disadvantaged pupil (free school meals, later "ever 6"), rising from £488 (2011-12) to
  £1,320 a primary and £935 a secondary pupil (2015-16 on; DfE Pupil Premium conditions of
  grant; NAO, *Funding for disadvantaged pupils*, 2015). The lever turns each school year's
  amount into months of extra progress a year for disadvantaged pupils, at the effect per
  £1,000 a year of school spending on attainment at KS2 that a study independent of the gap
  index estimates (`months_at_key_stage_per_1000_gbp`, see its help), spread over the
  phase's years: it acts through the pupils' value added
  (`LeverState.disadvantaged_value_added`), never on the gap itself.

Each lever is a component (`sim.component`, kind "policy"): its `Params` dataclass (a
`WindowParams` plus its own settings, with their metadata) is the schema of its config section
`policy.<name>`. `repr(lever)` is a call that re-creates it, `overrides()` the Hydra overrides
that put it in a config. Its `process` is a SimPy process that calls `window_start` at the
start of its window and `window_stop` at the end (both at `calendar.AT_POLICY`, after the
year's results and before the next week's meetings); `setup` runs once after the scheme
formed its partnerships. Runtime effects live in the model's `LeverState`, which the model
and the schemes read; what a lever did is reported by its `summary`. A lever that acts only
through some schemes names what it needs of them (`needs`, see `sim.component.TRAITS`):
brokering acts on programme groups, funding and the meeting mode on groups that meet
(funding's backfill pays back any group's meeting days), the
broadcast on schemes that broadcast; accountability and leadership time act on every school
whatever the scheme. `not_applying(cfg)` lists the levers a config sets to no effect (the
command line notes them; the dashboard does not show them).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, fields
from typing import ClassVar, Optional

import numpy as np

from sim import calendar
from sim.component import Component, applies, param, registered, require
from sim.overrides import override
from sim.pupils.places import YEARS_IN_PHASE

YEARS = dict(min=0, max=100, why="a school year of the run (runs are at most 100 years)",
             unit="school years", step=0.5)


class Programme(enum.Enum):
    """Where a funded partnership programme stands."""

    PENDING = "pending"   # before funding starts: programme groups do not meet
    FUNDED = "funded"
    ENDED = "ended"


class Venue(enum.Enum):
    """Where a group's meetings are held."""

    IN_PERSON = "in_person"
    ONLINE = "online"


def week_of_year(year: float) -> int:
    """The teaching week at which a window edge given in school years falls."""
    return int(round(year * calendar.WEEKS_PER_YEAR))


@dataclass
class LeverState:
    """What the active levers currently say; the model and schemes read it."""

    programme: Programme = Programme.PENDING
    backfill: float = 0.0
    lapse_factor: float = 1.0
    brokering: bool = True   # a broker re-brokers the schools whose groups lapsed
    days_factors: dict[str, float] = field(default_factory=dict)   # by source
    collaboration_cap: float = math.inf
    venues: dict[str, Venue] = field(default_factory=dict)         # by source
    interval_factor: float = 1.0
    broadcast: bool | None = None
    grade_openness_cut: float = 0.0
    inspection_interval_years: float | None = None
    # Extra months of progress a year for disadvantaged pupils, (primary, secondary), by
    # source: the Pupil Premium adds, the pandemic's wider absence gap takes away.
    disadvantaged_value_added_by: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def days_factor(self) -> float:
        return float(math.prod(self.days_factors.values()))

    @property
    def disadvantaged_value_added(self) -> tuple[float, float]:
        """Every source's extra months a year for disadvantaged pupils, summed by phase."""
        values = self.disadvantaged_value_added_by.values()
        return (float(sum(v[0] for v in values)), float(sum(v[1] for v in values)))

    @property
    def venue(self) -> Venue | None:
        """The forced venue: a shock's beats a policy's; None: each scheme's own."""
        return self.venues.get("pandemic") or self.venues.get("policy")


@dataclass
class WindowParams:
    """A lever's time window in school years from the start; null end: to the end of the run."""

    start_year: float = param(0.0, **YEARS, label="Window starts in year",
                              help="School years from the start of the run.")
    end_year: Optional[float] = param(None, **YEARS, label="Window ends in year",
                                      help="null: to the end of the run.")


class Policy(Component):
    """A lever with a window [start_year, end_year) in school years (None: to the end).

    Build one from its settings, `ProgrammeFunding(end_year=3.0)`, or from its config section
    (`from_config`)."""

    kind: ClassVar[str] = "policy"
    Params: ClassVar[type] = WindowParams

    def __init__(self, params=None, /, **values):
        super().__init__(params if params is not None else self.Params(**values))

    def __repr__(self) -> str:
        values = ", ".join(f"{f.name}={getattr(self.params, f.name)!r}"
                           for f in fields(self.params))
        return f"{type(self).__name__}({values})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.params == self.params

    def __hash__(self) -> int:
        return hash(repr(self))

    @classmethod
    def validate(cls, params, prefix, cfg):
        if params.end_year is not None:
            require(params.end_year > params.start_year,
                    f"{prefix}.end_year={params.end_year} is not after {prefix}.start_year="
                    f"{params.start_year}; allowed: null or a year > start_year")

    @classmethod
    def from_config(cls, node) -> Policy:
        return cls(**{f.name: node[f.name] for f in fields(cls.Params)})

    def overrides(self) -> list[str]:
        """Hydra overrides that put this lever in a config."""
        return [override(f"policy.{self.name}.{f.name}", getattr(self.params, f.name))
                for f in fields(self.params)]

    def active_at(self, year: float) -> bool:
        p = self.params
        return p.start_year <= year and (p.end_year is None or year < p.end_year)

    def process(self, model):
        """SimPy process: `window_start` at the window's start, `window_stop` at its end."""
        env, p = model.env, self.params
        begin = week_of_year(p.start_year)
        if begin > model.end_week:
            return
        yield env.timeout(max(begin + calendar.AT_POLICY - env.now, 0.0))
        self.window_start(model)
        model.refresh_levers()
        if p.end_year is None:
            return
        end = week_of_year(p.end_year)
        if end > model.end_week:
            return
        yield env.timeout(max(end + calendar.AT_POLICY - env.now, 0.0))
        self.window_stop(model)
        model.refresh_levers()


@dataclass
class FundingParams(WindowParams):
    # When funding ends, groups whose mean trust is below this stop meeting.
    sustain_trust: float = param(
        0.5, min=0, max=1, why="trust is a share", unit="0-1",
        label="Trust needed to carry on unfunded",
        help="When funding ends, groups whose mean trust is below this stop meeting.")
    backfill: float = param(0.0, min=0, max=1, why="a share of the meeting days", unit="share",
                            label="Share of meeting days paid back while funded")


class ProgrammeFunding(Policy):
    """Partnership programme funded in the window; afterwards only trusted groups go on."""

    name = "funding"
    Params = FundingParams
    # Not only "programme": while funded, backfill pays back the meeting days of every
    # group that meets (`sim.meetings`), a trust's too, though only programme groups wait
    # for the funding and stop with it.
    needs = "meetings"

    def __init__(self, params=None, /, **values):
        super().__init__(params, **values)
        self.ended_groups: int | None = None   # groups stopped when funding ended

    def window_start(self, model) -> None:
        model.levers.programme = Programme.FUNDED
        model.levers.backfill = self.params.backfill

    def window_stop(self, model) -> None:
        model.levers.programme = Programme.ENDED
        model.levers.backfill = 0.0
        p = model.partnerships
        if p.n_groups:
            weak = p.mean_trust_by_group() < self.params.sustain_trust
            ending = p.active & model.scheme.programme_groups(model) & (
                weak | model.scheme.on_funding_end(model))
            p.active &= ~ending
            self.ended_groups = int(ending.sum())
        model.refresh_commitments()

    def summary(self, model) -> dict:
        return {} if self.ended_groups is None else {"funding_ended_groups": self.ended_groups}


@dataclass
class BrokeringParams(WindowParams):
    # (Not "on": YAML reads a bare `on` key as true.)
    enabled: bool = param(True, label="Local-authority brokering",
                          help="Brokered partnerships form more often and start with more "
                               "trust, and lapsed ones are re-brokered while a programme "
                               "runs.")
    # Without brokering: share of groups that form, cut in starting trust, lapse factor.
    formation_success: float = param(0.6, min=0, max=1, why="a share of groups", unit="share",
                                     label="Share of groups that form without a broker")
    trust_cut: float = param(0.4, min=0, max=1, why="a share of trust", unit="share",
                             label="Starting trust lost without a broker")
    lapse_factor: float = param(2.0, min=1, max=10,
                                why="without a broker groups lapse as often, up to ten times",
                                unit="x usual", label="Lapses without a broker (x usual)")


class Brokering(Policy):
    """Local-authority brokering on (the baseline) or off during the window."""

    name = "brokering"
    Params = BrokeringParams
    needs = "programme"

    def __init__(self, params=None, /, **values):
        super().__init__(params, **values)
        self.failed_groups: int | None = None   # groups that never formed without a broker

    def setup(self, model) -> None:
        """Formation is brokered unless the window with `enabled=False` covers year 0."""
        p, params = model.partnerships, self.params
        rng = model.streams["brokering"]
        u = rng.random(p.n_groups)   # one draw per group whatever the setting
        if params.enabled or not self.active_at(0.0) or p.n_groups == 0:
            return
        programme = model.scheme.programme_groups(model)
        failed = programme & (u >= params.formation_success)
        p.active &= ~failed
        p.trust[programme[p.link_group]] *= 1 - params.trust_cut
        self.failed_groups = int(failed.sum())

    def window_start(self, model) -> None:
        model.levers.lapse_factor = 1.0 if self.params.enabled else self.params.lapse_factor
        model.levers.brokering = bool(self.params.enabled)

    def window_stop(self, model) -> None:
        model.levers.lapse_factor = 1.0
        model.levers.brokering = True

    def summary(self, model) -> dict:
        return ({} if self.failed_groups is None
                else {"unbrokered_failed_groups": self.failed_groups})


@dataclass
class CrossBorderParams(WindowParams):
    required: bool = True
    scheme_key: str = "scheme.cross_border"


class CrossBorder(Policy):
    """Trios must join three local authorities (`scheme.cross_border`; acts at formation).

    Not a config section of its own (the setting is the scheme's), so not registered: the
    trios scheme lists it among its `formation_levers` for the summary."""

    Params = CrossBorderParams

    def overrides(self) -> list[str]:
        return [override(self.params.scheme_key, self.params.required)]


@dataclass
class AccountabilityParams(WindowParams):
    interval_years: Optional[float] = param(
        None, min=0.25, max=20, why="from a term to twenty years", unit="years",
        label="Inspection interval set by policy",
        help="Inspection interval during the window (null: inspection.interval_years).")
    grade_openness_cut: float = param(
        0.0, min=0, max=1, why="a share of openness", unit="share",
        label="Openness lost after a poor grade",
        help="Openness lost after an inadequate grade (half of it after requires "
             "improvement): accountability pressure.")


class Accountability(Policy):
    """Inspection frequency and the openness a poor grade costs, during the window."""

    name = "accountability"
    Params = AccountabilityParams

    def window_start(self, model) -> None:
        model.levers.grade_openness_cut = self.params.grade_openness_cut
        model.levers.inspection_interval_years = self.params.interval_years
        model.inspection.reschedule(model)

    def window_stop(self, model) -> None:
        model.levers.grade_openness_cut = 0.0
        model.levers.inspection_interval_years = None


@dataclass
class LeadershipTimeParams(WindowParams):
    days_factor: float = param(1.0, min=0, max=5, why="from no time to five times the usual",
                               unit="x usual", label="Leadership time (x usual)", step=0.1,
                               help="Multiplies every school's leadership days.")
    collaboration_cap_days: Optional[float] = param(
        None, min=0, max=65, why="days in a term", unit="days per term", step=0.5,
        label="Cap on partnership days per term",
        help="Most days per term a school may spend in partnership meetings (null: no cap).")


class LeadershipTime(Policy):
    """Leadership days scaled, and days in partnership meetings capped, during the window."""

    name = "leadership_time"
    Params = LeadershipTimeParams

    def window_start(self, model) -> None:
        model.levers.days_factors["policy"] = self.params.days_factor
        if self.params.collaboration_cap_days is not None:
            model.levers.collaboration_cap = self.params.collaboration_cap_days

    def window_stop(self, model) -> None:
        model.levers.days_factors.pop("policy", None)
        model.levers.collaboration_cap = math.inf


@dataclass
class MeetingModeParams(WindowParams):
    mode: str = param("scheme", choices=("scheme",) + tuple(v.value for v in Venue),
                      label="Meetings",
                      help="scheme: each scheme's own mode; or online / in_person for every "
                           "group.")
    interval_factor: float = param(
        1.0, min=0.1, max=13, why="from ten times as often to a term between meetings",
        unit="x the scheme's", label="Meeting interval (x the scheme's)", step=0.25,
        help="Multiplies every group's meeting interval (0.5: twice as often).")


class MeetingMode(Policy):
    """Every group meets online or in person, and more or less often, during the window."""

    name = "meetings"
    Params = MeetingModeParams
    needs = "meetings"

    def window_start(self, model) -> None:
        if self.params.mode != "scheme":
            model.levers.venues["policy"] = Venue(self.params.mode)
        model.levers.interval_factor = self.params.interval_factor

    def window_stop(self, model) -> None:
        model.levers.venues.pop("policy", None)
        model.levers.interval_factor = 1.0


@dataclass
class BroadcastParams(WindowParams):
    enabled: Optional[bool] = param(
        None, label="Summaries to every school",
        help="null: each scheme's own setting; true/false forces summaries on or off.")


class Broadcast(Policy):
    """Summaries of partnership discussions sent to every school: forced on or off."""

    name = "broadcast"
    Params = BroadcastParams
    needs = "broadcast"

    def window_start(self, model) -> None:
        model.levers.broadcast = self.params.enabled

    def window_stop(self, model) -> None:
        model.levers.broadcast = None


AMOUNT = dict(min=0, max=10_000, why="up to about twice a pupil's core funding",
              unit="GBP per disadvantaged pupil a year")


@dataclass
class PupilPremiumParams(WindowParams):
    enabled: bool = param(False, label="Pupil Premium",
                          help="Extra funding per disadvantaged pupil during the window.")
    amounts_primary_gbp: list[float] = param(
        [488.0, 623.0, 953.0, 1300.0, 1320.0], **AMOUNT,
        label="Premium per disadvantaged primary pupil, by year of the window",
        help="One amount per school year from the window's start; the last holds after. "
             "Default: DfE rates 2011-12 to 2015-16 (2015-16 held to 2019-20).")
    amounts_secondary_gbp: list[float] = param(
        [488.0, 623.0, 900.0, 935.0, 935.0], **AMOUNT,
        label="Premium per disadvantaged secondary pupil, by year of the window",
        help="As for primary: DfE rates 2011-12 to 2015-16.")
    # The effect, checked (issue 14) against the study's own report, Holmlund, McNally &
    # Viarengo (2008), *Impact of school resources on attainment at Key Stage 2*, DCSF research
    # report (the study published as 'Does money matter for schools?', Economics of Education
    # Review 29(6), 2010; all English state primaries, KS2 2001/02-2006/07): £1,000 more
    # expenditure per pupil (about a third more) raises KS2 attainment by 4.3 % of a National
    # Curriculum level in English and 3.5 % in maths (1.9 % in science), and the share
    # reaching level 4 by 2.2 and 2.0 points; pupils on free school meals gain more in English
    # and maths (by how much: not read). Into months at KS2:
    #   1. English and maths (the DfE KS2 index's subjects): (4.3 + 3.5) / 2 = 3.9 % of a level;
    #   2. a level is two years' progress (the expected progress from KS1 at 7 to KS2 at 11 is
    #      two levels in four years): 0.039 x 24 months = 0.94 months at the end of KS2.
    # The study's 0.94 months is what spending sustained through primary school adds at KS2,
    # so the lever spreads it over the years of the phase the premium pays for (Reception to
    # Year 6: 7 years; `sim.pupils.places.YEARS_IN_PHASE`): a pupil funded £1,000 a year
    # through primary ends 0.94 months ahead at KS2, the study's figure. (Until issue 14's
    # held-out check 10a failed the rate was 0.94 / 4 years of KS2 = 0.23 months a year given
    # in all seven primary years: 1.6 months at KS2, 7/4 of the study's.) Left out: the larger
    # effect for FSM pupils (so this is low for them). Secondary: the study is of primaries;
    # the same effect at KS4 is assumed (the DfE's own 2010-15 analysis, *School funding and
    # pupil outcomes*, 2017, found no significant effect at KS4).
    months_at_key_stage_per_1000_gbp: float = param(
        0.94, min=0, max=24, why="at most two years' extra progress by the key stage per £1,000",
        unit="months at KS2/KS4 per £1,000 a year",
        label="Extra progress by the key stage per £1,000 a year spent on a pupil",
        help="Independent of the gap index: Holmlund, McNally & Viarengo (DCSF report 2008; "
             "Economics of Education Review 29(6) 2010, 'Does money matter for schools?'): "
             "£1,000 more per pupil raises KS2 English and maths by 3.9 % of a level on "
             "average, 0.94 months (a level = 24 months). Spread over the phase's years (7 "
             "primary, 5 secondary), so a pupil funded through the phase gains it by KS2 / "
             "KS4. Pupils on free school meals gain more (not included). Not fitted to the "
             "DfE index.")


class PupilPremium(Policy):
    """Funding per disadvantaged pupil from the window's start, year by year, as extra
    value added for disadvantaged pupils (months a year, by phase)."""

    name = "pupil_premium"
    Params = PupilPremiumParams

    @classmethod
    def validate(cls, params, prefix, cfg):
        super().validate(params, prefix, cfg)
        for key in ("amounts_primary_gbp", "amounts_secondary_gbp"):
            require(len(getattr(params, key)) >= 1,
                    f"{prefix}.{key}=[]; allowed: one amount or more (one per school year)")

    def value_added(self, year_of_window: int) -> tuple[float, float]:
        """Months of extra progress a year for disadvantaged pupils in the window's
        `year_of_window`-th school year (0 first), (primary, secondary): the effect by the
        key stage spread over the phase's years."""
        p = self.params
        return tuple(amounts[min(year_of_window, len(amounts) - 1)] / 1000.0
                     * p.months_at_key_stage_per_1000_gbp / years
                     for amounts, years in zip((p.amounts_primary_gbp, p.amounts_secondary_gbp),
                                               YEARS_IN_PHASE.tolist()))

    def process(self, model):
        """SimPy process: at the start of each school year of the window the year's premium
        (the amounts change from year to year); nothing after the window."""
        p, env = self.params, model.env
        if not p.enabled:
            return
        begin = week_of_year(p.start_year)
        end = model.end_week if p.end_year is None else min(week_of_year(p.end_year),
                                                            model.end_week + 1)
        for k, week in enumerate(range(begin, end, calendar.WEEKS_PER_YEAR)):
            yield env.timeout(max(week + calendar.AT_POLICY - env.now, 0.0))
            model.levers.disadvantaged_value_added_by[self.name] = self.value_added(k)
        if p.end_year is not None and week_of_year(p.end_year) <= model.end_week:
            yield env.timeout(max(week_of_year(p.end_year) + calendar.AT_POLICY - env.now, 0.0))
            model.levers.disadvantaged_value_added_by.pop(self.name, None)


def not_applying(cfg) -> list[tuple[str, type[Policy]]]:
    """Levers set away from their defaults for a scheme they do not apply to (they change
    nothing in that run): (`key=value` of the first setting changed, the lever's class)."""
    scheme = registered("scheme")[cfg.scheme.name]
    out = []
    for name, cls in registered("policy").items():
        if applies(cls, scheme):
            continue
        defaults = cls.Params()
        changed = [f.name for f in fields(defaults)
                   if cfg.policy[name][f.name] != getattr(defaults, f.name)]
        if changed:
            out.append((override(f"policy.{name}.{changed[0]}", cfg.policy[name][changed[0]]),
                        cls))
    return out


def from_config(cfg) -> list[Policy]:
    """Every registered lever with its config section (defaults included: they change
    nothing), in registration order."""
    return [cls.from_config(cfg.policy[name]) for name, cls in registered("policy").items()]
