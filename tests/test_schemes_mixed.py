"""Mixed schemes (sim.schemes.mixed): a partition by shares or local authorities, overlays
on every school, meetings dispatched to each layer."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from tests.helpers import assert_one_line_error, assert_runs_and_reports, build_model

SMALL = ["region.n_schools=300", "years=1"]


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


def test_runs_and_reports():
    assert_runs_and_reports("mixed")


BAD = [
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
def test_bad_values_are_one_line_errors(overrides, expected):
    assert_one_line_error(overrides, expected)


def test_unknown_local_authority_in_las_is_a_config_error():
    with pytest.raises(sim.ConfigError, match="Atlantis"):
        build_model(["scheme=mixed", "years=1", "scheme.split=la",
                     "scheme.las=[[Atlantis],[Wigan]]"])


# ----------------------------------------------------------------------------- streams
BASE = ["region.n_schools=300", "years=1", "seed=4", "scheme=mixed", "scheme.split=la"]
PEER_LAS, TRIO_LAS = "[Manchester,Salford,Bolton]", "[Wigan,Stockport,Oldham,Trafford]"


def _groups(model, name: str) -> dict[tuple, float]:
    """Each group of the named part: its sorted members -> mean starting trust."""
    k = model.scheme.component_names.index(name)
    p = model.scheme.components[k].groups
    trust = p.mean_trust_by_group()
    return {tuple(sorted(row[row >= 0].tolist())): float(trust[g])
            for g, row in enumerate(p.members)}


def test_reordering_the_parts_keeps_each_parts_groups_and_starting_trust():
    ab = build_model([*BASE, "scheme.partition=[peer_review,trios]",
                      f"scheme.las=[{PEER_LAS},{TRIO_LAS}]", "scheme.overlay=[leadership]"])
    ba = build_model([*BASE, "scheme.partition=[trios,peer_review]",
                      f"scheme.las=[{TRIO_LAS},{PEER_LAS}]", "scheme.overlay=[leadership]"])
    for name in ("peer_review", "trios", "leadership"):
        assert _groups(ab, name) == _groups(ba, name), name
        assert len(_groups(ab, name)) > 0, name
    np.testing.assert_array_equal(
        np.sort(ab.scheme.components[0].fidelity), np.sort(ba.scheme.components[1].fidelity))


def test_a_part_forms_the_same_groups_as_the_scheme_alone_on_the_same_schools():
    alone = build_model(["region.n_schools=300", "years=1", "seed=4", "scheme=trios"])
    mixed = build_model(["region.n_schools=300", "years=1", "seed=4", "scheme=mixed",
                         "scheme.partition=[trios]", "scheme.shares=[1.0]"])
    assert _groups(mixed, "trios") == {
        tuple(sorted(row[row >= 0].tolist())): float(t)
        for row, t in zip(alone.partnerships.members,
                          alone.partnerships.mean_trust_by_group())}


# ------------------------------------------------------------------ real regions
def _members(model, name: str) -> set[int]:
    scheme = model.scheme.components[model.scheme.component_names.index(name)]
    m = scheme.partnerships_of(model).members
    return set(m[m >= 0].tolist())


def test_shared_within_trusts_by_hand():
    from sim.schemes.mixed import shared_within_trusts
    u = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    trust = np.array([-1, 1, 0, 1, -1, 0])      # trust 1: schools 1, 3; trust 0: schools 2, 5
    np.testing.assert_array_equal(shared_within_trusts(u, trust),
                                  [0.1, 0.2, 0.3, 0.2, 0.5, 0.3])


def test_on_a_real_region_the_trusts_part_is_whole_real_trusts_and_the_parts_stay_apart():
    from sim.schemes.trusts import real_trusts
    model = build_model(["region=gm_real", "scheme=mixed", "years=1"])   # trusts 0.3, trios 0.7
    trusts, trios = _members(model, "trusts"), _members(model, "trios")
    assert trusts and trios and not trusts & trios
    whole = {frozenset(g.tolist()) for g in real_trusts(model.region.trust, 2)}
    layer = model.scheme.component_names.index("trusts")
    rows = model.partnerships.members[model.partnerships.group_layer == layer]
    formed = {frozenset(r[r >= 0].tolist()) for r in rows}
    assert formed <= whole and 0 < len(formed) < len(whole)


def test_on_a_real_region_an_la_split_keeps_the_real_trusts_schools_in_those_authorities():
    from sim.schemes.trusts import real_trusts
    model = build_model(["region=gm_real", "scheme=mixed", "scheme.partition=[trusts,families]",
                         "scheme.split=la", "scheme.las=[[Trafford,Salford],[Manchester]]",
                         "scheme.families.min_size=4", "years=1"])
    names = np.asarray(model.region.la_names, dtype=object)[model.region.la]
    chosen = np.isin(names, ["Trafford", "Salford"])
    trust_in = np.where(chosen, model.region.trust, -1)
    expected = {s for g in real_trusts(trust_in, 2) for s in g.tolist()}
    assert _members(model, "trusts") == expected != set()
    assert not _members(model, "trusts") & _members(model, "families")
