"""The roll kept in arrays with room at both ends, so that a year end changes it in place.

A year end (`sim.pupils.year_end`) drops the leavers, a prefix of the roll (it is kept in
order of entry, `sim.pupils.roll`), inserts the Year 7 arriving from outside behind the
region's own Year 7 and appends the Reception cohort. Building a new roll for that copies
every pupil's fields into fresh memory each year (England: about 8 million pupils, 250 MB).
Here the leavers' room is reused: the older years move forward by the number of arrivals
(England: about 60,000 a year) and the intake is written into room kept at the tail. When an
end has too little room, the roll moves within its arrays, or to larger ones, leaving room
for `SPARE_YEARS` more years' arrivals at the head and intakes at the tail: every few years,
not every year. The set-up's spin-up, when the roll grows from nothing, starts with room for
all it admits (`RollBuffer.empty`). Rows move over themselves in blocks (`_move`), not
through a copy of them all.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from sim.pupils.roll import Pupils

SPARE_YEARS = 3
# A move by fewer rows than 1/MAX_BLOCKS of the rows moved is left to numpy (`_move`).
MAX_BLOCKS = 256


class RollBuffer:
    """The pupils on roll (`pupils`), in arrays that may hold room before and after them."""

    def __init__(self, pupils: Pupils):
        self._store, self._start, self._stop = pupils, 0, len(pupils)

    @classmethod
    def empty(cls, front: int, tail: int) -> RollBuffer:
        """No pupil on roll yet, with room for `front` arrivals at the head and `tail`
        intakes at the tail (a roll that will grow to a known size: no new arrays or moves
        until then)."""
        none = Pupils.empty()
        roll = cls(Pupils(*(_room_for(getattr(none, f.name), front, front + tail)
                            for f in fields(Pupils))))
        roll._start = roll._stop = front
        return roll

    @property
    def pupils(self) -> Pupils:
        """The pupils on roll, as views: changes made to them change the roll, and the next
        `drop` or `admit` changes what earlier views show."""
        return self._store.take(slice(self._start, self._stop))

    def drop(self, n: int) -> None:
        """The first `n` pupils on roll leave."""
        self._start += n

    def leave(self, rows: np.ndarray) -> None:
        """The pupils at positions `rows` on roll (ascending) leave; those ahead of the last
        of them move back to close the gaps, in their order (a few Year 6 leaving the region
        at 11: `sim.pupils.year_end`)."""
        last = int(rows[-1]) + 1
        kept = self._start + np.delete(np.arange(last), rows)
        start = self._start + len(rows)
        for name in (f.name for f in fields(Pupils)):
            array = getattr(self._store, name)
            array[start:self._start + last] = array[kept]      # a gather: a copy first
        self._start = start

    def admit(self, arrivals: Pupils, before: int, intake: Pupils) -> None:
        """`arrivals` join in front of the pupil now `before`-th on roll (the pupils ahead of
        them move forward), `intake` joins at the tail."""
        if self._start < len(arrivals) or len(self._store) - self._stop < len(intake):
            self._make_room(len(arrivals), len(intake))
        start = self._start - len(arrivals)
        for name in (f.name for f in fields(Pupils)):
            array = getattr(self._store, name)
            _move(array, start, self._start, before)
            array[start + before:self._start + before] = getattr(arrivals, name)
            array[self._stop:self._stop + len(intake)] = getattr(intake, name)
        self._start, self._stop = start, self._stop + len(intake)

    def _make_room(self, front: int, tail: int) -> None:
        """Free places before the roll for `front` arrivals and after it for `tail` intakes,
        this year's and `SPARE_YEARS` more: the roll moves within its arrays if they are large
        enough, else to new arrays."""
        n, start = self._stop - self._start, front * (1 + SPARE_YEARS)
        capacity = start + n + tail * (1 + SPARE_YEARS)
        if capacity <= len(self._store):
            for name in (f.name for f in fields(Pupils)):
                array = getattr(self._store, name)
                _move(array, start, self._start, n)
        else:
            old = self.pupils
            self._store = Pupils(*(_room_for(getattr(old, f.name), start, capacity)
                                   for f in fields(Pupils)))
        self._start, self._stop = start, start + n


def _room_for(array: np.ndarray, at: int, capacity: int) -> np.ndarray:
    """`array` copied to place `at` of a new array of `capacity` rows (the rest unset)."""
    out = np.empty((capacity, *array.shape[1:]), array.dtype)
    out[at:at + len(array)] = array
    return out


def _move(array: np.ndarray, to: int, start: int, n: int) -> None:
    """Rows `start` to `start + n` of `array` copied to `to` onward; the ranges may overlap.
    numpy copies an overlapping source whole into a temporary first (England: up to 8
    million rows, in fresh memory); here the rows go in blocks no longer than the distance
    moved, so no block overlaps its destination, taken from the end they move towards: a
    block overwrites only rows already moved."""
    step = abs(start - to)
    if step >= n or n > MAX_BLOCKS * step:     # apart, or blocks too small to be worth it
        array[to:to + n] = array[start:start + n]
        return
    blocks = range(0, n, step)
    for first in (blocks if to < start else reversed(blocks)):
        last = min(first + step, n)
        array[to + first:to + last] = array[start + first:start + last]
