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
capacity accept a share of applicants; the rest go to their families' other choices with
room, for a few rounds, and whatever is still unplaced goes to the home school (the local
authority's duty to offer a place). Every origin's demand is placed exactly once, so
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


def allocate(demand_dis, demand_oth, choices, dist, performance, capacity, cfg):
    """Intake of disadvantaged and other pupils at every school this year."""
    home = np.zeros(choices.shape)
    home[:, 0] = cfg.home_preference
    perf = performance[choices]
    shares = [_logit_shares(home + cfg.performance_weight_disadvantaged * perf
                            - cfg.distance_weight_disadvantaged * dist),
              _logit_shares(home + cfg.performance_weight_advantaged * perf
                            - cfg.distance_weight_advantaged * dist)]
    flows = [demand_dis[:, None] * shares[0], demand_oth[:, None] * shares[1]]
    n = len(capacity)
    for _ in range(CAPACITY_ROUNDS):
        inflow = np.bincount(choices.ravel(), weights=(flows[0] + flows[1]).ravel(), minlength=n)
        full = inflow > capacity * (1 + 1e-12)
        if not full.any():
            break
        accept = np.where(full, capacity / np.maximum(inflow, 1e-300), 1.0)[choices]
        # A school filled to capacity has no room left for redirected applicants.
        room = (inflow < capacity * (1 - 1e-12))[choices]
        for g in (0, 1):
            rejected = (flows[g] * (1 - accept)).sum(axis=1)
            flows[g] *= accept
            flows[g] += _redirect(rejected, shares[g], room)
    return tuple(np.bincount(choices.ravel(), weights=f.ravel(), minlength=n) for f in flows)


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
