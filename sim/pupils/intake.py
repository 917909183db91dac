"""Intake: each September a Reception cohort joins every primary from the neighbourhoods
around it.

Sources: children start Reception in the September after their fourth birthday and most
attend a primary close to home; disadvantaged pupils start school about 4.6 months behind
their peers (Education Policy Institute, *Education in England: annual report 2020*,
from the Early Years Foundation Stage Profile). That entry gap is an input by definition:
it is made before school, in the years the model does not simulate. Everything after entry
is the model's (`sim.pupils.progress`).

For primary s with cohort size n_s and disadvantaged share f_s (its free-school-meal share:
on a real region, the school's own), each pupil
- is disadvantaged with probability f_s, so each school's share matches f_s on average;
- lives in one of the school's `catchment_neighbourhoods` nearest neighbourhoods j, drawn
  with weight exp(-d_sj / catchment_scale_km) * P(status | j), where P(disadvantaged | j) is
  j's deprivation (Bayes: disadvantaged pupils come from the more deprived of them), at a
  point scattered `home_spread_km` around the neighbourhood's centre;
- enters with attainment theta = G (S - d) + Normal(0, entry_sd_months), d = 1 if
  disadvantaged, S = the national disadvantaged share, G the entry gap: the national mean
  is 0 and the groups differ by G. theta is also the pupil's persistent component.

The within-age spread at entry, 10 months, is about one standard deviation of development at
age 4-5 on age-standardised scales (a year's development spans roughly one standard deviation
at that age); it is an assumption to revisit in the recalibration (issue 14).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from sim.component import param
from sim.pupils.places import Places, largest_remainders
from sim.pupils.roll import FIRST_SECONDARY_YEAR, LAST_PRIMARY_YEAR, RECEPTION, Pupils
from sim.region import PRIMARY, SECONDARY

# England's share of pupils eligible for free school meals (2023/24), the national reference.
NATIONAL_DISADVANTAGED_SHARE = 0.24


@dataclass
class IntakeParams:
    """Reception intake (`sim.pupils.intake`)."""

    entry_gap_months: float = param(
        4.6, min=0, max=24, why="a gap at age 4 of at most two years", unit="months",
        label="Gap at school entry",
        help="Disadvantaged pupils' shortfall at entry (EPI: 4.6 months); the input at age 4.")
    entry_sd_months: float = param(
        8.0, min=0, max=36, why="at most three years of development", unit="months",
        label="Spread at school entry", help="Standard deviation of attainment at entry.")
    catchment_neighbourhoods: int = param(
        6, min=1, max=50, why="a handful of neighbourhoods around a primary",
        unit="neighbourhoods", label="Neighbourhoods a primary draws from")
    catchment_scale_km: float = param(
        1.0, min=0, min_open=True, max=50, why="within a day's walk", unit="km",
        label="Catchment distance scale", help="Home weights fall as exp(-distance / scale).")
    home_spread_km: float = param(
        0.3, min=0, max=10, why="within a neighbourhood or two", unit="km",
        label="Homes' scatter around the neighbourhood centre")


@dataclass(frozen=True)
class Catchment:
    """For each primary (in `Places.schools_of(PRIMARY)` order): its nearest neighbourhoods
    and the cumulative home weights of a disadvantaged and of an other pupil over them."""

    neighbourhoods: np.ndarray     # (primaries, k) int
    cumulative_disadvantaged: np.ndarray
    cumulative_other: np.ndarray


def catchment(places: Places, params: IntakeParams, phase: int = PRIMARY) -> Catchment:
    """Each school's catchment, for the schools of `phase` (computed once: places do not
    move)."""
    schools = places.schools_of(phase)
    k = min(params.catchment_neighbourhoods, len(places.neighbourhood_km))
    dist, near = cKDTree(places.neighbourhood_km).query(places.school_km[schools], k=k)
    near, dist = near.reshape(len(schools), k), dist.reshape(len(schools), k)
    closeness = np.exp(-dist / params.catchment_scale_km)
    p_dis = places.deprivation[near]
    return Catchment(near.astype(np.int32), np.cumsum(closeness * p_dis, axis=1),
                     np.cumsum(closeness * (1 - p_dis), axis=1))


def reception_cohort(places: Places, area: Catchment, params: IntakeParams,
                     rng: np.random.Generator, compiled=None) -> Pupils:
    """A Reception cohort filling every primary's Reception places (`compiled`:
    `sim.pupils.compiled_roll` or None, the same homes)."""
    return _cohort(places, places.schools_of(PRIMARY), area, params, rng, compiled=compiled)


def arrivals_at_11(places: Places, area: Catchment, joined: np.ndarray, params: IntakeParams,
                   home_rate_primary: float, noise_sd_months: float,
                   rng: np.random.Generator, compiled=None) -> Pupils:
    """Year 7 pupils from outside the region, for the places its own Year 6 leave empty.

    `area` is the secondaries' catchment and `joined` the Year 7 pupils each secondary took
    from the region's Year 6 (both in `schools_of(SECONDARY)` order). The arrivals
    (`arrivals_by_school`) are drawn from each school's catchment as a Reception intake is,
    each with the attainment seven years at a primary of reference practice would give them
    (`sim.pupils.progress` with no value added and no peer term):
    theta (1 + 7 home_rate_primary) + Normal(0, sigma sqrt 7)."""
    secondaries = places.schools_of(SECONDARY)
    count = arrivals_by_school(places.year_group_size[secondaries], joined)
    if not count.any():
        return Pupils.empty()
    cohort = _cohort(places, secondaries, area, params, rng, count, compiled)
    years = LAST_PRIMARY_YEAR + 1
    cohort.attainment = (cohort.persistent * np.float32(1.0 + years * home_rate_primary)
                         + rng.normal(0.0, noise_sd_months * np.sqrt(years), len(cohort))
                         .astype(np.float32))
    cohort.year[:] = FIRST_SECONDARY_YEAR
    return cohort


def arrivals_by_school(year_group: np.ndarray, joined: np.ndarray) -> np.ndarray:
    """How many Year 7 pupils join each secondary from outside the region.

    A secondary's year group is its roll (less any sixth form) / 5 (`Places.year_group_size`):
    the pupils its roll says it teaches in each year. Where the secondaries' year groups
    together exceed the region's Year 6 who joined them (`joined`, per school), the
    difference comes from outside, as real regions' secondaries also teach children from
    beyond their borders (and a region with no primary school takes its whole Year 7 from
    outside). It is shared in
    proportion to the places each school has left unfilled (year group - joined, if
    positive), by largest remainders (ties to the lower index): no school gets more than it
    has unfilled, and an empty school gets its share."""
    unfilled = np.maximum(year_group - joined, 0)
    total = int(year_group.sum() - joined.sum())
    if total <= 0:
        return np.zeros(len(year_group), np.int64)
    return largest_remainders(total, unfilled)


def _cohort(places: Places, schools: np.ndarray, area: Catchment, params: IntakeParams,
            rng: np.random.Generator, size: np.ndarray | None = None,
            compiled=None) -> Pupils:
    """New pupils filling `schools`' entry places (or `size` each), drawn from their
    catchments (`area`, in the order of `schools`), as entering Reception.

    Per-school values are repeated along each school's run of pupils (cheaper than a
    gather), and each normal is drawn as a standard normal scaled in place: the same draws
    and the same floating-point results as `rng.normal(0, sd)` plus the offset, without
    the temporaries."""
    size = places.entry_places[schools] if size is None else size
    n = int(size.sum())
    school = np.repeat(schools.astype(np.int32), size)
    within = np.repeat(np.arange(len(schools)), size)
    dis = rng.random(n) < np.repeat(places.intake_share[schools], size)
    home = _home_neighbourhoods(area, within, dis, rng, compiled)
    home_km = rng.standard_normal((n, 2))
    home_km *= params.home_spread_km
    home_km += places.neighbourhood_km.take(home, axis=0)   # several times faster than [home]
    # Entry attainment: the group's offset G (S - d), d = 0 or 1, plus the individual draw.
    offset = params.entry_gap_months * (NATIONAL_DISADVANTAGED_SHARE - np.array([0.0, 1.0]))
    theta = rng.standard_normal(n)
    theta *= params.entry_sd_months
    theta += offset[dis.view(np.uint8)]
    theta = theta.astype(np.float32)
    return Pupils(school, np.full(n, RECEPTION, np.int8), dis, home,
                  home_km.astype(np.float32), theta, theta.copy(), np.zeros(n, np.float32))


def _home_neighbourhoods(area: Catchment, within, dis, rng, compiled=None) -> np.ndarray:
    """Each pupil's home in their school's catchment (see the module docstring): the first
    neighbourhood whose cumulative weight reaches a uniform draw times the total, counted
    one candidate neighbourhood at a time over all pupils (k passes of n, no (n, k) table;
    compiled, one pass: `sim.pupils.compiled_roll.home_neighbourhoods`)."""
    k = area.neighbourhoods.shape[1]
    # Row 2s (other) and 2s + 1 (disadvantaged) of school s.
    by_group = np.stack([area.cumulative_other, area.cumulative_disadvantaged], axis=1)
    draw = rng.random(len(within))
    if compiled is not None:
        return compiled.home_neighbourhoods(by_group.reshape(-1, k), within, dis, draw,
                                            area.neighbourhoods)
    columns = np.ascontiguousarray(by_group.reshape(-1, k).T)      # column by column
    row = 2 * within
    row += dis
    draw *= columns[-1][row]
    pick = within * k
    for column in columns[:-1]:                  # the last is the total: never below
        pick += column[row] < draw
    return area.neighbourhoods.ravel()[pick]
