"""`leadership`: school-led system leadership (National Leaders of Education and the like).

Sources: seed 001 — "school-led system leadership, involves 'strong' schools and 'system
leaders', incentivised by increased prestige and resources, taking responsibility for
'failing' schools and groups of schools (Greany & Higham, 2018). While such macro- and
meso-level interventions may lead to short-term gains in outcomes, those improvements are
not always sustained"; seed 003 — when "the host teachers interpret visits solely as
opportunities for the visitors to learn ... the hosts position themselves as teachers rather
than learners" and the visitors "merely rehearse what they already knew"; seed 002 —
"successful head teachers are often enthusiastic about taking on improvement roles with
other schools, but their involvement needs to be encouraged, monitored and supported".

Formation (at the start, from the first grades): leaders are schools graded in
`leader_grades` (outstanding), supported schools those in `supported_grades` (requires
improvement, inadequate), both among participants. Per phase, the weakest supported school
(lowest attainment) is placed first, each with the nearest leader that still has room for
`max_supported` schools; a group is a (leader, supported) pair, so a leader with two
schools heads a small cluster. Supported schools no leader can take stay unsupported and
are counted.

Meetings: one-way (host as teacher): the supported school learns from its leader in every
domain, `support_intensity` times a network meeting's learning (the leader's staff work in
the school); no new practice is created; trust grows at `trust_growth_factor` of the usual
rate, because teaching visits build less mutual trust than enquiry.

Time (issue 12, session 7; it was 6.5 visits x 0.5 days a term charged to the supported
school against 1.5 days lent, so support cost the weak school more of its own improvement
time than it brought, and its improvement sped up when the support ended):
- The leader gives `leader_days_per_supported` days a term to each school it supports,
  13 by default: one day a week over a term of 13 weeks. Sources: the National College's
  NLE/NSS programme FAQ ("What models of deployment does the National College envisage?")
  lists an NLE "providing consultancy support, with staff from the NSS, for 1-2 days a
  week", supporting an acting head "for three days a week", or as full-time acting or
  executive head; a teaching-school alliance's description of LLE deployments
  (Farlingaye & Kesgrave TSA): "Generally LLEs will work half a day or a day a week with a
  partner school"; the NCTL's description of the NLE role on school websites: "up to 3 to
  4 days of support per week for 2 years or more". One day a week is the overlap of the
  LLE range and the lightest NLE model; heavier deployments are settings.
- The visits are those days: a visit costs no seat days (`meeting_cost_days` 0), so the
  leader's time is counted once, as a standing commitment (`commitments`).
- The supported school gives up none of its own improvement time to a visit: its leaders
  spend it on their own school's improvement, with the leader's help. ASSUMPTION, from what
  the deployment is for: NLEs "provide additional leadership capacity to schools in
  difficulty" (Hill & Matthews 2010, Schools leading schools II, National College).
- A share `lent_days_share` of the leader's days arrives in the supported school as
  leadership capacity for improvement (the leader's team works there), speeding its
  in-school improvement while the support lasts, and going when the support goes, so
  gains resting on it fade (seed 001: such gains are "not always sustained").
- The leader school loses, of the days it gives, the share that would have been its own
  improvement work: its leadership days over the 65 working days of a term
  (`sim.calendar.WORKING_DAYS_PER_TERM`), about 8/65 of them with the defaults.
  ASSUMPTION: the days away are drawn evenly from the leader's working time and the rest is
  covered by the supporting school's senior and middle leaders (a National Support School
  must have "outstanding senior and middle leaders" with "on-going capacity" to support
  other schools, NLE designation criteria). Before session 7 all of the days came out of
  the leader's improvement time.
End: support ends when the supported school is re-graded good or better
(`end_when_regraded`) or when programme funding stops (pairs do not lapse: a deployment is
brokered with an end, not a voluntary partnership): system
leaders are "incentivised by increased prestige and resources", so unless
`continues_unfunded` the support stops with the funding whatever the trust (with it, only
pairs below `policy.funding.sustain_trust` stop, as in other schemes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from sim.calendar import WORKING_DAYS_PER_TERM
from sim.component import param, redefault, require
from sim.inspection import GOOD, GRADES, grade_codes
from sim.schemes.base import GroupParams, MeetingPlan, Scheme


@dataclass
class LeadershipParams(GroupParams):
    """System leadership: strong schools support weak ones."""

    name: str = "leadership"
    mode: str = redefault(GroupParams, "mode", "one_way")
    meeting_interval_weeks: int = redefault(GroupParams, "meeting_interval_weeks", 2)
    # The visits are the leader's lent days (`commitments`): no seat days on top.
    meeting_cost_days: float = redefault(GroupParams, "meeting_cost_days", 0.0)
    leader_grades: list[str] = param(["outstanding"], choices=GRADES,
                                     label="Grades that make a school a system leader")
    supported_grades: list[str] = param(["requires_improvement", "inadequate"], choices=GRADES,
                                        label="Grades that get support")
    max_supported: int = param(2, min=1, max=10, why="pairs or small clusters", unit="schools",
                               label="Schools one system leader supports", step=1)
    leader_days_per_supported: float = param(
        13.0, min=0, max=65, why="up to every working day of a 13-week term (full-time "
        "acting headship)", unit="days per term", label="Leader's days per supported school",
        help="Working days per term the leader and its staff spend in each supported school "
             "(13: one day a week, the National College's lightest NLE deployment and the "
             "top of an LLE's usual half a day to a day a week).")
    lent_days_share: float = param(
        0.75, min=0, max=1, why="a share", unit="share", label="Share of lent days that arrive",
        help="Share of the leader's days that arrive as leadership capacity in the supported "
             "school; the rest is lost to travel and learning the context (an assumption).")
    support_intensity: float = param(
        5.0, min=0, max=20, why="hands-on support, a few times a network meeting's learning",
        unit="x a meeting", label="Intensity of hands-on support", step=0.5,
        help="Learning per support visit, in network meetings' learning.")
    # Host-as-teacher meetings build trust more slowly than mutual enquiry.
    trust_growth_factor: float = param(
        0.3, min=0, max=1, why="teaching visits build at most as much trust as enquiry",
        unit="x usual", label="Trust growth of support visits")
    end_when_regraded: bool = param(True, label="Support ends when re-graded good",
                                    help="Support ends when the supported school is re-graded "
                                         "good or better.")
    continues_unfunded: bool = param(
        False, label="Support continues unfunded",
        help="False: support stops with programme funding, whatever the trust.")


class Leadership(Scheme):
    name = "leadership"
    traits = frozenset({"programme"})
    Params = LeadershipParams

    @classmethod
    def validate(cls, params, prefix, cfg):
        for key in ("leader_grades", "supported_grades"):
            require(len(getattr(params, key)) > 0,
                    f"{prefix}.{key}=[]; allowed: a non-empty list from {', '.join(GRADES)}")
        overlap = set(params.leader_grades) & set(params.supported_grades)
        require(not overlap, f"{prefix}.leader_grades and {prefix}.supported_grades share "
                f"{sorted(overlap)}; allowed: disjoint lists")

    @property
    def trust_growth_factor(self) -> float:
        return float(self.params.trust_growth_factor)

    def form(self, model):
        rng = self.stream(model, "formation")
        joining = self.participants(model.n_schools, rng)
        grade = model.inspection.grade
        lead_ok = np.isin(grade, grade_codes(self.params.leader_grades)) & joining
        need = np.isin(grade, grade_codes(self.params.supported_grades)) & joining
        performance = model.school_mean_attainment()
        pairs = []
        for phase in (0, 1):
            leaders = np.flatnonzero(lead_ok & (model.region.phase == phase))
            weak = np.flatnonzero(need & (model.region.phase == phase))
            weak = weak[np.argsort(performance[weak], kind="stable")]
            pairs += match_nearest(weak, leaders, model.region.pos_km,
                                   int(self.params.max_supported))
        groups = [np.array(pair) for pair in pairs]
        self.supported = np.array([p[1] for p in pairs], np.int64)
        self.leaders = np.array(sorted({p[0] for p in pairs}), np.int64)
        self.unsupported = int(need.sum()) - len(pairs)
        partnerships = self.grouped(model, groups, rng)
        # Column of the leader in each (sorted) member row.
        leader_of_group = np.array([p[0] for p in pairs], np.int64)
        self.leader_of_group = leader_of_group
        self.supported_of_group = self.supported
        self.ended_regraded = 0
        return partnerships

    def exchange_plan(self, model, groups, attending):
        leader = self.leader_of_group[groups]
        supported = self.supported_of_group[groups]
        keep = attending[leader] & attending[supported]
        learner, source = supported[keep], leader[keep]
        links = self.partnerships_of(model).link_index(learner, source)
        factor = np.full(len(learner), float(self.params.support_intensity))
        return MeetingPlan(learner, source, None, links, factor, False)

    def commitments(self, model):
        """Leaders give up the improvement share of the days they lend; supported schools
        receive a share of the days (negative)."""
        p = self.partnerships_of(model)
        if p.n_groups == 0:
            return None
        days = self.params.leader_days_per_supported
        lent = np.bincount(self.leader_of_group[p.active], minlength=model.n_schools) * days
        received = np.bincount(self.supported_of_group[p.active],
                               minlength=model.n_schools) * days * self.params.lent_days_share
        return lent * improvement_share(model.state.leadership_days) - received

    def programme_groups(self, model):
        """Every pair is programme support; unless `continues_unfunded`, funding's end stops
        them all (the Brokering/funding levers read this)."""
        return np.ones(self.partnerships_of(model).n_groups, bool)

    def lapsable_groups(self, model):
        """Support is a brokered deployment with an end (re-grading, funding), not a
        voluntary partnership: pairs do not lapse at the yearly priority setting."""
        return np.zeros(self.partnerships_of(model).n_groups, bool)

    def on_funding_end(self, model) -> np.ndarray:
        """Pairs that stop when programme funding stops (beyond the trust rule)."""
        p = self.partnerships_of(model)
        if self.params.continues_unfunded:
            return np.zeros(p.n_groups, bool)
        return p.active.copy()

    def on_inspection(self, model, schools, old, new):
        if not self.params.end_when_regraded:
            return
        p = self.partnerships_of(model)
        if p.n_groups == 0:
            return
        improved = schools[new <= GOOD]
        ending = p.active & np.isin(self.supported_of_group, improved)
        if ending.any():
            p.active &= ~ending
            self.ended_regraded += int(ending.sum())
            model.refresh_commitments()

    def summary(self, model):
        return {"leaders": int(len(self.leaders)),
                "supported_schools": int(len(self.supported)),
                "unsupported_weak_schools": int(self.unsupported),
                "support_ended_regraded": int(self.ended_regraded)}


def improvement_share(leadership_days: np.ndarray) -> np.ndarray:
    """Share of a leader's working days away that would have been improvement work: its
    leadership days over a term's working days (days away drawn evenly from its time)."""
    return np.minimum(leadership_days / WORKING_DAYS_PER_TERM, 1.0)


def match_nearest(needy: np.ndarray, leaders: np.ndarray, pos: np.ndarray,
                  capacity: int, k: int = 16) -> list[tuple[int, int]]:
    """Each needy school, in order, with the nearest leader that has room (of its k nearest,
    then of all); returns (leader, needy) pairs."""
    if len(leaders) == 0 or len(needy) == 0:
        return []
    tree = cKDTree(pos[leaders])
    kk = min(k, len(leaders))
    _, near = tree.query(pos[needy], k=kk)
    near = np.asarray(near).reshape(len(needy), kk)
    room = np.full(len(leaders), capacity)
    pairs = []
    for row, school in enumerate(needy.tolist()):
        choice = next((j for j in near[row].tolist() if room[j] > 0), None)
        if choice is None and room.any():
            d = ((pos[leaders] - pos[school]) ** 2).sum(axis=1)
            d[room == 0] = np.inf
            choice = int(d.argmin())
        if choice is None:
            break
        room[choice] -= 1
        pairs.append((int(leaders[choice]), int(school)))
    return pairs
