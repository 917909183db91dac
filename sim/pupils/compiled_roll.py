"""The per-pupil passes over a large roll, compiled (numba, the `fast` extra): each pupil's
progress, the sums per school and group behind the results and the school state, a week's
learning loss and its recovery, the ranks behind the gap index, new pupils' homes, and the
schools movers go to.

Each kernel gives what its numpy form gives, to the bit: the same single-precision
operations on each pupil in the same order (no fused multiply-add: numba compiles without
fast-math), and sums per school or cell accumulated pupil by pupil in roll order, as
`np.bincount` accumulates them. numpy makes several passes over the roll's arrays, with a
temporary array of every pupil for each step; a kernel makes one, so on England's 8 million
pupils it takes a fraction of the time. `sim.pupils.roll.compiled_kernels` hands them out for
rolls of `COMPILED_ROLL` pupils or more (England, where numba is loaded for the transition
at 11 anyway: `sim.pupils.compiled_acceptance`); every other roll runs the numpy forms.
They release the GIL, so the year end's other threads run beside them.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def school_sums(school, values, n_schools):
    """Pupils and the sum of `values` per school: `np.bincount(school)` and
    `np.bincount(school, weights=values)` in one pass."""
    size = np.zeros(n_schools, np.int64)
    total = np.zeros(n_schools)
    for i in range(len(school)):
        size[school[i]] += 1
        total[school[i]] += np.float64(values[i])
    return size, total


@njit(cache=True, nogil=True)
def cell_sums(school, disadvantaged, values, n_schools):
    """Pupils and the sum of `values` per (school, group) cell, cell 2 school + group (1:
    disadvantaged), as `np.bincount` of the cells with and without weights."""
    size = np.zeros(2 * n_schools, np.int64)
    total = np.zeros(2 * n_schools)
    for i in range(len(school)):
        cell = 2 * np.int64(school[i]) + np.int64(disadvantaged[i])
        size[cell] += 1
        total[cell] += np.float64(values[i])
    return size, total


@njit(cache=True, nogil=True)
def add_progress(change, school, disadvantaged, persistent, shared, home_rate):
    """Onto each pupil's `change` (float32, in place): the shared term of their (school,
    group) cell, then their persistent component times the phase's home rate
    (`sim.pupils.progress.progress`)."""
    for i in range(len(change)):
        mine = change[i] + shared[2 * np.int64(school[i]) + np.int64(disadvantaged[i])]
        change[i] = mine + persistent[i] * home_rate


@njit(cache=True, nogil=True)
def lose(disadvantaged, attainment, loss, months):
    """Each pupil's loss of the week, `months[1]` if disadvantaged else `months[0]`
    (float32), taken off attainment and added to the loss not yet made up (in place:
    `sim.pupils.progress.learning_loss` of `months_lost`, without its array of every
    pupil)."""
    other, disadvantaged_months = months[0], months[1]
    for i in range(len(attainment)):
        lost = disadvantaged_months if disadvantaged[i] else other
        attainment[i] -= lost
        loss[i] += lost


@njit(cache=True, nogil=True)
def recover(school, disadvantaged, attainment, loss, share):
    """Each pupil makes up `share` of their cell's outstanding loss (in place:
    `sim.pupils.progress.recover`)."""
    for i in range(len(school)):
        back = share[2 * np.int64(school[i]) + np.int64(disadvantaged[i])] * loss[i]
        attainment[i] += back
        loss[i] -= back


@njit(cache=True, nogil=True)
def sorted_values(values):
    """`values` (float32, no NaN) in ascending order: a radix sort of their bits, three
    passes of 11 (np.sort's comparison sort takes several times longer); -0.0 before 0.0,
    which compare equal."""
    n = len(values)
    keys = np.empty(n, np.uint32)
    bits = values.view(np.uint32)
    sign = np.uint32(0x80000000)
    for i in range(n):        # order-preserving: negatives flipped, positives' sign set
        keys[i] = ~bits[i] if bits[i] & sign else bits[i] | sign
    spare = np.empty(n, np.uint32)
    count = np.empty(2048, np.int64)
    for shift in (0, 11, 22):
        count[:] = 0
        for i in range(n):
            count[(keys[i] >> shift) & 2047] += 1
        start = 0
        for digit in range(2048):
            start, count[digit] = start + count[digit], start
        for i in range(n):
            digit = (keys[i] >> shift) & 2047
            spare[count[digit]] = keys[i]
            count[digit] += 1
        keys, spare = spare, keys
    for i in range(n):
        keys[i] = keys[i] & ~sign if keys[i] & sign else ~keys[i]
    return keys.view(np.float32)


@njit(cache=True, nogil=True)
def below_and_tied(queries, values):
    """For ascending `queries` and `values`: the values below each query and those equal to
    it, each summed over the queries (`np.searchsorted` left and right, in one merge)."""
    below, tied, j = 0, 0, 0
    for q in queries:
        while j < len(values) and values[j] < q:
            j += 1
        below += j
        k = j
        while k < len(values) and values[k] == q:
            k += 1
        tied += k - j
    return below, tied


@njit(cache=True, nogil=True)
def home_neighbourhoods(cumulative, within, disadvantaged, draw, neighbourhoods):
    """Each new pupil's home: the first of their school's neighbourhoods whose cumulative
    weight (row 2 school + group of `cumulative`) reaches `draw` times the row's total,
    counted over the row as `sim.pupils.intake._home_neighbourhoods` counts it."""
    k = cumulative.shape[1]
    home = np.empty(len(within), neighbourhoods.dtype)
    for i in range(len(within)):
        row = 2 * within[i] + np.int64(disadvantaged[i])
        scaled = draw[i] * cumulative[row, k - 1]
        below = 0
        for column in range(k - 1):
            below += cumulative[row, column] < scaled
        home[i] = neighbourhoods[within[i], below]
    return home


@njit(cache=True, nogil=True)
def by_group(disadvantaged, values):
    """`values` of the disadvantaged pupils and of the others, each in roll order (what
    `values[disadvantaged]` and `values[~disadvantaged]` give), in one pass without
    branches: each value is written to both and kept by the one of its group."""
    n_dis = np.count_nonzero(disadvantaged)
    of_dis = np.empty(n_dis + 1, values.dtype)
    of_oth = np.empty(len(values) - n_dis + 1, values.dtype)
    d = o = 0
    for i in range(len(values)):
        of_dis[d] = values[i]
        of_oth[o] = values[i]
        d += np.int64(disadvantaged[i])
        o += 1 - np.int64(disadvantaged[i])
    return of_dis[:n_dis], of_oth[:len(values) - n_dis]


@njit(cache=True, nogil=True)
def elsewhere(options, home, school, mover, pick):
    """The school each of `mover` (roll positions) moves to: of their home neighbourhood's
    row of `options`, the column drawn by `pick` among those other than their own school (or
    than the last, if their school is not in the row), as `sim.pupils.mobility._elsewhere`
    picks it from the gathered rows (no (movers, k) tables)."""
    k = options.shape[1]
    out = np.empty(len(mover), options.dtype)
    for m in range(len(mover)):
        row, own = home[mover[m]], school[mover[m]]
        drop = k - 1
        for j in range(k):
            if options[row, j] == own:
                drop = j
                break
        column = np.int64(pick[m] * (k - 1))
        if column >= drop:
            column += 1
        out[m] = options[row, column]
    return out
