"""The interface every scheme implements, and what schemes share.

A scheme decides *who partners whom* (`form`) and *what a meeting exchanges*
(`meeting_pairs`: learner, source and the domains discussed); the model's calendar does the rest — when
groups meet, attendance against leadership time, the exchange kernel, trust. Schemes may
also act at the end of a term or a year (the market's admissions) and may cut openness
further where competition bites (`extra_openness_cut`).

To write a scheme: subclass `Scheme`, set `name`, implement `form`, and register it in
`sim.schemes.SCHEMES` with a config dataclass in `sim.config.SCHEME_SCHEMAS`.
"""

from __future__ import annotations

import numpy as np

from sim.distributions import beta_with_mean
from sim.partnerships import Partnerships


class Scheme:
    name = "base"
    extra_openness_cut = 0.0

    def __init__(self, cfg):
        self.cfg = cfg

    @property
    def mutual(self) -> bool:
        return self.cfg.mode == "mutual"

    def form(self, model) -> Partnerships:
        return Partnerships.empty(model.n_schools)

    def meeting_pairs(self, model, groups: np.ndarray, attending: np.ndarray):
        """(learner, source, domain weights or None for all) for this week's meetings."""
        return all_pairs(model, model.partnerships.members[groups], attending, self.mutual)

    def on_term_end(self, model) -> None:
        """Called after the term's improvement and forgetting."""

    def on_year_end(self, model, year: int) -> None:
        """Called after the year's attainment results."""

    def summary(self, model) -> dict:
        return {}

    # Helpers shared by schemes that form groups.
    def participants(self, n_schools: int, rng) -> np.ndarray:
        """Schools taking part (each with probability `participation`); one draw per school."""
        return rng.random(n_schools) < self.cfg.participation

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
