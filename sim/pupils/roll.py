"""Every pupil on roll, as a struct of numpy arrays (one entry per pupil).

England has about 7.5 million pupils from Reception to Year 11, far too many for one Python
object each; the pupil submodels (`sim.pupils.intake`, `.progress`, `.transition`,
`.mobility`, `.results`) are vectorised functions over these arrays.

Attainment is in months against the national expectation for the pupil's age: 0 is a pupil
exactly where the national expectation puts a child of that age at the start of the
simulation, -6 is six months behind. The persistent component is the pupil's standing at
school entry (home background and individual), which keeps shaping their progress. The loss
is learning lost in a school closure and not yet made up (already counted in attainment).

The roll is kept in order of entry (`sim.pupils.year_end`): the oldest year group first,
so each year group is one run of the arrays (`cohort`) and the kernels take slices, not masks.
"""

from __future__ import annotations

import bisect
import functools
import operator
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

RECEPTION, LAST_PRIMARY_YEAR, FIRST_SECONDARY_YEAR, LAST_YEAR = 0, 6, 7, 11
YEAR_GROUPS = LAST_YEAR + 1
# The year groups of each phase (first, last): primaries teach Reception to Year 6.
PHASE_YEARS = ((RECEPTION, LAST_PRIMARY_YEAR), (FIRST_SECONDARY_YEAR, LAST_YEAR))
NO_SCHOOL = -1
# From this many pupils on roll the per-pupil passes of the year end run compiled where numba
# is installed (`sim.pupils.compiled_roll`): England's 8 million, whose transition at 11 loads
# numba anyway; importing it and loading its cached code costs ~0.4 s a process, more than
# the kernels save on GM's 530,000 pupils (a few ms a year end).
COMPILED_ROLL = 2_000_000


def compiled_kernels(n_pupils: int):
    """`sim.pupils.compiled_roll` for a roll of `n_pupils` (None below `COMPILED_ROLL` or
    without numba: then the numpy forms give the same numbers)."""
    return _compiled_roll() if n_pupils >= COMPILED_ROLL else None


@functools.cache
def _compiled_roll():
    try:
        from sim.pupils import compiled_roll
    except ImportError:
        return None
    return compiled_roll


@dataclass
class Pupils:
    school: np.ndarray          # int32, index of the school on roll (NO_SCHOOL: none)
    year: np.ndarray            # int8, year group: 0 = Reception ... 11 = Year 11
    disadvantaged: np.ndarray   # bool, eligible for free school meals
    home: np.ndarray            # int32, home neighbourhood
    home_km: np.ndarray         # (n, 2) float32, home location in km
    attainment: np.ndarray      # float32, months vs the national expectation for age
    persistent: np.ndarray      # float32, months at school entry (home and individual)
    loss: np.ndarray            # float32, months of learning lost (a pandemic) not yet made up

    def __len__(self) -> int:
        return len(self.school)

    @classmethod
    def empty(cls) -> Pupils:
        return cls(np.zeros(0, np.int32), np.zeros(0, np.int8), np.zeros(0, bool),
                   np.zeros(0, np.int32), np.zeros((0, 2), np.float32), np.zeros(0, np.float32),
                   np.zeros(0, np.float32), np.zeros(0, np.float32))

    def take(self, index) -> Pupils:
        """The pupils selected by a boolean mask or an index array (copies)."""
        return Pupils(*(getattr(self, f.name)[index] for f in fields(self)))

    def cohort(self, first: int, last: int | None = None) -> slice:
        """Where year groups `first` to `last` (inclusive; default `first` alone) sit on
        roll: one run, the roll being in order of entry (year groups descending)."""
        last = first if last is None else last
        # Binary search through a memoryview: microseconds, where np.searchsorted would
        # first copy the reversed array.
        years = memoryview(self.year)
        return slice(bisect.bisect_left(years, -last, key=operator.neg),
                     bisect.bisect_right(years, -first, key=operator.neg))

    def head(self, n: int) -> Pupils:
        """The first `n` pupils on roll, as views: changes made to them change the roll."""
        return Pupils(*(getattr(self, f.name)[:n] for f in fields(self)))

    def counts(self, n_schools: int, mask=None) -> tuple[np.ndarray, np.ndarray]:
        """Disadvantaged and other pupils on roll at each school (optionally of a subset)."""
        school, dis = (self.school, self.disadvantaged) if mask is None else \
            (self.school[mask], self.disadvantaged[mask])
        return (np.bincount(school[dis], minlength=n_schools),
                np.bincount(school[~dis], minlength=n_schools))

    def frame(self) -> pd.DataFrame:
        """A read-only table view (one row per pupil) for teaching and analysis."""
        return pd.DataFrame({
            "school": self.school, "year_group": self.year,
            "disadvantaged": self.disadvantaged, "home_neighbourhood": self.home,
            "home_x_km": self.home_km[:, 0], "home_y_km": self.home_km[:, 1],
            "attainment_months": self.attainment, "persistent_months": self.persistent,
            "loss_months": self.loss,
        }, copy=True)
