"""Partnerships: groups of schools with a kind, members, a meeting schedule and trust.

Groups are stored as a padded member matrix (-1 where a group is smaller than the widest);
every pair of members is a *link* carrying trust. Groups meet every `interval_weeks`
teaching weeks from their own offset, so meetings spread over the weeks; all groups due in
a week are handled together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Partnerships:
    kind: str
    members: np.ndarray            # (groups, width) school ids, -1 padding
    interval_weeks: int
    offset: np.ndarray             # (groups,) week offset in the cycle
    cost_days: float
    link_a: np.ndarray             # (links,) lower school id
    link_b: np.ndarray             # (links,) higher school id
    link_group: np.ndarray         # (links,) group of the link
    trust: np.ndarray              # (links,) in [0, 1]
    active: np.ndarray             # (groups,) bool, False once lapsed
    met_this_term: np.ndarray = field(init=False)
    _link_keys: np.ndarray = field(init=False, repr=False)
    _n_schools: int = 0

    def __post_init__(self):
        self.met_this_term = np.zeros(len(self.link_a), bool)
        self._link_keys = self.link_a.astype(np.int64) * self._n_schools + self.link_b
        order = np.argsort(self._link_keys, kind="stable")
        if not np.array_equal(order, np.arange(len(order))):
            raise ValueError("links must be built in sorted order")

    @classmethod
    def from_groups(cls, kind: str, groups: list[np.ndarray], n_schools: int,
                    interval_weeks: int, cost_days: float, offset: np.ndarray,
                    initial_trust: np.ndarray | float) -> Partnerships:
        width = max((len(g) for g in groups), default=0)
        members = np.full((len(groups), width), -1, dtype=np.int64)
        for i, g in enumerate(groups):
            members[i, :len(g)] = np.sort(g)
        a, b, grp = _links_of(members)
        trust = np.broadcast_to(np.asarray(initial_trust, float), (len(a),)).copy()
        return cls(kind, members, interval_weeks, np.asarray(offset, np.int64), cost_days,
                   a, b, grp, trust, np.ones(len(groups), bool), _n_schools=n_schools)

    @classmethod
    def empty(cls, n_schools: int) -> Partnerships:
        return cls.from_groups("none", [], n_schools, 1, 0.0, np.zeros(0, np.int64), 0.0)

    @property
    def n_groups(self) -> int:
        return len(self.members)

    @property
    def n_links(self) -> int:
        return len(self.link_a)

    def due(self, week: int) -> np.ndarray:
        """Ids of active groups meeting in teaching week `week`."""
        if self.n_groups == 0:
            return np.zeros(0, np.int64)
        return np.flatnonzero(self.active & ((week - self.offset) % self.interval_weeks == 0))

    def link_index(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Index of the link between each pair (either order); pairs must be linked."""
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        return np.searchsorted(self._link_keys, lo.astype(np.int64) * self._n_schools + hi)

    def mean_trust_by_group(self) -> np.ndarray:
        total = np.bincount(self.link_group, weights=self.trust, minlength=self.n_groups)
        count = np.bincount(self.link_group, minlength=self.n_groups)
        return np.divide(total, count, out=np.zeros(self.n_groups), where=count > 0)

    def partner_counts(self, n_schools: int) -> np.ndarray:
        """Active partners of each school."""
        live = self.active[self.link_group]
        return (np.bincount(self.link_a[live], minlength=n_schools)
                + np.bincount(self.link_b[live], minlength=n_schools))

    def edges(self) -> list[tuple[int, int, float]]:
        """Active links as (a, b, trust), for drawing the network."""
        live = np.flatnonzero(self.active[self.link_group])
        return [(int(self.link_a[i]), int(self.link_b[i]), float(self.trust[i])) for i in live]


def _links_of(members: np.ndarray):
    """All within-group pairs (a < b), sorted by (a, b)."""
    if members.size == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    width = members.shape[1]
    i, j = np.triu_indices(width, k=1)
    a, b = members[:, i], members[:, j]
    grp = np.broadcast_to(np.arange(len(members))[:, None], a.shape)
    keep = (a >= 0) & (b >= 0)
    a, b, grp = a[keep], b[keep], grp[keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((hi, lo))
    return lo[order], hi[order], grp[order]
