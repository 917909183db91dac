"""Transition at 11: every Year 6 pupil gets a Year 7 place, as secondary admissions in England.

Sources: families name at least three secondaries in order of preference (six in London) and
each oversubscribed school ranks applicants by its published oversubscription criteria, with
distance from home as the usual final criterion; the local authorities' coordinated scheme
then gives each child the highest preference that can be met (the "equal preference" system,
School Admissions Code 2021, which is pupil-proposing deferred acceptance: Gale & Shapley
1962; Pathak & Sönmez 2013). A child no preference can place is offered the nearest school
with room. Advantaged families weigh published results more, avoid schools with many
disadvantaged pupils and travel further (Burgess, Greaves & Vignoles 2015; seed 001: choice
exacerbates social segregation).

Families' ranking: among the `candidates` secondaries nearest home, family i of group g
(disadvantaged or advantaged) values school s at
    U_is = - distance_weight_g * d_is + results_weight_g * R_s - composition_weight_g * f_s
           + Gumbel(0, 1)
(R_s the school's published results in months, f_s its disadvantaged share) and names its
`preferences` best. Schools' priority: nearer first, measured to the metre, then a random
lottery number per pupil.

Allocation: deferred acceptance (`deferred_acceptance`): every unplaced pupil applies to
their next preference, every school keeps its best applicants up to capacity and rejects the
rest, until nobody is left to apply. The result is stable: no pupil and school would both
rather be matched to each other. Then the unplaced get the nearest school with room, while
any has room: where the region's secondaries have fewer Year 7 places than it has Year 6
(one authority's school list: its pupils also go to schools across its border, which the
list does not show), the pupils left when every place is taken have none in the region.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from sim.component import param
from sim.errors import ConfigError
from sim.pupils.places import largest_remainders

DISADVANTAGED, ADVANTAGED = 0, 1
# Priority keys pack school, metres from home and a lottery number into one sortable int64:
# sorting the keys orders every school's applicants by priority, and the lottery number (a
# permutation of the pupils, so unique) identifies the pupil.
LOTTERY_BITS, METRE_BITS = 23, 20
SCHOOL_SHIFT = LOTTERY_BITS + METRE_BITS
MAX_PUPILS, MAX_METRES = 1 << LOTTERY_BITS, (1 << METRE_BITS) - 1
NO_CUTOFF = np.iinfo(np.int64).max


@dataclass
class TransitionParams:
    """Secondary admissions at 11 (`sim.pupils.transition`): families' utility per km, per
    month of published results and per unit of disadvantaged share, by group."""

    candidates: int = param(8, min=1, max=50, why="the secondaries within reach",
                            unit="schools", label="Secondaries a family considers")
    preferences: int = param(3, min=1, max=6,
                             why="England's forms take 3 to 6 preferences (6 in London)",
                             unit="schools", label="Preferences a family names")
    capacity_headroom: float = param(
        0.2, min=0, max=1, why="a share of places left unfilled", unit="share",
        label="Spare Year 7 places",
        help="Year 7 places = roll / 5 x (1 + this). England leaves about one secondary "
             "place in ten unfilled (DfE, School capacity), more in some areas; 0.2 also "
             "absorbs the chance sizes of small synthetic regions.")
    distance_weight_disadvantaged: float = param(1.0, min=0, max=20, why="utility per km",
                                                 unit="per km", label="Distance, disadvantaged")
    distance_weight_advantaged: float = param(0.4, min=0, max=20, why="utility per km",
                                              unit="per km", label="Distance, advantaged")
    results_weight_disadvantaged: float = param(
        0.02, min=0, max=2, why="utility per month", unit="per month",
        label="Published results, disadvantaged")
    results_weight_advantaged: float = param(
        0.08, min=0, max=2, why="utility per month", unit="per month",
        label="Published results, advantaged")
    composition_weight_disadvantaged: float = param(
        0.0, min=0, max=20, why="utility per unit share", unit="per unit share",
        label="Avoiding disadvantaged intakes, disadvantaged families")
    composition_weight_advantaged: float = param(
        3.0, min=0, max=20, why="utility per unit share", unit="per unit share",
        label="Avoiding disadvantaged intakes, advantaged families")

    def by_group(self, name: str) -> np.ndarray:
        """A (disadvantaged, advantaged) pair of one of the per-group weights."""
        return np.array([getattr(self, f"{name}_disadvantaged"),
                         getattr(self, f"{name}_advantaged")], np.float32)


def places_beyond(n_year6: int, year_groups: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """Year 7 places the region's Year 6 take in the secondaries across its border.

    A real region that is part of England loses as many of its Year 6 at 11 to neighbouring
    authorities as its own secondaries' year groups (`year_groups`, from their real rolls:
    `Places.year_group_size`) fall short of them: n_year6 - sum(year_groups) places in all,
    none where they seat them (arrivals then fill what the region's Year 6 leave empty:
    `sim.pupils.intake.arrivals_by_school`). The scale is the real rolls', not a parameter.
    The places are shared over the schools across the border in proportion to `reach`, the
    region's Year 6 to whom each is the nearest of them, by largest remainders. Families
    then rank them among their candidates as any secondary, by distance, results (those a
    secondary of the region with the same disadvantaged share publishes:
    `sim.pupils.year_end.results_beyond`) and composition, and deferred acceptance decides
    who takes them. The
    region's own secondaries then offer their year groups, not their spare places too: their
    real rolls say that the region's Year 6 who might have filled those places went across
    the border instead, so exactly the shortfall leaves and every school keeps its real
    year group (`sim.pupils.year_end`)."""
    total = n_year6 - int(year_groups.sum())
    if total <= 0:
        return np.zeros(len(reach), np.int64)
    return largest_remainders(total, reach)


def candidate_schools(neighbourhood_km, school_km, params: TransitionParams) -> np.ndarray:
    """The `candidates` schools nearest each neighbourhood's centre (computed once)."""
    k = min(params.candidates, len(school_km))
    if k == 0:                                   # no secondary: nobody transfers
        return np.zeros((len(neighbourhood_km), 0), np.int64)
    _, near = cKDTree(school_km).query(neighbourhood_km, k=k)
    return near.reshape(len(neighbourhood_km), k)


def ranked_preferences(home, home_km, disadvantaged, candidates, school_km, results,
                       disadvantaged_share, params: TransitionParams, rng: np.random.Generator):
    """Each family's ranked secondaries (n, preferences) and the distances to them (km)."""
    rankings = Rankings(home, home_km, disadvantaged, candidates, school_km, results,
                        disadvantaged_share, params, rng)
    ranked = [rankings.next() for _ in range(rankings.preferences)]
    return np.stack([school for school, _ in ranked], axis=1), \
        np.stack([dist for _, dist in ranked], axis=1)


class Rankings:
    """Families' utilities for the candidate secondaries of their home neighbourhood
    (`candidate_schools`), unrolled into preferences as they are needed: `next` gives each
    family's best candidate not yet named (ties to the earlier candidate, as np.argmax), so
    deferred acceptance works out a second or third preference only for the families their
    first turned down.

    Distances are from the home itself. Whatever depends only on the neighbourhood and the
    family's group (the candidates' positions, results and composition terms) is tabled once
    per neighbourhood and group and gathered a row per family; the utilities are built in
    place, in single precision, term by term in the order of the formula."""

    def __init__(self, home, home_km, disadvantaged, candidates, school_km, results,
                 disadvantaged_share, params: TransitionParams, rng: np.random.Generator,
                 compiled=None):
        """`compiled`: `sim.pupils.compiled_acceptance` (or None), whose `utility_terms`
        then adds the distance, results and composition terms in one pass, the same floats."""
        n, k = len(home), candidates.shape[1]
        self.home, self.candidates = home, candidates
        self.preferences = min(params.preferences, k)
        distance_weight = params.by_group("distance_weight")
        # Per neighbourhood: the candidates' coordinates; per (group, neighbourhood): the
        # results and composition terms.
        school_km = school_km.astype(np.float32)
        coordinates = [school_km[:, axis][candidates] for axis in (0, 1)]
        results_term = _candidates_table(params.by_group("results_weight"), results,
                                         candidates)
        composition_term = _candidates_table(params.by_group("composition_weight"),
                                             disadvantaged_share, candidates)
        self.dist = np.empty((n, k), np.float32)
        # Gumbel(0, 1) tastes; a uniform draw of exactly 0 gives -inf: that school is last.
        self.utility = rng.random((n, k), dtype=np.float32)
        for block in _family_blocks(n):
            dist, utility = self.dist[block], self.utility[block]
            with np.errstate(divide="ignore"):
                np.log(utility, out=utility)
                np.negative(utility, out=utility)
                np.log(utility, out=utility)
            np.negative(utility, out=utility)
            if compiled is None:
                group = np.where(disadvantaged[block], DISADVANTAGED, ADVANTAGED)
                row = group * len(candidates) + home[block]   # (group, neighbourhood)
                _distances(home[block], home_km[block], coordinates, out=dist)
                utility -= distance_weight[group, None] * dist
                utility += results_term.take(row, axis=0)
                utility -= composition_term.take(row, axis=0)
        if compiled is not None:
            compiled.utility_terms(self.utility, self.dist, home, home_km, *coordinates,
                                   distance_weight, disadvantaged, results_term,
                                   composition_term)

    def next(self, families: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The school each of `families` (default: all) names next and its distance (km)."""
        k = self.utility.shape[1]
        if families is None:
            choice = np.argmax(self.utility, axis=1)
            cell = np.arange(0, len(choice) * k, k)
            home = self.home
        else:
            choice = self.utility.take(families, axis=0).argmax(axis=1)
            cell = families * k
            home = self.home.take(families)
        cell += choice
        self.utility.ravel()[cell] = -np.inf             # named: not named again
        return self.candidates.take(home * k + choice), self.dist.take(cell)


def _candidates_table(weights, value, candidates) -> np.ndarray:
    """(groups x neighbourhoods, k): each group's weight times its neighbourhood's
    candidates' value, row group * neighbourhoods + neighbourhood."""
    table = weights[:, None, None] * value.astype(np.float32)[candidates]
    return table.reshape(-1, candidates.shape[1])


def _distances(home, home_km, coordinates, out) -> None:
    """Into `out` (n, k): km from each home to its neighbourhood's candidates (single
    precision), `coordinates` the candidates' x and y per neighbourhood (neighbourhoods, k)."""
    x, y = coordinates
    x.take(home, axis=0, out=out)
    out -= home_km[:, 0, None]
    out *= out
    delta = y.take(home, axis=0)
    delta -= home_km[:, 1, None]
    delta *= delta
    out += delta
    np.sqrt(out, out=out)


FAMILY_BLOCK = 1 << 15


def _family_blocks(n: int):
    """Slices of `FAMILY_BLOCK` families: the utilities are built pupil by pupil (no sums),
    a block at a time so that the temporaries stay in the cache; the same floats."""
    return (slice(start, start + FAMILY_BLOCK) for start in range(0, n, FAMILY_BLOCK))


def priority_keys(prefs: np.ndarray, dist_km: np.ndarray, lottery: np.ndarray) -> np.ndarray:
    """Each application as one sortable key: school, then metres from home, then lottery
    (prefs and dist_km (n,) or (n, P), lottery (n,))."""
    check_keys(len(lottery), dist_km.max(initial=0.0))
    metres = np.rint(dist_km * 1000.0).astype(np.int64)
    lottery = lottery.reshape(len(lottery), *(1,) * (prefs.ndim - 1)).astype(np.int64)
    return (prefs.astype(np.int64) << SCHOOL_SHIFT) | (metres << LOTTERY_BITS) | lottery


def check_keys(n_pupils: int, longest_km: float) -> None:
    """The pupils' lottery numbers and the metres of their applications fit in a key."""
    if n_pupils > MAX_PUPILS or longest_km * 1000.0 > MAX_METRES:
        raise ConfigError(f"transition at 11: {n_pupils} pupils and applications up to "
                          f"{longest_km:.0f} km; allowed: at most {MAX_PUPILS} "
                          f"pupils and {MAX_METRES // 1000} km")


def deferred_acceptance(keys: np.ndarray, lottery: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Pupil-proposing deferred acceptance; the school each pupil holds at the end (-1: none).

    keys (n, P): pupil i's applications in order of preference (`priority_keys`); lottery (n,):
    the unique lottery numbers in them; capacity (m,): places."""
    return applications_accepted(lambda pupils, slot: keys[pupils, slot], keys.shape[1],
                                 lottery, capacity)


def applications_accepted(next_keys, n_prefs: int, lottery: np.ndarray,
                          capacity: np.ndarray) -> np.ndarray:
    """Deferred acceptance on applications made as they are needed: `next_keys(pupils, slot)`
    gives the keys (`priority_keys`) of the slot-th application of each of `pupils`, asked in
    order, at most `n_prefs` of each. Each school holds its applications in a block of
    `capacity` slots. In each round a school with room for all its new applicants holds them
    without ranking anyone; a school that is full rejects at once every applicant it ranks
    below the worst it holds; only the rest (its held applications and the applicants that
    may displace them) are sorted, so a round costs what it contests, not the size of the
    cohort."""
    n = len(lottery)
    pupil_of = np.empty(n, np.int64)          # lottery number -> pupil
    pupil_of[lottery] = np.arange(n)
    places = _Places(capacity)
    slot = np.zeros(n, np.int64)
    applying = np.arange(n)
    while len(applying):
        applications = next_keys(applying, slot[applying])
        slot[applying] += 1
        rejected = places.receive(applications)
        rejected = pupil_of.take(rejected & (MAX_PUPILS - 1))
        applying = rejected.compress(slot.take(rejected) < n_prefs)
    held = places.held()
    assigned = np.full(n, -1, np.int64)
    assigned[pupil_of[held & (MAX_PUPILS - 1)]] = held >> SCHOOL_SHIFT
    return assigned


class _Places:
    """The applications each school holds during deferred acceptance: school s's in slots
    start[s] .. start[s] + filled[s]. A school that has had to reject someone is full for good;
    its slots are then kept in priority order and its worst key is its `cutoff` (an applicant
    with a larger key is rejected without a look at the others). Every slot, held or free,
    carries its school in the key's school bits, so `slots` is in order school by school
    whatever the order within a block: a binary search of the whole array for a key of
    school s lands in s's block, and inside it where s's slots are in priority order."""

    def __init__(self, capacity: np.ndarray):
        self.capacity = capacity.astype(np.int64)
        self.start = np.cumsum(self.capacity) - self.capacity
        self.slots = np.repeat(np.arange(len(capacity), dtype=np.int64) << SCHOOL_SHIFT,
                               self.capacity)
        self.filled = np.zeros(len(capacity), np.int64)
        # No place at all: every applicant is rejected.
        self.cutoff = np.where(self.capacity > 0, NO_CUTOFF, -1)

    def receive(self, applications: np.ndarray) -> np.ndarray:
        """Hold the best applications up to capacity; returns the keys rejected."""
        school = applications >> SCHOOL_SHIFT
        beaten = applications > self.cutoff.take(school)   # below a full school's worst
        rejected = applications.compress(beaten)
        if len(rejected):
            applications, school = applications.compress(~beaten), school.compress(~beaten)
        arriving = np.bincount(school, minlength=len(self.capacity))
        over = self.filled + arriving > self.capacity
        fits = ~over.take(school)
        if fits.all():
            self._append(applications, school)
            return rejected
        self._append(applications.compress(fits), school.compress(fits))
        contesting = applications.compress(~fits)
        contesting.sort()
        contested = over.nonzero()[0]
        turned_away = self._contest(contested, arriving.take(contested), contesting)
        return np.concatenate([rejected, turned_away])

    def _append(self, applications, school) -> None:
        """Applications to schools with room for them all: into the next free slots."""
        order = _narrow(school, len(self.capacity)).argsort(kind="stable")
        school = school.take(order)
        arriving = np.bincount(school, minlength=len(self.filled))
        first = np.cumsum(arriving) - arriving              # where each school's run begins
        within = np.arange(len(school)) - first.take(school)
        self.slots[(self.start + self.filled).take(school) + within] = applications.take(order)
        self.filled += arriving

    def _contest(self, contested: np.ndarray, arriving: np.ndarray,
                 applications: np.ndarray) -> np.ndarray:
        """Schools that cannot hold everyone (`arriving` new applications each, `applications`
        sorted): rank their held and new applications together (keys order a school's
        applicants by priority), keep the best up to capacity, in order. A school whose
        slots are in order keeps those its best newcomer does not beat where they are: only
        the slots from there on (found by one binary search, `_Places`) are merged with the
        newcomers, so a round costs what it contests, not the schools' capacity."""
        first_new = np.cumsum(arriving) - arriving
        best_new = applications.take(first_new)
        kept_in_place = np.where(self.cutoff.take(contested) < NO_CUTOFF,
                                 self.slots.searchsorted(best_new) - self.start.take(contested),
                                 0)
        begin = self.start.take(contested) + kept_in_place
        held = self.filled.take(contested) - kept_in_place
        pool = _merge(self.slots[_ranges(begin, held)], applications)
        runs = held + arriving                   # each school's run of the pool, in order
        first = np.cumsum(runs) - runs
        rank = np.arange(len(pool)) - first.repeat(runs)
        room = self.capacity.take(contested) - kept_in_place
        kept = rank < room.repeat(runs)
        self.slots[(begin.repeat(runs) + rank).compress(kept)] = pool.compress(kept)
        self.filled[contested] = self.capacity.take(contested)
        self.cutoff[contested] = pool.take(first + room - 1)
        return pool.compress(~kept)

    def held(self) -> np.ndarray:
        """Every application held, by school."""
        return self.slots[_ranges(self.start, self.filled)]


def _merge(*runs: np.ndarray) -> np.ndarray:
    """Sorted arrays as one (timsort finds the runs and merges them)."""
    return np.sort(np.concatenate(runs), kind="stable")


def _narrow(school: np.ndarray, n_schools: int) -> np.ndarray:
    """School indices in 16 bits where they fit: numpy sorts those by radix, in linear time."""
    return school.astype(np.uint16) if n_schools <= 1 << 16 else school


def _ranges(start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """The indices start[i] .. start[i] + length[i] - 1 of every i, one after another."""
    total = int(length.sum())
    offset = np.repeat(start - (np.cumsum(length) - length), length)
    return offset + np.arange(total)


def place_nearest_with_room(assigned, home_km, school_km, capacity, k: int = 8) -> np.ndarray:
    """The local authority's offer: each unplaced pupil gets the nearest school with room,
    nearer pupils first where a school cannot take them all, until no school has room (then
    the rest stay -1: no place in the region). That is deferred acceptance again, every
    pupil ranking the schools with room by distance (k at a time)."""
    assigned = assigned.copy()
    room = capacity - np.bincount(assigned[assigned >= 0], minlength=len(capacity))
    waiting = np.flatnonzero(assigned < 0)
    while len(waiting) and room.any():
        open_schools = np.flatnonzero(room > 0)
        kk = min(k, len(open_schools))
        dist, j = cKDTree(school_km[open_schools]).query(home_km[waiting], k=kk)
        prefs = open_schools[j.reshape(len(waiting), kk)]
        lottery = np.arange(len(waiting))
        offered = deferred_acceptance(priority_keys(prefs, dist.reshape(len(waiting), kk),
                                                    lottery), lottery, room)
        placed = offered >= 0
        assigned[waiting[placed]] = offered[placed]
        room -= np.bincount(offered[placed], minlength=len(capacity))
        waiting = waiting[~placed]
    return assigned


# From this many Year 6 pupils (England's ~660,000; GM's ~44,000 stay below) the families'
# utilities and deferred acceptance run compiled where numba is installed (the `fast` extra):
# the same floats and matching in well under half the time, worth the ~0.3 s numba's import
# and code loading cost a process.
COMPILED_COHORT = 200_000


@functools.cache
def compiled_kernels():
    """`sim.pupils.compiled_acceptance`, or None without numba (then numpy builds the same
    utilities and the numpy rounds of `applications_accepted` give the same matching)."""
    try:
        from sim.pupils import compiled_acceptance
    except ImportError:
        return None
    return compiled_acceptance


def allocate(home, home_km, disadvantaged, candidates, school_km, capacity, results,
             disadvantaged_share, params: TransitionParams,
             rng: np.random.Generator) -> np.ndarray:
    """The secondary (index into `school_km`) each Year 6 pupil joins, -1 for a pupil with
    no place in the region (fewer places than pupils); `candidates` from
    `candidate_schools`."""
    compiled = compiled_kernels() if len(home) >= COMPILED_COHORT else None
    rankings = Rankings(home, home_km, disadvantaged, candidates, school_km, results,
                        disadvantaged_share, params, rng, compiled)
    lottery = rng.permutation(len(home))
    if compiled is not None:
        assigned, longest_km = compiled.accepted(rankings, lottery, capacity, LOTTERY_BITS,
                                                 METRE_BITS)
        check_keys(len(lottery), longest_km)
    else:
        def next_keys(pupils, slot):
            if slot[0] == 0:    # the first applications, of every pupil at once, in order
                return priority_keys(*rankings.next(), lottery)
            return priority_keys(*rankings.next(pupils), lottery.take(pupils))

        assigned = applications_accepted(next_keys, rankings.preferences, lottery, capacity)
    return place_nearest_with_room(assigned, home_km, school_km, capacity)

