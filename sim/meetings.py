"""The weekly meeting kernel: every partnership meeting of a week in one vectorised call.

Each teaching week the groups due (`Partnerships.due`) meet at once (`Meetings.hold`):

1. attendance — a school attends all its meetings of the week if its leadership days left
   (after levers and standing commitments, `SchoolSystem.available_days`) cover their total
   cost (a free seat is always covered) and the collaboration cap allows, or none; while a programme is funded a share
   `backfill` of the days is paid back;
2. practice moving — the scheme's `exchange_plan` says who learns from whom; adoption of
   practices on those pairs, weighted by the link's trust, the plan's factor and the venue,
   and creation of new practices on its mutual links (`sim.knowledge`, `sim.diffusion`);
3. trust — every link between two attending members of a group that met builds trust by
   what its meeting carried (`sim.trust.joint_work_value`, `sim.trust.build`: contact alone
   is worth a little, each practice moved more), times the scheme's factor, the venue factor
   and the partnership's own affinity.

The venue: each scheme's configured costs and rates are for its own venue (`meeting_mode`);
when a lever or the pandemic moves a group online or in person, its cost, learning and trust
growth are scaled by the `meetings.online_*_factor` settings (or their inverses), and a
lever's `interval_factor` scales how often every group meets (`Meetings.refresh`).
"""

from __future__ import annotations

import math

import numpy as np

from sim import trust
from sim.policies import Programme, Venue


class Meetings:
    """Per-group meeting factors under the levers in force, and the weekly kernel."""

    def __init__(self, model):
        self.cfg = model._meetings_cfg
        self.base_interval = model.partnerships.interval_weeks
        self.cost = model.partnerships.group_cost()
        self.learn: np.ndarray | None = None   # None: every group at its own venue
        self.trust: np.ndarray | None = None
        self.held = 0

    def regroup(self, model) -> None:
        """After groups were added (re-brokering): their base intervals and factors."""
        self.base_interval = model.partnerships.interval_weeks
        self.refresh(model)

    def refresh(self, model) -> None:
        """Recompute what the levers in force mean per group (cost, learning, trust, interval)."""
        p, levers, m = model.partnerships, model.levers, self.cfg
        native = np.asarray(model.scheme.native_online_layers, bool)
        native_g = native[np.minimum(p.group_layer, len(native) - 1)] if p.n_groups else \
            np.zeros(0, bool)
        forced = levers.venue
        online = native_g if forced is None else np.full(p.n_groups, forced is Venue.ONLINE)
        changed = online != native_g
        # Factors relative to each scheme's native venue (its configured costs and rates).
        to_online = changed & online
        to_person = changed & ~online
        cost = np.ones(p.n_groups)
        cost[to_online] = m.online_cost_factor
        cost[to_person] = 1.0 / max(m.online_cost_factor, 1e-9)
        learn = np.ones(p.n_groups)
        learn[to_online] = m.online_learning_factor
        learn[to_person] = 1.0 / max(m.online_learning_factor, 1e-9)
        grow = np.ones(p.n_groups)
        grow[to_online] = m.online_trust_factor
        grow[to_person] = 1.0 / max(m.online_trust_factor, 1e-9)
        self.cost = p.group_cost() * cost
        self.learn = learn if changed.any() else None
        self.trust = grow if changed.any() else None
        if levers.interval_factor == 1.0:
            p.interval_weeks = self.base_interval
        else:
            p.interval_weeks = np.maximum(1, np.round(
                np.broadcast_to(self.base_interval, (p.n_groups,)) * levers.interval_factor)
            ).astype(np.int64)

    def hold(self, model, groups: np.ndarray) -> None:
        """Every meeting of the week in one call: attendance, practice moving, trust built
        by what the joint work realised."""
        p, rules = model.partnerships, model._trust_cfg
        attending = self.attendance(model, groups)
        met = links_met(p, groups, attending)
        plan = model.scheme.exchange_plan(model, groups, attending)
        realised = self.exchange(model, plan)
        value = trust.joint_work_value(realised[met], rules.contact_credit)
        trust.build(p.trust, met, rules.growth, value * self.trust_factor(model, met),
                    p.affinity)
        p.met_this_term[met] = True
        self.held += len(groups)

    def attendance(self, model, groups: np.ndarray) -> np.ndarray:
        """Schools attending this week's meetings of `groups`; charges their days."""
        p, s = model.partnerships, model.state
        members = p.members.take(groups, axis=0).ravel()
        valid = (members >= 0).nonzero()[0]
        cost = self.cost[groups].repeat(p.members.shape[1])    # each member's seat
        seated = members.take(valid)
        demand = np.bincount(seated, weights=cost.take(valid), minlength=model.n_schools)
        # A school with a meeting due attends if its days left cover the cost, also when the
        # seat is free (system leaders' visits: their days are a standing commitment).
        due = np.zeros(model.n_schools, bool)
        due[seated] = True
        attending = due & (model.available_days() - s.days_used >= demand)
        levers = model.levers
        if levers.collaboration_cap != math.inf:
            attending &= s.days_used + demand <= levers.collaboration_cap
        # While a programme is funded, part of the meeting days is paid back (backfill).
        charge = 1.0 - levers.backfill if levers.programme is Programme.FUNDED else 1.0
        idx = attending.nonzero()[0]
        s.days_used[idx] += demand[idx] * charge
        return attending

    def exchange(self, model, plan) -> np.ndarray:
        """Adoption on the plan's pairs and creation on its mutual links (`sim.knowledge`);
        returns how many practices each link carried."""
        p = model.partnerships
        links = plan.links
        weight = p.trust[links]
        if plan.factor is not None:
            weight = weight * plan.factor
        if self.learn is not None:
            weight = weight * self.learn[p.link_group[links]]
        return model.knowledge.meet(model, plan, weight)

    def trust_factor(self, model, met: np.ndarray):
        """Multiplier of trust building on each met link: the scheme's factor x the venue's."""
        factor = model.scheme.link_trust_growth(model, met)
        if self.trust is not None:
            factor = factor * self.trust[model.partnerships.link_group[met]]
        return factor


def links_met(p, groups: np.ndarray, attending: np.ndarray) -> np.ndarray:
    """Links between two schools that both attended one of these groups' meetings.

    Everyone in the room builds (or loses) trust, not only the pairs that exchanged."""
    due = np.zeros(p.n_groups, bool)
    due[groups] = True
    return (due[p.link_group] & attending[p.link_a] & attending[p.link_b]).nonzero()[0]
