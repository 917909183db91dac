"""Trusts (sim.schemes.trusts): sizes, a lead school others learn from, yearly
standardisation both ways, never lapsing."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.schemes.trusts import trust_sizes
from tests.helpers import assert_one_line_error, assert_runs_and_reports, build_model, section

SMALL = ["region.n_schools=300", "years=1"]


def test_trust_sizes_add_up_and_stay_in_range():
    cfg = section(size_median=5.0, size_sigma=0.8, min_size=2, max_size=40)
    for n in (2, 3, 17, 300, 1150):
        sizes = trust_sizes(np.random.default_rng(n), n, cfg)
        assert sizes.sum() == n
        assert sizes.min() >= min(2, n)
        assert sizes[:-1].max(initial=0) <= 40 and sizes[-1] <= 40 + 2


@pytest.fixture(scope="module")
def trusts_model():
    return build_model(["scheme=trusts", *SMALL])


def test_trusts_lead_is_the_strongest_member_and_others_learn_from_it(trusts_model):
    m = trusts_model
    level = m.state.expertise.mean(axis=1)
    for g, row in enumerate(m.partnerships.members[:20]):
        row = row[row >= 0]
        assert m.scheme.lead[g] == row[level[row].argmax()]
    plan = m.scheme.exchange_plan(m, np.arange(m.partnerships.n_groups),
                                  np.ones(m.n_schools, bool))
    np.testing.assert_array_equal(plan.source, m.scheme.lead[m.scheme.trust_of[plan.learner]])
    assert not np.isin(plan.learner, m.scheme.lead).any()
    assert plan.mutual is False


def test_trusts_standardise_in_both_directions_hand_worked(trusts_model):
    m = build_model(["scheme=trusts", *SMALL, "scheme.standardisation_rate=0.3"])
    sch = m.scheme
    g = int(np.argmax((m.partnerships.members >= 0).sum(axis=1)))
    lead = sch.lead[g]
    member = [s for s in m.partnerships.members[g] if s >= 0 and s != lead][0]
    e_lead, e_mem = m.state.expertise[lead].copy(), m.state.expertise[member].copy()
    sch.term_end(m)
    np.testing.assert_allclose(m.state.expertise[member], e_mem + 0.1 * (e_lead - e_mem))
    np.testing.assert_array_equal(m.state.expertise[lead], e_lead)


def test_trusts_never_lapse_and_outlive_funding():
    r = sim.run(["scheme=trusts", "region.n_schools=300", "years=2", "trust.lapse_threshold=1",
                 "trust.lapse_probability=1", "policy.funding.end_year=1",
                 "policy.funding.sustain_trust=1"], progress=False, keep_model=True)
    assert r.model.partnerships.active.all()


def test_trusts_commit_the_lead_schools_days(trusts_model):
    m = trusts_model
    expected = np.zeros(m.n_schools)
    expected[m.scheme.lead] = 2.0
    np.testing.assert_array_equal(m.state.days_committed, expected)


def test_runs_and_reports():
    assert_runs_and_reports("trusts")


BAD = [
    (["scheme=trusts", "scheme.min_size=5", "scheme.max_size=3"], "scheme.min_size=5"),
    (["scheme=trusts", "scheme.size_median=0"], "scheme.size_median=0"),
    (["scheme=trusts", "scheme.standardisation_rate=1.5"], "scheme.standardisation_rate=1.5"),
]


@pytest.mark.parametrize("overrides,expected", BAD)
def test_bad_values_are_one_line_errors(overrides, expected):
    assert_one_line_error(overrides, expected)
