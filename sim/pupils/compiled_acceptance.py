"""The transition at 11 for a large cohort, compiled (numba, the `fast` extra): the families'
utilities (`utility_terms`) and deferred acceptance (`accepted`).

`utility_terms` adds to the Gumbel tastes the distance, results and composition terms of
`transition.Rankings` in one pass, element by element in the same single-precision
operations in the same order as numpy's whole-array ones (no fused multiply-add: numba
compiles without fast-math), so the same floats.

`sim.pupils.transition.applications_accepted` runs deferred acceptance in numpy rounds; on
England's ~660,000 Year 6 pupils each of its ~30 rounds sorts and merges the held
applications of ~1,300 full schools, ~190 ms a year. This kernel gives the same matching
(the pupil-optimal stable matching is unique: Gale & Shapley 1962) by McVitie & Wilson's
(1971) sequential form of the algorithm: each pupil applies in turn down their list; a full
school keeps its applications in a max-heap of priority keys and, when it takes a better
applicant, turns away its worst, who applies on at once. It reads each family's next
preference off `Rankings` as `Rankings.next` does (the best candidate not yet named, ties to
the earlier; named ones set to -inf) and makes each application's key as
`transition.priority_keys` does (metres rounded in single precision). It releases the GIL,
so the year end's other threads run beside it.

Compiling takes a few seconds once per machine (the machine code is cached beside this file,
`cache=True`); importing numba and loading the cached code ~0.4 s once per process, which is
why `transition` uses it only for a cohort of `COMPILED_COHORT` pupils or more.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def accepted(rankings, lottery: np.ndarray, capacity: np.ndarray, lottery_bits: int,
             metre_bits: int) -> tuple[np.ndarray, float]:
    """The school each family of `rankings` (`transition.Rankings`, used up) holds at the
    end (-1: none) and the longest distance (km) of any application made, which the caller
    checks as `transition.priority_keys` does; keys laid out as there (`lottery_bits` and
    `metre_bits` wide below the school)."""
    return _accepted(rankings.utility, rankings.candidates, rankings.home, rankings.dist,
                     lottery.astype(np.int64), capacity.astype(np.int64), rankings.preferences,
                     lottery_bits, metre_bits)


@njit(cache=True, nogil=True)
def _accepted(utility, candidates, home, dist, lottery, capacity, n_prefs, lottery_bits,
              metre_bits):
    school_shift, pupil_mask = lottery_bits + metre_bits, (np.int64(1) << lottery_bits) - 1
    n, k = utility.shape
    m = len(capacity)
    start = np.zeros(m + 1, np.int64)
    for s in range(m):
        start[s + 1] = start[s] + capacity[s]
    heap = np.empty(start[m], np.int64)       # school s's keys: heap[start[s]:start[s+1]]
    held = np.zeros(m, np.int64)
    named = np.zeros(n, np.int64)
    pupil_of = np.empty(n, np.int64)
    for i in range(n):
        pupil_of[lottery[i]] = i
    longest = np.float32(0.0)
    for first in range(n):
        i = first
        while i >= 0 and named[i] < n_prefs:
            choice = _next_preference(utility, i, k)
            named[i] += 1
            school = candidates[home[i], choice]
            metres = np.rint(dist[i, choice] * np.float32(1000.0))
            longest = max(longest, dist[i, choice])
            key = ((np.int64(school) << school_shift) | (np.int64(metres) << lottery_bits)
                   | lottery[i])
            places, base = capacity[school], start[school]
            if held[school] < places:                  # room: held, the chain ends
                _push(heap, base, held[school], key)
                held[school] += 1
                i = -1
            elif places > 0 and key < heap[base]:      # displaces the school's worst
                worst = heap[base]
                _replace_top(heap, base, places, key)
                i = pupil_of[worst & pupil_mask]
            # else turned away: i applies to their next preference
    assigned = np.full(n, -1, np.int64)
    for s in range(m):
        for slot in range(start[s], start[s] + held[s]):
            assigned[pupil_of[heap[slot] & pupil_mask]] = s
    return assigned, longest


@njit(cache=True, nogil=True)
def utility_terms(utility, dist, home, home_km, x, y, distance_weight, disadvantaged,
                  results_term, composition_term):
    """Into `dist` the km from each home to its candidates and onto `utility` (holding the
    tastes) - distance weight x km + results term - composition term, as `Rankings` in
    numpy: each difference of coordinates rounded to single precision as numpy's in-place
    subtraction rounds it. The family's group (0 disadvantaged, 1 advantaged) picks its
    weight and its terms' row, group x neighbourhoods + home (`x` has a row per
    neighbourhood)."""
    n, k = utility.shape
    neighbourhoods = x.shape[0]
    for i in range(n):
        group = 0 if disadvantaged[i] else 1
        h, weight = home[i], distance_weight[group]
        r = group * neighbourhoods + h
        for j in range(k):
            dx = np.float32(x[h, j] - home_km[i, 0])
            dy = np.float32(y[h, j] - home_km[i, 1])
            km = np.sqrt(dx * dx + dy * dy)
            dist[i, j] = km
            utility[i, j] = (utility[i, j] - weight * km + results_term[r, j]
                             - composition_term[r, j])


@njit(cache=True, nogil=True, inline="always")
def _next_preference(utility, i, k):
    """The family's best candidate not yet named (the first of equals), then marked named."""
    best, value = 0, utility[i, 0]
    for j in range(1, k):
        if utility[i, j] > value:
            best, value = j, utility[i, j]
    utility[i, best] = -np.inf
    return best


@njit(cache=True, nogil=True, inline="always")
def _push(heap, base, size, key):
    """Add `key` to the max-heap heap[base:base + size]."""
    pos = size
    while pos > 0:
        parent = (pos - 1) >> 1
        if heap[base + parent] >= key:
            break
        heap[base + pos] = heap[base + parent]
        pos = parent
    heap[base + pos] = key


@njit(cache=True, nogil=True, inline="always")
def _replace_top(heap, base, size, key):
    """Replace the largest key of the max-heap heap[base:base + size] by a smaller `key`."""
    pos = 0
    while True:
        child = 2 * pos + 1
        if child >= size:
            break
        if child + 1 < size and heap[base + child + 1] > heap[base + child]:
            child += 1
        if heap[base + child] <= key:
            break
        heap[base + pos] = heap[base + child]
        pos = child
    heap[base + pos] = key
