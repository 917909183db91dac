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
Each component is the ordinary scheme with its own config (`scheme.<name>.*`), restricted to
its eligible schools. Their partnerships are layers of one combined `Partnerships`
(`Partnerships.combine`): links are keyed by (layer, a, b), so the same two schools may be
linked in two layers, each relationship with its own trust. Meetings due in a week are
dispatched to each component with its own group ids; the exchange is then applied in one
call. Trusts compete: members of a trust take `cross_trust_openness_cut` less from pairs
in other layers.
"""

from __future__ import annotations

import numpy as np

from sim.errors import ConfigError
from sim.partnerships import Partnerships
from sim.schemes.base import MeetingPlan, Scheme


class Mixed(Scheme):
    name = "mixed"

    def __init__(self, cfg):
        super().__init__(cfg)
        from sim.schemes import SCHEMES

        self.partition = self._partition_names()
        self.overlay = list(cfg.overlay)
        self.components: list[Scheme] = [SCHEMES[n](cfg[n]) for n in self.partition + self.overlay]
        self.component_names = self.partition + self.overlay

    def _partition_names(self) -> list[str]:
        return list(self.cfg.partition)

    @property
    def mutual(self) -> bool:
        return any(c.mutual for c in self.components)

    @property
    def extra_openness_cut(self):
        cuts = [c.extra_openness_cut for c in self.components]
        arrays = [c for c in cuts if np.ndim(c)]
        total = sum(c for c in cuts if not np.ndim(c))
        for a in arrays:
            total = total + a
        return total

    # ------------------------------------------------------------------ formation
    def assign(self, model) -> dict[str, np.ndarray]:
        """Eligible schools of each partition component."""
        n, cfg = model.n_schools, self.cfg
        u = model.streams["mixing"].random(n)  # one draw per school whatever the split
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
        self.bounds = []
        for k, component in enumerate(self.components):
            component.groups = combined.view(k)
            self.bounds.append(combined.layer_bounds(k))
        self.groups = combined
        self.assigned = {name: int(m.sum()) for name, m in masks.items()}
        self._outsider_cut = self._trust_outsider_cut(model)
        return combined

    def _trust_outsider_cut(self, model) -> np.ndarray | None:
        cut = np.zeros(model.n_schools)
        for c in self.components:
            if c.name == "trusts":
                cut[c.trust_of >= 0] = c.cfg.cross_trust_openness_cut
        return cut if cut.any() else None

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
        weights = None
        if any(p.weights is not None for p in plans):
            weights = cat([p.weights if p.weights is not None
                           else np.ones((len(p.learner), n_domains)) for p in plans])
        factor = cat([p.factor if p.factor is not None else np.ones(len(p.learner))
                      for p in plans])
        if self._outsider_cut is not None:
            outside = cat([np.full(len(p.learner), self.components[k].name != "trusts")
                           for p, k in zip(plans, layers)])
            learner = cat([p.learner for p in plans])
            factor = factor * np.where(outside, 1.0 - self._outsider_cut[learner], 1.0)
        mutual = cat([np.broadcast_to(np.asarray(p.mutual, bool), (len(p.learner),))
                      for p in plans])
        return MeetingPlan(cat([p.learner for p in plans]), cat([p.source for p in plans]),
                           weights, cat([p.links for p in plans]), factor, mutual)

    def meeting_pairs(self, model, groups, attending):
        plan = self.exchange_plan(model, groups, attending)
        return plan.learner, plan.source, plan.weights

    def link_trust_growth(self, model, links: np.ndarray):
        """Trust growth factor of each link (by its layer's scheme)."""
        factors = np.array([c.trust_growth_factor for c in self.components], float)
        return factors[model.partnerships.link_layer[links]]

    # ------------------------------------------------------------------ hooks
    def on_term_end(self, model):
        for c in self.components:
            c.on_term_end(model)

    def on_year_end(self, model, year):
        for c in self.components:
            c.on_year_end(model, year)

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

    @property
    def native_online_layers(self) -> np.ndarray:
        return np.array([c.native_online for c in self.components], bool)

    def summary(self, model):
        out = {"components": self.component_names, "assigned_schools": self.assigned}
        for c in self.components:
            for key, value in c.summary(model).items():
                out[f"{c.name}_{key}"] = value
        return out
