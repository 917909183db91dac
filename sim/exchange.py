"""Knowledge exchange between partners, and the creation of new practice.

Sources: expertise "isn't moving around" until collaboration moves it (Ainscow et al. 2015);
"learning from differences" — when hosts act only as teachers the visitors "merely rehearse
what they already knew", while mutual enquiry between different schools generates new
practice (think piece 4); absorptive capacity (Cohen & Levinthal 1990) and the inverted-U
of cognitive distance (Nooteboom 2000): a partner too close has nothing new, one too far
cannot be understood.

All exchanges due in a week are applied by one call on arrays of (learner, source) pairs,
each with a weight per domain (1: discussed, 0: not; None: every domain). For a pair, with
g_d = E[source, d] - E[learner, d] and profile distance delta = mean_d |g_d|:
    gain_d = learning_rate * A[learner] * trust * w_d max(g_d, 0) * max(0, 1 - delta / max_distance)
    A = openness * (1 - competition_openness_cut * competition) * (floor + (1 - floor) * mean E)
Gains from several sources add up but never take a learner past its best source in that
domain (you cannot learn more than your partners know).

Creation (mutual mode only): each pair that met creates new practice with probability
creation_rate * delta * trust, in one domain drawn at random; both partners rise to
max(E_a, E_b) + creation_step * (1 - max(E_a, E_b)), beyond either school's level.
"""

from __future__ import annotations

import numpy as np


def absorptive_capacity(expertise, openness, competition, cfg, extra_cut: float = 0.0):
    """How much of what a school sees it can take in (0 to 1)."""
    cut = np.clip(cfg.competition_openness_cut + extra_cut, 0.0, 1.0)
    effective_openness = openness * (1 - cut * competition)
    floor = cfg.absorptive_floor
    return effective_openness * (floor + (1 - floor) * expertise.mean(axis=1))


def profile_distance(expertise, a, b) -> np.ndarray:
    """Cognitive distance between schools a and b: mean absolute gap over domains."""
    return np.abs(expertise[a] - expertise[b]).mean(axis=1)


def learning_gains(expertise, learner, source, weights, trust, absorptive, cfg) -> np.ndarray:
    """The (n, domains) gain of every school from the given pairs, capped by its best source."""
    gap = expertise[source] - expertise[learner]
    understood = np.maximum(0.0, 1 - np.abs(gap).mean(axis=1) / cfg.max_distance)
    ahead = np.maximum(gap, 0.0)
    if weights is not None:
        ahead *= weights
    gain = (cfg.learning_rate * absorptive[learner] * trust * understood)[:, None] * ahead
    out = np.zeros_like(expertise)
    if len(learner) == 0:
        return out
    order = np.argsort(learner, kind="stable")
    sorted_learner = learner[order]
    starts = np.flatnonzero(np.r_[True, sorted_learner[1:] != sorted_learner[:-1]])
    total = np.add.reduceat(gain[order], starts, axis=0)
    best = np.maximum.reduceat(ahead[order], starts, axis=0)
    out[sorted_learner[starts]] = np.minimum(total, best)
    return out


def create_practice(expertise, a, b, trust, cfg, rng) -> np.ndarray:
    """New practice from mutual pairs (a, b); returns the pairs' indices that created some.

    Draws one uniform and one domain per pair whatever the outcome."""
    u = rng.random(len(a))
    domain = rng.integers(0, expertise.shape[1], len(a))
    chance = np.minimum(1.0, cfg.creation_rate * profile_distance(expertise, a, b) * trust)
    hit = np.flatnonzero(u < chance)
    a, b, d = a[hit], b[hit], domain[hit]
    top = np.maximum(expertise[a, d], expertise[b, d])
    level = top + cfg.creation_step * (1 - top)
    # A school in two creating pairs keeps the higher level (maximum.at, not assignment).
    np.maximum.at(expertise, (a, d), level)
    np.maximum.at(expertise, (b, d), level)
    return hit


def broadcast(expertise, summary, absorptive, rate: float) -> np.ndarray:
    """Every school drifts towards a shared summary of practice, where it is below it.

    The pull (rate x absorptive capacity) is capped at 1: never past the summary."""
    pull = np.minimum(rate * absorptive, 1.0)[:, None]
    return expertise + pull * np.maximum(summary[None, :] - expertise, 0.0)
