"""The pupils' school year end, in order: progress, results, leavers, transition, ageing,
intake, mobility. One call per year; each step is its own kernel (see its module).

1. every pupil on roll makes the year's progress (`progress`);
2. Year 6 sit KS2 and Year 11 KS4 (`results`);
3. Year 11 leave at 16;
4. Year 6 move to the secondary deferred acceptance gives them (`transition`);
   on a real region that is part of England, some to secondaries across its border, who
   then leave the region (`transition.places_beyond`); where the region's secondaries have
   fewer Year 7 places than it has Year 6 (one authority's school list), the pupils left
   without a place leave it too, counted under that reason;
5. Year 7 pupils arrive from outside the region for the places its Year 6 leave empty
   (`intake.arrivals_at_11`: none where the region's Year 6 fill its secondaries' year groups);
6. everyone else moves up a year group;
7. a Reception cohort joins every primary (`intake`);
8. a few pupils change school within their phase (`mobility`).

The progress and the Reception cohort's draws run on threads of their own beside the
transition, which depends on neither: the outcome is this order's, draw for draw.

A region with one phase only (a school list of primaries or of secondaries) runs too: with
no secondary, Year 6 leave the region at 11 (counted in `YearEnd.left_at_11`); with no
primary, every Year 7 pupil arrives from outside.

Pupils are kept in order of entry, oldest year group first (each intake is appended, each
Year 7 arrival joins behind the region's own Year 7), so the leavers are a prefix of the
arrays and every step keeps the order; the roll is changed in place (`sim.pupils.roll_buffer`:
no new arrays of every pupil each year). Pupils are conserved: on roll = last year's + intake +
arrived at 11 - leavers - left at 11 - left to neighbouring authorities - left without a
place; moves and transfers change school, never the count.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from sim.component import check_params, require
from sim.pupils import intake, mobility, progress, results, transition
from sim.pupils.places import Places
from sim.pupils.roll import LAST_PRIMARY_YEAR, LAST_YEAR, NO_SCHOOL, Pupils, compiled_kernels
from sim.pupils.roll_buffer import RollBuffer
from sim.region import PRIMARY, SECONDARY

STREAMS = ("pupils/intake", "pupils/progress", "pupils/transition", "pupils/mobility")
# Pupils on roll from which the year end runs steps on threads of their own: below it the
# threads' start and the GIL's hand-offs cost more than the overlap gains (GM, 530,000
# pupils, 3 years, quiet machine: +3 % CPU, no wall-clock gain); England's 8 million gain
# (set-up 7.6 -> 6.4 s wall at load 5.5).
THREADED_ROLL = 1_000_000
# The school of a Year 6 pupil whom the region's secondaries have no Year 7 place for (a
# school list with fewer places than Year 6: its pupils also go to schools outside the
# list); such a pupil leaves the region at 11, counted in `YearEnd.left_without_place`.
NO_PLACE = -2


@dataclass
class PupilParams:
    """Every setting of the pupils (`pupils.*`): one section per submodel."""

    intake: intake.IntakeParams = field(default_factory=intake.IntakeParams)
    progress: progress.ProgressParams = field(default_factory=progress.ProgressParams)
    transition: transition.TransitionParams = field(default_factory=transition.TransitionParams)
    mobility: mobility.MobilityParams = field(default_factory=mobility.MobilityParams)


def validate_pupils(node, n_domains: int) -> None:
    """Every `pupils.*` value against its field's range, and one domain weight per domain."""
    check_params(node, PupilParams, "pupils")
    for key in ("weights_disadvantaged", "weights_other"):
        weights = list(node.progress[key])
        require(len(weights) == n_domains,
                f"pupils.progress.{key} has {len(weights)} weights; allowed: one per domain "
                f"({n_domains}, as school.domains)")


@dataclass(frozen=True)
class Catchments:
    """Who lives near which schools, computed once per run (`catchments`)."""

    reception: intake.Catchment        # of the primaries
    arrivals: intake.Catchment         # of the secondaries, for Year 7 arriving from outside
    # (neighbourhoods, k) indices into the secondaries, then the schools across the border
    # (`Places.outside_km`: index - number of secondaries)
    secondary_candidates: np.ndarray
    nearest_beyond: np.ndarray         # (neighbourhoods,) nearest school across the border,
                                       # (0,) for a region with none
    nearby: tuple                      # (primaries, secondaries) near each neighbourhood


def catchments(places: Places, params: PupilParams) -> Catchments:
    return Catchments(
        intake.catchment(places, params.intake, PRIMARY),
        intake.catchment(places, params.intake, SECONDARY),
        transition.candidate_schools(places.neighbourhood_km, _secondary_km(places),
                                     params.transition),
        _nearest_beyond(places),
        mobility.nearby_by_phase(places, params.mobility.candidates))


@dataclass
class YearEnd:
    """What one year end did: flows (pupil counts) and the KS2 / KS4 results per school."""

    leavers: int
    left_at_11: int       # Year 6 leaving a region with no secondary school
    left_to_neighbours: int   # Year 6 joining secondaries across the border (`places_beyond`)
    left_without_place: int   # Year 6 for whom the region's secondaries have no Year 7 place
    transferred: int
    intake: int
    arrived_at_11: int    # Year 7 from outside the region (`intake.arrivals_at_11`)
    movers: int
    ks2: dict
    ks4: dict
    ks2_gap: dict | None   # None when not measured (`end_of_year(gaps=False)`)
    ks4_gap: dict | None


@dataclass(frozen=True)
class SchoolsNow:
    """What pupils see of the schools this year: value added per group (months a year),
    published results of secondaries (months) and disadvantaged shares."""

    value_added_disadvantaged: np.ndarray
    value_added_other: np.ndarray
    published_results: np.ndarray
    disadvantaged_share: np.ndarray


def end_of_year(roll: RollBuffer, places: Places, areas: Catchments, schools: SchoolsNow,
                params: PupilParams, streams, gaps: bool = True) -> YearEnd:
    """Advance every pupil on `roll` through the year end, in place; returns what happened
    (with the KS2 and KS4 cohorts' region-wide gaps unless `gaps` is false: they draw
    nothing, and a spin-up year has no use for them)."""
    # Two steps run on threads of their own while the transition runs on this one (numpy's
    # draws and array loops release the GIL): the progress and then the KS2 and KS4 results
    # and gaps, which change only attainment and read Years 6 and 11, none of which the
    # transition reads or changes, and the Reception cohort, which reads nothing the steps
    # before it change. Each draws from its own stream, in the same order as in sequence,
    # and is collected before anything that depends on it: the outputs do not depend on
    # the threads' timing. A small roll runs them in turn (`THREADED_ROLL`).
    pupils = roll.pupils
    start = _in_background if len(pupils) >= THREADED_ROLL else _at_once
    compiled = compiled_kernels(len(pupils))
    rng = streams["pupils/intake"]
    reception = start(_reception, places, areas, params, rng, compiled)
    progressed = start(_progress_and_results, pupils, places, schools, params, streams, gaps)
    n_leavers = _size(pupils.cohort(LAST_YEAR))
    # With no secondary, Year 6 are the oldest on roll, so they too are a prefix.
    n_left_at_11 = 0 if places.has(SECONDARY) else _size(pupils.cohort(LAST_PRIMARY_YEAR))
    roll.drop(n_leavers + n_left_at_11)   # the leavers' rows stay in place until `admit`
    staying = roll.pupils
    year6 = staying.cohort(LAST_PRIMARY_YEAR)        # a run of the roll: views, not gathers
    secondary = _secondary_places(staying, year6, places, areas, schools, params, streams)
    ks2, ks4, cohort_gaps = progressed.result()
    left = secondary < 0
    n_without_place = int(np.count_nonzero(secondary == NO_PLACE))
    n_left_to_neighbours = int(np.count_nonzero(left)) - n_without_place
    if left.any():                  # they leave the roll
        roll.leave(year6.start + np.flatnonzero(left))
        staying = roll.pupils
        year6 = slice(year6.start, year6.stop - n_left_to_neighbours - n_without_place)
        secondary = secondary[~left]
    reception = reception.result()
    arrivals = _arrivals(places, areas, secondary, params, rng, compiled)
    staying.school[year6] = secondary
    staying.year += 1
    # Years 7-11 (as they are now) are a prefix; Year 7 arrivals join behind them.
    roll.admit(arrivals, year6.stop, reception)
    pupils = roll.pupils
    movers, school = mobility.moves(pupils, areas.nearby, params.mobility,
                                    streams["pupils/mobility"], compiled)
    pupils.school[movers] = school
    return YearEnd(n_leavers, n_left_at_11, n_left_to_neighbours, n_without_place,
                   _size(year6), len(reception),
                   len(arrivals), len(movers), ks2, ks4, *cohort_gaps)


def _at_once(task, *args) -> Future:
    """`task(*args)` run now, on this thread, as a finished `Future`."""
    future = Future()
    future.set_result(task(*args))
    return future


def _in_background(task, *args) -> Future:
    """`task(*args)` started on a thread of its own, which ends with it (no pool outlives
    the call: a process forked later never inherits one)."""
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(task, *args)
    pool.shutdown(wait=False)
    return future


def _progress_and_results(pupils: Pupils, places: Places, schools: SchoolsNow,
                          params: PupilParams, streams, gaps: bool) -> tuple:
    """The year's progress, then the KS2 and KS4 results per school and (if `gaps`) each
    cohort's region-wide gaps."""
    pupils.attainment += progress.progress(pupils, places.phase,
                                           schools.value_added_disadvantaged,
                                           schools.value_added_other, params.progress,
                                           streams["pupils/progress"])
    stages = (results.KS2_YEAR, results.KS4_YEAR)
    return (*(results.cohort_results(pupils, year, places.n_schools) for year in stages),
            [results.cohort_gap(pupils, year) if gaps else None for year in stages])


def _reception(places: Places, areas: Catchments, params: PupilParams, rng,
               compiled) -> Pupils:
    return (intake.reception_cohort(places, areas.reception, params.intake, rng, compiled)
            if places.has(PRIMARY) else Pupils.empty())


def _size(run: slice) -> int:
    return run.stop - run.start


def _arrivals(places: Places, areas: Catchments, secondary: np.ndarray, params: PupilParams,
              rng, compiled) -> Pupils:
    """Year 7 from outside the region for the places its Year 6 (`secondary`: the school
    each joined) leave empty."""
    if not places.has(SECONDARY):
        return Pupils.empty()
    secondaries = places.schools_of(SECONDARY)
    joined = np.bincount(secondary, minlength=places.n_schools)[secondaries]
    return intake.arrivals_at_11(places, areas.arrivals, joined, params.intake,
                                 params.progress.home_primary, params.progress.noise_sd_months,
                                 rng, compiled)


def _secondary_places(pupils, year6: slice, places, areas, schools, params,
                      streams) -> np.ndarray:
    """The school each of `year6` (a run of the roll) joins (int32), NO_SCHOOL for those
    who join a secondary across the region's border (`transition.places_beyond`), NO_PLACE
    for those the region's secondaries have no Year 7 place for."""
    secondaries = places.schools_of(SECONDARY)
    if _size(year6) == 0:           # no primary in the region: arrivals come in Year 7
        return np.zeros(0, np.int32)
    home = pupils.home[year6]
    own, beyond = places.entry_places[secondaries], np.zeros(0, np.int64)
    if len(places.outside_km):
        beyond = transition.places_beyond(
            _size(year6), places.year_group_size[secondaries],
            np.bincount(areas.nearest_beyond[home], minlength=len(places.outside_km)))
        if beyond.any():    # the region's secondaries take their real year groups, no more
            own = places.year_group_size[secondaries]
    chosen = transition.allocate(
        home, pupils.home_km[year6], pupils.disadvantaged[year6],
        areas.secondary_candidates, _secondary_km(places), np.concatenate([own, beyond]),
        np.concatenate([schools.published_results[secondaries],
                        results_beyond(schools.published_results[secondaries],
                                       schools.disadvantaged_share[secondaries],
                                       places.outside_share)]),
        np.concatenate([schools.disadvantaged_share[secondaries], places.outside_share]),
        params.transition, streams["pupils/transition"])
    inside = (chosen >= 0) & (chosen < len(secondaries))
    school = np.where(chosen < 0, NO_PLACE, NO_SCHOOL)
    return np.where(inside, secondaries[np.where(inside, chosen, 0)], school).astype(np.int32)


def results_beyond(results: np.ndarray, share: np.ndarray,
                   share_beyond: np.ndarray) -> np.ndarray:
    """The published results families see of the secondaries across the region's border,
    which the model does not teach: what a secondary of the region with the same
    disadvantaged share publishes, read off the least-squares line of the region's
    secondaries' published `results` on their `share` (one point per school).

    Published results follow the intake (a school's mean attainment is mostly its pupils'
    disadvantage: the KS4 gap is about 18 months), and the families comparing schools see
    every school's real results. The national expectation, 0, for every school across the
    border would show one with half its pupils disadvantaged several months better than a
    school like it inside the region, and a school with few disadvantaged pupils worse. Before
    any results (all 0) the line reads 0, the national expectation, as for a school without
    results (`PupilSystem.published_results`); a region whose secondaries cannot draw a line
    (one school, or all with one share) gives their mean."""
    if len(results) < 2 or np.ptp(share) == 0:
        return np.full(len(share_beyond), results.mean() if len(results) else 0.0)
    slope, intercept = np.polyfit(share, results, 1)
    return intercept + slope * share_beyond


def _secondary_km(places: Places) -> np.ndarray:
    """The positions of the secondaries, then of the schools across the border."""
    return np.concatenate([places.school_km[places.schools_of(SECONDARY)], places.outside_km])


def _nearest_beyond(places: Places) -> np.ndarray:
    """For each neighbourhood, the nearest school across the border (none: empty)."""
    if not len(places.outside_km):
        return np.zeros(0, np.int64)
    return cKDTree(places.outside_km).query(places.neighbourhood_km)[1].astype(np.int64)
