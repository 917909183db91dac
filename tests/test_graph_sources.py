"""sim.graph_sources: partner graphs from networkx generators and from files."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from sim import graph_sources
from sim.errors import ConfigError


def test_watts_strogatz_lattice_and_rewired():
    lattice = graph_sources.generated_edges("watts_strogatz", 20, {"k": 4, "p": 0.0}, 1)
    assert len(lattice) == 40 and (lattice[:, 0] < lattice[:, 1]).all()
    assert [0, 1] in lattice.tolist() and [0, 18] in lattice.tolist()
    rewired = graph_sources.generated_edges("watts_strogatz", 20, {"k": 4, "p": 1.0}, 1)
    assert len(rewired) == 40 and rewired.tolist() != lattice.tolist()


def test_degree_preserving_ring_keeps_every_school_at_k_partners():
    lattice = graph_sources.generated_edges("watts_strogatz", 30, {"k": 4, "p": 0.0}, 1)
    same = graph_sources.generated_edges("degree_preserving_ring", 30, {"k": 4, "p": 0.0}, 1)
    assert same.tolist() == lattice.tolist()
    swapped = graph_sources.generated_edges("degree_preserving_ring", 30, {"k": 4, "p": 1.0}, 1)
    assert len(swapped) == 60 and (swapped[:, 0] < swapped[:, 1]).all()
    assert np.bincount(swapped.ravel(), minlength=30).tolist() == [4] * 30
    # 30 swaps of two links each: most of the ring's 60 links are gone, its triangles with them
    kept = {tuple(e) for e in lattice.tolist()} & {tuple(e) for e in swapped.tolist()}
    assert len(kept) < 30
    assert nx.average_clustering(nx.Graph(swapped.tolist())) < nx.average_clustering(
        nx.Graph(lattice.tolist())) == 0.5
    again = graph_sources.generated_edges("degree_preserving_ring", 30, {"k": 4, "p": 1.0}, 1)
    assert again.tolist() == swapped.tolist()


def test_degree_preserving_ring_that_cannot_be_swapped_is_refused_in_one_line():
    # five schools with four neighbours each: the complete graph, no swap leaves it simple
    with pytest.raises(ConfigError) as err:
        graph_sources.generated_edges("degree_preserving_ring", 5, {"k": 4, "p": 1.0}, 1)
    assert str(err.value) == ("scheme.generator=degree_preserving_ring cannot swap 5 pairs of "
                              "links on a ring of 5 schools with k = 4; allowed: a ring that is "
                              "not complete (more schools than k + 1), or scheme.p=0")


def test_other_generators():
    cave = graph_sources.generated_edges("connected_caveman", 21, {"clique_size": 5}, 0)
    assert cave.max() == 19          # four caves of five; school 20 stays outside
    ba = graph_sources.generated_edges("barabasi_albert", 50, {"m": 2}, 0)
    assert len(ba) == 2 * 48
    pos = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0]])
    geo = graph_sources.generated_edges("random_geometric", 3, {"radius": 0.2}, 0, pos)
    assert geo.tolist() == [[0, 1]]  # 1 km apart in a 10 km region: 0.1 <= 0.2
    with pytest.raises(ConfigError, match="scheme.generator=ring is unknown; allowed: "
                                          "watts_strogatz"):
        graph_sources.generated_edges("ring", 10, {}, 0)


def test_read_edge_list(tmp_path):
    f = tmp_path / "edges.csv"
    f.write_text("a,b\n3,1  # a comment\n\n0\t2\n1 3\n")
    assert graph_sources.read_edges(f, 4).tolist() == [[0, 2], [1, 3]]


@pytest.mark.parametrize("line, message", [
    ("1;2", "3: '1;2' is not an edge; allowed: two different school ids 0..3"),
    ("1,2,3", "3: '1,2,3' is not an edge"),
    ("1,7", "3: school id 7 is out of range; allowed: two different school ids 0..3"),
    ("2,2", "3: '2,2' links a school to itself"),
])
def test_bad_edge_list_names_the_line(tmp_path, line, message):
    f = tmp_path / "edges.txt"
    f.write_text(f"0,1\n# fine\n{line}\n")
    with pytest.raises(ConfigError) as err:
        graph_sources.read_edges(f, 4)
    assert str(err.value).startswith(f"{f}:{message}")
    assert "\n" not in str(err.value)


def test_graphml_round_trip_and_errors(tmp_path):
    g = nx.Graph([(0, 2), (2, 3)])
    f = tmp_path / "g.graphml"
    nx.write_graphml(g, f)
    assert graph_sources.read_edges(f, 4).tolist() == [[0, 2], [2, 3]]
    with pytest.raises(ConfigError, match="node '3' is not a school id; allowed: 0..2"):
        graph_sources.read_edges(f, 3)
    nx.write_graphml(nx.Graph([("a", 1)]), f)
    with pytest.raises(ConfigError, match="node 'a' is not a school id"):
        graph_sources.read_edges(f, 3)
    f.write_text("<graphml><broken")
    with pytest.raises(ConfigError, match="not readable as GraphML"):
        graph_sources.read_edges(f, 3)
    with pytest.raises(ConfigError, match="does not exist"):
        graph_sources.read_edges(tmp_path / "missing.csv", 3)
