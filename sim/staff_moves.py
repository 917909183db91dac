"""Staff who leave a school, and the practices that move with them.

Sources: teacher turnover is higher in schools serving disadvantaged communities (Allen &
Sims 2018, The Teacher Gap; DfE School Workforce Census); about half of the teachers who
leave a school move to another state school, mostly nearby (Allen, Burgess & Mayo 2018;
NFER Teacher Labour Market in England 2023); a teacher or leader who moves carries the
practice they used (Ainscow 2012: "moving knowledge around" by people).

Each term every school loses a key member of staff with probability
    turnover_shock_probability * dt * (1 + turnover_deprivation_factor * disadvantaged share)
(the parameters of `sim.improvement`). The leaver was using one of the school's practices,
drawn with weight equal to its depth; that practice loses a share `turnover_shock_loss` of
its depth at the school. With probability `move_share` the leaver moves to another school
(in the same local authority with probability `local_share`, otherwise anywhere), which
takes the practice up at depth `carry_fidelity` times its depth at the origin, one step
further from its origin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.component import param
from sim.practices import Catalogue, Holdings, place


@dataclass
class StaffMoveConfig:
    """Staff moving between schools with their practice (`sim.staff_moves`)."""

    # Share of leavers who move to another school in the region (the rest leave teaching
    # or the region).
    move_share: float = param(0.5, min=0, max=1, why="a share", unit="share",
                              label="Leavers who move to another school")
    # Share of moves within the same local authority.
    local_share: float = param(0.7, min=0, max=1, why="a share", unit="share",
                               label="Moves within the local authority")
    carry_fidelity: float = param(0.6, min=0, max=1, why="a share of the depth", unit="share",
                                  label="Depth a moving teacher carries")


@dataclass
class Moves:
    origin: np.ndarray        # school the leaver left
    destination: np.ndarray   # school they joined (-1: left the region or teaching)
    practice: np.ndarray      # the practice they carried
    generation: np.ndarray    # its steps from its origin once at the destination
    placed: np.ndarray        # whether the destination took it up


def leavers(disadvantaged_share, improvement_cfg, dt_years: float, rng) -> np.ndarray:
    """Schools losing a key member of staff this term. One uniform per school."""
    u = rng.random(len(disadvantaged_share))
    p = improvement_cfg.turnover_shock_probability * dt_years * (
        1 + improvement_cfg.turnover_deprivation_factor * disadvantaged_share)
    return np.flatnonzero(u < p)


def destinations(origin, local_authority, cfg, rng) -> np.ndarray:
    """Where each leaver goes (-1: out of the region). Three uniforms per leaver."""
    u_move, u_local, u_pick = rng.random((3, len(origin)))
    n = len(local_authority)
    order = np.argsort(local_authority, kind="stable")
    starts = np.searchsorted(local_authority[order], local_authority[origin], "left")
    ends = np.searchsorted(local_authority[order], local_authority[origin], "right")
    local = order[np.minimum(starts + (u_pick * (ends - starts)).astype(np.int64), n - 1)]
    anywhere = np.minimum((u_pick * n).astype(np.int64), n - 1)
    dest = np.where(u_local < cfg.local_share, local, anywhere)
    dest = np.where(dest == origin, -1, dest)   # drew their own school: no move
    return np.where(u_move < cfg.move_share, dest, -1)


def move_staff(holdings: Holdings, catalogue: Catalogue, disadvantaged_share,
               local_authority, improvement_cfg, cfg, dt_years: float, rng) -> Moves:
    """A term's leavers: depth lost at the origin, practice carried to the destination."""
    origin = leavers(disadvantaged_share, improvement_cfg, dt_years, rng)
    u_slot = rng.random(len(origin))
    n, n_domains, slots = holdings.depth.shape
    weights = holdings.depth[origin].reshape(len(origin), n_domains * slots)
    cum = np.cumsum(weights, axis=1)
    col = np.minimum((cum < (u_slot * cum[:, -1])[:, None]).sum(axis=1), n_domains * slots - 1)
    d, s = np.divmod(col, slots)
    dest = destinations(origin, local_authority, cfg, rng)
    practice = holdings.practice[origin, d, s]
    carried_depth = cfg.carry_fidelity * holdings.depth[origin, d, s]
    generation = holdings.generation[origin, d, s] + 1
    holdings.depth[origin, d, s] *= 1 - improvement_cfg.turnover_shock_loss
    going = np.flatnonzero((dest >= 0) & (practice >= 0))
    # One arrival per destination per term: the first leaver in school order.
    _, first = np.unique(dest[going], return_index=True)
    going = going[np.sort(first)]
    placed = np.zeros(len(origin), bool)
    placed[going] = place(holdings, catalogue, dest[going], practice[going],
                          carried_depth[going], generation[going])
    return Moves(origin, dest, practice, generation, placed)
