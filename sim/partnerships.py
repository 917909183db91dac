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

Partnerships lapse and are re-brokered (`waiting`, `rebroker_groups`, `add_groups`): when
brokering is on and groups lapsed that year, the schools whose groups lapsed and that are in
no active group of the layer are matched into new groups by the broker's rule (similar schools together, different ones, or at random: Ainscow 2015 on local
authorities as brokers; Families of Schools grouped similar intakes, Pathways trios mixed
authorities); a group made only of schools from one lapsed group is not formed
(`new_matches`). A pair of schools matched again in the same layer resumes its old
relationship with the trust it has left; a new pair starts at the initial trust.
"""

from __future__ import annotations

import functools
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
    # The members `pair_links` was built from, and its table (trusts change members in place).
    _pair_links: tuple | None = field(init=False, repr=False, default=None)
    _n_schools: int = 0
    # Layers (combined partnerships of several schemes); None means one layer, 0.
    link_layer: np.ndarray | None = None   # (links,) layer of each link
    group_layer: np.ndarray | None = None  # (groups,) layer of each group
    layer_kinds: tuple[str, ...] = ()      # kind of each layer
    # Member columns of each layer (its own widest group; a trust replaying its join dates
    # keeps columns for members still to join); empty means one layer, the whole width.
    layer_widths: tuple[int, ...] = ()
    # How readily each relationship builds trust (1: average); drawn when links form.
    affinity: np.ndarray | None = None

    def __post_init__(self):
        self.met_this_term = np.zeros(len(self.link_a), bool)
        if self.link_layer is None:
            self.link_layer = np.zeros(len(self.link_a), np.int64)
        if self.group_layer is None:
            self.group_layer = np.zeros(len(self.members), np.int64)
        if not self.layer_kinds:
            self.layer_kinds = (self.kind,)
        if not self.layer_widths:
            self.layer_widths = (self.members.shape[1],) * len(self.layer_kinds)
        if self.affinity is None:
            self.affinity = np.ones(len(self.link_a))
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
        return (self.active & ((week - self.offset) % self.interval_weeks == 0)).nonzero()[0]

    def link_index(self, a: np.ndarray, b: np.ndarray, layer=0) -> np.ndarray:
        """Index of the link between each pair (either order) in `layer` (an int or one per
        pair); pairs must be linked."""
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        n = np.int64(self._n_schools)
        key = lo.astype(np.int64) * n + hi
        # An array of layers is added as it is (zeros add nothing); one int only when it is
        # not 0 (np.any of a Python int costs more than the search, every meeting week).
        if isinstance(layer, np.ndarray) or layer:
            key = key + np.asarray(layer, np.int64) * n * n
        return np.searchsorted(self._link_keys, key)

    def pair_links(self) -> np.ndarray:
        """(groups, pairs): the link between the members in each pair of columns of
        `ordered_pairs` (-1 where either column is empty): `link_index` of every group's
        pairs, searched once while the members stay the same (meeting weeks read rows)."""
        if self._pair_links is None or not np.array_equal(self._pair_links[0], self.members):
            i, j = ordered_pairs(self.members.shape[1])
            a, b = self.members[:, i], self.members[:, j]
            both = (a >= 0) & (b >= 0)
            links = np.full(a.shape, -1, np.int64)
            links[both] = self.link_index(a[both], b[both])
            self._pair_links = (self.members.copy(), links)
        return self._pair_links[1]

    def group_cost(self) -> np.ndarray:
        """Days each group's meeting costs each attending member, one per group."""
        return np.broadcast_to(np.asarray(self.cost_days, float), (self.n_groups,))

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
            layer_kinds=tuple(p.kind for p in parts),
            layer_widths=tuple(p.members.shape[1] for p in parts),
            affinity=cat([p.affinity for p in parts], float))
        return combined

    def layer_bounds(self, layer: int) -> tuple[int, int, int, int]:
        """(first group, end group, first link, end link) of a layer."""
        g = np.searchsorted(self.group_layer, [layer, layer + 1])
        l_ = np.searchsorted(self.link_layer, [layer, layer + 1])
        return int(g[0]), int(g[1]), int(l_[0]), int(l_[1])

    def view(self, layer: int) -> Partnerships:
        """One layer as its own Partnerships; its arrays are views into this one's."""
        g0, g1, l0, l1 = self.layer_bounds(layer)
        rows = self.members[g0:g1, :self.layer_widths[layer]]
        part = Partnerships(
            self.layer_kinds[layer], rows,
            np.asarray(self.interval_weeks)[g0:g1] if np.ndim(self.interval_weeks)
            else self.interval_weeks,
            self.offset[g0:g1], self.group_cost()[g0:g1], self.link_a[l0:l1],
            self.link_b[l0:l1], self.link_group[l0:l1] - g0, self.trust[l0:l1],
            self.active[g0:g1], _n_schools=self._n_schools, affinity=self.affinity[l0:l1])
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


def rebroker_groups(pool: np.ndarray, feature: np.ndarray, size: int, rule: str,
                    rng) -> list[np.ndarray]:
    """New groups of `size` from the schools in `pool`, matched by `rule` on `feature`.

    - "similar": ordered by feature, consecutive schools together;
    - "different": ordered by feature, group j takes every m-th school from the j-th
      (m = number of groups), so each group spans the range;
    - "random": a random order, consecutive schools together.
    Ties and the random order come from one permutation of the pool (one draw per school).
    Schools left over form a smaller group if there are at least two; a single one waits."""
    pool = np.asarray(pool)
    shuffled = pool[rng.permutation(len(pool))]
    if rule == "random":
        order = shuffled
    elif rule in ("similar", "different"):
        order = shuffled[np.argsort(feature[shuffled], kind="stable")]
    else:
        raise ValueError(f"rebroker rule={rule!r} is unknown; allowed: similar, different, random")
    m = len(order) // size
    if rule == "different" and m:
        groups = [order[:m * size][j::m] for j in range(m)]
    else:
        groups = [order[j * size:(j + 1) * size] for j in range(m)]
    rest = order[m * size:]
    if len(rest) >= 2:
        groups.append(rest)
    return groups


def waiting(p: Partnerships, layer: int) -> np.ndarray:
    """Schools of `layer` whose groups lapsed and that are in no active group of it."""
    g0, g1, _, _ = p.layer_bounds(layer)
    members, active = p.members[g0:g1], p.active[g0:g1]
    lapsed = np.unique(members[~active][members[~active] >= 0])
    return np.setdiff1d(lapsed, members[active][members[active] >= 0])


def new_matches(p: Partnerships, layer: int, groups: list[np.ndarray]) -> list[np.ndarray]:
    """The groups that are not all from one lapsed group of `layer`: re-forming a group
    that broke up (or a part of it) is no re-brokering, so those schools wait."""
    g0, g1, _, _ = p.layer_bounds(layer)
    lapsed = [set(row[row >= 0].tolist()) for row in p.members[g0:g1][~p.active[g0:g1]]]
    return [g for g in groups if not any(set(g.tolist()) <= old for old in lapsed)]


def add_groups(p: Partnerships, layer: int, groups: list[np.ndarray], offset: np.ndarray,
               initial_trust: float, draw_affinity) -> Partnerships:
    """A new Partnerships with `groups` appended at the end of `layer`'s block.

    Existing links of the layer between two members of a new group move to it and keep
    their trust (the relationship resumes); new links get `initial_trust` and their group's
    affinity, `draw_affinity(m)` giving one value per new group (m = len(groups), in order),
    as a partnership's chemistry is shared by its links. Returns the
    rebuilt partnerships; group ids after the layer's block shift by len(groups)."""
    g0, g1, _, _ = p.layer_bounds(layer)
    added = Partnerships.from_groups(p.layer_kinds[layer], groups, p._n_schools, 1, 0.0,
                                     offset, initial_trust)
    width = max(p.members.shape[1], added.members.shape[1])

    def pad(m):
        return np.pad(m, ((0, 0), (0, width - m.shape[1])), constant_values=-1)

    m_new = len(groups)
    members = np.insert(pad(p.members), g1, pad(added.members), axis=0)
    link_group = np.where(p.link_group >= g1, p.link_group + m_new, p.link_group)
    n = np.int64(p._n_schools)
    old_keys = p._link_keys
    new_keys = np.int64(layer) * n * n + added.link_a * n + added.link_b
    found = np.searchsorted(old_keys, new_keys)
    exists = (found < len(old_keys)) & (old_keys[np.minimum(found, len(old_keys) - 1)]
                                        == new_keys)
    link_group = link_group.copy()
    link_group[found[exists]] = added.link_group[exists] + g1
    fresh = ~exists
    affinity = draw_affinity(len(groups))[added.link_group[fresh]]
    keys = np.concatenate([old_keys, new_keys[fresh]])
    order = np.argsort(keys, kind="stable")

    def grow(old, new):
        return np.concatenate([old, new])[order]

    def per_group(values):
        """A scalar stays shared; per-group values get the layer's value for the new groups."""
        if np.ndim(values) == 0:
            return values
        return np.insert(values, g1, np.full(m_new, np.asarray(values)[g0]))

    return Partnerships(
        p.kind, members, per_group(p.interval_weeks), np.insert(p.offset, g1, offset),
        per_group(p.cost_days),
        grow(p.link_a, added.link_a[fresh]), grow(p.link_b, added.link_b[fresh]),
        grow(link_group, added.link_group[fresh] + g1), grow(p.trust, added.trust[fresh]),
        np.insert(p.active, g1, np.ones(m_new, bool)), _n_schools=p._n_schools,
        link_layer=grow(p.link_layer, np.full(fresh.sum(), layer)),
        group_layer=np.insert(p.group_layer, g1, np.full(m_new, layer)),
        layer_kinds=p.layer_kinds, affinity=grow(p.affinity, affinity),
        layer_widths=tuple(max(w, added.members.shape[1]) if k == layer else w
                           for k, w in enumerate(p.layer_widths)))


@functools.cache
def ordered_pairs(width: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns (i, j), i != j, of every ordered pair of a group's member columns (cached,
    read-only)."""
    pairs = np.where(~np.eye(width, dtype=bool))
    for columns in pairs:
        columns.flags.writeable = False
    return pairs


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
