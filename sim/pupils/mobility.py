"""Mobility: a few pupils change school within a phase each year, more of the disadvantaged.

Sources: moves at non-standard times concern a few per cent of pupils a year and are about
twice as common among pupils eligible for free school meals (Machin, Telhaj & Wilson 2006,
*The mobility of English school children*; Rodda, Hallgarten & Freeman 2013, *Between the
cracks*, RSA). Each year each pupil not in the last year of their phase moves with
probability `rate_other` (times `disadvantaged_factor` if disadvantaged) to one of the
`candidates` same-phase schools nearest their home neighbourhood other than their own,
chosen at random; their home, attainment and persistent component go with them. In-year
admissions are not limited by places.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.component import param
from sim.pupils.places import Places, nearest_schools
from sim.pupils.roll import (FIRST_SECONDARY_YEAR, LAST_PRIMARY_YEAR, LAST_YEAR, RECEPTION,
                             Pupils)


@dataclass
class MobilityParams:
    """Moves between schools within a phase (`sim.pupils.mobility`)."""

    # At most one pupil in two a year, an order of magnitude above the sources' few per cent:
    # near 1 every pupil changes school every year, and a school that is no one's nearest
    # alternative empties (found by tests/test_extremes.py at 1 with one candidate school).
    rate_other: float = param(0.03, min=0, max=0.5,
                              why="a yearly probability; moves stay a minority of pupils",
                              unit="per year",
                              label="Pupils changing school a year (not disadvantaged)")
    disadvantaged_factor: float = param(
        2.0, min=0, max=10, why="a rate ratio", unit="1",
        label="How much more often disadvantaged pupils move")
    candidates: int = param(6, min=1, max=50, why="the schools within reach of home",
                            unit="schools", label="Schools a moving pupil chooses among")


def nearby_by_phase(places: Places, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For each neighbourhood, its k + 1 nearest primaries and secondaries (one extra so a
    mover always has k schools other than their own)."""
    return tuple(nearest_schools(places.neighbourhood_km, places.school_km,
                                 places.schools_of(phase), k + 1) for phase in (0, 1))


def moves(pupils: Pupils, nearby, params: MobilityParams, rng,
          compiled=None) -> tuple[np.ndarray, np.ndarray]:
    """Who moves (indices, ascending) and the school each moves to.

    The pupils who may move (not in a test year, in a phase with another school nearby to
    move to) are runs of the roll, which is in order of entry. In each run the pupils are
    first picked with the higher of the two groups' rates, then each pick is kept with
    probability its group's rate over that one (thinning: each pupil then moves with their
    group's rate, independently), so no pass over every pupil is needed. `compiled`:
    `sim.pupils.compiled_roll` (or None: numpy), which picks the same schools."""
    rates = np.array([params.rate_other, params.rate_other * params.disadvantaged_factor])
    top = min(rates.max(), 1.0)
    keep = rates / top if top > 0 else rates
    runs = sorted(((pupils.cohort(first, last), options) for (first, last), options in
                   zip(((RECEPTION, LAST_PRIMARY_YEAR - 1), (FIRST_SECONDARY_YEAR, LAST_YEAR - 1)),
                       nearby) if options.shape[1] > 1), key=lambda run: run[0].start)
    movers, schools = [], []
    for run, options in runs:
        picked = run.start + _bernoulli_picks(run.stop - run.start, top, rng)
        mover = picked[rng.random(len(picked)) < keep[pupils.disadvantaged[picked].view(np.uint8)]]
        movers.append(mover)
        if compiled is not None:
            schools.append(compiled.elsewhere(options, pupils.home, pupils.school, mover,
                                              rng.random(len(mover))))
            continue
        schools.append(_elsewhere(options.take(pupils.home[mover], axis=0),
                                  pupils.school[mover], rng.random(len(mover))))
    if not movers:
        return np.zeros(0, np.int64), np.zeros(0, np.int32)
    return np.concatenate(movers), np.concatenate(schools).astype(np.int32)


def _bernoulli_picks(n: int, rate: float, rng) -> np.ndarray:
    """Each of 0 .. n - 1 independently with probability `rate` (ascending): the gaps
    between picks are geometric, so only the picks are drawn (a few per cent), not one
    uniform per pupil."""
    if rate <= 0.0 or n == 0:
        return np.zeros(0, np.int64)
    if rate >= 1.0:
        return np.arange(n)
    expected = n * rate
    gaps = _gaps(n, rate, int(expected + 6.0 * np.sqrt(expected) + 16), rng)
    position = np.cumsum(gaps) - 1
    while position[-1] < n:      # rare: draw more gaps until past the end
        more = np.cumsum(_gaps(n, rate, len(gaps), rng)) + position[-1]
        position = np.concatenate([position, more])
    return position[position < n]


def _gaps(n: int, rate: float, size: int, rng) -> np.ndarray:
    """`size` geometric gaps, each capped at n + 1: a gap past the end ends the picks
    whatever its length, and the cap keeps their sum from overflowing (below a rate of about
    1e-18 numpy's geometric saturates at 2**63 - 1, two of them wrap negative and the loop
    above never ended). Same draws as uncapped, so the picks are unchanged."""
    return np.minimum(rng.geometric(rate, size), n + 1)


def _elsewhere(options: np.ndarray, own: np.ndarray, pick: np.ndarray) -> np.ndarray:
    """One of `options` other than the pupil's own school (or other than the farthest, if
    the own school is not among them), picked by the uniform draw `pick`."""
    k = options.shape[1]
    row = np.arange(len(own)) * k                 # each pupil's row of the flat options
    is_own = (options == own[:, None]).ravel()
    first = is_own.reshape(-1, k).argmax(axis=1)  # the own school's column, if there
    drop = np.where(is_own[row + first], first, k - 1)
    # The pick-th of the other k - 1 columns: the columns from `drop` on shift by one.
    column = (pick * (k - 1)).astype(np.int64)
    column += column >= drop
    return options.ravel()[row + column]
