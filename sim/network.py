"""The partnership network as a networkx graph, for network analysis with the usual tools.

A node per school (attributes: local_authority, phase, pos in km); an edge per active
partnership link, keyed by its layer's kind, so two schools linked in two layers (a family
and a trust, in a `mixed` scheme) have two edges, each with its own trust.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from sim.errors import ConfigError
from sim.geography import PHASE_NAMES


def partnership_graph(model, layers=None) -> nx.MultiGraph:
    """Schools and their active partnerships; `layers` picks kinds (default: all)."""
    p, r = model.partnerships, model.region
    kinds = p.link_kinds()
    known = sorted(set(p.layer_kinds))
    wanted = known if layers is None else list(layers)
    unknown = [k for k in wanted if k not in known]
    if unknown:
        raise ConfigError(f"layers={unknown} is unknown; allowed: {', '.join(known)}")
    graph = nx.MultiGraph()
    graph.add_nodes_from(
        (i, {"local_authority": r.la_names[r.la[i]], "phase": PHASE_NAMES[r.phase[i]],
             "pos": (float(r.pos_km[i, 0]), float(r.pos_km[i, 1]))})
        for i in range(r.n_schools))
    live = p.active[p.link_group] & np.isin(kinds, wanted)
    graph.add_edges_from(
        (int(p.link_a[i]), int(p.link_b[i]), str(kinds[i]),
         {"kind": str(kinds[i]), "trust": float(p.trust[i]), "group": int(p.link_group[i])})
        for i in np.flatnonzero(live))
    return graph
