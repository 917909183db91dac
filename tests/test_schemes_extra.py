"""Formation rules and meetings of the schemes leadership, peer_review, trusts and mixed,
the layered Partnerships they rest on, the one-line errors for their bad values, and
invariants of whole runs under random levers and shocks (Hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.inspection import GOOD, INADEQUATE, OUTSTANDING, REQUIRES_IMPROVEMENT
from sim.partnerships import Partnerships
from sim.schemes.peer_review import chunk, morton_code
from sim.schemes.trusts import trust_sizes
from tests.helpers import build_model, section

SMALL = ["region.n_schools=300", "years=1"]


# ----------------------------------------------------------------------------- partnerships
def two_layers():
    """Layer 0: group {0, 1, 2}; layer 1: pairs {0, 1} (again) and {3, 4}."""
    a = Partnerships.from_groups("families", [np.array([2, 0, 1])], 6, 6, 1.0,
                                 np.array([0]), 0.4)
    b = Partnerships.from_groups("leadership", [np.array([1, 0]), np.array([3, 4])], 6, 2,
                                 0.5, np.array([0, 1]), 0.2)
    return a, b, Partnerships.combine([a, b], 6)


def test_combine_keeps_the_same_pair_once_per_layer_with_its_own_trust():
    _, _, p = two_layers()
    assert p.n_groups == 3 and p.n_links == 3 + 2
    np.testing.assert_array_equal(p.link_layer, [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(p.group_layer, [0, 1, 1])
    # pair (0, 1) is a link in both layers, found by layer
    assert p.link_index(np.array([1]), np.array([0]), layer=0)[0] == 0
    assert p.link_index(np.array([1]), np.array([0]), layer=1)[0] == 3
    assert p.trust[0] == 0.4 and p.trust[3] == 0.2
    np.testing.assert_array_equal(p.interval_weeks, [6, 2, 2])
    np.testing.assert_array_equal(p.group_cost(), [1.0, 0.5, 0.5])
    assert list(p.link_kinds()) == ["families"] * 3 + ["leadership"] * 2
    # school 0 has partners 1 and 2 (1 counted once though linked in both layers)
    np.testing.assert_array_equal(p.partner_counts(6), [2, 2, 2, 1, 1, 0])


def test_layer_views_write_through_to_the_combined_arrays():
    _, _, p = two_layers()
    view = p.view(1)
    assert view.n_groups == 2 and view.n_links == 2
    assert view.members.shape[1] == 2            # trimmed to the layer's own width
    np.testing.assert_array_equal(view.link_group, [0, 1])
    view.trust[0] = 0.9
    view.active[1] = False
    view.met_this_term[1] = True
    assert p.trust[3] == 0.9 and not p.active[2] and p.met_this_term[4]
    assert view.link_index(np.array([4]), np.array([3]))[0] == 1


def test_single_layer_keys_are_unchanged():
    a, _, _ = two_layers()
    assert a.layer_kinds == ("families",)
    np.testing.assert_array_equal(a._link_keys, a.link_a * 6 + a.link_b)


# ----------------------------------------------------------------------------- leadership
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


def test_leadership_commitments_hand_worked():
    m = build_model(["scheme=leadership", *SMALL, "scheme.leader_days_per_supported=3",
                     "scheme.lent_days_share=0.5"])
    sch, s = m.scheme, m.state
    leader = np.bincount(sch.leader_of_group).argmax()
    n_pairs = (sch.leader_of_group == leader).sum()
    assert s.days_committed[leader] == 3.0 * n_pairs
    supported = sch.supported_of_group[0]
    assert s.days_committed[supported] == -1.5
    # available days: a supported school gains the lent days
    np.testing.assert_allclose(m.available_days()[supported], s.leadership_days[supported] + 1.5)


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


# ----------------------------------------------------------------------------- peer review
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


# ----------------------------------------------------------------------------- trusts
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


# ----------------------------------------------------------------------------- mixed
def test_mixed_share_split_is_disjoint_and_near_the_shares():
    m = build_model(["scheme=mixed", "years=1"])
    trusts, trios = m.scheme.components
    assert (trusts.name, trios.name) == ("trusts", "trios")
    assert not (trusts.eligible & trios.eligible).any()
    assert abs(trusts.eligible.mean() - 0.3) < 0.05 and abs(trios.eligible.mean() - 0.7) < 0.05
    p = m.partnerships
    for k, c in enumerate(m.scheme.components):
        members = p.members[p.group_layer == k]
        assert c.eligible[members[members >= 0]].all()
    assert set(p.layer_kinds) == {"trusts", "trios"}


def test_mixed_by_local_authority():
    m = build_model(["scheme=mixed", "years=1", "scheme.partition=[trios,peer_review]",
                     "scheme.split=la",
                     "scheme.las=[[Manchester,Salford,Trafford],[Wigan,Bolton]]"])
    la = np.asarray(m.region.la_names, dtype=object)[m.region.la]
    trios, peer = m.scheme.components
    assert set(la[trios.eligible]) == {"Manchester", "Salford", "Trafford"}
    assert set(la[peer.eligible]) == {"Wigan", "Bolton"}
    p = m.partnerships
    trio_members = p.members[p.group_layer == 0]
    assert set(la[trio_members[trio_members >= 0]]) <= {"Manchester", "Salford", "Trafford"}
    # three authorities: every trio crosses all three
    assert all(len(set(la[row[row >= 0]])) == 3 for row in trio_members)


def test_mixed_overlay_puts_schools_in_two_kinds_of_partnership():
    m = build_model(["scheme=mixed", "years=1", "scheme.partition=[families]",
                     "scheme.shares=[1.0]", "scheme.overlay=[leadership]"])
    p = m.partnerships
    supported = m.scheme.components[1].supported
    assert len(supported) > 0
    in_family = np.zeros(m.n_schools, bool)
    fam = p.members[p.group_layer == 0]
    in_family[fam[fam >= 0]] = True
    assert in_family[supported].all()
    kinds = set(m.partnerships.link_kinds())
    assert kinds == {"families", "leadership"}


def test_mixed_meetings_dispatch_to_each_layer_and_cut_trust_members_outside():
    m = build_model(["scheme=mixed", "years=1", "scheme.partition=[trusts]", "scheme.shares=[0.5]",
                     "scheme.overlay=[trios]", "scheme.trusts.cross_trust_openness_cut=0.4"])
    p = m.partnerships
    groups = np.arange(p.n_groups)
    plan = m.scheme.exchange_plan(m, groups, np.ones(m.n_schools, bool))
    layer = p.link_layer[plan.links]
    assert set(layer) == {0, 1}
    np.testing.assert_array_equal(p.link_a[plan.links], np.minimum(plan.learner, plan.source))
    trusts = m.scheme.components[0]
    in_trust = trusts.trust_of[plan.learner] >= 0
    outside = layer == 1
    np.testing.assert_allclose(plan.factor[outside & in_trust], 0.6)
    np.testing.assert_allclose(plan.factor[outside & ~in_trust], 1.0)
    np.testing.assert_allclose(plan.factor[~outside], 1.0)
    assert not plan.mutual[~outside].any() and plan.mutual[outside].all()


def test_every_new_scheme_runs_and_reports():
    for scheme in ("leadership", "peer_review", "trusts", "mixed"):
        r = sim.run([f"scheme={scheme}", "region.n_schools=300", "years=2"], progress=False)
        m = r.metrics
        assert len(m) == 7 and r.summary["n_partnerships"] > 0
        assert m["active_partnerships"].iloc[0] > 0
        assert ((r.schools["expertise_mean"] >= 0) & (r.schools["expertise_mean"] <= 1)).all()


# ----------------------------------------------------------------------------- bad values
BAD = [
    (["scheme=leadership", "scheme.max_supported=0"], "scheme.max_supported=0"),
    (["scheme=leadership", "scheme.leader_grades=[excellent]"], "scheme.leader_grades"),
    (["scheme=leadership", "scheme.supported_grades=[outstanding]"], "share"),
    (["scheme=leadership", "scheme.support_intensity=-1"], "scheme.support_intensity=-1"),
    (["scheme=leadership", "scheme.lent_days_share=1.5"], "scheme.lent_days_share=1.5"),
    (["scheme=leadership", "scheme.trust_growth_factor=2"], "scheme.trust_growth_factor=2"),
    (["scheme=leadership", "scheme.meeting_mode=zoom"], "scheme.meeting_mode=zoom"),
    (["scheme=peer_review", "scheme.cluster_size=8"], "scheme.cluster_size=8"),
    (["scheme=peer_review", "scheme.min_size=2"], "scheme.min_size=2"),
    (["scheme=peer_review", "scheme.fidelity_mean=1.2"], "scheme.fidelity_mean=1.2"),
    (["scheme=peer_review", "scheme.champion_rate=-0.1"], "scheme.champion_rate=-0.1"),
    (["scheme=peer_review", "scheme.champion_rate=4"], "scheme.champion_rate=4"),
    (["scheme=trusts", "scheme.min_size=5", "scheme.max_size=3"], "scheme.min_size=5"),
    (["scheme=trusts", "scheme.size_median=0"], "scheme.size_median=0"),
    (["scheme=trusts", "scheme.standardisation_rate=1.5"], "scheme.standardisation_rate=1.5"),
    (["scheme=mixed", "scheme.partition=[market]", "scheme.shares=[1.0]"], "only in the overlay"),
    (["scheme=mixed", "scheme.partition=[trios,trios]", "scheme.shares=[0.5,0.5]"], "repeat"),
    (["scheme=mixed", "scheme.shares=[0.6,0.6]"], "add up to 1.2"),
    (["scheme=mixed", "scheme.shares=[0.5]"], "scheme.shares has 1 entries"),
    (["scheme=mixed", "scheme.split=county"], "scheme.split=county"),
    (["scheme=mixed", "scheme.split=la", "scheme.las=[[Wigan]]"], "scheme.las has 1 lists"),
    (["scheme=mixed", "scheme.overlay=[trios]"], "repeat"),
    (["scheme=mixed", "scheme.trios.meeting_interval_weeks=0"],
     "scheme.trios.meeting_interval_weeks=0"),
    (["scheme=mixed", "scheme.partition=[]", "scheme.shares=[]"], "empty"),
]


@pytest.mark.parametrize("overrides,expected", BAD)
def test_bad_scheme_values_are_one_line_errors(overrides, expected):
    with pytest.raises(sim.ConfigError) as info:
        sim.compose_config(overrides)
    message = str(info.value)
    assert expected in message and "allowed" in message and "\n" not in message


def test_unknown_local_authority_in_las_is_a_config_error():
    with pytest.raises(sim.ConfigError, match="Atlantis"):
        build_model(["scheme=mixed", "years=1", "scheme.split=la",
                     "scheme.las=[[Atlantis],[Wigan]]"])


# ----------------------------------------------------------------------------- invariants
@st.composite
def extra_configs(draw):
    scheme = draw(st.sampled_from(["leadership", "peer_review", "trusts", "mixed"]))
    o = [f"scheme={scheme}", f"seed={draw(st.integers(0, 2**31 - 1))}",
         f"years={draw(st.integers(1, 3))}", f"region.n_schools={draw(st.integers(60, 200))}",
         f"scheme.participation={draw(st.floats(0.3, 1.0))}",
         f"policy.funding.end_year={draw(st.sampled_from(['null', '1.0', '2.0']))}",
         f"policy.funding.backfill={draw(st.floats(0, 1))}",
         f"policy.brokering.enabled={draw(st.booleans())}".lower(),
         f"policy.accountability.grade_openness_cut={draw(st.floats(0, 1))}",
         f"policy.leadership_time.days_factor={draw(st.floats(0, 2))}",
         f"policy.meetings.mode={draw(st.sampled_from(['scheme', 'online', 'in_person']))}",
         f"shocks.pandemic.enabled={draw(st.booleans())}".lower(),
         f"shocks.pandemic.start_year={draw(st.floats(0, 2))}",
         f"exchange.learning_rate={draw(st.floats(0, 3))}"]
    if scheme == "leadership":
        o.append(f"scheme.support_intensity={draw(st.floats(0, 20))}")
    if scheme == "peer_review":
        o.append(f"scheme.champion_rate={draw(st.floats(0, 3))}")
    if scheme == "trusts":
        o.append(f"scheme.standardisation_rate={draw(st.floats(0, 1))}")
    if scheme == "mixed":
        share = draw(st.floats(0, 1))
        o += ["scheme.partition=[trusts,peer_review]", f"scheme.shares=[{share},{1 - share}]",
              "scheme.overlay=[leadership]"]
    return o


@given(extra_configs())
def test_invariants_of_the_new_schemes_under_any_levers(overrides):
    r = sim.run(overrides, progress=False, keep_model=True)
    m, s, model = r.metrics, r.schools, r.model
    e = model.state.expertise
    assert ((e >= 0) & (e <= 1)).all()
    trust = model.partnerships.trust
    assert ((trust >= 0) & (trust <= 1)).all()
    assert (model.state.learning_loss_disadvantaged >= 0).all()
    assert not m.drop(columns=["mean_trust", "outstanding_share_secondary"]).isna().any().any()
    grades = m[["outstanding_share", "good_share", "requires_improvement_share",
                "inadequate_share"]].sum(axis=1)
    np.testing.assert_allclose(grades, 1.0)
    assert not s.drop(columns=["local_authority", "phase", "grade"]).isna().any().any()
    assert len(m) == 1 + 3 * model.cfg.years
