"""Partnerships: groups of schools with a kind, members, a meeting schedule and trust.

Groups are stored as a padded member matrix (-1 where a group is smaller than the widest);
every pair of members is a *link* carrying trust. Groups meet every `interval_weeks`
teaching weeks from their own offset, so meetings spread over the weeks; all groups due in
a week are handled together.

Several schemes at once (`scheme=mixed`): `Partnerships.combine` stacks each scheme's
partnerships as a *layer*. A pair of schools is linked at most once per layer but may be
linked in several layers (a family and a system-leadership pair), each relationship with its
own trust, so links are keyed by (layer, a, b). `interval_weeks` and `cost_days` become
per-group arrays, and `view(layer)` gives each scheme its own `Partnerships` whose arrays
are slices of the combined ones, so trust, activity and meetings written through either
are the same numbers.
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
    # Layers (combined partnerships of several schemes); None means one layer, 0.
    link_layer: np.ndarray | None = None   # (links,) layer of each link
    group_layer: np.ndarray | None = None  # (groups,) layer of each group
    layer_kinds: tuple[str, ...] = ()      # kind of each layer

    def __post_init__(self):
        self.met_this_term = np.zeros(len(self.link_a), bool)
        if self.link_layer is None:
            self.link_layer = np.zeros(len(self.link_a), np.int64)
        if self.group_layer is None:
            self.group_layer = np.zeros(len(self.members), np.int64)
        if not self.layer_kinds:
            self.layer_kinds = (self.kind,)
        n = np.int64(self._n_schools)
        self._link_keys = (self.link_layer.astype(np.int64) * n * n
                           + self.link_a.astype(np.int64) * n + self.link_b)
        if len(self._link_keys) > 1 and (np.diff(self._link_keys) < 0).any():
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

    def link_index(self, a: np.ndarray, b: np.ndarray, layer=0) -> np.ndarray:
        """Index of the link between each pair (either order) in `layer` (an int or one per
        pair); pairs must be linked."""
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        n = np.int64(self._n_schools)
        key = lo.astype(np.int64) * n + hi
        if np.any(layer):
            key = key + np.asarray(layer, np.int64) * n * n
        return np.searchsorted(self._link_keys, key)

    def group_cost(self) -> np.ndarray:
        """Days each group's meeting costs each attending member, one per group."""
        return np.broadcast_to(np.asarray(self.cost_days, float), (self.n_groups,))

    def live_links(self) -> np.ndarray:
        """Mask of links whose group is still active."""
        return self.active[self.link_group]

    def link_kinds(self) -> np.ndarray:
        """The kind (scheme) of each link."""
        kinds = np.asarray(self.layer_kinds, dtype=object)
        return kinds[self.link_layer] if len(kinds) > 1 else np.full(self.n_links, self.kind,
                                                                   dtype=object)

    @classmethod
    def combine(cls, parts: list[Partnerships], n_schools: int) -> Partnerships:
        """One Partnerships holding every part as a layer (in order), links keyed by layer."""
        width = max([p.members.shape[1] for p in parts if p.n_groups] or [0])
        n_groups = sum(p.n_groups for p in parts)
        members = np.full((n_groups, width), -1, dtype=np.int64)
        g0 = 0
        link_group = []
        for p in parts:
            members[g0:g0 + p.n_groups, :p.members.shape[1]] = p.members
            link_group.append(p.link_group + g0)
            g0 += p.n_groups

        def cat(arrays, dtype):
            return np.concatenate([np.asarray(a, dtype) for a in arrays]) if arrays else \
                np.zeros(0, dtype)

        interval = cat([np.broadcast_to(p.interval_weeks, (p.n_groups,)) for p in parts],
                       np.int64)
        cost = cat([p.group_cost() for p in parts], float)
        combined = cls(
            "mixed", members, interval, cat([p.offset for p in parts], np.int64), cost,
            cat([p.link_a for p in parts], np.int64), cat([p.link_b for p in parts], np.int64),
            cat(link_group, np.int64), cat([p.trust for p in parts], float),
            cat([p.active for p in parts], bool), _n_schools=n_schools,
            link_layer=cat([np.full(p.n_links, k) for k, p in enumerate(parts)], np.int64),
            group_layer=cat([np.full(p.n_groups, k) for k, p in enumerate(parts)], np.int64),
            layer_kinds=tuple(p.kind for p in parts))
        return combined

    def layer_bounds(self, layer: int) -> tuple[int, int, int, int]:
        """(first group, end group, first link, end link) of a layer."""
        g = np.searchsorted(self.group_layer, [layer, layer + 1])
        l_ = np.searchsorted(self.link_layer, [layer, layer + 1])
        return int(g[0]), int(g[1]), int(l_[0]), int(l_[1])

    def view(self, layer: int) -> Partnerships:
        """One layer as its own Partnerships; its arrays are views into this one's."""
        g0, g1, l0, l1 = self.layer_bounds(layer)
        rows = self.members[g0:g1]
        width = int((rows >= 0).sum(axis=1).max()) if len(rows) else 0
        part = Partnerships(
            self.layer_kinds[layer], rows[:, :width],
            np.asarray(self.interval_weeks)[g0:g1] if np.ndim(self.interval_weeks)
            else self.interval_weeks,
            self.offset[g0:g1], self.group_cost()[g0:g1], self.link_a[l0:l1],
            self.link_b[l0:l1], self.link_group[l0:l1] - g0, self.trust[l0:l1],
            self.active[g0:g1], _n_schools=self._n_schools)
        part.met_this_term = self.met_this_term[l0:l1]
        return part

    def mean_trust_by_group(self) -> np.ndarray:
        total = np.bincount(self.link_group, weights=self.trust, minlength=self.n_groups)
        count = np.bincount(self.link_group, minlength=self.n_groups)
        return np.divide(total, count, out=np.zeros(self.n_groups), where=count > 0)

    def partner_counts(self, n_schools: int) -> np.ndarray:
        """Active partners of each school (a school linked in two layers counts once)."""
        live = self.active[self.link_group]
        a, b = self.link_a[live], self.link_b[live]
        if len(self.layer_kinds) > 1 and len(a):
            n = np.int64(n_schools)
            key = np.unique(a.astype(np.int64) * n + b)
            a, b = key // n, key % n
        return (np.bincount(a, minlength=n_schools)
                + np.bincount(b, minlength=n_schools))

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
