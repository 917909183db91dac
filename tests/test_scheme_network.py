"""scheme=network: partnerships along a generated or given graph."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from tests.helpers import build_model

SMALL = ["scheme=network", "region.n_schools=60", "years=1"]


def pairs(model):
    p = model.partnerships
    return sorted(zip(p.link_a.tolist(), p.link_b.tolist()))


def test_ring_lattice_without_rewiring():
    model = build_model([*SMALL, "scheme.k=4", "scheme.p=0"])
    got = pairs(model)
    assert len(got) == 120 and model.partnerships.n_groups == 120
    assert (0, 1) in got and (0, 2) in got and (0, 59) in got and (0, 3) not in got


def test_rewiring_keeps_the_number_of_links():
    lattice = build_model([*SMALL, "scheme.p=0"])
    rewired = build_model([*SMALL, "scheme.p=0.5"])
    assert len(pairs(rewired)) == len(pairs(lattice)) and pairs(rewired) != pairs(lattice)


def test_participation_keeps_edges_between_participants():
    model = build_model([*SMALL, "scheme.participation=0.5"])
    assert 0 < model.partnerships.n_groups < 120


def test_edges_from_a_file(tmp_path):
    f = tmp_path / "edges.csv"
    f.write_text("a,b\n0,5\n5,9\n")
    model = build_model([*SMALL, "scheme.generator=file", f"scheme.edges_file={f}"])
    assert pairs(model) == [(0, 5), (5, 9)]
    result = sim.run([*SMALL, "scheme.generator=file", f"scheme.edges_file={f}"],
                     progress=False)
    assert result.summary["n_partnerships"] == 2


def test_bad_file_is_one_line_naming_the_line(tmp_path):
    f = tmp_path / "edges.csv"
    f.write_text("0,5\n5;9\n")
    with pytest.raises(sim.ConfigError) as err:
        build_model([*SMALL, "scheme.generator=file", f"scheme.edges_file={f}"])
    assert str(err.value) == (f"{f}:2: '5;9' is not an edge; allowed: two different school "
                              "ids 0..59 separated by a comma, tab or spaces")


def test_other_generators_run():
    for extra in (["scheme.generator=degree_preserving_ring", "scheme.p=0.3"],
                  ["scheme.generator=connected_caveman", "scheme.clique_size=5"],
                  ["scheme.generator=barabasi_albert", "scheme.m=2"],
                  ["scheme.generator=random_geometric", "scheme.radius=0.2"]):
        model = build_model([*SMALL, *extra])
        assert model.partnerships.n_groups > 0
        assert np.all(model.partnerships.members[:, :2] >= 0)
