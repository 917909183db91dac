"""`network`: two-school partnerships along a graph, for researchers' network experiments.

Sources: small worlds (Watts & Strogatz 1998) and knowledge diffusion over them (Cowan &
Jonard 2004); the balance of local and long-range ties in organisational learning (Lazer &
Friedman 2007; Fang, Lee & Schilling 2010). Each edge of the graph is a partnership of two
schools meeting every `meeting_interval_weeks`, mutual by default; the graph comes from a networkx generator or a file (`sim.graph_sources`, which
also says how graph nodes map onto schools). With participation below 1, an edge is kept
when both its schools take part. Not combinable in a mixed scheme: the graph names every
school's partners.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.component import param, redefault
from sim.graph_sources import GENERATORS, generated_edges, read_edges
from sim.schemes.base import GroupParams, Scheme


@dataclass
class NetworkParams(GroupParams):
    name: str = "network"
    # Each school has several partners: every six weeks at half a day each keeps a school
    # with four partners within its leadership time.
    meeting_interval_weeks: int = redefault(GroupParams, "meeting_interval_weeks", 6)
    meeting_cost_days: float = redefault(GroupParams, "meeting_cost_days", 0.5)
    generator: str = param("watts_strogatz", choices=(*GENERATORS, "file"),
                           label="Partner graph",
                           help="A networkx generator, or file: read scheme.edges_file.")
    k: int = param(4, min=2, max=20, why="a neighbour on each side; at most 20 partners each",
                   label="Ring neighbours (Watts-Strogatz, degree-preserving ring)",
                   help="Each school's partners on the ring before rewiring (even).")
    p: float = param(0.1, min=0, max=1, why="a probability", label="Rewiring probability",
                     step=0.05, help="Watts-Strogatz: chance that a ring link is rewired; "
                                     "degree-preserving ring: p x links / 2 double-edge swaps.")
    clique_size: int = param(4, min=2, max=40, why="a cave of two to forty schools",
                             label="Cave size (connected caveman)",
                             help="Schools per cave; one link of each cave is rewired to the "
                                  "next cave.")
    m: int = param(2, min=1, max=20, why="one to twenty links per added school",
                   label="Links per new school (Barabasi-Albert)",
                   help="Preferential attachment: links each added school makes.")
    radius: float = param(0.05, min=0, max=1.5, why="a share of the region's larger side",
                          label="Radius (random geometric)",
                          help="Schools closer than this share of the region's width partner.")
    edges_file: str = param("", label="Edge list or GraphML file",
                            help="With generator=file: one edge per line (two school ids) "
                                 "or a .graphml file.")


class NetworkScheme(Scheme):
    name = "network"
    traits = frozenset({"programme"})
    Params = NetworkParams
    combinable = False

    def form(self, model):
        params, rng = self.params, self.stream(model, "formation")
        joining = self.participants(model.n_schools, rng)
        if params.generator == "file":
            edges = read_edges(params.edges_file, model.n_schools)
        else:
            edges = generated_edges(
                params.generator, model.n_schools,
                {"k": params.k, "p": params.p, "clique_size": params.clique_size,
                 "m": params.m, "radius": params.radius},
                seed=int(rng.integers(2**31)), positions=model.region.pos_km)
        edges = edges[joining[edges[:, 0]] & joining[edges[:, 1]]]
        return self.grouped(model, list(edges), rng)
