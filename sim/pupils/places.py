"""Where pupils live and learn: the schools and neighbourhoods the pupil submodels move
pupils between, fixed for a run (positions, phases, places)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from sim.geography import PRIMARY, SECONDARY

# Years a pupil spends in each phase: primary Reception-Year 6, secondary Years 7-11.
YEARS_IN_PHASE = np.array([7, 5])


@dataclass(frozen=True)
class Places:
    school_km: np.ndarray            # (m, 2) school positions
    phase: np.ndarray                # (m,) PRIMARY or SECONDARY
    entry_places: np.ndarray         # (m,) int: Reception places (primaries), Year 7 (secondaries)
    intake_share: np.ndarray         # (m,) disadvantaged share of a primary's intake
    neighbourhood_km: np.ndarray     # (k, 2) neighbourhood centres
    deprivation: np.ndarray          # (k,) share of children disadvantaged in each
    year_group_size: np.ndarray      # (m,) int: roll / years in phase, no spare places
    # Secondaries beyond the region's borders its Year 6 may join (a real region that is part
    # of England: `sim.region_real`), (o, 2) positions and (o,) disadvantaged shares; none
    # elsewhere.
    outside_km: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    outside_share: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n_schools(self) -> int:
        return len(self.phase)

    def schools_of(self, phase: int) -> np.ndarray:
        return np.flatnonzero(self.phase == phase)

    def has(self, phase: int) -> bool:
        return bool((self.phase == phase).any())


def entry_places(pupils_on_roll: np.ndarray, phase: np.ndarray, headroom: float,
                 pre16_share: float = 1.0) -> np.ndarray:
    """Places in the entry year group: Reception fills a primary's roll / 7 exactly (the
    intake is drawn to it); a secondary offers a year group (`year_group_size`) of Year 7
    places plus `headroom` spare, as England's secondaries hold about one place in ten
    unfilled (DfE, School capacity). A school with pupils has at least one (England's
    smallest primaries have rolls of 3 to 10: rounding their roll / 7 to none would leave
    them without an intake)."""
    per_year = _per_year(pupils_on_roll, phase, pre16_share)
    return np.maximum(1, np.where(phase == PRIMARY, np.rint(per_year),
                                  np.ceil(per_year * (1.0 + headroom)))).astype(np.int64)


def year_group_size(pupils_on_roll: np.ndarray, phase: np.ndarray,
                    pre16_share: float = 1.0) -> np.ndarray:
    """A full year group without spare places: roll / years in the phase, at least one; of
    a secondary's roll only the `pre16_share` in Years 7-11 (the rest is its sixth form)."""
    return np.maximum(1, np.rint(_per_year(pupils_on_roll, phase, pre16_share))).astype(np.int64)


def _per_year(pupils_on_roll, phase, pre16_share: float) -> np.ndarray:
    return pupils_on_roll * np.where(phase == SECONDARY, pre16_share, 1.0) / YEARS_IN_PHASE[phase]


def largest_remainders(total: int, weights: np.ndarray) -> np.ndarray:
    """`total` whole pupils shared in proportion to `weights` (not all zero): each gets the
    floor of its quota, and the pupils left over go one each to the largest remainders
    (ties to the lower index)."""
    quota = total * weights / weights.sum()
    count = np.floor(quota).astype(np.int64)
    short = total - int(count.sum())
    count[np.argsort(count - quota, kind="stable")[:short]] += 1
    return count


def nearest_schools(points_km: np.ndarray, school_km: np.ndarray, schools: np.ndarray,
                    k: int) -> np.ndarray:
    """The k nearest of `schools` (indices) to each point, nearest first, (n, k'); (n, 0)
    when there is no such school."""
    k = min(k, len(schools))
    if k == 0:
        return np.zeros((len(points_km), 0), np.int64)
    _, j = cKDTree(school_km[schools]).query(points_km, k=k)
    return schools[j.reshape(len(points_km), k)]


def places_of(region, headroom: float) -> Places:
    """The places of a region (`sim.geography.Region`): its schools, their entry places and
    intake shares, and its neighbourhoods."""
    share = region.secondary_pre16_share
    outside = {} if region.outside_secondary_km is None else {
        "outside_km": region.outside_secondary_km,
        "outside_share": region.outside_secondary_share}
    return Places(region.pos_km, region.phase,
                  entry_places(region.pupils, region.phase, headroom, share),
                  region.disadvantaged_share, region.neighbourhood_pos_km,
                  region.neighbourhood_deprivation,
                  year_group_size(region.pupils, region.phase, share), **outside)
