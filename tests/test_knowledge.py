"""sim.knowledge in the model: starting holdings, practice moving, the network, the outputs."""

from __future__ import annotations

from types import SimpleNamespace

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import sim
from sim.diffusion import Channel
from sim.knowledge import Knowledge
from sim.state import initial_state
from sim.streams import Streams
from tests.helpers import build_model

SMALL = ["region.n_schools=150", "years=2"]


def test_starting_expertise_is_the_drawn_one_and_comes_from_holdings():
    model = build_model(["region.n_schools=150", "seed=4"])
    drawn = initial_state(model.region, model.cfg, Streams(4)["initial"]).expertise
    np.testing.assert_allclose(model.state.expertise, drawn, atol=1e-12)
    k = model.knowledge
    # most of it is practice: the tacit part covers only targets beyond the slots' reach
    assert np.mean(np.abs(k.tacit) < 1e-9) > 0.95
    np.testing.assert_allclose(k.expertise(), drawn, atol=1e-12)


@pytest.fixture(scope="module")
def trios_run():
    return sim.run(["scheme=trios", *SMALL, "seed=3", "output.graphml=true"], progress=False)


def test_practices_move_between_partners_and_with_staff(trios_run):
    model = sim.SchoolSystem(sim.compose_config(["scheme=trios", *SMALL, "seed=3"]))
    model.run()
    log = model.knowledge.log.table()
    channels = set(log[:, 5].tolist())
    assert {Channel.START, Channel.PARTNER, Channel.STAFF_MOVE} <= channels
    partner = log[log[:, 5] == Channel.PARTNER]
    p = model.partnerships
    # every take-up from a partner came across a partnership link
    p.link_index(partner[:, 1], partner[:, 3])   # raises nothing: all linked
    keys = set(zip(np.minimum(partner[:, 1], partner[:, 3]).tolist(),
                   np.maximum(partner[:, 1], partner[:, 3]).tolist()))
    assert keys <= set(zip(p.link_a.tolist(), p.link_b.tolist()))
    assert model.knowledge.summary()["adoptions_from_partners"] == len(partner)


def test_diffusion_table_is_consistent(trios_run):
    d = trios_run.diffusion
    n = trios_run.summary["n_schools"]
    years = trios_run.summary["years"]
    assert d.groupby("practice")["year"].apply(list).map(lambda y: y == list(range(years + 1))
                                                        ).all()
    assert (d["holders"] <= n).all() and d["reach"].between(0, 1).all()
    # adopters never fall; a created practice's first adopters are its creators, and one
    # worse than every slot both creators hold is kept by nobody (recombinant uncertainty,
    # sim.diffusion.recombined): then it has no holders and never reaches 10 %
    assert (d.groupby("practice")["adopters"].diff().fillna(0) >= 0).all()
    made = d[(d["origin"] >= 0) & (d["year"] == years)]
    assert len(made) == trios_run.summary["practices_created"] > 0
    assert (made["adopters"] >= 1).any()
    unkept = made[made["adopters"] == 0]
    assert (unkept["holders"] == 0).all() and unkept["weeks_to_10pct"].isna().all()
    assert (made["weeks_to_10pct"].isna() | (made["weeks_to_10pct"] >= 0)).all()


def test_network_outputs(trios_run, tmp_path):
    edges, table = trios_run.network, trios_run.network_metrics
    assert set(edges["layer"]) <= {"trios", "staff_moves"}
    assert sorted(edges["year"].unique()) == [0, 1, 2]
    assert sorted(table["year"].unique()) == [0, 2]          # metrics at start and end
    start = table[(table["year"] == 0) & (table["layer"] == "trios")].iloc[0]
    # disjoint trios: every member has two partners and a triangle's clustering is 1
    assert start["clustering"] == pytest.approx(1.0 * start["mean_degree"] / 2)
    assert start["largest_component_share"] == pytest.approx(3 / 150)
    out = trios_run.write(tmp_path / "run")
    for name in ("diffusion.parquet", "network.parquet", "network_metrics.parquet",
                 "network.graphml"):
        assert (out / name).is_file(), name
    pd.testing.assert_frame_equal(pd.read_parquet(out / "network.parquet"), edges)
    graph = nx.read_graphml(out / "network.graphml")
    # the schools, the authorities and the hub the trios' summaries go out from
    assert graph.number_of_nodes() == 150 + 10 + 1


def test_model_network_layers():
    model = build_model(["scheme=trios", *SMALL])
    model.run()
    staff = model.network(layers=["staff_moves"])
    assert {d["kind"] for *_, d in staff.edges(data=True)} <= {"staff_moves"}
    authority = model.network(layers=["authority"])
    assert authority.degree["la0"] == int((model.region.la == 0).sum())
    # the trios' summaries reach every school: each is one step from the hub
    broadcast = model.network(layers=["broadcast"])
    assert broadcast.degree["hub"] == model.n_schools


def test_no_broadcast_layer_without_summaries():
    quiet = build_model(["scheme=trios", *SMALL, "policy.broadcast.enabled=false"])
    quiet.run(until_week=39)
    assert "broadcast" not in quiet.layered_network().layers
    families = build_model(["scheme=families", *SMALL, "scheme.min_size=4",
                            "scheme.max_size=8"])
    assert "broadcast" not in families.layered_network().layers


def test_met_partner_marks_both_schools_of_each_link_that_met_this_term():
    links = SimpleNamespace(link_a=np.array([0, 1, 2]), link_b=np.array([1, 3, 4]),
                            met_this_term=np.array([True, False, False]))
    model = SimpleNamespace(partnerships=links, n_schools=5)
    assert Knowledge.met_partner(model).tolist() == [True, True, False, False, False]
    links.met_this_term[2] = True
    assert Knowledge.met_partner(model).tolist() == [True, True, True, False, True]
