"""Practices: the things schools know, hold and can share, and the expertise they give.

Sources: expertise "already exists inside schools" but "isn't moving around" (Ainscow et
al. 2015); practice is shared, adapted and passed on between schools ("moving knowledge
around", Ainscow 2012); implementation depth as the extent to which a practice is really
in use (fidelity of implementation, Durlak & DuPre 2008).

- A *catalogue* lists every practice: its domain and its effectiveness v >= 0 (what the
  practice, fully implemented, does for the domain). New practices join the catalogue when
  partners create them (`sim.diffusion`).
- Each school holds at most `slots` practices per domain, each with an implementation depth
  h in (0, 1]; an empty slot has practice -1 and depth 0. A school's expertise in a domain
  follows from what it holds:
      E_d = 1 - exp(-sum over held practices p of domain d of v_p * h_p)
  so a deeper or more effective practice, or one more practice, raises expertise, with
  diminishing returns; E stays in [0, 1).
- In-school work deepens every held practice and forgetting thins it, with the equation of
  `sim.improvement` applied to depth; a practice thinner than `drop_depth` is lost.
- Each slot also keeps its *generation*: 0 where the school created the practice (or held
  it from the start), the source's generation + 1 where it came from another school, so
  the steps a practice has travelled along the chain of schools are known.
- A practice taken up from a partner is *embedding* for `embedding_years`: until then it
  is not yet the school's own, and in a term in which the school meets no partner it is
  dropped with probability 1 - exp(-unsupported_lapse_rate * dt) (`lapse_unembedded`).
  Sources: full implementation of an adopted practice takes two to four years (Fixsen,
  Naoom, Blase, Friedman & Wallace 2005, Implementation Research: A Synthesis of the
  Literature); initially successful innovations often fail to become part of the host
  organisation's routines once initial implementation ends (Wiltsey Stirman et al. 2012,
  Implementation Science 7:17, a review of 125 studies of sustainability); without follow-up coaching little training reaches
  classroom practice (Joyce & Showers 2002); system leaders' short-term gains "are not
  always sustained" (seed 001). The rate is set from one measurement: of the tracked sites
  that started a newly adopted programme, 37.1 % still delivered it two years after start-up
  (Wong et al. 2022, Implementation Science Communications, "Rates of sustainment in the
  Universal Stages of Implementation Completion"), so -ln(0.371) / 2 = 0.50 a year over the
  two years that measure speaks of. Those were health and social-care programmes, not
  schools, and their sites' support after start-up is not known: applying it to schools'
  practices without a partner is an assumption. Practices a school created, held from the
  start, or received with a member of staff who used it are its own from the start (the
  carrier's leaving is `sim.staff_moves`' turnover).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calendar import WEEKS_PER_YEAR
from sim.component import param
from sim.distributions import gamma_with_mean
from sim.improvement import improve_and_forget
from sim.rowsum import row_sum

INITIAL = -1   # origin of the practices in the starting catalogue (no school created them)


@dataclass
class PracticeConfig:
    """The catalogue and the holdings (`sim.practices`)."""

    # Practices per domain in the starting catalogue (several practices, with different
    # effects, for each of teaching, inclusion, leadership and curriculum).
    catalogue_per_domain: int = param(8, min=1, max=200, why="at least one practice a domain",
                                      unit="practices", label="Starting practices per domain")
    effectiveness_mean: float = param(0.35, min=0.001, max=10,
                                      why="a positive effect on expertise", unit="v",
                                      label="Mean effectiveness of a practice")
    effectiveness_sd: float = param(0.15, min=0, max=10, why="a spread of effectiveness",
                                    unit="v", label="Spread of effectiveness")
    # Chance that a school holds each catalogue practice at the start (at least one per domain).
    initial_hold_share: float = param(0.5, min=0, max=1, why="a share", unit="share",
                                      label="Share of practices held at the start")
    # Practices a school can keep in use per domain.
    slots: int = param(6, min=1, max=50, why="at least one practice in use a domain",
                       unit="practices", label="Practices in use per domain")
    # A practice thinner than this is no longer in use and is lost.
    drop_depth: float = param(0.05, min=0, max=1, why="a depth", unit="0-1",
                              label="Depth below which a practice is lost")
    embedding_years: float = param(
        2.0, min=0, max=4,
        why="full implementation takes 2-4 years (Fixsen et al. 2005); 2 is the horizon of "
            "the sustainment rate below (Wong et al. 2022)", unit="years",
        label="Years to embed a practice taken up from a partner",
        help="Until then the practice is not the school's own and may lapse in a term "
             "without a partner.")
    unsupported_lapse_rate: float = param(
        0.5, min=0, max=2,
        why="37.1 % of sites still delivered a newly adopted programme 2 years after "
            "start-up (Wong et al. 2022): -ln(0.371)/2 = 0.50; applying it to schools is "
            "an assumption", unit="per year",
        label="Lapse rate of an embedding practice without a partner",
        help="Hazard of dropping a practice taken up from a partner, while it embeds, in "
             "terms the school meets no partner.")


class Catalogue:
    """Every practice: `domain`, `effectiveness` v >= 0, `origin` (the school that created
    it, INITIAL for the starting set), `partner` (the school it was created with) and
    `created_week` (0 for the starting set), as arrays of length `size`.

    Storage grows by doubling, so adding a practice costs O(1) on average."""

    FIELDS = ("domain", "effectiveness", "origin", "partner", "created_week")

    def __init__(self, domain, effectiveness, origin, partner, created_week):
        columns = [np.asarray(domain, np.int64), np.asarray(effectiveness, float),
                   np.asarray(origin, np.int64), np.asarray(partner, np.int64),
                   np.asarray(created_week, np.int64)]
        self.size = len(columns[0])
        self._store = {name: np.resize(col, max(2 * self.size, 8))
                       for name, col in zip(self.FIELDS, columns)}

    @property
    def domain(self) -> np.ndarray:
        return self._store["domain"][:self.size]

    @property
    def effectiveness(self) -> np.ndarray:
        return self._store["effectiveness"][:self.size]

    @property
    def origin(self) -> np.ndarray:
        return self._store["origin"][:self.size]

    @property
    def partner(self) -> np.ndarray:
        return self._store["partner"][:self.size]

    @property
    def created_week(self) -> np.ndarray:
        return self._store["created_week"][:self.size]

    def add(self, domain: int, effectiveness: float, origin: int, partner: int,
            week: int) -> int:
        """Append one practice; returns its id."""
        if self.size == len(self._store["domain"]):
            self._store = {k: np.resize(v, 2 * len(v)) for k, v in self._store.items()}
        for name, value in zip(self.FIELDS, (domain, effectiveness, origin, partner, week)):
            self._store[name][self.size] = value
        self.size += 1
        return self.size - 1

    def add_many(self, domain, effectiveness, origin, partner, week: int) -> np.ndarray:
        """Append practices (arrays of equal length); returns their ids."""
        m = len(domain)
        while self.size + m > len(self._store["domain"]):
            self._store = {k: np.resize(v, 2 * len(v)) for k, v in self._store.items()}
        added = slice(self.size, self.size + m)
        for name, values in zip(self.FIELDS, (domain, effectiveness, origin, partner, week)):
            self._store[name][added] = values
        self.size += m
        return np.arange(added.start, added.stop)


@dataclass
class Holdings:
    practice: np.ndarray     # (n, domains, slots) practice id, -1 empty
    depth: np.ndarray        # (n, domains, slots) in [0, 1], 0 where empty
    generation: np.ndarray   # (n, domains, slots) steps travelled from the origin
    # Effectiveness of the practice in each slot (0 where empty), kept beside the ids so
    # the weekly kernels need no catalogue look-up; written only by `place` and `clear`.
    effect: np.ndarray
    # Week from which each practice is the school's own (0: its own from the start; see
    # `lapse_unembedded`). Not given: every practice is the school's own.
    embedded_week: np.ndarray | None = None

    def __post_init__(self):
        if self.embedded_week is None:
            self.embedded_week = np.zeros(self.practice.shape, np.int64)

    @property
    def held(self) -> np.ndarray:
        return self.practice >= 0

    def potency(self) -> np.ndarray:
        """v_p * h_p of every slot (0 where empty)."""
        return self.effect * self.depth


def initial_catalogue(n_domains: int, cfg, rng) -> Catalogue:
    """`catalogue_per_domain` practices in each domain with gamma-distributed effectiveness."""
    k = cfg.catalogue_per_domain
    domain = np.repeat(np.arange(n_domains), k)
    effectiveness = gamma_with_mean(rng, np.full(len(domain), cfg.effectiveness_mean),
                                    cfg.effectiveness_sd)
    none = np.full(len(domain), INITIAL)
    return Catalogue(domain, effectiveness, none, none.copy(), np.zeros(len(domain), np.int64))


def expertise(holdings: Holdings) -> np.ndarray:
    """E_d = 1 - exp(-sum v h) per school and domain."""
    return -np.expm1(-holdings.potency().sum(axis=2))


# Float64 holds no expertise between 1 - 2**-53 and 1: 1 - exp(-s) rounds to exactly 1.0 for
# every strength s above about 37. An expertise of 1.0 is read as that largest one below 1.
LARGEST_EXPERTISE = np.nextafter(1.0, 0.0)


def strength(expertise: np.ndarray) -> np.ndarray:
    """-log(1 - E): the sum v h that gives expertise E. Finite everywhere: E = 1.0 (a rounded
    expertise, see `LARGEST_EXPERTISE`) has the strength 53 ln 2 = 36.7 that gives back the
    largest expertise below 1."""
    return -np.log1p(-np.minimum(expertise, LARGEST_EXPERTISE))


def initial_holdings(target: np.ndarray, catalogue: Catalogue, cfg, rng) -> Holdings:
    """Holdings whose expertise matches `target` (n, domains) where the catalogue allows.

    Each school takes the catalogue practices of a domain in a random order and holds the
    first ones: each with probability `initial_hold_share` (at least one), and more, in the
    same order, until full depth could reach the target (at most `slots`). Depths are
    u * c with u ~ U(0.2, 1) per practice and c fitted by bisection so that E_d = target_d.
    Depths stay at most 1, so where even `slots` practices at full depth cannot give the
    target, the school starts as high as its practices go (lower than drawn); practices
    fitted thinner than `drop_depth` are not held. Draws three uniforms per (school,
    catalogue practice)."""
    n, n_domains = target.shape
    k, slots = cfg.catalogue_per_domain, cfg.slots
    priority = rng.random((n, n_domains, k))
    chosen = rng.random((n, n_domains, k)) < cfg.initial_hold_share
    depth_draw = rng.uniform(0.2, 1.0, (n, n_domains, k))
    order = np.argsort(priority, axis=2)
    ids = np.take_along_axis(np.broadcast_to(np.arange(n_domains * k).reshape(1, n_domains, k),
                                             (n, n_domains, k)), order, axis=2)
    chosen = np.take_along_axis(chosen, order, axis=2)
    u = np.take_along_axis(depth_draw, order, axis=2)
    v = catalogue.effectiveness[ids]
    need = strength(target)                                            # sum v h wanted
    enough_at = np.argmax(np.cumsum(v, axis=2) >= need[..., None], axis=2)
    reachable = np.cumsum(v, axis=2)[..., -1] >= need
    count = np.maximum(chosen.sum(axis=2), np.where(reachable, enough_at + 1, k))
    count = np.clip(count, 1, min(k, slots))
    held = np.arange(k)[None, None, :] < count[..., None]
    hi = _fitted_scale(np.where(held, v, 0.0), u, need)
    width = max(k, slots)
    practice = np.full((n, n_domains, width), -1, np.int64)
    depth = np.zeros((n, n_domains, width))
    practice[..., :k] = np.where(held, ids, -1)
    depth[..., :k] = np.where(held, np.minimum(1.0, hi[..., None] * u), 0.0)
    # Held practices first; the rest of the row is free slots.
    practice = practice[..., :slots]
    effect = np.where(practice >= 0, catalogue.effectiveness[np.maximum(practice, 0)], 0.0)
    # Contiguous arrays (not views of the wider work arrays): the kernels gather rows.
    holdings = Holdings(np.ascontiguousarray(practice), np.ascontiguousarray(depth[..., :slots]),
                        np.zeros((n, n_domains, slots), np.int64), effect)
    # A practice too thin to be in use is not held (`drop_depth`), as in the dynamics.
    clear(holdings, holdings.held & (holdings.depth < cfg.drop_depth))
    return holdings


def _fitted_scale(potential: np.ndarray, u: np.ndarray, need: np.ndarray) -> np.ndarray:
    """The c at which sum over p of potential_p min(1, c u_p) reaches `need`, for each (school,
    domain), by bisection on [0, 1 / 0.2] (u >= 0.2: every depth is full at the top; the sum
    rises with c): the upper end after 40 halvings. The practices are laid out one row of
    (school, domain) cells each, so each step is a few whole-array operations and a
    `row_sum` over the transposed view (summing a short last axis costs a call per cell)."""
    k = u.shape[-1]
    pot = np.ascontiguousarray(potential.reshape(-1, k).T)
    u_by_practice = np.ascontiguousarray(u.reshape(-1, k).T)
    term = np.empty_like(u_by_practice)
    need = need.ravel()
    lo, hi = np.zeros(len(need)), np.full(len(need), 1.0 / 0.2)
    for _ in range(40):
        c = (lo + hi) / 2
        np.multiply(c, u_by_practice, out=term)
        np.minimum(term, 1.0, out=term)
        term *= pot
        low = row_sum(term.T) < need
        lo, hi = np.where(low, c, lo), np.where(low, hi, c)
    return hi.reshape(potential.shape[:-1])


def deepen_and_forget(holdings: Holdings, resource, disadvantaged_share, improvement_cfg,
                      drop_depth: float, dt_years: float) -> np.ndarray:
    """In-school work and forgetting on the depth of every held practice; drops the thin.

    Returns a (n, domains, slots) mask of the practices lost."""
    n, n_domains, slots = holdings.depth.shape
    flat = holdings.depth.reshape(n, n_domains * slots)
    new = improve_and_forget(flat, resource, disadvantaged_share, improvement_cfg, dt_years)
    held = holdings.held
    holdings.depth[:] = np.where(held, new.reshape(holdings.depth.shape), 0.0)
    lost = held & (holdings.depth < drop_depth)
    clear(holdings, lost)
    return lost


def embedding_end(week: int, embedding_years: float) -> int:
    """The week a practice taken up from a partner in `week` becomes the school's own."""
    return week + round(embedding_years * WEEKS_PER_YEAR)


def lapse_unembedded(holdings: Holdings, week: int, met_partner: np.ndarray, rate: float,
                     dt_years: float, rng) -> np.ndarray:
    """A term's lapse of practices still embedding at schools that met no partner.

    Each such practice is dropped with probability 1 - exp(-rate * dt_years). Draws one
    uniform per practice at risk, in (school, domain, slot) order. Returns the (n, domains,
    slots) mask of the practices dropped."""
    at_risk = holdings.held & (holdings.embedded_week > week) & ~met_partner[:, None, None]
    flat = np.flatnonzero(at_risk)
    dropped = flat[rng.random(len(flat)) < -np.expm1(-rate * dt_years)]
    lost = np.zeros(holdings.depth.shape, bool)
    lost.flat[dropped] = True
    clear(holdings, lost)
    return lost


def clear(holdings: Holdings, mask: np.ndarray) -> None:
    """Empty the masked slots."""
    holdings.practice[mask] = -1
    holdings.depth[mask] = 0.0
    holdings.generation[mask] = 0
    holdings.effect[mask] = 0.0
    holdings.embedded_week[mask] = 0


def place(holdings: Holdings, catalogue: Catalogue, school: np.ndarray,
          practice: np.ndarray, depth: np.ndarray, generation: np.ndarray,
          embedded_week: int = 0) -> np.ndarray:
    """Put practices into schools (each school at most once per call); True where placed.

    A school already holding the practice keeps the deeper of the two depths (generation
    from whichever is kept; whether it is embedded, from the holding it had). Otherwise the
    practice takes an empty slot of its domain, or replaces the slot giving least (v h) if
    it gives more, embedded from `embedded_week`; else it is not taken up."""
    if len(school) > 1:
        ordered = np.sort(school)
        if (ordered[1:] == ordered[:-1]).any():
            raise ValueError("place() takes each school at most once per call")
    d = catalogue.domain[practice]
    n_domains, slots = holdings.practice.shape[1:]
    cell = school * n_domains + d                               # (school, domain) row

    def slots_of(array):   # (m, slots): one gather by row (fancy 2-d indexing is slower)
        return array.reshape(-1, slots).take(cell, axis=0)

    rows = slots_of(holdings.practice)
    current = slots_of(holdings.effect) * slots_of(holdings.depth)   # v h, 0 where empty
    same = rows == practice[:, None]
    has = same.any(axis=1)
    # Empty slots give 0 and are chosen first (argmin); ties go to the first slot.
    weakest = np.where(rows >= 0, current, -1.0).argmin(axis=1)
    slot = np.where(has, same.argmax(axis=1), weakest)
    # Flat positions in the (n, domains, slots) arrays: 1-d gathers and one scatter per array.
    flat = cell * slots + slot
    held_depth = holdings.depth.take(flat)
    v = catalogue.effectiveness
    gives = v[practice] * depth
    placed = np.where(has, depth > held_depth, gives > holdings.effect.take(flat) * held_depth)
    at = flat.compress(placed)
    practice = practice.compress(placed)
    holdings.practice.put(at, practice)
    holdings.depth.put(at, depth.compress(placed))
    holdings.generation.put(at, generation.compress(placed))
    holdings.effect.put(at, v.take(practice))
    holdings.embedded_week.put(flat.compress(placed & ~has), embedded_week)
    return placed
