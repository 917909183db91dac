"""Partner graphs for `scheme=network`: from a networkx generator or from a file.

For researchers' network experiments (Watts & Strogatz 1998; Cowan & Jonard 2004; Fang,
Lee & Schilling 2010): every edge becomes a two-school partnership. Node i of a generated
graph is school i; school ids follow the region's order (schools of one local authority
are numbered together), so a ring lattice joins schools of the same authority and
rewiring adds links across authorities.

Generators and their parameters (`networkx` functions):
- `watts_strogatz`: k (neighbours on the ring, even), p (rewiring probability);
- `degree_preserving_ring`: the same ring lattice (k, p), rewired by double-edge swaps so that
  every school keeps its k partners (Maslov & Sneppen 2002, "Specificity and stability in
  topology of protein networks", Science 296: degree-preserving randomisation): round(p *
  links / 2) swaps of two links each (a link may be swapped more than once), so the
  lattice's clustering falls and its paths shorten as in Watts & Strogatz while the number
  of partners, which rewiring otherwise spreads to 2-10, stays the same;
- `connected_caveman`: clique_size (the schools of the region are split into
  n // clique_size caves; a remainder of schools stays outside);
- `barabasi_albert`: m (links of each new school);
- `random_geometric`: radius (in units of the region's larger side; schools placed at
  their own positions).
Files: an edge list (`.csv`, `.tsv`, `.txt`: one edge per line, two school ids separated
by a comma, tab or spaces; `#` starts a comment; a header line `a,b` is allowed) or GraphML
(`.graphml`, node ids are school ids).
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np

from sim.errors import ConfigError

GENERATORS = ("watts_strogatz", "degree_preserving_ring", "connected_caveman",
              "barabasi_albert", "random_geometric")


def generated_edges(generator: str, n: int, params: dict, seed: int,
                    positions: np.ndarray | None = None) -> np.ndarray:
    """(edges, 2) school pairs (lower id first) from a networkx generator."""
    if generator == "watts_strogatz":
        g = nx.watts_strogatz_graph(n, int(params["k"]), float(params["p"]), seed=seed)
    elif generator == "degree_preserving_ring":
        g = swapped_ring(n, int(params["k"]), float(params["p"]), seed)
    elif generator == "connected_caveman":
        size = int(params["clique_size"])
        g = nx.connected_caveman_graph(n // size, size)
    elif generator == "barabasi_albert":
        g = nx.barabasi_albert_graph(n, int(params["m"]), seed=seed)
    elif generator == "random_geometric":
        span = np.ptp(positions, axis=0).max()
        unit = (positions - positions.min(axis=0)) / span
        g = nx.random_geometric_graph(n, float(params["radius"]),
                                      pos={i: tuple(p) for i, p in enumerate(unit)})
    else:
        raise ConfigError(f"scheme.generator={generator} is unknown; allowed: "
                          f"{', '.join(GENERATORS)}, or scheme.edges_file")
    return _sorted_pairs(np.array(list(g.edges()), np.int64).reshape(-1, 2))


def swapped_ring(n: int, k: int, p: float, seed: int) -> nx.Graph:
    """Ring lattice of n schools with k neighbours each, round(p * links / 2) double-edge
    swaps applied (each school's number of partners unchanged)."""
    g = nx.watts_strogatz_graph(n, k, 0.0)
    swaps = round(p * g.number_of_edges() / 2)
    if swaps:
        try:
            nx.double_edge_swap(g, nswap=swaps, max_tries=100 * swaps + 1000, seed=seed)
        except (nx.NetworkXError, nx.NetworkXAlgorithmError):
            raise ConfigError(
                f"scheme.generator=degree_preserving_ring cannot swap {swaps} pairs of links "
                f"on a ring of {n} schools with k = {k}; allowed: a ring that is not complete "
                f"(more schools than k + 1), or scheme.p=0") from None
    return g


def read_edges(path: str | Path, n_schools: int) -> np.ndarray:
    """(edges, 2) school pairs from an edge-list or GraphML file; bad input raises a
    ConfigError naming the file, the line (or node) and what is allowed."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"scheme.edges_file={path} does not exist; allowed: an edge list "
                          f"(.csv, .tsv, .txt) or a .graphml file")
    if path.suffix.lower() == ".graphml":
        return _read_graphml(path, n_schools)
    pairs = []
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        text = raw.split("#", 1)[0].strip()
        if not text or (number == 1 and text.replace(" ", "").lower() in ("a,b", "a\tb")):
            continue
        pairs.append(_edge(text, path, number, n_schools))
    return _sorted_pairs(np.array(pairs, np.int64).reshape(-1, 2))


def _edge(text: str, path: Path, number: int, n_schools: int) -> tuple[int, int]:
    allowed = f"allowed: two different school ids 0..{n_schools - 1}"
    fields = text.replace(",", " ").split()
    if len(fields) != 2 or not all(f.lstrip("-").isdigit() for f in fields):
        raise ConfigError(f"{path}:{number}: '{text}' is not an edge; {allowed} "
                          f"separated by a comma, tab or spaces")
    a, b = int(fields[0]), int(fields[1])
    for x in (a, b):
        if not 0 <= x < n_schools:
            raise ConfigError(f"{path}:{number}: school id {x} is out of range; {allowed}")
    if a == b:
        raise ConfigError(f"{path}:{number}: '{text}' links a school to itself; {allowed}")
    return a, b


def _read_graphml(path: Path, n_schools: int) -> np.ndarray:
    try:
        g = nx.read_graphml(path)
    except Exception as err:   # networkx raises several parser types; report any as one line
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ConfigError(f"{path}: not readable as GraphML ({first}); allowed: a GraphML "
                          f"file whose node ids are school ids 0..{n_schools - 1}") from None
    ids = {}
    for node in g.nodes:
        text = str(node)
        if not text.isdigit() or int(text) >= n_schools:
            raise ConfigError(f"{path}: node '{text}' is not a school id; allowed: "
                              f"0..{n_schools - 1}")
        ids[node] = int(text)
    pairs = [(ids[a], ids[b]) for a, b in g.edges()]
    loops = [a for a, b in pairs if a == b]
    if loops:
        raise ConfigError(f"{path}: an edge links school {loops[0]} to itself; allowed: "
                          f"edges between two different schools")
    return _sorted_pairs(np.array(pairs, np.int64).reshape(-1, 2))


def _sorted_pairs(pairs: np.ndarray) -> np.ndarray:
    """Unique pairs, lower id first, sorted."""
    lo, hi = pairs.min(axis=1), pairs.max(axis=1)
    return np.unique(np.column_stack([lo, hi]), axis=0) if len(pairs) else pairs
