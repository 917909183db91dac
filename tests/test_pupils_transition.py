"""sim.pupils.transition: families' rankings, deferred acceptance, the local authority's
offer, and the one-line error when places run short."""

from __future__ import annotations

import dataclasses
import heapq
import sys

import numpy as np
import pytest

import sim.pupils
from sim.errors import ConfigError
from sim.pupils import transition as tr

A, B, C = 0, 1, 2


def keys_for(prefs, dist_km, lottery=None):
    prefs, dist_km = np.asarray(prefs), np.asarray(dist_km, float)
    lottery = np.arange(len(prefs)) if lottery is None else np.asarray(lottery)
    return tr.priority_keys(prefs, dist_km, lottery), lottery


def test_hand_worked_deferred_acceptance():
    # Schools A and B, one place each. p0 ranks A (1.0 km) then B (2.0 km); p1 ranks
    # A (0.5 km) then B (3.0 km); p2 ranks B (1.5 km) then A (0.2 km).
    # Round 1: A holds p1 (nearer than p0), B holds p2. p0 applies to B: p2 is nearer, so p0
    # is left without a place.
    keys, lottery = keys_for([[A, B], [A, B], [B, A]], [[1.0, 2.0], [0.5, 3.0], [1.5, 0.2]])
    assigned = tr.deferred_acceptance(keys, lottery, np.array([1, 1]))
    np.testing.assert_array_equal(assigned, [-1, A, B])


def test_a_nearer_later_applicant_displaces_a_held_one():
    # A has one place. Round 1: p0 (A at 2 km) is held; p1 applies to B first (full with
    # p2, who is nearer), then to A at 1 km and displaces p0, who goes to their second choice C.
    keys, lottery = keys_for([[A, C], [B, A], [B, A]], [[2.0, 5.0], [3.0, 1.0], [0.5, 9.0]])
    assigned = tr.deferred_acceptance(keys, lottery, np.array([1, 1, 1]))
    np.testing.assert_array_equal(assigned, [C, A, B])


def test_equal_distance_goes_to_the_lower_lottery_number():
    keys, lottery = keys_for([[A], [A]], [[1.0], [1.0]], lottery=[1, 0])
    np.testing.assert_array_equal(tr.deferred_acceptance(keys, lottery, np.array([1])), [-1, A])


def test_full_schools_turn_away_at_once_and_a_school_without_places_takes_nobody():
    # A has 2 places, B none, C one. Round 1: A takes p0 (3 km) and p1 (1 km) as they come,
    # C takes p4 (0.1 km), B turns away p2, p3, p5. Round 2: p2 (2 km) and p3 (5 km) apply
    # to A, which keeps its two nearest, p1 and p2, and turns away p0 and p3; p5 applies to C
    # at 30 km and is turned away. Round 3: p0 (C, 9 km), p3 (C, 40 km) and p5 (A, 7 km) rank
    # below the worst each full school holds and are turned away at once. Round 4: p0 applies
    # to B: no place. Stable: A holds its two nearest applicants, C its nearest.
    keys, lottery = keys_for([[A, C, B], [A, C, B], [B, A, C], [B, A, C], [C, A, B], [B, C, A]],
                             [[3, 9, 1], [1, 9, 1], [0.5, 2, 50], [0.5, 5, 40], [0.1, 6, 1],
                              [0.3, 30, 7]])
    assigned = tr.deferred_acceptance(keys, lottery, np.array([2, 0, 1]))
    np.testing.assert_array_equal(assigned, [-1, A, A, -1, C, -1])


def test_the_unplaced_get_the_nearest_school_with_room():
    # p0 is unplaced; A (0.5 km) is full, B (1 km) has room, C is 3 km away.
    school_km = np.array([[0.5, 0.0], [1.0, 0.0], [3.0, 0.0]])
    home_km = np.array([[0.0, 0.0], [0.4, 0.0]])
    assigned = tr.place_nearest_with_room(np.array([-1, A]), home_km, school_km,
                                          np.array([1, 1, 1]))
    np.testing.assert_array_equal(assigned, [B, A])


def test_the_local_authority_gives_scarce_places_to_the_nearer_pupils():
    # Two unplaced pupils, one place left in the region (at A): the nearer one gets it, the
    # other the next nearest school with room once A is full.
    school_km = np.array([[0.0, 0.0], [10.0, 0.0]])
    home_km = np.array([[2.0, 0.0], [1.0, 0.0]])
    assigned = tr.place_nearest_with_room(np.array([-1, -1]), home_km, school_km,
                                          np.array([1, 1]))
    np.testing.assert_array_equal(assigned, [B, A])


def gale_shapley(prefs, keys, capacity):
    """One pupil at a time, in plain Python: the textbook pupil-proposing algorithm."""
    n = len(prefs)
    held = [[] for _ in capacity]             # max-heaps of (-key, pupil)
    nxt = [0] * n
    free = list(range(n))
    while free:
        i = free.pop()
        if nxt[i] >= len(prefs[i]):
            continue
        s, k = prefs[i][nxt[i]], keys[i][nxt[i]]
        nxt[i] += 1
        heapq.heappush(held[s], (-k, i))
        if len(held[s]) > capacity[s]:
            free.append(heapq.heappop(held[s])[1])
    out = [-1] * n
    for s, h in enumerate(held):
        for _, i in h:
            out[i] = s
    return np.array(out)


def random_market(seed, n=3000, m=40, places=60):
    rng = np.random.default_rng(seed)
    school_km = rng.uniform(0, 20, (m, 2))
    neighbourhood_km = rng.uniform(0, 20, (200, 2))
    home = rng.integers(0, 200, n)
    home_km = (neighbourhood_km[home] + rng.normal(0, 0.3, (n, 2))).astype(np.float32)
    dis = rng.random(n) < 0.3
    candidates = tr.candidate_schools(neighbourhood_km, school_km, tr.TransitionParams())
    prefs, dist = tr.ranked_preferences(home, home_km, dis, candidates, school_km,
                                        rng.normal(0, 5, m), rng.beta(2, 5, m),
                                        tr.TransitionParams(), rng)
    lottery = rng.permutation(n)
    return prefs, tr.priority_keys(prefs, dist, lottery), lottery, np.full(m, places)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_the_textbook_algorithm(seed):
    # The pupil-optimal stable matching is unique, so any correct implementation agrees.
    prefs, keys, lottery, capacity = random_market(seed)
    fast = tr.deferred_acceptance(keys, lottery, capacity)
    np.testing.assert_array_equal(fast, gale_shapley(prefs.tolist(), keys.tolist(), capacity))


@pytest.mark.parametrize("seed", [4, 5])
def test_allocation_is_stable_and_respects_capacity(seed):
    prefs, keys, lottery, capacity = random_market(seed)
    assigned = tr.deferred_acceptance(keys, lottery, capacity)
    fill = np.bincount(assigned[assigned >= 0], minlength=len(capacity))
    assert (fill <= capacity).all()
    assert (assigned < 0).any() and (fill == capacity).any()   # the test market is contested
    # Worst priority (largest key) each school admitted; no room means a finite cutoff.
    worst = np.full(len(capacity), -1, np.int64)
    np.maximum.at(worst, assigned[assigned >= 0], keys[assigned >= 0, :][
        np.arange((assigned >= 0).sum()), (prefs[assigned >= 0] == assigned[assigned >= 0, None]).argmax(1)])
    for i in range(len(prefs)):
        listed = list(prefs[i])
        better = listed if assigned[i] < 0 else listed[:listed.index(assigned[i])]
        for rank, s in enumerate(better):
            # A blocking pair: the school has room, or admitted someone it ranks lower.
            assert fill[s] == capacity[s] and keys[i, rank] > worst[s]


def test_families_rank_by_distance_when_distance_dominates():
    params = dataclasses.replace(tr.TransitionParams(), distance_weight_disadvantaged=1000.0,
                                 distance_weight_advantaged=1000.0,
                                 preferences=3)
    school_km = np.array([[3.0, 0.0], [1.0, 0.0], [0.0, 2.0], [9.0, 9.0]])
    prefs, dist = tr.ranked_preferences(
        np.array([0]), np.array([[0.0, 0.0]], np.float32), np.array([True]),
        tr.candidate_schools(np.array([[0.0, 0.0]]), school_km, params), school_km, np.zeros(4), np.zeros(4), params,
        np.random.default_rng(0))
    np.testing.assert_array_equal(prefs, [[1, 2, 0]])
    np.testing.assert_allclose(dist, [[1.0, 2.0, 3.0]])


def test_advantaged_families_travel_further_and_avoid_disadvantaged_intakes():
    rng = np.random.default_rng(7)
    m, n = 30, 20000
    school_km = rng.uniform(0, 10, (m, 2))
    share = rng.beta(2, 5, m)
    home_km = rng.uniform(0, 10, (n, 2)).astype(np.float32)
    dis = np.arange(n) < n // 2
    candidates = tr.candidate_schools(home_km.astype(float), school_km, tr.TransitionParams())
    prefs, dist = tr.ranked_preferences(np.arange(n), home_km, dis, candidates, school_km, np.zeros(m), share, tr.TransitionParams(), rng)
    assert dist[~dis, 0].mean() > 1.15 * dist[dis, 0].mean()
    assert share[prefs[~dis, 0]].mean() < share[prefs[dis, 0]].mean() - 0.02


def test_everyone_is_placed_within_capacity():
    rng = np.random.default_rng(3)
    m, n = 25, 5000
    school_km = rng.uniform(0, 10, (m, 2))
    capacity = np.full(m, 210)
    home_km = rng.uniform(0, 10, (n, 2)).astype(np.float32)
    candidates = tr.candidate_schools(home_km.astype(float), school_km, tr.TransitionParams())
    assigned = tr.allocate(np.arange(n), home_km, rng.random(n) < 0.25, candidates, school_km, capacity, np.zeros(m), np.full(m, 0.25),
                           tr.TransitionParams(), rng)
    assert (assigned >= 0).all()
    assert (np.bincount(assigned, minlength=m) <= capacity).all()


def test_with_too_few_places_every_place_is_taken_and_the_rest_have_none():
    # 10 pupils at one home, 3 + 4 places: seven placed, every place taken, three with none.
    assigned = tr.allocate(np.zeros(10, int), np.zeros((10, 2), np.float32),
                           np.zeros(10, bool), np.zeros((1, 2), int),
                           np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([3, 4]), np.zeros(2),
                           np.zeros(2), tr.TransitionParams(), np.random.default_rng(0))
    assert np.bincount(assigned[assigned >= 0], minlength=2).tolist() == [3, 4]
    assert (assigned == -1).sum() == 3


@pytest.mark.parametrize("seed", [6, 7])
def test_preferences_worked_out_on_demand_give_the_same_matching(seed):
    # allocate asks for a family's second and third preference only when it is turned down;
    # the matching equals deferred acceptance on every family's full list.
    def market():
        rng = np.random.default_rng(seed)
        school_km = rng.uniform(0, 20, (40, 2))
        neighbourhood_km = rng.uniform(0, 20, (200, 2))
        home = rng.integers(0, 200, 3000)
        home_km = (neighbourhood_km[home] + rng.normal(0, 0.3, (3000, 2))).astype(np.float32)
        candidates = tr.candidate_schools(neighbourhood_km, school_km, tr.TransitionParams())
        return (home, home_km, rng.random(3000) < 0.3, candidates, school_km,
                np.full(40, 80), rng.normal(0, 5, 40), rng.beta(2, 5, 40)), rng

    args, rng = market()
    lazy = tr.allocate(*args, tr.TransitionParams(), rng)
    (home, home_km, dis, candidates, school_km, capacity, results, share), rng = market()
    prefs, dist = tr.ranked_preferences(home, home_km, dis, candidates, school_km, results,
                                        share, tr.TransitionParams(), rng)
    lottery = rng.permutation(len(home))
    full = tr.place_nearest_with_room(
        tr.deferred_acceptance(tr.priority_keys(prefs, dist, lottery), lottery, capacity),
        home_km, school_km, capacity)
    assert (full != tr.deferred_acceptance(tr.priority_keys(prefs[:, :1], dist[:, :1], lottery),
                                           lottery, capacity)).any()  # second choices matter
    np.testing.assert_array_equal(lazy, full)


def test_places_beyond_the_border_are_the_real_year_groups_shortfall_shared_by_reach():
    # 10 Year 6 for year groups 3 + 3: 4 places across the border. Reach 1 : 2 : 0 gives
    # quotas 1.33, 2.67, 0; floors 1, 2, 0 and the one left to the larger remainder (0.67).
    np.testing.assert_array_equal(tr.places_beyond(10, np.array([3, 3]), np.array([1, 2, 0])),
                                  [1, 3, 0])
    # Year groups that seat the region's Year 6 send nobody across the border.
    np.testing.assert_array_equal(tr.places_beyond(6, np.array([3, 3]), np.array([1, 2, 0])),
                                  [0, 0, 0])


def rankings_market(seed, n=3000, m=40, places=60, compiled=None, home_dtype=np.float32):
    """A contested market's Rankings (as `allocate` builds them), lottery and capacity."""
    rng = np.random.default_rng(seed)
    school_km = rng.uniform(0, 20, (m, 2))
    neighbourhood_km = rng.uniform(0, 20, (200, 2))
    home = rng.integers(0, 200, n)
    home_km = (neighbourhood_km[home] + rng.normal(0, 0.3, (n, 2))).astype(home_dtype)
    candidates = tr.candidate_schools(neighbourhood_km, school_km, tr.TransitionParams())
    rankings = tr.Rankings(home, home_km, rng.random(n) < 0.3, candidates, school_km,
                           rng.normal(0, 5, m), rng.beta(2, 5, m), tr.TransitionParams(), rng,
                           compiled)
    return rankings, rng.permutation(n), np.full(m, places)


@pytest.mark.parametrize("home_dtype", [np.float32, np.float64])
def test_compiled_utilities_are_numpys_to_the_bit(home_dtype):
    # The compiled terms must round as numpy's whole-array operations do (float64 homes:
    # each difference computed in double precision and stored in single).
    from sim.pupils import compiled_acceptance

    in_numpy = rankings_market(12, home_dtype=home_dtype)[0]
    compiled = rankings_market(12, compiled=compiled_acceptance, home_dtype=home_dtype)[0]
    assert in_numpy.utility.dtype == compiled.utility.dtype == np.float32
    np.testing.assert_array_equal(compiled.dist.view(np.int32), in_numpy.dist.view(np.int32))
    np.testing.assert_array_equal(compiled.utility.view(np.int32),
                                  in_numpy.utility.view(np.int32))


@pytest.mark.parametrize("seed", [8, 9])
def test_compiled_deferred_acceptance_matches_the_textbook_algorithm(seed):
    # The compiled kernel (England-sized cohorts) reads the families' preferences off the
    # same Rankings; the pupil-optimal stable matching is unique, so it must agree.
    from sim.pupils import compiled_acceptance

    rankings, lottery, capacity = rankings_market(seed)
    assigned, longest_km = compiled_acceptance.accepted(rankings, lottery, capacity,
                                                        tr.LOTTERY_BITS, tr.METRE_BITS)
    rankings, lottery, capacity = rankings_market(seed)
    prefs, dist = map(np.column_stack, zip(*(rankings.next() for _ in range(3))))
    keys = tr.priority_keys(prefs, dist, lottery)
    placed = assigned >= 0
    # Contested: some families are turned down by their first choice, some by every choice.
    assert (~placed).any() and (assigned[placed] != prefs[placed, 0]).any()
    np.testing.assert_array_equal(assigned, gale_shapley(prefs.tolist(), keys.tolist(),
                                                         capacity))
    # The longest application made: no family named a school further than that.
    assert dist[placed][prefs[placed] == assigned[placed, None]].max() <= longest_km


@pytest.mark.parametrize("compiled", [True, False])
def test_allocation_is_the_same_compiled_or_in_numpy_rounds(compiled, monkeypatch):
    # allocate uses the kernel from COMPILED_COHORT pupils on, and numpy's rounds without
    # numba (compiled_kernels() is None): the same offers either way.
    from sim.pupils import compiled_acceptance

    def market():
        rng = np.random.default_rng(11)
        school_km = rng.uniform(0, 20, (40, 2))
        home_km = rng.uniform(0, 20, (3000, 2)).astype(np.float32)
        candidates = tr.candidate_schools(home_km.astype(float), school_km,
                                          tr.TransitionParams())
        return (np.arange(3000), home_km, rng.random(3000) < 0.3, candidates, school_km,
                np.full(40, 80), rng.normal(0, 5, 40), rng.beta(2, 5, 40),
                tr.TransitionParams(), rng)

    in_rounds = tr.allocate(*market())
    monkeypatch.setattr(tr, "COMPILED_COHORT", 0)
    if not compiled:      # numba not installed: the kernel's module cannot be imported
        monkeypatch.setitem(sys.modules, "numba", None)
        monkeypatch.delitem(sys.modules, "sim.pupils.compiled_acceptance")
        monkeypatch.delattr(sim.pupils, "compiled_acceptance")
    tr.compiled_kernels.cache_clear()
    try:
        assert tr.compiled_kernels() is (compiled_acceptance if compiled else None)
        np.testing.assert_array_equal(tr.allocate(*market()), in_rounds)
    finally:
        tr.compiled_kernels.cache_clear()


def test_compiled_allocation_refuses_applications_beyond_the_key_range(monkeypatch):
    monkeypatch.setattr(tr, "COMPILED_COHORT", 0)
    school_km = np.array([[0.0, 0.0], [1500.0, 0.0]])
    with pytest.raises(ConfigError) as err:
        tr.allocate(np.zeros(3, int), np.array([[1400.0, 0.0]] * 3, np.float32),
                    np.zeros(3, bool), np.array([[0, 1]]), school_km, np.array([2, 2]),
                    np.zeros(2), np.zeros(2), tr.TransitionParams(), np.random.default_rng(0))
    assert "\n" not in str(err.value) and "1400 km" in str(err.value)
