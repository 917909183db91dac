"""sim.partnerships: links of groups, lookups, the meeting schedule, partner counts,
re-brokering."""

from __future__ import annotations

import numpy as np
import pytest

from sim import partnerships
from sim.partnerships import Partnerships


def two_groups(trust=0.5, interval=3, offset=(0, 1)):
    # groups {5, 1, 3} and {2, 4} among 6 schools (school 0 in none)
    return Partnerships.from_groups("test", [np.array([5, 1, 3]), np.array([2, 4])], 6,
                                    interval, 0.5, np.array(offset), trust)


def test_members_are_sorted_and_padded():
    p = two_groups()
    np.testing.assert_array_equal(p.members, [[1, 3, 5], [2, 4, -1]])
    assert p.n_groups == 2


def test_links_of_groups():
    p = two_groups()
    # every within-group pair once, lower id first, sorted by (a, b)
    np.testing.assert_array_equal(p.link_a, [1, 1, 2, 3])
    np.testing.assert_array_equal(p.link_b, [3, 5, 4, 5])
    np.testing.assert_array_equal(p.link_group, [0, 0, 1, 0])
    assert p.n_links == 4
    np.testing.assert_array_equal(p.trust, [0.5] * 4)


def test_group_of_four_has_six_links():
    p = Partnerships.from_groups("t", [np.array([9, 2, 7, 4])], 10, 1, 0.0, np.zeros(1), 0.1)
    assert p.n_links == 6
    assert set(zip(p.link_a.tolist(), p.link_b.tolist())) == {
        (2, 4), (2, 7), (2, 9), (4, 7), (4, 9), (7, 9)}


def test_link_index_either_order():
    p = two_groups()
    np.testing.assert_array_equal(p.link_index(np.array([5, 1, 3, 4, 2]),
                                               np.array([1, 5, 5, 2, 4])), [1, 1, 3, 2, 2])
    np.testing.assert_array_equal(p.link_index(np.array([1]), np.array([3])), [0])


@pytest.mark.parametrize("week, due", [
    (0, [0]), (1, [1]), (2, []), (3, [0]), (4, [1]), (5, []), (39, [0]), (40, [1]),
])
def test_due_with_offsets_and_interval(week, due):
    # interval 3: group 0 (offset 0) meets in weeks 0, 3, 6, ...; group 1 (offset 1) 1, 4, 7, ...
    np.testing.assert_array_equal(two_groups().due(week), due)


def test_due_every_week_and_lapsed_groups_never():
    p = two_groups(interval=1, offset=(0, 0))
    np.testing.assert_array_equal(p.due(7), [0, 1])
    p.active[0] = False
    np.testing.assert_array_equal(p.due(7), [1])
    assert len(Partnerships.empty(5).due(3)) == 0


def test_partner_counts_and_lapse():
    p = two_groups()
    np.testing.assert_array_equal(p.partner_counts(6), [0, 2, 1, 2, 1, 2])
    p.active[1] = False                              # the pair {2, 4} lapses
    np.testing.assert_array_equal(p.partner_counts(6), [0, 2, 0, 2, 0, 2])
    assert {(a, b) for a, b, _ in p.edges()} == {(1, 3), (1, 5), (3, 5)}


def test_mean_trust_by_group():
    p = two_groups()
    p.trust[:] = [0.2, 0.4, 0.9, 0.6]       # group 0 links: 0.2, 0.4, 0.6; group 1: 0.9
    np.testing.assert_allclose(p.mean_trust_by_group(), [0.4, 0.9])


def test_empty():
    p = Partnerships.empty(4)
    assert p.n_groups == 0 and p.n_links == 0
    np.testing.assert_array_equal(p.partner_counts(4), [0, 0, 0, 0])


# ------------------------------------------------------------ re-brokering


class NoShuffle:
    def permutation(self, n):
        return np.arange(n)


def test_rebroker_similar_and_different_hand_worked():
    pool = np.array([0, 1, 2, 3, 4, 5])
    feature = np.array([0.1, 0.9, 0.5, 0.3, 0.7, 0.2])
    # by feature: 0 (.1), 5 (.2), 3 (.3), 2 (.5), 4 (.7), 1 (.9)
    similar = partnerships.rebroker_groups(pool, feature, 3, "similar", NoShuffle())
    assert [g.tolist() for g in similar] == [[0, 5, 3], [2, 4, 1]]
    different = partnerships.rebroker_groups(pool, feature, 3, "different", NoShuffle())
    assert [g.tolist() for g in different] == [[0, 3, 4], [5, 2, 1]]
    rand = partnerships.rebroker_groups(pool, feature, 3, "random", NoShuffle())
    assert [g.tolist() for g in rand] == [[0, 1, 2], [3, 4, 5]]


def test_rebroker_leftovers():
    feature = np.arange(10) / 10
    five = partnerships.rebroker_groups(np.arange(5), feature, 3, "similar", NoShuffle())
    assert [g.tolist() for g in five] == [[0, 1, 2], [3, 4]]       # two left: a pair
    four = partnerships.rebroker_groups(np.arange(4), feature, 3, "similar", NoShuffle())
    assert [g.tolist() for g in four] == [[0, 1, 2]]               # one left waits
    with pytest.raises(ValueError, match="allowed: similar, different, random"):
        partnerships.rebroker_groups(np.arange(4), feature, 3, "nearby", NoShuffle())


def test_add_groups_resumes_old_relationships_and_starts_new_ones():
    p = Partnerships.from_groups("trios", [np.array([0, 1, 2]), np.array([3, 4, 5])], 8, 3,
                                 0.5, np.array([0, 1]), 0.5)
    p.trust[:] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]   # links (0,1) (0,2) (1,2) (3,4) (3,5) (4,5)
    p.active[0] = False
    q = partnerships.add_groups(p, 0, [np.array([0, 1, 6])], np.array([2]), 0.45,
                                lambda m: np.full(m, 1.3))
    assert q.n_groups == 3 and q.active.tolist() == [False, True, True]
    assert q.members[2].tolist() == [0, 1, 6] and q.offset.tolist() == [0, 1, 2]
    old = q.link_index(np.array([0]), np.array([1]))
    assert q.trust[old][0] == 0.1 and q.link_group[old][0] == 2      # resumed
    assert q.affinity[old][0] == 1.0
    new = q.link_index(np.array([0, 1]), np.array([6, 6]))
    np.testing.assert_allclose(q.trust[new], 0.45)
    np.testing.assert_allclose(q.affinity[new], 1.3)
    assert q.link_group[new].tolist() == [2, 2]
    # the old group keeps its other links; the lapsed group's (0,2) and (1,2) stay in it
    assert q.link_group[q.link_index(np.array([1]), np.array([2]))][0] == 0
    assert q.n_links == 8


def test_add_groups_in_a_middle_layer_shifts_later_groups():
    a = Partnerships.from_groups("trios", [np.array([0, 1, 2])], 6, 3, 0.5, np.zeros(1), 0.5)
    b = Partnerships.from_groups("families", [np.array([3, 4])], 6, 6, 1.0, np.zeros(1), 0.4)
    both = Partnerships.combine([a, b], 6)
    q = partnerships.add_groups(both, 0, [np.array([4, 5])], np.array([1]), 0.5,
                                lambda m: np.ones(m))
    assert q.group_layer.tolist() == [0, 0, 1]
    assert q.members[:, :2].tolist() == [[0, 1], [4, 5], [3, 4]]
    fam = q.link_index(np.array([3]), np.array([4]), layer=1)
    assert q.link_group[fam][0] == 2 and q.trust[fam][0] == 0.4
    assert q.interval_weeks.tolist() == [3, 3, 6]
    assert q.view(1).members.tolist() == [[3, 4]]


# ------------------------------------------------------------ layers
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


def test_a_layer_view_keeps_its_own_width_when_members_are_still_to_join():
    # a trust of 3 whose last two members join later (-1 for now) beside a pair: the view
    # of the trust keeps 3 columns, so joiners can be written back through it
    trust = Partnerships.from_groups("trusts", [np.array([0, 1, 2])], 5, 6, 0.5,
                                     np.zeros(1), 0.5)
    trust.members[0, 1:] = -1
    pair = Partnerships.from_groups("trios", [np.array([3, 4])], 5, 3, 1.0, np.zeros(1), 0.5)
    both = Partnerships.combine([pair, trust], 5)
    view = both.view(1)
    assert view.members.tolist() == [[0, -1, -1]]
    view.members[0, 2] = 2
    assert both.members[1].tolist() == [0, -1, 2]


def three_trios_one_lapsed_twice():
    """Groups {0,1,2} (lapsed), {3,4,5} (lapsed), {2,6,7} (active) among 9 schools."""
    p = Partnerships.from_groups("trios", [np.array([0, 1, 2]), np.array([3, 4, 5]),
                                           np.array([2, 6, 7])], 9, 3, 0.5,
                                 np.array([0, 1, 2]), 0.5)
    p.active[:2] = False
    return p


def test_waiting_schools_lost_their_group_and_have_no_other():
    p = three_trios_one_lapsed_twice()
    # 2 is still in the active {2, 6, 7}; 8 was never in a group
    assert partnerships.waiting(p, 0).tolist() == [0, 1, 3, 4, 5]


def test_new_matches_drop_a_lapsed_group_formed_again_or_a_part_of_it():
    p = three_trios_one_lapsed_twice()
    groups = [np.array([0, 1, 2]), np.array([4, 3]), np.array([0, 3, 5]), np.array([1, 8])]
    kept = partnerships.new_matches(p, 0, groups)
    assert [g.tolist() for g in kept] == [[0, 3, 5], [1, 8]]
