"""System leadership (sim.schemes.leadership): strong schools support weak ones of the
same phase, one way, until regraded or unfunded."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.inspection import GOOD, INADEQUATE, OUTSTANDING, REQUIRES_IMPROVEMENT
from tests.helpers import assert_one_line_error, assert_runs_and_reports, build_model

SMALL = ["region.n_schools=300", "years=1"]


@pytest.fixture(scope="module")
def leadership_model():
    return build_model(["scheme=leadership", *SMALL])


def test_leadership_pairs_strong_with_weak_schools_of_the_same_phase(leadership_model):
    m = leadership_model
    sch, grade = m.scheme, m.inspection.grade
    assert len(sch.supported) > 10
    assert np.isin(grade[sch.leader_of_group], [OUTSTANDING]).all()
    assert np.isin(grade[sch.supported_of_group], [REQUIRES_IMPROVEMENT, INADEQUATE]).all()
    phase = m.region.phase
    np.testing.assert_array_equal(phase[sch.leader_of_group], phase[sch.supported_of_group])
    assert len(np.unique(sch.supported_of_group)) == len(sch.supported_of_group)
    assert np.bincount(sch.leader_of_group).max() <= 2
    weak = np.isin(grade, [REQUIRES_IMPROVEMENT, INADEQUATE]).sum()
    assert sch.unsupported == weak - len(sch.supported)


def test_leadership_gives_the_weakest_school_its_nearest_leader(leadership_model):
    m = leadership_model
    sch = m.scheme
    perf = m.school_mean_attainment()
    for phase in (0, 1):
        mine = m.region.phase[sch.supported_of_group] == phase
        if not mine.any():
            continue
        weakest = sch.supported_of_group[mine][np.argmin(perf[sch.supported_of_group[mine]])]
        leaders = np.flatnonzero((m.inspection.grade == OUTSTANDING) & (m.region.phase == phase))
        d = ((m.region.pos_km[leaders] - m.region.pos_km[weakest]) ** 2).sum(axis=1)
        g = np.flatnonzero(sch.supported_of_group == weakest)[0]
        assert sch.leader_of_group[g] == leaders[d.argmin()]


def test_leadership_meetings_are_one_way_from_the_leader(leadership_model):
    m = leadership_model
    groups = np.arange(m.partnerships.n_groups)
    plan = m.scheme.exchange_plan(m, groups, np.ones(m.n_schools, bool))
    np.testing.assert_array_equal(plan.learner, m.scheme.supported_of_group)
    np.testing.assert_array_equal(plan.source, m.scheme.leader_of_group)
    assert plan.mutual is False
    np.testing.assert_array_equal(plan.factor, 5.0)
    # a pair whose leader is absent does not meet
    absent = np.ones(m.n_schools, bool)
    absent[m.scheme.leader_of_group[0]] = False
    plan = m.scheme.exchange_plan(m, groups, absent)
    assert m.scheme.supported_of_group[0] not in plan.learner


# Every school with 8 leadership days a term, so the leader's share is 8/65 exactly.
EVEN_DAYS = ["school.leadership_days_sd=0", "school.leadership_days_deprivation_slope=0"]


def test_leadership_commitments_hand_worked():
    m = build_model(["scheme=leadership", *SMALL, *EVEN_DAYS,
                     "scheme.leader_days_per_supported=13", "scheme.lent_days_share=0.5"])
    sch, s = m.scheme, m.state
    leader = np.bincount(sch.leader_of_group).argmax()
    n_pairs = (sch.leader_of_group == leader).sum()
    assert n_pairs == 2
    # 2 schools x 13 days, of which 8 of a term's 65 working days are improvement work
    np.testing.assert_allclose(s.days_committed[leader], 26 * 8 / 65)   # 3.2 days
    supported = sch.supported_of_group[0]
    assert s.days_committed[supported] == -6.5                          # 13 x 0.5
    # available days: a supported school gains the lent days, the leader loses its share
    np.testing.assert_allclose(m.available_days()[supported], 8 + 6.5)
    np.testing.assert_allclose(m.available_days()[leader], 8 - 3.2)


def test_a_support_visit_costs_neither_school_seat_days():
    m = build_model(["scheme=leadership", *SMALL])
    groups = np.arange(m.partnerships.n_groups)
    attending = m.meetings.attendance(m, groups)
    pairs = np.concatenate([m.scheme.leader_of_group, m.scheme.supported_of_group])
    assert attending[pairs].all()
    assert not m.state.days_used.any()


def test_leadership_support_ends_when_regraded_good(leadership_model):
    m = build_model(["scheme=leadership", *SMALL])
    sch, p = m.scheme, m.partnerships
    first, second = sch.supported_of_group[:2]
    schools = np.array([first, second])
    sch.on_inspection(m, schools, np.array([2, 2], np.int8), np.array([GOOD, REQUIRES_IMPROVEMENT],
                                                                      np.int8))
    assert not p.active[0] and p.active[1]
    assert sch.ended_regraded == 1
    assert m.state.days_committed[first] == 0.0


def test_leadership_support_stops_with_funding_unless_told_otherwise():
    stopped = sim.run(["scheme=leadership", "region.n_schools=300", "years=2",
                       "policy.funding.end_year=1"], progress=False, keep_model=True)
    assert stopped.model.partnerships.active.sum() == 0
    assert stopped.metrics["active_partnerships"].iloc[-1] == 0
    kept = sim.run(["scheme=leadership", "region.n_schools=300", "years=2",
                    "policy.funding.end_year=1", "scheme.continues_unfunded=true",
                    "policy.funding.sustain_trust=0"], progress=False, keep_model=True)
    assert kept.summary["funding_ended_groups"] == 0
    assert kept.metrics["active_partnerships"].iloc[3] > 0


def test_runs_and_reports():
    assert_runs_and_reports("leadership")


BAD = [
    (["scheme=leadership", "scheme.max_supported=0"], "scheme.max_supported=0"),
    (["scheme=leadership", "scheme.leader_grades=[excellent]"], "scheme.leader_grades"),
    (["scheme=leadership", "scheme.supported_grades=[outstanding]"], "share"),
    (["scheme=leadership", "scheme.support_intensity=-1"], "scheme.support_intensity=-1"),
    (["scheme=leadership", "scheme.lent_days_share=1.5"], "scheme.lent_days_share=1.5"),
    (["scheme=leadership", "scheme.trust_growth_factor=2"], "scheme.trust_growth_factor=2"),
    (["scheme=leadership", "scheme.meeting_mode=zoom"], "scheme.meeting_mode=zoom"),
]


@pytest.mark.parametrize("overrides,expected", BAD)
def test_bad_values_are_one_line_errors(overrides, expected):
    assert_one_line_error(overrides, expected)
