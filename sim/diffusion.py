"""How practices move between schools: adoption, creation by partners, and the record of it.

Sources: absorptive capacity (Cohen & Levinthal 1990); cognitive distance as an inverted U
(Nooteboom 2000; Nooteboom et al. 2007): a partner too close has nothing new, one too far
cannot be understood; "learning from differences" — when hosts act only as teachers the
visitors "merely rehearse what they already knew", while mutual enquiry between different
schools generates new practice (Ainscow, think piece 4); adaptation loses fidelity when a
practice is copied rather than worked out together (Rogers 2003, re-invention).

**Adoption** (every meeting, every (learner, source) pair that both attended): the meeting
discusses one practice of the source's, drawn with weight v_p * h_source (what the source
does best shows most) among the practices it holds at depth at least `share_depth` in the
domains discussed. The learner takes it up with probability
    p = min(1, adoption_rate * A_learner * trust * time_learner * max(0, 1 - delta / max_distance))
(A absorptive capacity, delta the profile distance of the two schools' expertise, time the
learner's leadership time left relative to the mean, at most 1), at depth
    h_learner <- max(h_learner, fidelity * h_source)
with fidelity `mutual_fidelity` where both learn (adaptation) and `copy_fidelity` where a
host only shows (one-way); a learner already holding it as deeply gains nothing (the
visitors "rehearse what they already knew"). So the inverted U is the product of what is
new to learn (rarer the more alike the two schools' practices) and what can be understood.
A school takes up at most one practice per week (from its first successful pair in the
order given). Whatever a school adopts it can pass on: it becomes a source like any other, so a
practice can travel many steps.

**Creation** (mutual pairs that met): with probability
    min(1, creation_rate * trust * delta * max(0, 1 - delta / max_distance))
the partners work out a new practice in the domain where they differ most, with
effectiveness v_top + creation_step * (effectiveness_ceiling - v_top) (v_top the best
practice either holds in that domain), held by both at depth `creation_depth`.

Every take-up is logged (week, school, practice, source, generation, channel) for
`diffusion.parquet`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from sim.practices import Catalogue, Holdings, place


class Channel(IntEnum):
    """How a school came to hold a practice."""

    START = 0        # held at the start
    PARTNER = 1      # adopted from a partner
    CREATED = 2      # created with a partner
    STAFF_MOVE = 3   # brought by a member of staff who moved in


@dataclass
class DiffusionConfig:
    """Adoption and creation of practices between partners (`sim.diffusion`)."""

    adoption_rate: float = 0.6
    # A practice must be in use at least this deeply to be shown to others.
    share_depth: float = 0.2
    # Depth taken up relative to the source's: working it out together vs being shown.
    mutual_fidelity: float = 0.8
    copy_fidelity: float = 0.5
    # Chance per mutual meeting per unit trust * distance * understanding of a new practice.
    creation_rate: float = 0.1
    creation_step: float = 0.15
    effectiveness_ceiling: float = 1.5
    creation_depth: float = 0.3


@dataclass
class AdoptionLog:
    """Every take-up of a practice by a school, appended week by week."""

    chunks: list = field(default_factory=list)

    def record(self, week: int, school, practice, source, generation, channel: Channel):
        school = np.asarray(school, np.int64)
        self.chunks.append(np.column_stack([
            np.full(len(school), week), school, np.asarray(practice, np.int64),
            np.asarray(source, np.int64), np.asarray(generation, np.int64),
            np.full(len(school), int(channel))]))

    def table(self) -> np.ndarray:
        """(events, 6): week, school, practice, source, generation, channel."""
        return np.concatenate(self.chunks) if self.chunks else np.zeros((0, 6), np.int64)


def understood(distance: np.ndarray, max_distance: float) -> np.ndarray:
    """How much of a partner's practice can be understood, 1 at no distance, 0 at the max."""
    return np.maximum(0.0, 1 - distance / max_distance)


def shown_weights(holdings: Holdings, schools: np.ndarray, share_depth: float) -> np.ndarray:
    """(schools, domains * slots): weight v_p h_p of each school showing each of its slots
    (0 for empty slots and practices thinner than `share_depth`)."""
    depth = holdings.depth[schools]                 # empty slots have depth 0
    weight = np.where(depth >= share_depth, holdings.effect[schools] * depth, 0.0)
    return weight.reshape(len(schools), -1)


def pick(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Column drawn per row with probability proportional to its weight (-1: all zero).

    One cumulative sum over the flattened rows and a binary search per row."""
    m, k = weights.shape
    if k == 0:
        return np.full(m, -1)
    cum = np.cumsum(weights.ravel())
    end = cum[k - 1::k]
    total = np.diff(np.r_[0.0, end])
    start = end - total
    hit = np.searchsorted(cum, start + u * total, side="right")
    col = np.minimum(hit - np.arange(m) * k, k - 1)
    return np.where(total > 0, col, -1)


def adopt(holdings: Holdings, catalogue: Catalogue, learner, source, trust, absorptive,
          time, distance, fidelity, domain_weights, cfg, max_distance: float, rng):
    """One meeting's adoptions; returns (learner, practice, source, generation) taken up.

    Draws two uniforms per pair whatever the outcome (common random numbers)."""
    learner, source = np.asarray(learner), np.asarray(source)
    u_pick, u_take = rng.random(len(learner)), rng.random(len(learner))
    weights = shown_weights(holdings, source, cfg.share_depth)
    if domain_weights is not None:
        slots = holdings.practice.shape[2]
        weights = weights * np.repeat(np.asarray(domain_weights, float), slots, axis=1)
    col = pick(weights, u_pick)
    chance = np.minimum(1.0, cfg.adoption_rate * absorptive[learner] * trust
                        * np.minimum(time[learner], 1.0) * understood(distance, max_distance))
    take = np.flatnonzero((col >= 0) & (u_take < chance))
    _, first = np.unique(learner[take], return_index=True)   # one take-up per learner
    take = take[np.sort(first)]
    d, s = np.divmod(col[take], holdings.practice.shape[2])
    src = source[take]
    practice = holdings.practice[src, d, s]
    fidelity = np.asarray(fidelity, float)[take] if np.ndim(fidelity) else fidelity
    depth = fidelity * holdings.depth[src, d, s]
    generation = holdings.generation[src, d, s] + 1
    placed = place(holdings, catalogue, learner[take], practice, depth, generation)
    return learner[take][placed], practice[placed], src[placed], generation[placed]


def creation_chance(trust, distance, cfg, max_distance: float) -> np.ndarray:
    """Chance that a mutual pair creates a new practice at a meeting."""
    return np.minimum(1.0, cfg.creation_rate * trust * distance
                      * understood(distance, max_distance))


def create(holdings: Holdings, catalogue: Catalogue, expertise, a, b, trust, cfg,
           max_distance: float, week: int, rng):
    """New practices from mutual pairs (a, b); returns (school, practice) of each placement.

    A partner whose slots all give more than the new practice does not take it up. Draws
    one uniform per pair whatever the outcome."""
    a, b = np.asarray(a), np.asarray(b)
    u = rng.random(len(a))
    distance = np.abs(expertise[a] - expertise[b]).mean(axis=1)
    hit = np.flatnonzero(u < creation_chance(trust, distance, cfg, max_distance))
    schools, practices = [], []
    for i in hit:   # creations are rare; one at a time keeps schools in two pairs right
        pair = np.array([a[i], b[i]])
        domain = int(np.argmax(np.abs(expertise[a[i]] - expertise[b[i]])))
        held = holdings.practice[pair, domain]
        v_top = catalogue.effectiveness[held[held >= 0]].max(initial=0.0)
        v_new = v_top + cfg.creation_step * (cfg.effectiveness_ceiling - v_top)
        pid = catalogue.add(domain, v_new, int(a[i]), int(b[i]), week)
        placed = place(holdings, catalogue, pair, np.array([pid, pid]),
                       np.full(2, cfg.creation_depth), np.zeros(2, np.int64))
        schools.extend(pair[placed])
        practices.extend([pid] * int(placed.sum()))
    return np.asarray(schools, np.int64), np.asarray(practices, np.int64)
