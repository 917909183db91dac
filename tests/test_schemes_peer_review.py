"""Peer review (sim.schemes.peer_review): small same-phase clusters, each learner's focus
on its largest shortfall, champions' terms and training days."""

from __future__ import annotations

import numpy as np
import pytest

from sim.schemes.peer_review import chunk, morton_code
from tests.helpers import assert_one_line_error, assert_runs_and_reports, build_model

SMALL = ["region.n_schools=300", "years=1"]


def test_chunk_hand_worked():
    assert [len(g) for g in chunk(np.arange(12), 4, 3, 7)] == [4, 4, 4]
    assert [len(g) for g in chunk(np.arange(11), 4, 3, 7)] == [4, 4, 3]
    # a remainder of 2 (< min_size 3) is shared out: one school to each of the last groups
    groups = chunk(np.arange(10), 4, 3, 7)
    assert sorted(len(g) for g in groups) == [5, 5]
    assert sorted(np.concatenate(groups).tolist()) == list(range(10))
    assert chunk(np.arange(2), 4, 3, 7) == []
    # no room anywhere: the remainder stays out
    assert [len(g) for g in chunk(np.arange(5), 4, 3, 4)] == [4]


def test_morton_code_keeps_neighbours_close():
    pos = np.array([[0.0, 0.0], [0.1, 0.1], [10.0, 10.0], [10.1, 10.0]])
    code = morton_code(pos)
    assert abs(code[0] - code[1]) < abs(code[0] - code[2])
    assert abs(code[2] - code[3]) < abs(code[1] - code[2])


@pytest.fixture(scope="module")
def peer_model():
    return build_model(["scheme=peer_review", *SMALL])


def test_peer_review_clusters_are_small_same_phase_and_cover_everyone(peer_model):
    m = peer_model
    p = m.partnerships
    sizes = (p.members >= 0).sum(axis=1)
    assert sizes.min() >= 3 and sizes.max() <= 7
    for row in p.members:
        row = row[row >= 0]
        assert len(np.unique(m.region.phase[row])) == 1
    assert m.scheme.unclustered == 0
    inside = m.scheme.cluster_of >= 0
    assert inside.all()
    assert 0 < m.scheme.fidelity.min() and m.scheme.fidelity.max() < 1


def test_peer_review_focus_is_the_largest_shortfall(peer_model):
    m = peer_model
    row = m.partnerships.members[0]
    row = row[row >= 0]
    e = m.state.expertise[row]
    best = e.max(axis=0)
    np.testing.assert_array_equal(m.scheme.focus[row], (best - e).argmax(axis=1))


def test_peer_review_meetings_discuss_only_each_learners_focus(peer_model):
    m = peer_model
    plan = m.scheme.exchange_plan(m, np.array([0, 1]), np.ones(m.n_schools, bool))
    assert plan.weights.sum(axis=1).tolist() == [1.0] * len(plan.learner)
    np.testing.assert_array_equal(plan.weights.argmax(axis=1), m.scheme.focus[plan.learner])
    groups = m.scheme.cluster_of[plan.learner]
    np.testing.assert_array_equal(plan.factor, m.scheme.fidelity[groups])
    assert plan.mutual is True


def test_peer_review_champion_term_hand_worked():
    m = build_model(["scheme=peer_review", *SMALL, "scheme.champion_rate=0.6"])
    sch, p = m.scheme, m.partnerships
    school = p.members[0][0]
    d = sch.focus[school]
    before = m.state.expertise[school].copy()
    fid, trust = sch.fidelity[0], p.mean_trust_by_group()[0]
    sch.term_end(m)
    expected = before[d] + 0.6 * fid * trust / 3 * (1 - before[d])
    np.testing.assert_allclose(m.state.expertise[school, d], expected)
    other = [k for k in range(4) if k != d]
    np.testing.assert_array_equal(m.state.expertise[school, other], before[other])


def test_peer_review_commitments_training_in_the_first_year_only(peer_model):
    m = build_model(["scheme=peer_review", *SMALL])
    np.testing.assert_allclose(m.state.days_committed, 1.0 + 3.0 / 3)
    m.scheme.year_end(m, 1)
    np.testing.assert_allclose(m.state.days_committed, 1.0)


def test_runs_and_reports():
    assert_runs_and_reports("peer_review")


BAD = [
    (["scheme=peer_review", "scheme.cluster_size=8"], "scheme.cluster_size=8"),
    (["scheme=peer_review", "scheme.min_size=2"], "scheme.min_size=2"),
    (["scheme=peer_review", "scheme.fidelity_mean=1.2"], "scheme.fidelity_mean=1.2"),
    (["scheme=peer_review", "scheme.champion_rate=-0.1"], "scheme.champion_rate=-0.1"),
    (["scheme=peer_review", "scheme.champion_rate=4"], "scheme.champion_rate=4"),
]


@pytest.mark.parametrize("overrides,expected", BAD)
def test_bad_values_are_one_line_errors(overrides, expected):
    assert_one_line_error(overrides, expected)
