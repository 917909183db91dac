"""Pupils' progress in one school year, in months against the national expectation.

Each year a pupil makes the national expectation (12 months) plus four contributions, so their
attainment against the expectation for their age changes by

    delta_i = VA_{s,g} + home_p * theta_i + peers_p * (A_{s,y} - A_y) + noise_i

- school value added for the pupil's group g at school s in phase p, per year:
      VA_{s,g} = M_p * w_g . (E_s - reference) + u_s / years_p
  E_s the school's expertise by domain, u_s its persistent school effect (months over a
  phase). Inclusion weighs more for disadvantaged pupils (Ainscow, think piece 4), and the
  school matters more to them: their weights sum to more than the others' (the Sutton Trust,
  *Improving the impact of teachers on pupil achievement in the UK*, 2011: with very
  effective rather than poor teachers disadvantaged pupils gain a whole year's more learning
  a year). So an even rise of every domain narrows the gap by M_p * rise * (sum w_dis - sum
  w_oth); schools below the reference widen it. M_p spreads the phase-level effect of the
  former level model (14 months primary, 22 secondary per unit expertise) over the phase's
  7 and 5 years.
- home background: the pupil's persistent component theta_i (their standing at entry, home
  and individual) keeps acting at `home_p` months per month of theta per year: a home that
  put a child behind before school keeps doing so, less so once at school (home learning
  environment: EPPSE 3-16, Sylva et al. 2014).
- peer composition: the mean attainment A_{s,y} of the pupil's year group at their school
  against the region's A_y, at `peers_p` per year (peer effects of about 0.05 of a standard
  deviation per standard deviation of peers' prior attainment a year: Burke & Sass 2013).
- individual noise: Normal(0, noise_sd_months).

No parameter is the gap: it grows from the entry gap by what these rates do to the groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.component import param
from sim.pupils.places import YEARS_IN_PHASE
from sim.pupils.roll import LAST_PRIMARY_YEAR, YEAR_GROUPS, Pupils, compiled_kernels


@dataclass
class ProgressParams:
    """A year's progress (`sim.pupils.progress`)."""

    months_per_expertise_primary: float = param(
        2.0, min=0, max=24, why="at most two years' extra progress a year", unit="months/year",
        label="Value added per unit expertise, primary")
    months_per_expertise_secondary: float = param(
        4.4, min=0, max=24, why="at most two years' extra progress a year", unit="months/year",
        label="Value added per unit expertise, secondary")
    weights_disadvantaged: list[float] = param(
        [0.3, 0.5, 0.2, 0.25], min=0, max=2, why="a domain's weight", unit="1",
        label="Domain weights, disadvantaged pupils",
        help="One per domain; they sum to more than the others' (school matters more).")
    weights_other: list[float] = param(
        [0.4, 0.1, 0.2, 0.3], min=0, max=2, why="a domain's weight", unit="1",
        label="Domain weights, other pupils")
    reference_expertise: float = param(
        0.5, min=0, max=1, why="expertise is a share", unit="1",
        label="Expertise adding nothing beyond the national expectation")
    # Both home rates are a FIT, not evidence: chosen so that under scheme=none the KS2 and
    # KS4 gaps land in the EPI bands (9-10 and 18-19 months) from the 4.6-month entry gap.
    # The gaps are the targets, so these rates are not independent of them. Searched for an
    # independent figure (issue 11): the gap's growth outside school is not measured in
    # months a year for England. Summer learning loss by family income is contested in US
    # data (Atteberry & McEachin 2020 find summers widen disparities, with very variable
    # losses; the studies a 2022 BMC Public Health paper reviews find smaller, no or
    # conflicting socio-economic differences once tests are scaled comparably); the UK study
    # found (Shinwell & Defeyter 2017, 77 pupils in low-income areas) has no comparison
    # group; EPI / EEF give the gap's size by age (4.6, 10.1, 17.9 months, *Growing Apart*),
    # which are the targets. No rate to base these on yet: still a fit.
    home_primary: float = param(
        0.12, min=0, max=2, why="at most twice the pace of the years before school",
        unit="months/year per month", label="Home background, primary",
        help="Progress a year per month of the pupil's persistent component. A fit: chosen "
             "so the KS2 gap lands in the EPI band (9-10 months); no independent source yet.")
    home_secondary: float = param(
        0.38, min=0, max=2, why="at most twice the pace of the years before school",
        unit="months/year per month", label="Home background, secondary",
        help="A fit: chosen so the KS4 gap lands in the EPI band (18-19 months) and carries "
             "most of the gap's doubling; no independent source yet (issue 14).")
    peers_primary: float = param(
        0.05, min=0, max=1, why="a share of the peers' lead", unit="months/year per month",
        label="Peer effect, primary")
    peers_secondary: float = param(
        0.05, min=0, max=1, why="a share of the peers' lead", unit="months/year per month",
        label="Peer effect, secondary")
    noise_sd_months: float = param(
        3.0, min=0, max=24, why="at most two years", unit="months/year",
        label="Individual noise a year")

    def by_phase(self, name: str) -> np.ndarray:
        """A (primary, secondary) pair of one of the per-phase settings."""
        return np.array([getattr(self, f"{name}_primary"), getattr(self, f"{name}_secondary")])


def value_added(expertise: np.ndarray, phase: np.ndarray, school_effect: np.ndarray,
                params: ProgressParams) -> tuple[np.ndarray, np.ndarray]:
    """Months a year each school adds for its disadvantaged and its other pupils."""
    months = params.by_phase("months_per_expertise")[phase]
    common = school_effect / YEARS_IN_PHASE[phase]
    above = expertise - params.reference_expertise
    dis = months * (above @ np.asarray(params.weights_disadvantaged)) + common
    oth = months * (above @ np.asarray(params.weights_other)) + common
    return dis, oth


def school_deviation(school: np.ndarray, attainment: np.ndarray, n_schools: int,
                     compiled=None) -> np.ndarray:
    """For one year group (each pupil's school and attainment): each school's mean minus
    the year group's mean in the region (0 for a school without pupils in it). `compiled`:
    `sim.pupils.compiled_roll` (or None: numpy), the same sums."""
    if compiled is None:
        size = np.bincount(school, minlength=n_schools)
        total = np.bincount(school, weights=attainment, minlength=n_schools)
    else:
        size, total = compiled.school_sums(school, attainment, n_schools)
    year_mean = total.sum() / max(size.sum(), 1)
    return np.where(size > 0, total / np.maximum(size, 1) - year_mean, 0.0)


def progress(pupils: Pupils, school_phase: np.ndarray, va_dis: np.ndarray,
             va_oth: np.ndarray, params: ProgressParams, rng: np.random.Generator) -> np.ndarray:
    """Each pupil's change in attainment against the expectation over one school year
    (float32), for a roll in order of entry (`sim.pupils.roll`). Pure: returns the changes;
    the caller adds them. Always draws one uniform per pupil (`standard_normals`).

    One year group at a time (each is a run of the roll, so its arrays stay in the cache):
    value added and peers are computed per (school, group) cell, then gathered once per
    pupil by the cell's index; the home rate is the year group's phase's (Reception to
    Year 6 are at primaries, Years 7 to 11 at secondaries). A large roll runs the per-pupil
    passes compiled (`sim.pupils.roll.compiled_kernels`), to the same floats."""
    n_schools = len(school_phase)
    peer_rate = params.by_phase("peers")[school_phase]
    va = np.column_stack([va_oth, va_dis])                        # (schools, 2)
    home_rate = params.by_phase("home").astype(np.float32)
    change = standard_normals(len(pupils), rng)
    change *= np.float32(params.noise_sd_months)
    compiled = compiled_kernels(len(pupils))
    for year in range(YEAR_GROUPS):
        run = pupils.cohort(year)
        rate = home_rate[int(year > LAST_PRIMARY_YEAR)]
        if compiled is not None:
            school = pupils.school[run]
            peers = peer_rate * school_deviation(school, pupils.attainment[run], n_schools,
                                                 compiled)
            compiled.add_progress(change[run], school, pupils.disadvantaged[run],
                                  pupils.persistent[run],
                                  (peers[:, None] + va).astype(np.float32).ravel(), rate)
            continue
        cell = pupils.school[run].astype(np.int64)   # numpy's index type: no conversions
        peers = peer_rate * school_deviation(cell, pupils.attainment[run], n_schools)
        shared = (peers[:, None] + va).astype(np.float32).ravel()
        cell *= 2
        cell += pupils.disadvantaged[run]                         # (school, group)
        mine = change[run]
        mine += shared.take(cell)
        mine += pupils.persistent[run] * rate
    return change


def standard_normals(n: int, rng: np.random.Generator) -> np.ndarray:
    """n independent standard normal draws (float32), by the Box-Muller transform of n
    single-precision uniforms (n + 1 if n is odd): a pair (u, v) gives
    sqrt(-2 ln(1 - u)) (sin 2 pi v, cos 2 pi v). A third of the time of numpy's float32
    ziggurat for England's 8 million pupils a year (the transforms are vectorised, the
    ziggurat's rejections are not). The uniforms' 24 bits bound |z| by
    sqrt(48 ln 2) = 5.77: normals beyond that have probability 8e-9."""
    half = (n + 1) // 2
    draws = rng.random(2 * half, dtype=np.float32)
    radius, angle = draws[:half], draws[half:]
    np.subtract(np.float32(1.0), radius, out=radius)     # in (0, 1]: its log is finite
    np.log(radius, out=radius)
    radius *= np.float32(-2.0)
    np.sqrt(radius, out=radius)
    angle *= np.float32(2.0 * np.pi)
    sine = np.sin(angle)
    np.cos(angle, out=angle)
    angle *= radius                                      # the second half: r cos
    np.multiply(radius, sine, out=radius)                # the first: r sin
    return draws[:n]


def months_lost(pupils: Pupils, months_disadvantaged: float, months_other: float) -> np.ndarray:
    """Each pupil's loss of learning in a closure week, by group (float32)."""
    return np.array([months_other, months_disadvantaged], np.float32)[
        pupils.disadvantaged.view(np.uint8)]


def learning_loss(pupils: Pupils, lost: np.ndarray) -> None:
    """A loss of learning (`months_lost`) falls on the pupils on roll now and stays with
    them (in place)."""
    pupils.attainment -= lost
    pupils.loss += lost


def recover(pupils: Pupils, rate_by_school_group: np.ndarray, years: float) -> None:
    """Pupils make up part of their outstanding loss (in place): a share
    1 - exp(-k years) of it, k the rate of their school for their group (column 0 other,
    1 disadvantaged), from the shock's recovery rule (`sim.shocks`). The share is computed
    once per (school, group) and gathered per pupil, a block of the roll at a time (a large
    roll compiled, `sim.pupils.roll.compiled_kernels`: the same floats)."""
    share = (1.0 - np.exp(-rate_by_school_group * years)).astype(np.float32).ravel()
    compiled = compiled_kernels(len(pupils))
    if compiled is not None:
        compiled.recover(pupils.school, pupils.disadvantaged, pupils.attainment, pupils.loss,
                         share)
        return
    for block in blocks(len(pupils)):
        cell = pupils.school[block] * np.int32(2)
        cell += pupils.disadvantaged[block]
        back = share[cell]
        back *= pupils.loss[block]
        pupils.attainment[block] += back
        pupils.loss[block] -= back


BLOCK = 1 << 18


def blocks(n: int):
    """Slices of `BLOCK` pupils covering 0 .. n - 1. Kernels that work pupil by pupil (no
    sums) run over the roll in blocks whose temporaries stay in the cache: the same
    results, in less time (England's 8 million pupils: a term's recovery 35 -> 21 ms)."""
    return (slice(start, start + BLOCK) for start in range(0, n, BLOCK))
