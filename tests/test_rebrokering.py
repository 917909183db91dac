"""Re-brokering (issue 12): schools whose partnerships lapsed are matched into new groups
while a broker is at work and a programme runs (`SchoolSystem.rebroker`)."""

from __future__ import annotations

import numpy as np

from sim.schemes.families import Families
from sim.schemes.trios import Trios
from tests.helpers import build_model

# Every group faces a hard decision at the first year's end and none is mature enough to
# hold (trust is below 1), so every group breaks up.
ALL_LAPSE = ["trust.hard_decision_rate=1", "trust.lapse_threshold=1",
             "trust.lapse_probability=1"]
SMALL = ["region.n_schools=300", "years=2"]


def run_year(model):
    model.run(until_week=39)
    return model.partnerships


class FirstInOrder:
    """A stand-in generator whose permutation keeps the order (hand-worked matching)."""

    def permutation(self, x):
        return np.arange(x) if np.ndim(x) == 0 else np.asarray(x)


def test_trios_are_rebrokered_by_the_formation_rule_hand_worked():
    scheme = Trios(Trios.Params())
    region = type("Region", (), {})()
    region.phase = np.zeros(7, np.int64)
    region.la = np.array([0, 0, 1, 1, 2, 2, 3])
    # queues by authority in pool order: la0 [0, 1], la1 [2, 3], la2 [4, 5], la3 [6];
    # each trio takes the three authorities with most schools left (ties: lower first)
    trios = scheme.match(np.arange(7), region, FirstInOrder())
    assert [t.tolist() for t in trios] == [[0, 2, 4], [1, 3, 5]]   # 6 waits: one authority


def test_families_are_rebrokered_by_todays_intake_index_hand_worked():
    model = build_model(["scheme=families", "region.n_schools=300", "years=1",
                         "scheme.min_size=2", "scheme.max_size=40"])
    scheme = model.scheme
    index = scheme.intake_index(model)
    primaries = np.flatnonzero(model.region.phase == 0)[:5]
    order = primaries[np.argsort(index[primaries], kind="stable")]
    scheme.stream = lambda model, name: FirstInOrder()
    families = Families.rebroker(scheme, model, primaries)
    # min_size 2: consecutive in index order, the last school of five waits
    assert [f.tolist() for f in families] == [order[:2].tolist(), order[2:4].tolist()]


def test_lapsed_trios_are_rebrokered_with_a_broker():
    model = build_model(["scheme=trios", *SMALL, *ALL_LAPSE])
    first = model.partnerships
    before, old_keys = first.n_groups, set(zip(first.link_a.tolist(), first.link_b.tolist()))
    p = run_year(model)
    assert not p.active[:before].any()                       # every first trio broke up
    new = np.arange(before, p.n_groups)
    assert len(new) > 0.8 * before and p.active[new].all()
    # each school in at most one active trio, three authorities in each
    members = p.members[new]
    assert len(np.unique(members)) == members.size
    assert all(len(set(model.region.la[row].tolist())) == 3 for row in members)
    # a pair never linked before starts at the scheme's starting trust (0.5); a pair of
    # old partners keeps its link (and what trust it had)
    links = np.flatnonzero(np.isin(p.link_group, new))
    fresh = np.array([(a, b) not in old_keys for a, b in zip(p.link_a[links], p.link_b[links])])
    assert fresh.any() and (p.trust[links[fresh]] == 0.5).all()
    assert p.n_links == first.n_links + fresh.sum()
    assert model.scheme.groups is p and len(model._programme) == p.n_groups
    assert len(model.meetings.cost) == p.n_groups
    model.run()                                              # the new trios meet in year 2
    q = model.partnerships
    met = np.isin(q.link_group, new) & ~np.isin(q.link_group, np.arange(before))
    assert (q.trust[met] > 0.5).mean() > 0.5


def test_no_rebrokering_without_a_broker_or_after_the_funding_ended():
    off = build_model(["scheme=trios", *SMALL, *ALL_LAPSE, "policy.brokering.enabled=false"])
    n = off.partnerships.n_groups
    assert run_year(off).n_groups == n and not off.partnerships.active.any()
    ended = build_model(["scheme=trios", *SMALL, *ALL_LAPSE, "policy.funding.end_year=0.5",
                         "policy.funding.sustain_trust=0"])
    n = ended.partnerships.n_groups
    assert run_year(ended).n_groups == n
