"""Admissions in a quasi-market: families choose schools, funding follows pupils.

Sources: the seed documents hold that competition, league tables and choice sort pupils
between schools and widen disparities, with advantaged families better able to exercise
choice (Ainscow et al. 2015; Greany & Higham 2018, cited in seed 001).

Each year the families living around each school (its *origin* demand, fixed at the
starting intake: roll / years on roll, split into disadvantaged and other pupils) choose
among their `choice_set` nearest schools of the same phase with multinomial-logit shares
    utility_g = performance_weight_g * league-table attainment - distance_weight_g * km
                + home_preference * [the local school]
where advantaged families weigh league tables more and distance less (they are more
mobile and better informed), so a market sorts them towards high-scoring schools. Schools over
capacity admit their own local families first and a share of the other applicants (as
distance-based oversubscription criteria do); the rest go to their families' other choices with
room, for a few rounds; then any school still over capacity turns the excess away and
those families take their home school (the local authority's duty to offer a place), so
only a home school can end above capacity, and only with its own families. Every origin's demand is placed exactly once, so
pupils are conserved.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

CAPACITY_ROUNDS = 4


def choice_sets(pos_km: np.ndarray, phase: np.ndarray, k: int):
    """For each school, its k nearest same-phase schools (itself first) and distances."""
    n = len(phase)
    choices = np.zeros((n, k), np.int64)
    dist = np.zeros((n, k))
    for p in np.unique(phase):
        idx = np.flatnonzero(phase == p)
        kk = min(k, len(idx))
        d, j = cKDTree(pos_km[idx]).query(pos_km[idx], k=kk)
        d, j = d.reshape(len(idx), kk), j.reshape(len(idx), kk)
        # Co-located schools: swap each school's own entry to the front (no duplicates).
        for r in np.flatnonzero(j[:, 0] != np.arange(len(idx))):
            own = np.flatnonzero(j[r] == r)
            j[r, own[0] if len(own) else 0], j[r, 0] = j[r, 0], r
            d[r, 0] = 0.0
        # Pad short choice sets by repeating the home school at an unattractive distance.
        choices[idx] = np.pad(idx[j], ((0, 0), (0, k - kk)), mode="edge")
        dist[idx] = np.pad(d, ((0, 0), (0, k - kk)), constant_values=1e6)
    return choices, dist


def _logit_shares(utility: np.ndarray) -> np.ndarray:
    z = np.exp(utility - utility.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def allocate(demand_dis, demand_oth, choices, dist, performance, capacity, cfg,
             disadvantaged_share=None):
    """Intake of disadvantaged and other pupils at every school this year."""
    home = np.zeros(choices.shape)
    home[:, 0] = cfg.home_preference
    perf = performance[choices]
    avoid = 0.0
    if disadvantaged_share is not None:
        avoid = getattr(cfg, "composition_aversion_advantaged", 0.0) * disadvantaged_share[choices]
    shares = [_logit_shares(home + cfg.performance_weight_disadvantaged * perf
                            - cfg.distance_weight_disadvantaged * dist),
              _logit_shares(home + cfg.performance_weight_advantaged * perf
                            - cfg.distance_weight_advantaged * dist - avoid)]
    flows = [demand_dis[:, None] * shares[0], demand_oth[:, None] * shares[1]]
    n = len(capacity)
    for _ in range(CAPACITY_ROUNDS):
        inflow = np.bincount(choices.ravel(), weights=(flows[0] + flows[1]).ravel(), minlength=n)
        full = inflow > capacity * (1 + 1e-12)
        if not full.any():
            break
        accept = _acceptance(flows, choices, inflow, capacity)
        # A school filled to capacity has no room left for redirected applicants.
        room = (inflow < capacity * (1 - 1e-12))[choices]
        for g in (0, 1):
            rejected = (flows[g] * (1 - accept)).sum(axis=1)
            flows[g] *= accept
            flows[g] += _redirect(rejected, shares[g], room)
    _send_excess_home(flows, choices, capacity)
    return tuple(np.bincount(choices.ravel(), weights=f.ravel(), minlength=n) for f in flows)


def _acceptance(flows, choices, inflow, capacity) -> np.ndarray:
    """Share of each origin's applicants each choice admits: local families first.

    Oversubscribed schools in England admit by criteria that favour those living nearby,
    so a school's own (home) families are admitted before applicants from elsewhere, who
    share what capacity is left."""
    home_in = flows[0][:, 0] + flows[1][:, 0]        # choices[:, 0] is the origin itself
    other_in = inflow - home_in
    spare = np.maximum(capacity - home_in, 0.0)
    accept_home = np.where(home_in > capacity, capacity / np.maximum(home_in, 1e-300), 1.0)
    accept_other = np.where(other_in > spare, spare / np.maximum(other_in, 1e-300), 1.0)
    accept = accept_other[choices]
    accept[:, 0] = accept_home
    return accept


def _send_excess_home(flows, choices, capacity) -> None:
    """After the rounds, a school still over capacity admits up to capacity; the applicants
    it turns away take their home school (which alone may then exceed its capacity)."""
    n = len(capacity)
    inflow = np.bincount(choices.ravel(), weights=(flows[0] + flows[1]).ravel(), minlength=n)
    over = inflow > capacity * (1 + 1e-12)
    if not over.any():
        return
    accept = np.where(over, capacity / np.maximum(inflow, 1e-300), 1.0)[choices]
    accept[:, 0] = 1.0  # the home school always takes its own families back
    for g in (0, 1):
        rejected = (flows[g] * (1 - accept)).sum(axis=1)
        flows[g] *= accept
        flows[g][:, 0] += rejected


def _redirect(rejected: np.ndarray, shares: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Send rejected applicants to the origin's choices with room (home if none has)."""
    weights = shares * room
    total = weights.sum(axis=1, keepdims=True)
    home = np.zeros_like(shares)
    home[:, 0] = 1.0
    weights = np.where(total > 0, weights / np.where(total > 0, total, 1.0), home)
    return rejected[:, None] * weights


def age_rolls(roll_dis, roll_oth, intake_dis, intake_oth, years_on_roll):
    """One year group leaves, the new intake joins."""
    return (roll_dis * (1 - 1 / years_on_roll) + intake_dis,
            roll_oth * (1 - 1 / years_on_roll) + intake_oth)
