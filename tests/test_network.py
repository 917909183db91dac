"""sim.network: layers, the networkx graph, and metrics checked by hand and against networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from sim import network
from sim.network import Network


def path_network():
    net = Network(5)
    net.set_layer("trios", [0, 1], [1, 2], [0.5, 0.7])
    net.set_layer("staff_moves", [2, 1], [3, 2])          # (1, 2) also a trio link
    net.set_layer("authority", [0, 1, 2, 3, 4], [0, 0, 1, 1, 1])
    net.set_layer("broadcast", [0, 1, 2, 3, 4], [0, 0, 0, 0, 0])
    return net


def test_metrics_of_a_path_hand_worked():
    # 0-1-2-3 and an isolated school 4 (the combined school-to-school layers)
    m = network.metrics(path_network().adjacency(), np.random.default_rng(0), 50)
    assert m["edges"] == 3
    assert m["mean_degree"] == pytest.approx(6 / 5)
    assert m["clustering"] == 0
    assert m["components"] == 2 and m["largest_component_share"] == pytest.approx(4 / 5)
    # distances in 0-1-2-3: 1,2,3,1,2,1 (each twice) -> 10/6
    assert m["mean_path_length"] == pytest.approx(10 / 6)


def test_metrics_agree_with_networkx():
    g = nx.connected_caveman_graph(6, 5)
    g = nx.relabel_nodes(g, {v: i for i, v in enumerate(g.nodes)})
    g.add_edges_from([(0, 17), (3, 22)])
    a, b = np.array(g.edges()).T
    adj = network.adjacency(a, b, g.number_of_nodes())
    m = network.metrics(adj, np.random.default_rng(0), path_samples=1000)
    assert m["clustering"] == pytest.approx(nx.average_clustering(g))
    assert m["mean_path_length"] == pytest.approx(nx.average_shortest_path_length(g))
    assert m["components"] == 1 and m["edges"] == g.number_of_edges()


def test_sampled_path_length_is_close_on_a_large_graph():
    g = nx.watts_strogatz_graph(600, 6, 0.1, seed=2)
    a, b = np.array(g.edges()).T
    adj = network.adjacency(a, b, 600)
    got = network.metrics(adj, np.random.default_rng(1), path_samples=60)["mean_path_length"]
    assert got == pytest.approx(nx.average_shortest_path_length(g), rel=0.05)


def test_graph_layers_hubs_and_edge_attributes():
    net = path_network()
    g = net.graph()
    assert sorted(g.nodes) == [0, 1, 2, 3, 4]             # hubs only on request
    assert sorted(g[1][2]) == ["staff_moves", "trios"]     # one edge per layer
    assert g.edges[1, 2, "trios"] == {"kind": "trios", "weight": 0.7}
    assert g.edges[1, 2, "staff_moves"]["weight"] == 1.0
    trios = net.graph("trios")
    assert sorted(trios.edges(keys=True)) == [(0, 1, "trios"), (1, 2, "trios")]
    hubbed = net.graph(["authority", "broadcast"])
    assert hubbed.nodes["la1"]["kind"] == "hub" and hubbed.degree["hub"] == 5
    assert sorted(hubbed.neighbors("la0")) == [0, 1]


def test_hub_nodes_in_order_of_first_appearance():
    """The same network gives the same graph (and network.graphml) in every process: hubs
    are not added from a set of names, whose order changes with Python's hash seed."""
    net = Network(4)
    net.set_layer("authority", [0, 1, 2, 3], [3, 1, 3, 0])
    assert list(net.graph("authority").nodes) == [0, 1, 2, 3, "la3", "la1", "la0"]


def test_edges_table_and_unknown_layer():
    table = path_network().edges(["trios", "authority"])
    assert table["layer"].tolist() == ["trios"] * 2 + ["authority"] * 5
    assert table["b"].tolist()[2:] == ["la0", "la0", "la1", "la1", "la1"]
    with pytest.raises(ValueError, match="layer 'peers' is unknown; allowed: trios"):
        path_network().graph("peers")
    with pytest.raises(ValueError, match="joins schools to hubs"):
        path_network().adjacency("authority")


def test_metrics_table_has_a_row_per_school_layer_and_all():
    table = path_network().metrics(np.random.default_rng(0))
    assert table["layer"].tolist() == ["trios", "staff_moves", "all"]
    assert table["edges"].tolist() == [2, 2, 3]


def test_hops_from():
    hops = network.hops_from(path_network().adjacency(), 0)
    assert hops[:4].tolist() == [0, 1, 2, 3] and np.isinf(hops[4])
