"""How practices move between schools: adoption, creation by partners, and the record of it.

Parameters: the `exchange` section (`sim.config.ExchangeConfig`).

Sources: absorptive capacity (Cohen & Levinthal 1990); cognitive distance as an inverted U
(Nooteboom 2000; Nooteboom et al. 2007): a partner too close has nothing new, one too far
cannot be understood; "learning from differences" — when hosts act only as teachers the
visitors "merely rehearse what they already knew", while mutual enquiry between different
schools generates new practice (Ainscow, think piece 4); adaptation loses fidelity when a
practice is copied rather than worked out together (Rogers 2003, re-invention).

**Adoption** (every meeting, every (learner, source) pair that both attended): the meeting
discusses one practice of the source's that the learner does not hold, drawn with weight
v_p * h_source * max(E_source,d - E_learner,d, 0) (what the source does best shows most, in
the domains where it does better than the learner: comparisons of performance are "a
catalyst for sharing ideas", think piece 4) among the practices it holds at depth at least
`share_depth` in the domains discussed. The learner takes it up with probability
    p = min(1, learning_rate * A_learner * trust * time_learner * max(0, 1 - delta / max_distance))
(A absorptive capacity, delta the profile distance of the two schools' expertise, time the
learner's leadership time left relative to the mean, at most 1), at depth
    h_learner <- max(h_learner, fidelity * h_source)
with fidelity `mutual_fidelity` where both learn (adaptation) and `copy_fidelity` where a
host only shows (one-way). So the inverted U is the product of what is new to learn (fewer
practices the more alike the two schools are: partners with the same practices "merely
rehearse what they already knew") and what can be understood.
A school takes up at most one practice per week (from its first successful pair in the
order given). Whatever a school adopts it can pass on: it becomes a source like any other, so a
practice can travel many steps.

**Creation** (mutual pairs that met): with probability
    min(1, creation_rate * trust * delta * max(0, 1 - delta / max_distance))
the partners work out a new practice in the domain where they differ most, held by both at
depth `creation_depth` where it gives more than a slot holds (`sim.practices.place`). How
effective it is cannot be known beforehand: *recombinant uncertainty* (Fleming 2001,
"Recombinant uncertainty in technological search", Management Science 47(1), 117-132;
its abstract read, not the paper: "experimentation with new components and new
combinations leads to less useful inventions on average, but it also implies an increase
in the variability that can result in both failure and breakthrough", shown with patent
citations; how the mean and the spread grow with a combination's novelty is read through
summaries only; Taylor & Greve 2006, "Superman or the Fantastic Four? Knowledge
combination and experience in innovative teams", Academy of Management Journal 49(4),
abstract read through a summary: several knowledge domains give novel combinations that
raise the variance of an innovation's performance, and teams' innovations vary more in
value). So the new practice builds on the best either holds in that domain, v_top, in
log-odds of the ceiling v_max = `effectiveness_ceiling`, with a draw z ~ N(0, 1):
    logit(v_new / v_max) = logit(v_top / v_max) + novelty_spread * n * (z - 1),
    n = delta / max_distance (the pair's novelty: 0 alike, 1 the most different partners
    who can still understand each other).
Mean below v_top and spread rising with novelty are the sources'; that the mean falls by
one spread (so a new practice beats the partners' best with chance Phi(-1) = 16 % at every
novelty) and the spread's size (`novelty_spread`, about the starting catalogue's spread of
log-odds at the largest novelty) are assumptions. A better practice than either held
appears only in the upper tail, and only the practices that give more than a slot holds are
kept: what ratchets up is selection on variable outcomes, not a step built into each one.

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
class AdoptionLog:
    """Every take-up of a practice by a school, appended week by week (as the arrays given,
    which callers do not change afterwards; stacked into one table only when asked)."""

    chunks: list = field(default_factory=list)

    def record(self, week: int, school, practice, source, generation, channel: Channel):
        if len(school):
            self.chunks.append((week, int(channel), school, practice, source, generation))

    def table(self) -> np.ndarray:
        """(events, 6): week, school, practice, source, generation, channel."""
        if not self.chunks:
            return np.zeros((0, 6), np.int64)
        week, channel, *columns = zip(*self.chunks)
        sizes = [len(c) for c in columns[0]]
        return np.column_stack([np.repeat(np.asarray(week, np.int64), sizes),
                                *(np.concatenate(c).astype(np.int64, copy=False)
                                  for c in columns),
                                np.repeat(np.asarray(channel, np.int64), sizes)])


def understood(distance: np.ndarray, max_distance: float) -> np.ndarray:
    """How much of a partner's practice can be understood, 1 at no distance, 0 at the max."""
    return np.maximum(0.0, 1 - distance / max_distance)


def shown_weights(holdings: Holdings, learner: np.ndarray, source: np.ndarray,
                  share_depth: float) -> np.ndarray:
    """(pairs, domains * slots): weight v_p h_p of the source showing each of its slots to
    the learner: 0 for empty slots, practices thinner than `share_depth` and practices the
    learner already holds."""
    src = holdings.practice.take(source, axis=0)    # (pairs, domains, slots)
    lrn = holdings.practice.take(learner, axis=0)
    held = (src[..., :, None] == lrn[..., None, :]).any(axis=3)   # each slot x each slot
    depth = holdings.depth.take(source, axis=0)     # empty slots have depth 0
    weight = np.where((depth >= share_depth) & ~held,
                      holdings.effect.take(source, axis=0) * depth, 0.0)
    return weight.reshape(len(source), weight.shape[1] * weight.shape[2])


def pick(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Column drawn per row with probability proportional to its weight (-1: all zero).

    One cumulative sum over the flattened rows and a binary search per row."""
    m, k = weights.shape
    if k == 0:
        return np.full(m, -1)
    cum = weights.ravel().cumsum()
    end = cum[k - 1::k]
    total = end.copy()              # each row's own sum: its end less the previous row's
    total[1:] -= end[:-1]
    start = end - total
    hit = cum.searchsorted(start + u * total, side="right")
    col = np.minimum(hit - np.arange(m) * k, k - 1)
    return np.where(total > 0, col, -1)


def adopt(holdings: Holdings, catalogue: Catalogue, expertise, learner, source, trust,
          absorptive, time, distance, fidelity, domain_weights, cfg, max_distance: float,
          rng, embedded_week: int = 0):
    """One week's adoptions; returns (pairs, practice, generation) of the take-ups, `pairs`
    indexing the given (learner, source) arrays. A practice taken up is the learner's own
    from `embedded_week` (`sim.practices.lapse_unembedded`).

    Draws two uniforms per pair whatever the outcome (common random numbers)."""
    learner, source = np.asarray(learner), np.asarray(source)
    u_pick, u_take = rng.random(len(learner)), rng.random(len(learner))
    chance = np.minimum(1.0, cfg.learning_rate * absorptive[learner] * trust
                        * np.minimum(time[learner], 1.0) * understood(distance, max_distance))
    # Only pairs whose draw is under their chance can take anything up: what their meeting
    # discusses is worked out for them alone (the same outcome, far less work).
    take = (u_take < chance).nonzero()[0]
    slots = holdings.practice.shape[2]
    taking, showing = learner.take(take), source.take(take)
    weights = shown_weights(holdings, taking, showing, cfg.share_depth)
    # A school looks for practice where its partner does better (the gap in that domain).
    focus = np.maximum(expertise.take(showing, axis=0) - expertise.take(taking, axis=0), 0.0)
    if domain_weights is not None:
        focus = focus * np.asarray(domain_weights, float).take(take, axis=0)
    weights = weights * focus.repeat(slots, axis=1)
    col = pick(weights, u_pick.take(take))
    shown = col >= 0
    take, col = take[shown], col[shown]
    first = first_occurrences(learner.take(take))   # one take-up per learner
    take, col = take[first], col[first]
    d, s = np.divmod(col, holdings.practice.shape[2])
    src = source[take]
    practice = holdings.practice[src, d, s]
    fidelity = np.asarray(fidelity, float)[take] if np.ndim(fidelity) else fidelity
    depth = fidelity * holdings.depth[src, d, s]
    generation = holdings.generation[src, d, s] + 1
    placed = place(holdings, catalogue, learner[take], practice, depth, generation,
                   embedded_week)
    return take[placed], practice[placed], generation[placed]


def first_occurrences(values: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each distinct value, in order (what
    `np.unique(values, return_index=True)` gives, sorted, in fewer numpy calls)."""
    order = values.argsort(kind="stable")
    ordered = values.take(order)
    new = np.ones(len(values), bool)
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    first = order.compress(new)
    first.sort()
    return first


def creation_chance(trust, distance, cfg, max_distance: float) -> np.ndarray:
    """Chance that a mutual pair creates a new practice at a meeting."""
    return np.minimum(1.0, cfg.creation_rate * trust * distance
                      * understood(distance, max_distance))


def recombined(v_top, novelty, z, spread: float, ceiling: float) -> np.ndarray:
    """Effectiveness of a new practice built on the best held v_top by partners of the given
    novelty (0-1), z a standard normal draw: logit(v / ceiling) moves by spread * novelty *
    (z - 1). Nothing held (v_top 0) gives 0; v_top at or above the ceiling, the ceiling."""
    with np.errstate(divide="ignore", over="ignore"):
        log_odds = np.log(v_top) - np.log(np.maximum(ceiling - v_top, 0.0))
        return ceiling / (1 + np.exp(-(log_odds + spread * novelty * (z - 1))))


def create(holdings: Holdings, catalogue: Catalogue, expertise, a, b, trust, distance, cfg,
           max_distance: float, week: int, rng, invention_rng):
    """New practices from mutual pairs (a, b), `distance` the profile distance of each pair
    (as adoption measures it); returns (pairs that created one, and the school and practice
    of each placement).

    A partner whose slots all give more than the new practice does not take it up. Draws
    one uniform per pair from `rng` and one normal per pair from `invention_rng` (how
    effective its practice would be) whatever the outcome, so neither stream's later draws
    depend on which pairs created."""
    a, b = np.asarray(a), np.asarray(b)
    u = rng.random(len(a))
    z = invention_rng.standard_normal(len(a))
    novelty = np.asarray(distance, float) / max_distance
    hit = (u < creation_chance(trust, distance, cfg, max_distance)).nonzero()[0]
    schools, practices = [], []
    a_hit, b_hit = a.take(hit), b.take(hit)
    for batch in rounds(a_hit, b_hit):
        pa, pb = a_hit.take(batch), b_hit.take(batch)
        pair = np.stack([pa, pb], axis=1)
        domain = np.abs(expertise[pa] - expertise[pb]).argmax(axis=1)
        # The best effectiveness either holds in the domain (an empty slot's effect is 0).
        v_top = holdings.effect[pair, domain[:, None]].max(axis=(1, 2))   # of (m, 2, slots)
        pair_index = hit.take(batch)
        v_new = recombined(v_top, novelty.take(pair_index), z.take(pair_index),
                           cfg.novelty_spread, cfg.effectiveness_ceiling)
        pid = catalogue.add_many(domain, v_new, pa, pb, week)
        school = pair.ravel()           # a, b of each pair in turn
        practice = pid.repeat(2)
        placed = place(holdings, catalogue, school, practice,
                       np.full(len(school), cfg.creation_depth), np.zeros(len(school), np.int64))
        schools.append(school[placed])
        practices.append(practice[placed])
    return (hit, np.concatenate(schools or [np.zeros(0, np.int64)]),
            np.concatenate(practices or [np.zeros(0, np.int64)]))


def rounds(a: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
    """Pairs (a, b) in rounds, each school at most once per round, a pair after every
    earlier pair it shares a school with (so a school in two creating pairs sees the first
    creation before the second, as one pair at a time would)."""
    last: dict[int, int] = {}
    by_round: list[list[int]] = []   # the pairs of each round, in order
    for i, (x, y) in enumerate(zip(a.tolist(), b.tolist())):
        r = max(last.get(x, -1), last.get(y, -1)) + 1
        last[x] = last[y] = r
        if r == len(by_round):
            by_round.append([])
        by_round[r].append(i)
    return [np.array(pairs, np.int64) for pairs in by_round]
