"""sim.pupils.mobility: who moves, and where to."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.pupils import mobility
from sim.pupils.roll import Pupils
from tests.pupils_helpers import line_of_schools

PLACES = line_of_schools(primary_places=(30,) * 4, secondary_places=(70, 70, 70))


def roll(n, seed=0) -> Pupils:
    rng = np.random.default_rng(seed)
    year = np.sort(rng.integers(0, 12, n).astype(np.int8))[::-1]   # in order of entry
    primary = year <= 6
    school = np.where(primary, rng.integers(0, 4, n), rng.integers(4, 7, n)).astype(np.int32)
    home = rng.integers(0, 8, n).astype(np.int32)
    return Pupils(school, year, rng.random(n) < 0.3, home,
                  PLACES.neighbourhood_km[home].astype(np.float32), rng.normal(0, 10, n),
                  np.zeros(n, np.float32), np.zeros(n, np.float32))


def test_movers_change_school_within_their_phase():
    p = roll(50_000)
    nearby = mobility.nearby_by_phase(PLACES, 2)
    movers, school = mobility.moves(p, nearby, mobility.MobilityParams(candidates=2),
                                    np.random.default_rng(1))
    assert (school != p.school[movers]).all()
    assert (PLACES.phase[school] == PLACES.phase[p.school[movers]]).all()
    # Options are the 3 nearest of the phase to the home, minus the own school.
    for i, s in zip(movers[:500], school[:500]):
        assert s in nearby[PLACES.phase[p.school[i]]][p.home[i]]


def test_disadvantaged_pupils_move_twice_as_often_and_nobody_in_a_test_year():
    p = roll(200_000)
    movers, _ = mobility.moves(p, mobility.nearby_by_phase(PLACES, 6), mobility.MobilityParams(),
                               np.random.default_rng(2))
    moved = np.zeros(len(p), bool)
    moved[movers] = True
    eligible = (p.year != 6) & (p.year != 11)
    assert not moved[~eligible].any()
    assert moved[eligible & ~p.disadvantaged].mean() == pytest.approx(0.03, abs=0.002)
    assert moved[eligible & p.disadvantaged].mean() == pytest.approx(0.06, abs=0.003)


def test_no_mobility_moves_nobody():
    p = roll(1000)
    params = dataclasses.replace(mobility.MobilityParams(), rate_other=0.0)
    movers, school = mobility.moves(p, mobility.nearby_by_phase(PLACES, 6), params,
                                    np.random.default_rng(3))
    assert len(movers) == 0 and len(school) == 0
