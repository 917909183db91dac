"""sim.diffusion_table: reach, speed and distance of each practice, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim import network
from sim.diffusion import Channel
from sim.diffusion_table import diffusion_table
from sim.practices import INITIAL, Catalogue


def test_diffusion_table_hand_worked():
    # Ten schools on a path 0-1-...-9. Practice 0 is in the starting catalogue (schools 8
    # and 9 hold it); practice 1 was created by schools 0 and 1 in week 5 and spread along
    # the path: school 2 in week 20 (year 1), 3 in week 45 and 4 in week 50 (year 2).
    # School 3 took it up twice (again in week 60): only the first counts.
    cat = Catalogue(np.array([0, 2]), np.array([0.4, 0.6]), np.array([INITIAL, 0]),
                    np.array([INITIAL, 1]), np.array([0, 5]))
    log = np.array([
        [0, 8, 0, -1, 0, Channel.START], [0, 9, 0, -1, 0, Channel.START],
        [5, 0, 1, -1, 0, Channel.CREATED], [5, 1, 1, -1, 0, Channel.CREATED],
        [20, 2, 1, 1, 1, Channel.PARTNER], [45, 3, 1, 2, 2, Channel.PARTNER],
        [50, 4, 1, 3, 3, Channel.PARTNER], [60, 3, 1, 4, 4, Channel.STAFF_MOVE]])
    holders = np.array([[2, 0], [2, 3], [1, 4]])          # start, year 1, year 2
    adj = network.adjacency(np.arange(9), np.arange(1, 10), 10)
    t = diffusion_table(log, holders, cat, 10, adj, 39)
    assert t.columns.tolist()[:4] == ["practice", "year", "adopters", "holders"]
    p1 = t[t.practice == 1]
    assert p1["year"].tolist() == [0, 1, 2]
    assert p1["adopters"].tolist() == [0, 3, 5]           # weeks 5, 5, 20 | 45, 50
    assert p1["holders"].tolist() == [0, 3, 4]
    row = p1.iloc[0]
    assert row.reach == 0.5 and row.origin == 0 and row.partner == 1
    assert row.weeks_to_10pct == 0                        # 1 school: the creation itself
    assert row.weeks_to_50pct == 45                       # 5th school in week 50
    assert row.max_generation == 4 and row.max_hops == 4  # school 4 is four steps from 0
    p0 = t[t.practice == 0].iloc[0]
    assert p0.adopters == 2 and p0.reach == 0.2 and p0.weeks_to_10pct == 0
    assert p0.weeks_to_50pct is pd.NA and p0.max_hops is pd.NA
