"""`diffusion.parquet`: how far and how fast each practice spread.

Built at the end of a run from the adoption log (`sim.diffusion.AdoptionLog`), the yearly
count of schools holding each practice, the catalogue and the network. One row per
practice per year (tidy, long):

- practice, domain, effectiveness, origin, partner (-1 for the starting catalogue),
  created_week;
- year, adopters (distinct schools that had taken it up by the end of that year, the
  origin included), holders (schools holding it at the end of that year);
- reach (adopters by the end of the run / schools), weeks_to_10pct and weeks_to_50pct
  (teaching weeks from creation until 10 % / 50 % of schools had taken it up; missing
  (<NA>) if it never did), max_generation (longest chain of schools it passed along),
  max_hops (largest network distance, in the network the caller gives (the union of the
  run's yearly networks, `sim.outputs`), from its
  origin to a school that took it up; <NA> for the starting catalogue, which has no origin
  school, and where no adopter is reachable).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from sim.practices import INITIAL, Catalogue

ORIGINS_PER_BATCH = 256   # breadth-first searches at once (memory: batch x schools)


def first_adoptions(log: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(practice, school, week) of each school's first take-up of each practice."""
    week, school, practice = log[:, 0], log[:, 1], log[:, 2]
    order = np.lexsort((week, school, practice))
    p, s, w = practice[order], school[order], week[order]
    first = np.r_[True, (p[1:] != p[:-1]) | (s[1:] != s[:-1])] if len(p) else np.zeros(0, bool)
    return p[first], s[first], w[first]


def weeks_to_share(practice: np.ndarray, week: np.ndarray, n_practices: int, n_schools: int,
                   share: float, created_week: np.ndarray) -> pd.array:
    """Weeks from creation until ceil(share * n_schools) schools had taken each practice up."""
    needed = int(np.ceil(share * n_schools))
    order = np.lexsort((week, practice))
    p, w = practice[order], week[order]
    start = np.searchsorted(p, np.arange(n_practices), "left")
    count = np.bincount(p, minlength=n_practices)
    reached = count >= needed
    out = pd.array(np.full(n_practices, pd.NA), dtype="Int64")
    idx = np.flatnonzero(reached)
    out[idx] = w[start[idx] + needed - 1] - created_week[idx]
    return out


def max_hops(practice, school, catalogue: Catalogue, adj: sparse.csr_matrix,
             generation: np.ndarray) -> pd.array:
    """Largest network distance from each created practice's origin to one of its adopters.

    A practice taken up only by its origin is 0 steps away, one whose other adopters are
    all neighbours of the origin 1; the others need a breadth-first search from the origin,
    which stops at the practice's longest chain + 1 steps: every step of a chain (and the
    creating pair) is a link of the network, so no adopter is further away."""
    hops = np.full(catalogue.size, -1, np.int64)
    created = catalogue.origin != INITIAL
    order = np.argsort(practice, kind="stable")
    p_sorted, s_sorted = practice[order], school[order]
    other = (s_sorted != catalogue.origin[p_sorted]) & created[p_sorted]
    others = np.bincount(p_sorted[other], minlength=catalogue.size)
    hops[created & (others == 0)] = 0
    # Adopters linked to the origin directly; a practice with no other adopter is 1 step.
    n = np.int64(adj.shape[0])
    coo = adj.tocoo()
    linked = np.sort(coo.row.astype(np.int64) * n + coo.col)
    key = catalogue.origin[p_sorted[other]].astype(np.int64) * n + s_sorted[other]
    at = np.minimum(np.searchsorted(linked, key), max(len(linked) - 1, 0))
    adjacent = (linked[at] == key) if len(linked) else np.zeros(len(key), bool)
    far = np.bincount(p_sorted[other][~adjacent], minlength=catalogue.size)
    hops[created & (others > 0) & (far == 0)] = 1
    search = np.flatnonzero(created & (hops < 0))
    # One search per origin school, as far as the longest chain of any of its practices.
    origins, of_origin = np.unique(catalogue.origin[search], return_inverse=True)
    limits = np.zeros(len(origins), np.int64)
    np.maximum.at(limits, of_origin, generation[search] + 1)
    origin_of = np.full(catalogue.size, -1, np.int64)
    origin_of[search] = of_origin
    # The adoptions of the searched practices: practice, school, origin (index in `origins`).
    rec = np.flatnonzero(origin_of[p_sorted] >= 0)
    rec_p, rec_s = p_sorted[rec], s_sorted[rec]
    rec_o = origin_of[rec_p]
    for limit in np.unique(limits):
        group = np.flatnonzero(limits == limit)
        for batch in np.array_split(group, int(np.ceil(len(group) / ORIGINS_PER_BATCH))):
            dist = csgraph.dijkstra(adj, directed=False, unweighted=True,
                                    indices=origins[batch], limit=float(limit))
            row = np.full(len(origins), -1, np.int64)
            row[batch] = np.arange(len(batch))
            mine = np.flatnonzero(row[rec_o] >= 0)
            d = dist[row[rec_o[mine]], rec_s[mine]]
            found = np.isfinite(d)
            np.maximum.at(hops, rec_p[mine][found], d[found].astype(np.int64))
    out = pd.array(hops, dtype="Int64")
    out[hops < 0] = pd.NA
    return out


def diffusion_table(log: np.ndarray, holders_by_year: np.ndarray, catalogue: Catalogue,
                    n_schools: int, adj: sparse.csr_matrix, weeks_per_year: int) -> pd.DataFrame:
    """The tidy table described in the module docstring.

    `holders_by_year` is (years + 1, practices) holders at the start and each year end;
    practices created later than a year have 0 there."""
    n_p = catalogue.size
    years = holders_by_year.shape[0]
    practice, school, week = first_adoptions(log)
    generation = np.zeros(n_p, np.int64)
    if len(log):
        np.maximum.at(generation, log[:, 2], log[:, 4])
    year_of = np.ceil(week / weeks_per_year).astype(np.int64)
    adopters = np.zeros((years, n_p), np.int64)
    np.add.at(adopters, (np.minimum(year_of, years - 1), practice), 1)
    adopters = np.cumsum(adopters, axis=0)
    per_practice = pd.DataFrame({
        "practice": np.arange(n_p), "domain": catalogue.domain,
        "effectiveness": catalogue.effectiveness, "origin": catalogue.origin,
        "partner": catalogue.partner, "created_week": catalogue.created_week,
        "reach": adopters[-1] / n_schools,
        "weeks_to_10pct": weeks_to_share(practice, week, n_p, n_schools, 0.1,
                                         catalogue.created_week),
        "weeks_to_50pct": weeks_to_share(practice, week, n_p, n_schools, 0.5,
                                         catalogue.created_week),
        "max_generation": generation,
        "max_hops": max_hops(practice, school, catalogue, adj, generation),
    })
    # A row per practice and year, practice after practice, years in order.
    table = per_practice.take(np.repeat(np.arange(n_p), years)).reset_index(drop=True)
    table.insert(1, "year", np.tile(np.arange(years), n_p))
    table.insert(2, "adopters", adopters.T.ravel())
    table.insert(3, "holders", holders_by_year.T.ravel())
    return table
