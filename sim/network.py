"""The network of schools: a multi-layer, evolving graph, and its metrics.

Sources: school-to-school networks as the infrastructure of a "self-improving system"
(Hargreaves 2010; Rincón-Gallardo & Fullan 2016); multiplex networks, where the same
schools are tied by several kinds of relationship (Kivelä et al. 2014); network structure
and diffusion (Watts & Strogatz 1998; Cowan & Jonard 2004).

Each layer is a set of undirected edges between schools with a weight:
- partnership layers (trios, families, peer review, trusts, leadership support, network):
  the active links of the model's partnerships, weighted by trust;
- `staff_moves`: schools joined by a member of staff who moved between them this year
  (weight: the number of moves);
- hub layers, whose nodes include a hub that is not a school: `authority` (each school to
  its local authority, node "la<k>") and `broadcast` (each school reached by shared
  summaries, to the node "hub": every school while a scheme of the run broadcasts and
  has active groups, `Scheme.broadcasting`; the Pathways trios' summaries "have been
  shared with all Greater Manchester schools", seed 000).
`graph(layers)` gives a networkx graph (school nodes are their ids; an edge in several
layers carries each layer's weight). Metrics are computed on sparse arrays (scipy) so that
England's ~20,000 schools stay cheap: mean degree, mean clustering (as
`networkx.average_clustering`), connected components, share of nodes in the largest one,
and the mean shortest path between pairs of the largest component, estimated from
`path_samples` breadth-first searches.

`layered_network(model)` builds the model's network at a moment; `partnership_graph(model,
layers)` (behind `model.network`) is its networkx graph with the schools' attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from sim.errors import ConfigError
from sim.geography import PHASE_NAMES

HUB_LAYERS = ("authority", "broadcast")


def partnership_graph(model, layers=None) -> nx.MultiGraph:
    """Schools, their active partnerships and the other layers (`layers` picks them; default:
    the partnership kinds). Partnership edges carry kind, trust and group; the others kind
    and weight (see `Network.graph`)."""
    p, r = model.partnerships, model.region
    kinds = p.link_kinds()
    partnership_kinds = sorted(set(p.layer_kinds))
    net = model.layered_network()
    other = [name for name in net.layers if name not in partnership_kinds]
    wanted = partnership_kinds if layers is None else list(layers)
    unknown = [k for k in wanted if k not in partnership_kinds + other]
    if unknown:
        raise ConfigError(f"layers={unknown} is unknown; allowed: "
                          f"{', '.join(partnership_kinds + other)}")
    graph = net.graph([k for k in wanted if k in other])
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


def layered_network(model) -> Network:
    """The model's network now: a layer per partnership kind (active links, weight trust),
    `staff_moves` (the moves of the last school year, weight 1 per move), `authority`
    (each school to its local authority) and, while summaries go out, `broadcast` (each
    school to the hub)."""
    p = model.partnerships
    net = Network(model.n_schools)
    live = p.active[p.link_group]
    for layer, kind in enumerate(p.layer_kinds):
        if kind == "none":
            continue
        keep = live & (p.link_layer == layer)
        net.set_layer(kind, p.link_a[keep], p.link_b[keep], p.trust[keep])
    moves = model.knowledge.staff_move_edges
    net.set_layer("staff_moves", moves[:, 0], moves[:, 1])
    net.set_layer("authority", np.arange(model.n_schools), model.region.la)
    if any(scheme.broadcasting(model) and scheme.partnerships_of(model).active.any()
           for scheme in model.scheme.layer_schemes()):
        net.set_layer("broadcast", np.arange(model.n_schools), np.zeros(model.n_schools))
    return net


@dataclass
class Layer:
    a: np.ndarray        # (edges,) one end (a school id)
    b: np.ndarray        # (edges,) the other end (a school id, or a hub index)
    weight: np.ndarray   # (edges,)


@dataclass
class Network:
    """The layers of the network at one moment, over `n_schools` schools."""

    n_schools: int
    layers: dict[str, Layer] = field(default_factory=dict)

    def set_layer(self, name: str, a, b, weight=None) -> None:
        a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
        w = np.ones(len(a)) if weight is None else np.asarray(weight, float)
        self.layers[name] = Layer(a, b, w)

    def edges(self, layers=None) -> pd.DataFrame:
        """Tidy edge list: layer, a, b, weight (hub ends named as in the graph)."""
        frames = []
        for name in self._names(layers):
            layer = self.layers[name]
            frames.append(pd.DataFrame({
                "layer": name, "a": _node_names(name, layer.a, is_hub=False),
                "b": _node_names(name, layer.b, is_hub=name in HUB_LAYERS),
                "weight": layer.weight}))
        if not frames:
            return pd.DataFrame({"layer": [], "a": [], "b": [], "weight": []})
        return pd.concat(frames, ignore_index=True)

    def graph(self, layers=None) -> nx.MultiGraph:
        """The chosen layers (default: every school-to-school layer) as a networkx graph.

        Nodes are school ids (attribute kind="school") and hubs ("la3", "hub"; kind="hub");
        an edge per layer, keyed by the layer's name, with attributes kind and weight, so
        two schools linked in two layers have two edges."""
        g = nx.MultiGraph()
        g.add_nodes_from(range(self.n_schools), kind="school")
        for name in self._names(layers):
            layer = self.layers[name]
            ends = _node_names(name, layer.b, is_hub=name in HUB_LAYERS)
            if name in HUB_LAYERS:   # each hub once, in order of first appearance
                g.add_nodes_from(dict.fromkeys(ends), kind="hub")
            ends = ends.tolist() if isinstance(ends, np.ndarray) else ends
            g.add_edges_from((a, b, name, {"kind": name, "weight": w})
                             for a, b, w in zip(layer.a.tolist(), ends, layer.weight.tolist()))
        return g

    def school_layers(self) -> list[str]:
        return [name for name in self.layers if name not in HUB_LAYERS]

    def _names(self, layers) -> list[str]:
        if layers is None:
            return self.school_layers()
        names = [layers] if isinstance(layers, str) else list(layers)
        unknown = [n for n in names if n not in self.layers]
        if unknown:
            raise ValueError(f"layer {unknown[0]!r} is unknown; allowed: "
                             f"{', '.join(self.layers)}")
        return names

    def adjacency(self, layers=None) -> sparse.csr_matrix:
        """Symmetric 0/1 adjacency between schools of the chosen school-to-school layers."""
        names = self._names(layers)
        hubs = [n for n in names if n in HUB_LAYERS]
        if hubs:
            raise ValueError(f"layer {hubs[0]!r} joins schools to hubs; metrics take "
                             f"school-to-school layers: {', '.join(self.school_layers())}")
        a = np.concatenate([self.layers[n].a for n in names] or [np.zeros(0, np.int64)])
        b = np.concatenate([self.layers[n].b for n in names] or [np.zeros(0, np.int64)])
        return adjacency(a, b, self.n_schools)

    def metrics(self, rng, path_samples: int = 50) -> pd.DataFrame:
        """One row per school-to-school layer and one for them combined ("all")."""
        rows = [{"layer": name, **metrics(self.adjacency(name), rng, path_samples)}
                for name in self.school_layers()]
        rows.append({"layer": "all", **metrics(self.adjacency(), rng, path_samples)})
        return pd.DataFrame(rows)


def _node_names(layer: str, ids: np.ndarray, is_hub: bool):
    if not is_hub:
        return ids
    return ["hub"] * len(ids) if layer == "broadcast" else [f"la{k}" for k in ids.tolist()]


def adjacency(a: np.ndarray, b: np.ndarray, n: int) -> sparse.csr_matrix:
    """Symmetric 0/1 adjacency (no self-loops) of the undirected edges (a, b)."""
    keep = a != b
    a, b = a[keep], b[keep]
    m = sparse.coo_matrix((np.ones(2 * len(a)), (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    m = m.tocsr()
    m.data[:] = 1.0   # duplicates (an edge in two layers) count once
    return m


def mean_clustering(adj: sparse.csr_matrix) -> float:
    """Mean local clustering over all nodes, 0 for nodes of degree < 2 (as networkx)."""
    degree = np.asarray(adj.sum(axis=1)).ravel()
    triangles = np.asarray((adj @ adj).multiply(adj).sum(axis=1)).ravel() / 2
    pairs = degree * (degree - 1) / 2
    local = np.divide(triangles, pairs, out=np.zeros_like(triangles), where=pairs > 0)
    return float(local.mean()) if len(local) else 0.0


def sampled_path_length(adj: sparse.csr_matrix, nodes: np.ndarray, rng,
                        samples: int) -> float:
    """Mean shortest-path length between distinct nodes of a connected `nodes` set,
    from breadth-first searches out of `samples` of them (all, if fewer)."""
    if len(nodes) < 2:
        return 0.0
    sources = nodes if len(nodes) <= samples else rng.choice(nodes, samples, replace=False)
    dist = csgraph.shortest_path(adj, unweighted=True, indices=sources)[:, nodes]
    return float(dist[dist > 0].mean())


def metrics(adj: sparse.csr_matrix, rng, path_samples: int) -> dict:
    """Mean degree, clustering, components, largest component share, mean path length."""
    n = adj.shape[0]
    degree = np.asarray(adj.sum(axis=1)).ravel()
    n_comp, label = csgraph.connected_components(adj, directed=False)
    sizes = np.bincount(label, minlength=n_comp)
    largest = np.flatnonzero(label == np.argmax(sizes)) if n else np.zeros(0, np.int64)
    return {
        "edges": int(adj.nnz // 2),
        "mean_degree": float(degree.mean()) if n else 0.0,
        "clustering": mean_clustering(adj),
        "components": int(n_comp),
        "largest_component_share": len(largest) / n if n else 0.0,
        "mean_path_length": sampled_path_length(adj, largest, rng, path_samples),
    }


def hops_from(adj: sparse.csr_matrix, origin: int) -> np.ndarray:
    """Network steps from `origin` to every school (inf where unreachable)."""
    return csgraph.shortest_path(adj, unweighted=True, indices=[origin])[0]


def edges_by_year(snapshots: list[tuple[int, Network]]) -> pd.DataFrame:
    """The school-to-school edges of every (year, network) snapshot: year, layer, a, b,
    weight (one table built at the end: a DataFrame a year cost more than the arrays)."""
    parts = [(year, name, net.layers[name]) for year, net in snapshots
             for name in net.school_layers()]
    sizes = [len(layer.a) for _, _, layer in parts]
    return pd.DataFrame({
        "year": np.repeat(np.asarray([year for year, _, _ in parts], np.int64), sizes),
        "layer": np.repeat(np.asarray([name for _, name, _ in parts], dtype=object), sizes),
        "a": np.concatenate([layer.a for _, _, layer in parts] or [np.zeros(0, np.int64)]),
        "b": np.concatenate([layer.b for _, _, layer in parts] or [np.zeros(0, np.int64)]),
        "weight": np.concatenate([layer.weight for _, _, layer in parts] or [np.zeros(0)])})


def year_metrics(net: Network, year: int, rng, path_samples: int) -> pd.DataFrame:
    """Metrics of each school-to-school layer and of all of them at a year end."""
    table = net.metrics(rng, path_samples)
    table.insert(0, "year", year)
    return table
