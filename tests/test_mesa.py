"""SchoolSystem as a Mesa model: keywords and `rng`, `running`, DataCollector, batch_run, network."""

from __future__ import annotations

import multiprocessing
import re
import warnings
from pathlib import Path
from types import SimpleNamespace

import mesa
import numpy as np
import pytest

import sim
from sim import metrics
from sim.model import SchoolSystem
from sim.pupils import results
from sim.pupils.roll import Pupils
from sim.pupils.system import PupilSystem
from sim.pupils.year_end import YearEnd

SMALL = {"region.n_schools": 120, "years": 1}
ROOT = Path(__file__).resolve().parent.parent


def test_run_model_returns_and_stops_running_at_the_end():
    model = SchoolSystem(rng=2, **SMALL)
    model.run_model()   # Mesa's loop: `while model.running: model.step()`
    assert model.running is False
    assert model.steps == model.end_week == 39
    assert model.time == 39.0


def test_running_stays_true_until_the_last_week():
    model = SchoolSystem(rng=2, **SMALL)
    for _ in range(38):
        model.step()
    assert model.running is True
    model.step()
    assert model.running is False


def test_keywords_and_rng_give_the_same_run_as_the_cli_overrides():
    by_keywords = SchoolSystem(rng=5, scheme="trios", **SMALL)
    by_keywords.run_model()
    result = sim.run(["region.n_schools=120", "years=1", "scheme=trios", "seed=5"])
    assert by_keywords.cfg.seed == 5
    assert by_keywords.metric_rows == result.metrics.to_dict("records")


def test_without_rng_the_configs_seed_is_used():
    assert SchoolSystem(**SMALL).cfg.seed == sim.compose_config([]).seed


@pytest.mark.parametrize("kwargs, message", [
    ({"rng": np.random.default_rng(1)}, "rng=Generator"),
    ({"rng": 1, "seed": 2}, "rng=1 and seed=2 both given"),
    ({"scheme": "nope"}, "scheme=nope is unknown"),
])
def test_bad_keywords_are_one_line_errors(kwargs, message):
    with pytest.raises(sim.ConfigError, match=re.escape(message)):
        SchoolSystem(**SMALL, **kwargs)


def test_a_composed_config_refuses_extra_settings_or_another_seed():
    cfg = sim.compose_config(["region.n_schools=120", "years=1", "seed=4"])
    with pytest.raises(sim.ConfigError, match="not both"):
        SchoolSystem(cfg, scheme="trios")
    with pytest.raises(sim.ConfigError, match="rng=5 differs"):
        SchoolSystem(cfg, rng=5)
    assert SchoolSystem(cfg, rng=4).cfg.seed == 4


def test_datacollector_records_each_term_as_the_metrics_table():
    model = SchoolSystem(rng=3, scheme="trios", **SMALL)
    model.run_model()
    collected = model.datacollector.get_model_vars_dataframe()
    rows = {row["week"]: row for row in model.metric_rows}
    assert model.datacollector._collection_steps == [0.0, 13.0, 26.0, 39.0]
    for i, week in enumerate(rows):
        for name in metrics.MODEL_REPORTERS:
            assert collected[name].iloc[i] == rows[week][name], (name, week)
    # The run changes what is reported (a collector stuck on the start would pass above
    # only if the metrics were stuck too).
    assert collected["expertise_mean"].iloc[-1] != collected["expertise_mean"].iloc[0]


def test_reporters_on_hand_worked_numbers():
    # KS2 (Year 6, school 0): disadvantaged -10, -6 (mean -8), others 2, 4 (mean 3): gap 11.
    # KS4 (Year 11, school 1): disadvantaged -20, others 0, 2 (mean 1): gap 21.
    # Both cohorts: disadvantaged (-10 - 6 - 20) / 3 = -12, others 8 / 4 = 2: gap 14.
    # In order of entry, as a roll is kept (`sim.pupils.roll`): the oldest first.
    roll = Pupils(school=np.array([1, 1, 1, 0, 0, 0, 0], np.int32),
                  year=np.array([11, 11, 11, 6, 6, 6, 6], np.int8),
                  disadvantaged=np.array([1, 0, 0, 1, 1, 0, 0], bool),
                  home=np.zeros(7, np.int32), home_km=np.zeros((7, 2), np.float32),
                  attainment=np.array([-20, 0, 2, -10, -6, 2, 4], np.float32),
                  persistent=np.zeros(7, np.float32), loss=np.zeros(7, np.float32))
    pupils = object.__new__(PupilSystem)
    pupils.latest = YearEnd(leavers=0, left_at_11=0, left_to_neighbours=0, left_without_place=0,
                            transferred=0, intake=0, arrived_at_11=0,
                            movers=0, ks2=results.cohort_results(roll, 6, 2),
                            ks4=results.cohort_results(roll, 11, 2),
                            ks2_gap=results.cohort_gap(roll, 6),
                            ks4_gap=results.cohort_gap(roll, 11))
    # Pupils on roll: disadvantaged (30, 10), others (20, 40): dissimilarity 5/12.
    state = SimpleNamespace(
        pupils_disadvantaged=np.array([30.0, 10.0]), pupils_other=np.array([20.0, 40.0]),
        expertise=np.array([[0.2, 0.4], [0.6, 0.6]]))
    model = SimpleNamespace(state=state, pupil_system=pupils,
                            partnerships=SimpleNamespace(active=np.array([True, False, True])))
    assert metrics.attainment_disadvantaged(model) == pytest.approx(-12.0)
    assert metrics.attainment_other(model) == pytest.approx(2.0)
    assert metrics.gap_months(model) == pytest.approx(14.0)
    headline = pupils.headline()
    assert (headline["gap_months_primary"], headline["attainment_disadvantaged_primary"],
            headline["attainment_other_primary"]) == pytest.approx((11.0, -8.0, 3.0))
    assert (headline["gap_months_secondary"], headline["attainment_disadvantaged_secondary"],
            headline["attainment_other_secondary"]) == pytest.approx((21.0, -20.0, 1.0))
    assert metrics.segregation(model) == pytest.approx(5 / 12)
    assert metrics.expertise_mean(model) == pytest.approx(0.45)
    assert metrics.active_partnerships(model) == 2


@pytest.fixture
def restore_start_method():
    """batch_run forces the 'spawn' start method for the whole process; put it back."""
    method = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(method, force=True)


def test_batch_run_in_two_processes_gives_the_numbers_of_sim_run(restore_start_method):
    results = mesa.batch_run(SchoolSystem, {"scheme": ["none", "trios"], **SMALL},
                             rng=[1, 2], number_processes=2, display_progress=False)
    assert len(results) == 4
    for row in results:
        expected = sim.run([f"scheme={row['scheme']}", f"seed={row['rng']}",
                            "region.n_schools=120", "years=1"]).summary["last"]
        assert row["Step"] == 39
        for name in ("gap_months", "attainment_disadvantaged", "expertise_mean"):
            assert row[name] == expected[name], (row["scheme"], row["rng"], name)


def test_network_is_the_active_partnerships():
    model = SchoolSystem(rng=1, scheme="trios", **SMALL)
    model.run_model()
    graph = model.network()
    p = model.partnerships
    assert graph.number_of_nodes() == model.n_schools
    # A trio is three links; lapsed trios are gone.
    assert graph.number_of_edges() == 3 * int(p.active.sum())
    a, b, data = next(iter(graph.edges(data=True)))
    assert data["kind"] == "trios"
    assert data["trust"] == model.school(a).trust[b]
    assert graph.nodes[a]["local_authority"] == model.school(a).local_authority


def test_network_layers_pick_kinds_and_refuse_unknown_ones():
    model = SchoolSystem(rng=1, scheme="mixed", **SMALL)
    kinds = model.partnerships.link_kinds()
    everything = model.network()
    assert everything.number_of_edges() == len(kinds)   # nothing has lapsed yet
    for kind in set(kinds):
        layer = model.network(layers=[kind])
        assert layer.number_of_edges() == int((kinds == kind).sum())
        assert {d["kind"] for *_, d in layer.edges(data=True)} == {kind}
    with pytest.raises(sim.ConfigError, match=r"layers=\['nope'\] is unknown; allowed: "):
        model.network(layers=["nope"])


def test_school_by_index_raises_no_deprecation_warning():
    model = SchoolSystem(rng=1, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model.school(7).index == 7


@pytest.mark.parametrize("path", [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
                                  *sorted((ROOT / "analysis" / "notebooks").glob("*.ipynb"))],
                         ids=lambda p: p.name)
def test_docs_do_not_index_mesa_agent_sets(path):
    # `model.schools[0]` is AgentSet indexing, deprecated in Mesa 3 (use `model.school(0)`).
    assert not re.search(r"\bmodel\.(schools|agents)\[", path.read_text())
