"""`mixed`: several schemes at once, for partial adoption and combined programmes.

Sources: the Greater Manchester Challenge combined Families of Schools with brokered
support and system leaders (seeds 002, 003); policy briefing 002 describes "different
models ... from small and large multi-academy trusts to local-authority wide groupings"
side by side; DESIGN.md asks for "half the schools join competing trusts" what-ifs.

Assignment:
- the *partition* (`partition`, a list of schemes): with `split: share` each school draws
  one uniform (stream `mixing`) and joins the first component whose cumulative share
  (`shares`, in the same order) exceeds it — the rest join none; with `split: la`
  component k takes the local authorities named in `las[k]` — the rest join none;
- *overlays* run on every school on top of the partition (a market, system leaders
  supporting weak schools wherever they are). A school may therefore be in several
  partnerships of different kinds.
On a real region the schools of one multi-academy trust share one draw: a trust takes part
as a whole (its board decides for its academies), so a `trusts` part gets whole real trusts.
Each component is the ordinary scheme with its own config (`scheme.<name>.*`), restricted to
its eligible schools. Their partnerships are layers of one combined `Partnerships`
(`Partnerships.combine`): links are keyed by (layer, a, b), so the same two schools may be
linked in two layers, each relationship with its own trust. Meetings due in a week are
dispatched to each component with its own group ids; the exchange is then applied in one
call. A component may cut its members' openness to pairs in other layers
(`Scheme.outsider_openness_cut`: trusts compete, so members take `cross_trust_openness_cut`
less from partnerships outside their trust).

Every combinable scheme in the registry has its settings under `scheme.<name>`: the schema
(`MixedParams`) is built from the registry, so a new scheme is usable here with no change.
Each component draws from its own streams (`formation/<name>`, ...), so reordering the
parts changes nobody's draws.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from dataclasses import dataclass

import numpy as np

from sim.component import param, registered, require
from sim.errors import ConfigError
from sim.partnerships import Partnerships
from sim.schemes.base import MeetingPlan, Scheme, SchemeParams

SPLITS = ("share", "la")


@dataclass
class MixedBaseParams(SchemeParams):
    """Several schemes at once: a partition plus overlays (the components' settings are
    added per scheme by `Mixed.schema`)."""

    name: str = "mixed"
    partition: list[str] = param(
        ["trusts", "trios"], label="Schemes sharing out the schools",
        help="Schemes that share out the schools between them (none for the rest).")
    split: str = param("share", choices=SPLITS, label="How the schools are shared out",
                       help="share: each school joins partition[k] with probability "
                            "shares[k]; la: whole local authorities, las[k] for partition[k]")
    shares: list[float] = param([0.3, 0.7], min=0, max=1, why="shares of schools",
                                unit="share", label="Share of schools in each scheme")
    las: list[list[str]] = param([], label="Local authorities of each scheme")
    overlay: list[str] = param([], label="Schemes over every school",
                               help="Schemes run over every school on top of the partition "
                                    "(e.g. leadership, market).")


def combinable() -> dict[str, type[Scheme]]:
    """Schemes a mixed scheme can combine, by name."""
    return {n: c for n, c in registered("scheme").items() if c.combinable}


class Mixed(Scheme):
    name = "mixed"
    Params = MixedBaseParams
    combinable = False

    @classmethod
    @functools.cache
    def schema(cls) -> type:
        """MixedBaseParams plus a section `<name>` for every combinable scheme."""
        parts = [(n, c.schema(), dataclasses.field(default_factory=c.schema()))
                 for n, c in combinable().items()]
        return dataclasses.make_dataclass("MixedParams", parts, bases=(MixedBaseParams,))

    @classmethod
    def has(cls) -> frozenset[str]:
        """What any of its possible parts has (which parts run is the config's choice)."""
        return frozenset().union(*(c.has() for c in combinable().values()))

    @classmethod
    def validate(cls, params, prefix, cfg):
        partition, overlay = list(params.partition), list(params.overlay)
        schemes = combinable()
        allowed = [n for n, c in schemes.items() if c.partitionable]
        for name in partition:
            require(name in allowed, f"{prefix}.partition has '{name}'; allowed: "
                    f"{', '.join(allowed)} (the others only in the overlay: they span the "
                    "region)")
        for name in overlay:
            require(name in schemes,
                    f"{prefix}.overlay has '{name}'; allowed: {', '.join(schemes)}")
        every = partition + overlay
        require(len(set(every)) == len(every),
                f"{prefix}.partition={partition}, {prefix}.overlay={overlay} repeat a scheme; "
                "allowed: each scheme once")
        require(len(every) > 0, f"{prefix}.partition and {prefix}.overlay are empty; allowed: "
                "at least one scheme")
        if params.split == "share":
            shares = list(params.shares)
            require(len(shares) == len(partition),
                    f"{prefix}.shares has {len(shares)} entries; allowed: one per "
                    f"{prefix}.partition entry ({len(partition)})")
            require(sum(shares) <= 1 + 1e-9,
                    f"{prefix}.shares={shares} add up to {sum(shares):g}; allowed: a total <= 1")
        else:
            las = [list(x) for x in params.las]
            require(len(las) == len(partition),
                    f"{prefix}.las has {len(las)} lists; allowed: one list of local authorities "
                    f"per {prefix}.partition entry ({len(partition)})")
            names = [la for group in las for la in group]
            require(len(set(names)) == len(names),
                    f"{prefix}.las names a local authority twice; allowed: each in one list")
        for name in every:
            sub = params[name]
            require(sub.name == name, f"{prefix}.{name}.name={sub.name}; allowed: {name}")
            schemes[name].validate(sub, f"{prefix}.{name}", cfg)

    def __init__(self, params):
        super().__init__(params)
        schemes = registered("scheme")
        self.partition = list(params.partition)
        self.overlay = list(params.overlay)
        self.component_names = self.partition + self.overlay
        self.components: list[Scheme] = [schemes[n](getattr(params, n))
                                         for n in self.component_names]
        # Fixed by the parts' settings: worked out once, not at every meeting week.
        self.extra_openness_cut = self._summed_openness_cuts()
        self._trust_growth = np.array([c.trust_growth_factor for c in self.components], float)

    @property
    def mutual(self) -> bool:
        return any(c.mutual for c in self.components)

    @property
    def results_salience(self) -> float:
        """A market part spans every school, so its salience is the region's."""
        return max(c.results_salience for c in self.components)

    def _summed_openness_cuts(self):
        """The parts' openness cuts where competition bites, added up."""
        cuts = [c.extra_openness_cut for c in self.components]
        arrays = [c for c in cuts if np.ndim(c)]
        total = sum(c for c in cuts if not np.ndim(c))
        for a in arrays:
            total = total + a
        return total

    # ------------------------------------------------------------------ formation
    def assign(self, model) -> dict[str, np.ndarray]:
        """Eligible schools of each partition component."""
        n, cfg = model.n_schools, self.params
        u = model.streams["mixing"].random(n)  # one draw per school whatever the split
        if model.region.trust is not None:
            u = shared_within_trusts(u, model.region.trust)
        masks = {}
        if cfg.split == "share":
            edge = 0.0
            for name, share in zip(self.partition, cfg.shares):
                masks[name] = (u >= edge) & (u < edge + float(share))
                edge += float(share)
        else:
            known = set(model.region.la_names)
            las = np.asarray(model.region.la_names, dtype=object)[model.region.la]
            for name, chosen in zip(self.partition, cfg.las):
                unknown = [la for la in chosen if la not in known]
                if unknown:
                    raise ConfigError(
                        f"scheme.las names {', '.join(map(str, unknown))}, not in region "
                        f"{model.region.name}; allowed: {', '.join(model.region.la_names[:12])}"
                        + (", ..." if len(known) > 12 else ""))
                masks[name] = np.isin(las, list(chosen))
        return masks

    def form(self, model):
        masks = self.assign(model)
        parts = []
        for name, component in zip(self.component_names, self.components):
            component.eligible = masks.get(name)  # overlays: None, every school
            parts.append(component.form(model))
        combined = Partnerships.combine(parts, model.n_schools)
        self.regrouped(combined)
        self.assigned = {name: int(m.sum()) for name, m in masks.items()}
        self._outsider_cuts = self._nonzero_outsider_cuts(model)
        return combined

    def layer_schemes(self) -> list[Scheme]:
        return list(self.components)

    def regrouped(self, partnerships: Partnerships) -> None:
        """Each component sees its layer of the (rebuilt) combined partnerships."""
        self.bounds = []
        for k, component in enumerate(self.components):
            component.groups = partnerships.view(k)
            self.bounds.append(partnerships.layer_bounds(k))
        self.groups = partnerships

    def _nonzero_outsider_cuts(self, model) -> list[tuple[int, np.ndarray]]:
        """(layer, cut per school) of the components that cut openness to other layers."""
        cuts = [(k, c.outsider_openness_cut(model)) for k, c in enumerate(self.components)]
        return [(k, cut) for k, cut in cuts if cut is not None and cut.any()]

    # ------------------------------------------------------------------ meetings
    def exchange_plan(self, model, groups, attending):
        plans, layers = [], []
        for k, component in enumerate(self.components):
            g0, g1, l0, _ = self.bounds[k]
            mine = groups[(groups >= g0) & (groups < g1)]
            if len(mine) == 0:
                continue
            plan = component.exchange_plan(model, mine - g0, attending)
            plan.links = plan.links + l0
            plans.append(plan)
            layers.append(k)
        if not plans:
            empty = np.zeros(0, np.int64)
            return MeetingPlan(empty, empty, None, empty, None, False)
        n_domains = model.n_domains
        cat = np.concatenate
        sizes = [len(p.learner) for p in plans]
        learner = cat([p.learner for p in plans])
        weights = None
        if any(p.weights is not None for p in plans):
            weights = cat([p.weights if p.weights is not None
                           else np.ones((len(p.learner), n_domains)) for p in plans])
        # No factor (None) is a factor of 1 on every pair: left out where no plan has one.
        factor = None
        if self._outsider_cuts or any(p.factor is not None for p in plans):
            factor = cat([p.factor if p.factor is not None else np.ones(len(p.learner))
                          for p in plans])
        ends = list(itertools.accumulate(sizes))
        for owner, cut in self._outsider_cuts:
            for layer, start, end in zip(layers, [0, *ends], ends):
                if layer != owner:   # pairs met in another layer's group
                    factor[start:end] *= 1.0 - cut[learner[start:end]]
        if all(isinstance(p.mutual, bool) for p in plans):
            mutual = np.repeat([p.mutual for p in plans], sizes)
            if mutual.all() or not mutual.any():
                mutual = bool(plans[0].mutual)      # one value for every pair
        else:
            mutual = cat([np.broadcast_to(np.asarray(p.mutual, bool), (len(p.learner),))
                          for p in plans])
        return MeetingPlan(learner, cat([p.source for p in plans]), weights,
                           cat([p.links for p in plans]), factor, mutual)

    def link_trust_growth(self, model, links: np.ndarray):
        """Trust growth factor of each link (by its layer's scheme)."""
        return self._trust_growth[model.partnerships.link_layer[links]]

    # ------------------------------------------------------------------ hooks
    def term_end(self, model):
        for c in self.components:
            c.term_end(model)

    def year_end(self, model, year):
        for c in self.components:
            c.year_end(model, year)

    def on_inspection(self, model, schools, old, new):
        for c in self.components:
            c.on_inspection(model, schools, old, new)

    def commitments(self, model):
        parts = [c.commitments(model) for c in self.components]
        parts = [p for p in parts if p is not None]
        return sum(parts) if parts else None

    def programme_groups(self, model):
        return np.concatenate([c.programme_groups(model) for c in self.components]
                              or [np.zeros(0, bool)])

    def on_funding_end(self, model):
        return np.concatenate([c.on_funding_end(model) for c in self.components]
                              or [np.zeros(0, bool)])

    def lapsable_groups(self, model):
        return np.concatenate([c.lapsable_groups(model) for c in self.components]
                              or [np.zeros(0, bool)])

    def formation_levers(self, prefix: str) -> list:
        return [lever for name, c in zip(self.component_names, self.components)
                for lever in c.formation_levers(f"{prefix}.{name}")]

    @property
    def native_online_layers(self) -> np.ndarray:
        return np.array([c.native_online for c in self.components], bool)

    def summary(self, model):
        out = {"components": self.component_names, "assigned_schools": self.assigned}
        for c in self.components:
            for key, value in c.summary(model).items():
                out[f"{c.name}_{key}"] = value
        return out


def shared_within_trusts(u: np.ndarray, trust: np.ndarray) -> np.ndarray:
    """Each school of a trust (`trust` >= 0) takes the draw of its trust's first school."""
    members = np.flatnonzero(trust >= 0)
    _, first, which = np.unique(trust[members], return_index=True, return_inverse=True)
    shared = u.copy()
    shared[members] = u[members[first]][which]
    return shared
